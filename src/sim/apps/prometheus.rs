//! A Prometheus as far as the console reads it (issue 12): `GET …/api/v1/alerts` (under any
//! route prefix, e.g. `/prometheus`) with the alerts a scenario fires, and `…/-/healthy`. The
//! alerts come from the annotation [`FIRING`] on Prometheus's Service (a JSON array of
//! `{labels, annotations, state, activeAt}`), so a scenario layer only edits the world.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// Annotation on the Prometheus Service listing the alerts it reports firing.
pub const FIRING: &str = "sim.k8s-nas/firing-alerts";

/// Serve on loopback; the sender stops it.
pub async fn spawn_prometheus(
    alerts: Vec<Value>,
) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let router = Router::new().fallback(move |uri: Uri| {
        let alerts = alerts.clone();
        async move {
            let p = uri.path();
            if p.ends_with("/api/v1/alerts") {
                axum::Json(json!({"status": "success", "data": {"alerts": alerts}})).into_response()
            } else if p.ends_with("/-/healthy") {
                (StatusCode::OK, "Prometheus Server is Healthy.\n").into_response()
            } else {
                let r: Response = (StatusCode::NOT_FOUND, "404 page not found\n").into_response();
                r
            }
        }
    });
    super::serve_loopback(router).await
}
