//! Jellyfin client against the Jellyfin simulator over real HTTP on 127.0.0.1.

use k8s_nas::clients::jellyfin::JellyfinClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, AppKind, IssueLevel, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, Faults, RunningApp, Seed, SimDns};

const KEY: &str = "0123456789abcdef0123456789abcdef";

async fn start(base: &str, seed: Seed) -> RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Jellyfin, base, KEY);
    cfg.seed = seed;
    spawn_app(cfg, SimDns::new(), None).await.expect("spawn")
}

fn client(app: &RunningApp, base: &str, key: Option<&str>) -> JellyfinClient {
    JellyfinClient::new(AppEndpoint::direct(app.url(), base), key.map(Secret::new))
}

#[tokio::test]
async fn health_under_url_base() {
    let app = start("/jellyfin", Seed::Wired).await;
    let h = client(&app, "/jellyfin", Some(KEY))
        .health()
        .await
        .expect("health");
    assert_eq!(h.summary, "Healthy");
    assert_eq!(h.version.as_deref(), Some("10.11.11"));
    assert!(h.issues.is_empty(), "{:?}", h.issues);
    // Anonymous health works too (public info only).
    let h = client(&app, "/jellyfin", None)
        .health()
        .await
        .expect("anon health");
    assert_eq!(h.summary, "Healthy");
}

#[tokio::test]
async fn wrong_url_base_and_wrong_key_are_classified() {
    let app = start("/jellyfin", Seed::Fresh).await;
    let e = client(&app, "", Some(KEY)).health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
    let e = client(&app, "/jellyfin", Some("ffffffffffffffffffffffffffffffff"))
        .health()
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    assert!(!e.detail.contains("ffff"));
}

#[tokio::test]
async fn faulty_app_health() {
    let app = start("", Seed::Fresh).await;
    app.faults.update(|f| f.health_errors = true);
    let h = client(&app, "", Some(KEY)).health().await.expect("health");
    assert_eq!(h.summary, "Unhealthy");
    assert_eq!(h.worst_level(), IssueLevel::Error);
    app.faults.set(Faults {
        status_500: true,
        ..Faults::default()
    });
    let e = client(&app, "", None).health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::ServerError { status: 500 });
    app.faults.set(Faults {
        html: true,
        ..Faults::default()
    });
    let e = client(&app, "", None).health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody);
}

#[tokio::test]
async fn create_api_key_with_admin_credentials() {
    let app = start("/jellyfin", Seed::Wired).await;
    let anon = client(&app, "/jellyfin", None);
    let e = anon.list_api_keys().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    let e = anon
        .create_api_key_with_credentials("admin", &Secret::new("nope"), "k8s-nas-test")
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    let key = anon
        .create_api_key_with_credentials("admin", &Secret::new("adminadmin"), "k8s-nas-test")
        .await
        .expect("key created");
    assert_eq!(key.expose().len(), 32);
    let with_key = anon.with_token(key.clone());
    let info = with_key.system_info().await.expect("key works");
    assert_eq!(info.version, "10.11.11");
    let keys = with_key.list_api_keys().await.expect("list");
    assert!(keys
        .iter()
        .any(|k| k.app_name == "k8s-nas-test" && k.access_token == key));
    let libs = with_key.libraries().await.expect("libraries");
    assert!(libs
        .iter()
        .any(|l| l.collection_type.as_deref() == Some("movies")));
    with_key.delete_api_key(&key).await.expect("delete");
    let e = with_key.system_info().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
}

#[tokio::test]
async fn every_token_format_of_authorization_context() {
    let app = start("/jellyfin", Seed::Fresh).await;
    let url = format!("{}/jellyfin/System/Info", app.url());
    k8s_nas::init_tls();
    let http = reqwest::Client::new();
    let status = |rb: reqwest::RequestBuilder| async move { rb.send().await.unwrap().status() };
    assert_eq!(status(http.get(&url)).await, 401);
    let mb =
        format!(r#"MediaBrowser Client="t", Device="t", DeviceId="t", Version="1", Token="{KEY}""#);
    assert_eq!(
        status(http.get(&url).header("authorization", &mb)).await,
        200
    );
    assert_eq!(
        status(http.get(&url).header("x-emby-authorization", &mb)).await,
        200
    );
    assert_eq!(
        status(http.get(&url).header("x-emby-token", KEY)).await,
        200
    );
    assert_eq!(
        status(http.get(&url).header("x-mediabrowser-token", KEY)).await,
        200
    );
    assert_eq!(status(http.get(format!("{url}?ApiKey={KEY}"))).await, 200);
    assert_eq!(status(http.get(format!("{url}?api_key={KEY}"))).await, 200);
    assert_eq!(status(http.get(format!("{url}?ApiKey=nope"))).await, 401);
    // Public info and /health need no token; outside the BaseUrl nothing answers.
    let r = http
        .get(format!("{}/jellyfin/health", app.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "Healthy");
    let r = http
        .get(format!("{}/System/Info/Public", app.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
