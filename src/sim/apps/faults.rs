//! Fault injection shared by every app simulator: slow, hung, failing or garbled answers.
//! Scenarios set the initial faults; tests may flip them on a running app via [`FaultSwitch`].

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Never answer (the connection stays open).
    pub hang: bool,
    /// Answer 500 to everything.
    pub status_500: bool,
    /// Answer 200 with an HTML page to everything (a misrouted ingress, a login portal).
    pub html: bool,
    /// Cut JSON bodies in half.
    pub truncated_json: bool,
    /// The app reports failing health checks (its own health endpoint).
    pub health_errors: bool,
    /// Servarr: one more health issue with exactly this message (a hostile app: escape
    /// sequences, endless text).
    pub health_message: Option<String>,
    /// qBittorrent: bound to this network interface (`eth0` …) instead of the seed's.
    pub bound_interface: Option<String>,
    /// qBittorrent: this `connection_status` instead of the seed's (`firewalled` …).
    pub connection_status: Option<String>,
    /// The app is stopped (its Deployment scaled to 0, or it cannot start): 503 to everything.
    pub stopped: bool,
    /// The API key the app read from its own config file when it last started (the node
    /// tree, [`crate::sim::node`]); `None`: the key it was built with.
    pub config_key: Option<String>,
}

/// Shared, switchable faults of one running simulator.
#[derive(Debug)]
pub struct FaultSwitch(RwLock<Faults>);

impl FaultSwitch {
    pub fn new(f: Faults) -> Self {
        FaultSwitch(RwLock::new(f))
    }
    pub fn get(&self) -> Faults {
        self.0.read().map(|f| f.clone()).unwrap_or_default()
    }
    pub fn set(&self, f: Faults) {
        if let Ok(mut g) = self.0.write() {
            *g = f;
        }
    }
    pub fn update(&self, f: impl FnOnce(&mut Faults)) {
        if let Ok(mut g) = self.0.write() {
            f(&mut g);
        }
    }
}

/// axum middleware applying the current faults. `health_errors` is read by the simulators
/// themselves (through [`FaultSwitch`] in request extensions), since only they know the shape.
pub async fn fault_layer(
    State(sw): State<Arc<FaultSwitch>>,
    mut req: Request,
    next: Next,
) -> Response {
    let f = sw.get();
    if !f.latency.is_zero() {
        tokio::time::sleep(f.latency).await;
    }
    if f.hang {
        std::future::pending::<()>().await;
    }
    if f.stopped {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "no endpoints available (app stopped)",
        )
            .into_response();
    }
    if f.status_500 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    }
    if f.html {
        return (
            [(header::CONTENT_TYPE, "text/html")],
            "<!DOCTYPE html><html><head><title>Login</title></head><body>portal</body></html>",
        )
            .into_response();
    }
    req.extensions_mut().insert(f.clone());
    let resp = next.run(req).await;
    if f.truncated_json {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
            .await
            .unwrap_or_default();
        let cut = bytes.slice(..bytes.len() / 2);
        let mut parts = parts;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(cut));
    }
    resp
}
