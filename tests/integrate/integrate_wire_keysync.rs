//! `keys --sync` on the wire: kube-rs writes a JSON merge patch with only the changed keys to
//! a loopback stand-in of the API server (which records what it got), or creates the Secret.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::Json;
use base64::Engine;
use k8s_nas::keys::live::write_secret;
use k8s_nas::keys::{compare, sync_patch, AppKeyObservation, SecretTarget};
use k8s_nas::model::{AppKind, Secret, ServiceId};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

type Seen = Arc<Mutex<Vec<(Method, String, String, Value)>>>;

async fn record(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    h: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    let ct = h
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.lock()
        .unwrap()
        .push((method, uri.path().to_string(), ct, v));
    Json(json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "starr-secrets", "namespace": "media"}, "data": {}}))
}

async fn serve() -> (kube::Client, Seen) {
    k8s_nas::init_tls();
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .fallback(record)
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}").parse().expect("url");
    (
        kube::Client::try_from(kube::Config::new(url)).expect("client"),
        seen,
    )
}

fn obs(kind: AppKind, key: &str) -> AppKeyObservation {
    AppKeyObservation {
        service: ServiceId::new("media", kind.id()),
        kind,
        key: Ok(Secret::new(key)),
    }
}

#[tokio::test]
async fn sync_patches_only_the_changed_keys() {
    let (client, seen) = serve().await;
    let target = SecretTarget::default();
    let sonarr = "0123456789abcdef0123456789abcdef";
    let radarr = "fedcba9876543210fedcba9876543210";
    let lidarr = "aaaa5555bbbb6666cccc7777dddd8888";
    let secret: BTreeMap<String, Secret> = BTreeMap::from([
        ("SONARR_API_KEY".to_string(), Secret::new(sonarr)),
        (
            "RADARR_API_KEY".to_string(),
            Secret::new("stale-stale-stale-stale-stale-00"),
        ),
        (
            "JELLYSEERR_API_KEY".to_string(),
            Secret::new("someone-elses-value"),
        ),
    ]);
    let apps = vec![
        obs(AppKind::Sonarr, sonarr),
        obs(AppKind::Radarr, radarr),
        obs(AppKind::Lidarr, lidarr),
        AppKeyObservation {
            service: ServiceId::new("media", "jellyseerr"),
            kind: AppKind::Jellyseerr,
            key: Err("settings.json not readable".into()),
        },
    ];
    let drift = compare(&target, &secret, &apps);
    let plan = sync_patch(&target, &secret, true, &drift, &apps).expect("changes");
    let shown: Vec<String> = plan.changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown
        .iter()
        .all(|c| !c.contains(radarr) && !c.contains(lidarr)));

    write_secret(&client, "media", "starr-secrets", &plan.write)
        .await
        .expect("patch");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (method, path, ct, body) = &seen[0];
    assert_eq!(method, Method::PATCH);
    assert_eq!(path, "/api/v1/namespaces/media/secrets/starr-secrets");
    assert_eq!(ct, "application/merge-patch+json");
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(
        body,
        &json!({"data": {"RADARR_API_KEY": b64.encode(radarr), "LIDARR_API_KEY": b64.encode(lidarr)}}),
        "only the changed keys; Sonarr (in sync) and Jellyseerr (unknown) untouched"
    );
}

#[tokio::test]
async fn sync_creates_a_missing_secret() {
    let (client, seen) = serve().await;
    let target = SecretTarget::default();
    let apps = vec![obs(AppKind::Sonarr, "0123456789abcdef0123456789abcdef")];
    let empty = BTreeMap::new();
    let drift = compare(&target, &empty, &apps);
    let plan = sync_patch(&target, &empty, false, &drift, &apps).expect("changes");
    write_secret(&client, "media", "starr-secrets", &plan.write)
        .await
        .expect("create");
    let seen = seen.lock().unwrap().clone();
    let (method, path, _, body) = &seen[0];
    assert_eq!(method, Method::POST);
    assert_eq!(path, "/api/v1/namespaces/media/secrets");
    assert_eq!(body["metadata"]["name"], "starr-secrets");
    assert!(body["data"]["SONARR_API_KEY"].is_string());
}
