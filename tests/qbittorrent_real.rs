//! The qBittorrent client against a real `qbittorrent-nox` on 127.0.0.1 with a throwaway profile.
//!
//! Needs `/usr/bin/qbittorrent-nox` (Debian package `qbittorrent-nox`). When it is missing the
//! test prints `SKIPPED: qbittorrent-nox not installed` and passes — unless `CI` is set, where
//! it fails. The guard kills exactly the process this test started.

use k8s_nas::clients::qbittorrent::QbitClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, Secret};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = "/usr/bin/qbittorrent-nox";

/// Kills and reaps the one child process it owns.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn write_profile(dir: &Path, webui_port: u16, bt_port: u16) {
    let conf_dir = dir.join("qBittorrent").join("config");
    std::fs::create_dir_all(&conf_dir).expect("mkdir");
    let conf = format!(
        "[LegalNotice]\nAccepted=true\n\n[BitTorrent]\nSession\\Port={bt_port}\n\n\
         [Preferences]\nWebUI\\Address=127.0.0.1\nWebUI\\Port={webui_port}\n\
         Connection\\PortRangeMin={bt_port}\n"
    );
    std::fs::write(conf_dir.join("qBittorrent.conf"), conf).expect("write conf");
}

async fn wait_ready(url: &str) -> bool {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(url).send().await {
            if r.status().is_success() {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test]
async fn real_qbittorrent_nox() {
    if !Path::new(BIN).exists() {
        eprintln!("SKIPPED: qbittorrent-nox not installed");
        assert!(
            std::env::var_os("CI").is_none(),
            "qbittorrent-nox must be installed in CI (apt-get install -y qbittorrent-nox)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    write_profile(dir.path(), port, free_port());
    let child = Command::new(BIN)
        .arg(format!("--profile={}", dir.path().display()))
        .arg(format!("--webui-port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start qbittorrent-nox");
    let _guard = ChildGuard(child);
    let origin = format!("http://127.0.0.1:{port}");
    assert!(
        wait_ready(&format!("{origin}/")).await,
        "WebUI did not come up"
    );

    // Raw wire facts the simulator copies (§10.1/§10.2 for 4.x).
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
