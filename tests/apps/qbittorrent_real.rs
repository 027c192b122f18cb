//! The qBittorrent client against a real `qbittorrent-nox` on 127.0.0.1 with a throwaway profile.
//!
//! Needs `/usr/bin/qbittorrent-nox` (Debian package `qbittorrent-nox`). When it is missing the
//! test prints `SKIPPED …: qbittorrent-nox not installed` and passes — unless `CI` is set, where
//! it fails. The helper (`tests/support/qbit_real.rs`) kills exactly the process it started.

use crate::support;

use k8s_nas::clients::qbittorrent::QbitClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, Secret};

#[tokio::test]
async fn real_qbittorrent_nox() {
    let Some(q) = support::qbit_real::start("real_qbittorrent_nox").await else {
        return;
    };
    let (port, origin) = (q.port, q.origin.clone());

    // Raw wire facts the simulator copies (§10.1/§10.2 for 4.x).
    k8s_nas::init_tls();
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{origin}/api/v2/app/version"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .post(format!("{origin}/api/v2/auth/login"))
        .form(&[("username", "admin"), ("password", "adminadmin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("SID="), "{cookie}");
    assert_eq!(r.text().await.unwrap(), "Ok.");

    let wrong = QbitClient::new(
        AppEndpoint::direct(&origin, ""),
        "admin",
        Secret::new("not-the-password"),
    );
    assert_eq!(
        wrong.login().await.unwrap_err().kind,
        AppErrorKind::Unauthorized
    );

    let c = QbitClient::new(
        AppEndpoint::direct(&origin, ""),
        "admin",
        Secret::new("adminadmin"),
    );
    let version = c.version().await.expect("version");
    assert!(
        version.starts_with("v4.") || version.starts_with("v5."),
        "{version}"
    );
    let webapi = c.webapi_version().await.expect("webapi version");
    assert!(webapi.starts_with("2."), "{webapi}");
    let prefs = c.preferences().await.expect("preferences");
    assert_eq!(prefs.web_ui_port, i64::from(port));
    assert!(prefs.raw.get("current_network_interface").is_some());
    assert!(prefs.listen_port > 0);
    let h = c.health().await.expect("health");
    assert!(
        ["connected", "firewalled", "disconnected"].contains(&h.summary.as_str()),
        "{h:?}"
    );
    eprintln!(
        "real qBittorrent {version} (WebAPI {webapi}): {}",
        h.summary
    );

    c.create_category("k8s-nas-tv", "/downloads/tv")
        .await
        .expect("create category");
    let cats = c.categories().await.expect("categories");
    assert_eq!(cats["k8s-nas-tv"].save_path, "/downloads/tv");
    let e = c
        .create_category("k8s-nas-tv", "/downloads/tv")
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 409 });
    c.edit_category("k8s-nas-tv", "/downloads/tv2")
        .await
        .expect("edit category");
    assert!(!c
        .ensure_category("k8s-nas-tv", "/downloads/tv2")
        .await
        .unwrap());
    c.set_preferences(&serde_json::json!({"listen_port": prefs.listen_port + 1}))
        .await
        .expect("set preferences");
    let after = c.preferences().await.unwrap();
    assert_eq!(after.listen_port, prefs.listen_port + 1);
}
