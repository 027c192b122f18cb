//! Bazarr client against the Bazarr simulator. Bazarr's calls to Sonarr go over HTTP through
//! `SimDns` to a minimal Sonarr-shaped server started here (URL base `/sonarr`, key check,
//! 307 to the prefixed path when the base is missing, as Sonarr does).

use axum::{extract::Request, http::StatusCode, response::IntoResponse, Json, Router};
use k8s_nas::clients::bazarr::{ArrConnection, BazarrArr, BazarrClient};
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, AppKind, IssueLevel, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, RunningApp, Seed, SimDns};
use std::net::SocketAddr;

const KEY: &str = "ba2a2ba2a2ba2a2ba2a2ba2a2ba2a2b0";
const SONARR_KEY: &str = "50aa50aa50aa50aa50aa50aa50aa50aa";

/// Serve a Sonarr-shaped API at `/sonarr` and register it as `media/sonarr:8989`.
async fn fake_sonarr(dns: &SimDns) -> SocketAddr {
    async fn handle(req: Request) -> axum::response::Response {
        let path = req.uri().path().to_ascii_lowercase();
        let Some(rest) = path.strip_prefix("/sonarr") else {
            let loc = format!("/sonarr{}", req.uri());
            return (StatusCode::TEMPORARY_REDIRECT, [("location", loc)]).into_response();
        };
        let q = req.uri().query().unwrap_or("");
        let key_ok = q.split('&').any(|kv| kv == format!("apikey={SONARR_KEY}"))
            || req.headers().get("x-api-key").and_then(|v| v.to_str().ok()) == Some(SONARR_KEY);
        if !key_ok {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        match rest {
            "/api/v3/system/status" => Json(serde_json::json!(
                {"appName": "Sonarr", "version": "4.0.19.2979", "urlBase": "/sonarr"}))
            .into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, Router::new().fallback(handle)).await;
    });
    dns.register("media", "sonarr", 8989, addr);
    addr
}

async fn start(base: &str, seed: Seed, dns: &SimDns) -> RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Bazarr, base, KEY);
    cfg.seed = seed;
    cfg.peer_keys.insert(AppKind::Sonarr, SONARR_KEY.into());
    spawn_app(cfg, dns.clone(), None).await.expect("spawn")
}

fn client(app: &RunningApp, base: &str, key: &str) -> BazarrClient {
    BazarrClient::new(AppEndpoint::direct(app.url(), base), Secret::new(key))
}

#[tokio::test]
async fn health_and_auth() {
    let dns = SimDns::new();
    let app = start("", Seed::Fresh, &dns).await;
    let c = client(&app, "", KEY);
    c.ping().await.expect("ping needs no key");
    let h = c.health().await.expect("health");
    assert_eq!(h.version.as_deref(), Some("1.5.3"));
    assert_eq!(h.summary, "ok");
    let e = client(&app, "", "wrong").health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    // The key also works as a query parameter (raw wire).
    let r = reqwest::get(format!("{}/api/system/status?apikey={KEY}", app.url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let based = start("/bazarr", Seed::Fresh, &dns).await;
    assert!(client(&based, "/bazarr", KEY).health().await.is_ok());
    let e = client(&based, "", KEY).ping().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
}

#[tokio::test]
async fn wired_status_reaches_sonarr_over_http() {
    let dns = SimDns::new();
    fake_sonarr(&dns).await;
    let app = start("", Seed::Wired, &dns).await;
    let c = client(&app, "", KEY);
    let s = c.status().await.unwrap();
    assert_eq!(s.sonarr_version, "4.0.19.2979");
    // No Radarr registered: Bazarr cannot reach it.
    assert_eq!(s.radarr_version, "unknown");
    let h = c.health().await.unwrap();
    assert!(h.issues.iter().any(|i| i.source == "Radarr"));

    app.faults.update(|f| f.health_errors = true);
    let h = c.health().await.unwrap();
    assert!(h.issues.iter().any(|i| i.source == "/data/media/series"));
    assert_eq!(h.worst_level(), IssueLevel::Warning);
}

#[tokio::test]
async fn settings_round_trip_and_connection_test() {
    let dns = SimDns::new();
    fake_sonarr(&dns).await;
    let app = start("", Seed::Miswired, &dns).await;
    let c = client(&app, "", KEY);
    let mut conn = c.arr_connection(BazarrArr::Sonarr).await.unwrap();
    assert!(conn.enabled);
    assert_eq!(conn.base_url, "/");
    assert_eq!(conn.api_key.expose(), SONARR_KEY);
    // The seeded mistake: Sonarr serves /sonarr, Bazarr asks /.
    let t = c.test_arr_connection(&conn).await.unwrap();
    assert!(!t.ok);
    assert_eq!(t.code, 307);
    conn.base_url = "sonarr/".into();
    c.set_arr_connection(BazarrArr::Sonarr, &conn)
        .await
        .unwrap();
    let back = c.arr_connection(BazarrArr::Sonarr).await.unwrap();
    assert_eq!(back.base_url, "/sonarr/");
    assert_eq!(back.port, 8989);
    let t = c.test_arr_connection(&back).await.unwrap();
    assert!(t.ok, "{t:?}");
    assert_eq!(t.version.as_deref(), Some("4.0.19.2979"));
    let bad = ArrConnection {
        api_key: Secret::new("ffffffffffffffffffffffffffffffff"),
        ..back.clone()
    };
    let t = c.test_arr_connection(&bad).await.unwrap();
    assert_eq!((t.ok, t.code), (false, 401));
    // An all-digit key is cast to int and fails Bazarr's validator (406).
    let digits = ArrConnection {
        api_key: Secret::new("12345678901234567890123456789012"),
        ..back
    };
    let e = c
        .set_arr_connection(BazarrArr::Sonarr, &digits)
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 406 });
    assert!(!e.detail.contains("1234567890"), "{}", e.detail);
}
