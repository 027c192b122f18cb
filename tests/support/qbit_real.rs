//! A real `qbittorrent-nox` on 127.0.0.1 with a throwaway profile (WebUI user `admin`, the
//! 4.x default password `adminadmin`). The guard kills exactly the process it started.
//!
//! [`start`] returns `None` with a loud `SKIPPED` line when the binary is missing, and panics
//! instead when `CI` is set (CI installs it).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = "/usr/bin/qbittorrent-nox";
pub const USER: &str = "admin";
pub const PASSWORD: &str = "adminadmin";

/// Kills and reaps the one child process it owns.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

pub fn write_profile(dir: &Path, webui_port: u16, bt_port: u16) {
    let conf_dir = dir.join("qBittorrent").join("config");
    std::fs::create_dir_all(&conf_dir).expect("mkdir");
    let conf = format!(
        "[LegalNotice]\nAccepted=true\n\n[BitTorrent]\nSession\\Port={bt_port}\n\n\
         [Preferences]\nWebUI\\Address=127.0.0.1\nWebUI\\Port={webui_port}\n\
         Connection\\PortRangeMin={bt_port}\n"
    );
    std::fs::write(conf_dir.join("qBittorrent.conf"), conf).expect("write conf");
}

pub async fn wait_ready(url: &str) -> bool {
    k8s_nas::init_tls();
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

/// A running `qbittorrent-nox`; dropping it stops the process and removes the profile.
pub struct RealQbit {
    pub port: u16,
    pub origin: String,
    _guard: ChildGuard,
    _dir: tempfile::TempDir,
}

/// Start one, or `None` (after a loud SKIPPED line) when the binary is absent outside CI.
pub async fn start(test: &str) -> Option<RealQbit> {
    if !Path::new(BIN).exists() {
        eprintln!("SKIPPED {test}: qbittorrent-nox not installed ({BIN} missing)");
        assert!(
            std::env::var_os("CI").is_none(),
            "qbittorrent-nox must be installed in CI (apt-get install -y qbittorrent-nox)"
        );
        return None;
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
    let guard = ChildGuard(child);
    let origin = format!("http://127.0.0.1:{port}");
    assert!(
        wait_ready(&format!("{origin}/")).await,
        "qbittorrent-nox WebUI did not come up"
    );
    Some(RealQbit {
        port,
        origin,
        _guard: guard,
        _dir: dir,
    })
}
