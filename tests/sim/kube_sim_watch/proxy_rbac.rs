//! The service proxy and the RBAC simulation.

use super::common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

#[tokio::test]
async fn forbidden_namespace_answers_403_and_access_reviews_agree() {
    let (sim, client) = start().await;
    sim.forbid_namespace("media");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    match pods.list(&ListParams::default()).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 403);
            assert!(
                s.message.contains("cannot list resource \"pods\""),
                "{}",
                s.message
            );
            assert!(
                s.message.contains("in the namespace \"media\""),
                "{}",
                s.message
            );
        }
        other => panic!("expected 403, got {other:?}"),
    }
    let all: Api<Pod> = Api::all(client.clone());
    assert!(
        matches!(all.list(&ListParams::default()).await, Err(kube::Error::Api(s)) if s.code == 403)
    );
    let other: Api<Pod> = Api::namespaced(client.clone(), "default");
    assert!(other
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .is_empty());

    use k8s_openapi::api::authorization::v1::{
        ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    };
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let ask = |ns: &str| SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.into()),
                verb: Some("list".into()),
                resource: Some("pods".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let media = reviews
        .create(&PostParams::default(), &ask("media"))
        .await
        .unwrap();
    assert!(!media.status.unwrap().allowed);
    let default = reviews
        .create(&PostParams::default(), &ask("default"))
        .await
        .unwrap();
    assert!(default.status.unwrap().allowed);
    sim.allow_namespace("media");
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        2
    );
    sim.shutdown().await;
}

/// A backend that answers like an app: echoes what it got, redirects `/login`.
async fn spawn_backend() -> std::net::SocketAddr {
    use axum::http::HeaderMap;
    use axum::routing::{any, get};
    async fn echo(
        method: axum::http::Method,
        uri: axum::http::Uri,
        headers: HeaderMap,
        body: String,
    ) -> impl axum::response::IntoResponse {
        let auth = headers.get("authorization").is_some();
        let key = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (
            axum::http::StatusCode::IM_A_TEAPOT,
            [("x-backend", "yes")],
            format!("{method} {uri} auth={auth} key={key} body={body}"),
        )
    }
    let app = axum::Router::new()
        .route(
            "/login",
            get(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [("location", "/sonarr/login?returnUrl=%2F")],
                    "",
                )
            }),
        )
        .fallback(any(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test]
async fn service_proxy_forwards_untouched_and_follows_endpoints() {
    let (sim, client) = start().await;
    let backend = spawn_backend().await;
    sim.register_backend("media", "sonarr", 8989, backend);
    let base = "/api/v1/namespaces/media/services";

    let raw = |path: String, method: &str, body: &str| {
        let mut b = http::Request::builder()
            .method(method)
            .uri(path)
            .header("X-Api-Key", "k123");
        if !body.is_empty() {
            b = b.header("content-type", "application/json");
        }
        b.body(body.as_bytes().to_vec()).unwrap()
    };
    let send = |req: http::Request<Vec<u8>>| {
        let client = client.clone();
        async move {
            let resp = client
                .send(req.map(kube::client::Body::from))
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, headers, String::from_utf8_lossy(&body).to_string())
        }
    };
    // Port by number, by name, scheme form; path, query, method and body pass through.
    for svc in ["sonarr:8989", "sonarr:http", "http:sonarr:8989", "sonarr"] {
        let (status, headers, body) = send(raw(
            format!("{base}/{svc}/proxy/api/v3/system/status?x=1"),
            "POST",
            "{\"a\":1}",
        ))
        .await;
        assert_eq!(status, 418, "{svc}: {body}");
        assert_eq!(headers["x-backend"], "yes");
        assert_eq!(
            body, "POST /api/v3/system/status?x=1 auth=false key=k123 body={\"a\":1}",
            "{svc}"
        );
    }
    // Redirects are returned, not followed.
    let (status, headers, _) =
        send(raw(format!("{base}/sonarr:8989/proxy/login"), "GET", "")).await;
    assert_eq!(status, 302);
    assert_eq!(headers["location"], "/sonarr/login?returnUrl=%2F");

    // Unknown service → 404 Status; no backend → 503.
    let (status, _, body) = send(raw(format!("{base}/nope:80/proxy/"), "GET", "")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"kind\":\"Status\""));
    let (status, _, body) = send(raw(format!("{base}/qbittorrent:8080/proxy/"), "GET", "")).await;
    assert_eq!(status, 503, "{body}");

    // Scaled to zero: no endpoints.
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "media");
    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
        )
        .await
        .unwrap();
    let (status, _, body) = send(raw(format!("{base}/sonarr:8989/proxy/ping"), "GET", "")).await;
    assert_eq!(status, 503);
    assert!(
        body.contains("no endpoints available for service \\\"sonarr\\\""),
        "{body}"
    );
    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    let (status, _, _) = send(raw(format!("{base}/sonarr:8989/proxy/ping"), "GET", "")).await;
    assert_eq!(status, 418);
    sim.shutdown().await;
}
