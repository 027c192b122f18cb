//! qBittorrent client against the qBittorrent simulator (4.x/5.1 and 5.2 behaviour).

use k8s_nas::clients::qbittorrent::QbitClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, AppKind, IssueLevel, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, RunningApp, Seed, SimDns};

async fn start(version: &str, seed: Seed) -> RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Qbittorrent, "", "");
    cfg.version = version.into();
    cfg.seed = seed;
    spawn_app(cfg, SimDns::new(), None).await.expect("spawn")
}

fn client(app: &RunningApp, pw: &str) -> QbitClient {
    QbitClient::new(AppEndpoint::direct(app.url(), ""), "admin", Secret::new(pw))
}

#[tokio::test]
async fn login_and_health_51() {
    let app = start("v5.1.4", Seed::Fresh).await;
    // Raw wire: login answers 200 Ok. and sets SID; the API is 403 without it.
    k8s_nas::init_tls();
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/api/v2/app/version", app.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.text().await.unwrap(), "Forbidden");
    let r = http
        .post(format!("{}/api/v2/auth/login", app.url()))
        .form(&[("username", "admin"), ("password", "adminadmin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("SID="), "{cookie}");
    assert_eq!(r.text().await.unwrap(), "Ok.");
    // CSRF: a foreign Origin is refused with 401.
    let r = http
        .post(format!("{}/api/v2/auth/login", app.url()))
        .header("origin", "http://evil.example")
        .form(&[("username", "admin"), ("password", "adminadmin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let c = client(&app, "adminadmin");
    let h = c.health().await.expect("health");
    assert_eq!(h.version.as_deref(), Some("v5.1.4"));
    assert_eq!(h.summary, "firewalled");
    assert_eq!(h.worst_level(), IssueLevel::Warning);
    assert_eq!(c.webapi_version().await.unwrap(), "2.11.4");

    let e = client(&app, "wrong").health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
}

#[tokio::test]
async fn login_52_cookie_name_and_status_codes() {
    let app = start("v5.2.3", Seed::Wired).await;
    k8s_nas::init_tls();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/v2/auth/login", app.url()))
        .form(&[("username", "admin"), ("password", "adminadmin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("QBT_SID_8080="));
    let r = http
        .post(format!("{}/api/v2/auth/login", app.url()))
        .form(&[("username", "admin"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let c = client(&app, "adminadmin");
    let h = c.health().await.expect("health");
    assert_eq!(h.summary, "connected");
    assert!(h.issues.is_empty());
    let e = client(&app, "x").version().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
}

#[tokio::test]
async fn categories_round_trip() {
    for version in ["v4.6.7", "v5.2.3"] {
        let app = start(version, Seed::Fresh).await;
        let c = client(&app, "adminadmin");
        assert!(c.categories().await.unwrap().is_empty());
        c.create_category("tv", "/downloads/tv")
            .await
            .expect("create");
        let cats = c.categories().await.unwrap();
        assert_eq!(cats["tv"].save_path, "/downloads/tv");
        let e = c.create_category("tv", "/x").await.unwrap_err();
        assert_eq!(e.kind, AppErrorKind::Http { status: 409 }, "{version}");
        let e = c.create_category("", "/x").await.unwrap_err();
        assert_eq!(e.kind, AppErrorKind::Http { status: 400 });
        let e = c.edit_category("nope", "/x").await.unwrap_err();
        let want = if version == "v5.2.3" { 404 } else { 409 };
        assert_eq!(e.kind, AppErrorKind::Http { status: want });
        assert!(c.ensure_category("tv", "/downloads/tv2").await.unwrap());
        assert!(!c.ensure_category("tv", "/downloads/tv2/").await.unwrap());
        assert!(c
            .ensure_category("movies", "/downloads/movies")
            .await
            .unwrap());
        let cats = c.categories().await.unwrap();
        assert_eq!(cats["tv"].save_path, "/downloads/tv2");
        assert!(cats.contains_key("movies"));
    }
}

#[tokio::test]
async fn preferences_and_seeds() {
    let app = start("v5.1.4", Seed::Wired).await;
    let c = client(&app, "adminadmin");
    let p = c.preferences().await.unwrap();
    assert_eq!(p.current_network_interface, "tun0");
    assert_eq!(p.listen_port, 6881);
    assert_eq!(p.web_ui_port, 8080);
    c.set_preferences(&serde_json::json!({"listen_port": 51413, "current_network_interface": ""}))
        .await
        .unwrap();
    let p = c.preferences().await.unwrap();
    assert_eq!(p.listen_port, 51413);
    assert_eq!(p.current_network_interface, "");
    let t = c.torrents(Some("tv")).await.unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].category, "tv");

    let mis = start("v5.1.4", Seed::Miswired).await;
    let cats = client(&mis, "adminadmin").categories().await.unwrap();
    assert!(cats.contains_key("tv-sonarr") && !cats.contains_key("tv"));
}

#[tokio::test]
async fn faults_and_ban() {
    let app = start("v5.1.4", Seed::Wired).await;
    app.faults.update(|f| f.health_errors = true);
    let h = client(&app, "adminadmin").health().await.unwrap();
    assert_eq!(h.summary, "disconnected");
    assert_eq!(h.worst_level(), IssueLevel::Error);
    app.faults.update(|f| {
        f.health_errors = false;
        f.html = true;
    });
    let e = client(&app, "adminadmin").health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody);
    app.faults.update(|f| f.html = false);
    for _ in 0..5 {
        let e = client(&app, "bad").login().await.unwrap_err();
        assert_eq!(e.kind, AppErrorKind::Unauthorized);
    }
    let e = client(&app, "adminadmin").login().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Forbidden);
    assert!(e.detail.contains("banned"));
}

#[tokio::test]
async fn expired_session_is_renewed_by_logging_in_again() {
    let app = start("v5.2.3", Seed::Wired).await;
    let c = client(&app, "adminadmin");
    c.set_preferences(&serde_json::json!({"web_ui_session_timeout": 1}))
        .await
        .unwrap();
    assert_eq!(c.version().await.unwrap(), "v5.2.3");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    // The old cookie now gets 403; the client logs in again once and succeeds.
    assert_eq!(c.version().await.unwrap(), "v5.2.3");
    let ifaces = c.network_interfaces().await.unwrap();
    assert!(ifaces.iter().any(|(_, v)| v == "tun0"));
    c.logout().await.unwrap();
    assert!(c.categories().await.unwrap().contains_key("tv"));
    // A password change makes the stored credentials fail with Unauthorized.
    c.set_preferences(&serde_json::json!({"web_ui_password": "changed"}))
        .await
        .unwrap();
    c.logout().await.unwrap();
    let e = c.version().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
}
