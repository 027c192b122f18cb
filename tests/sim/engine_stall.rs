//! An API server that answers `/version` and then never delivers a listing (issue 13, point 4):
//! the engine tells the UI within seconds, instead of leaving it at "connecting…".

use k8s_nas::bus::Msg;
use k8s_nas::config::Config;
use k8s_nas::engine::runtime::{EngineFiles, FIRST_LISTING_WAIT};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stalls_after_version_shows_in_the_banner_within_seconds() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut head = vec![0u8; 8192];
                let n = s.read(&mut head).await.unwrap_or(0);
                if String::from_utf8_lossy(&head[..n]).starts_with("GET /version") {
                    let body = r#"{"major":"1","minor":"33","gitVersion":"v1.33.0","gitCommit":"x","gitTreeState":"clean","buildDate":"2025-01-01T00:00:00Z","goVersion":"go1.24","compiler":"gc","platform":"linux/amd64"}"#;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.write_all(reply.as_bytes()).await;
                }
                // everything else: accepted, never answered
                tokio::time::sleep(Duration::from_secs(600)).await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kc.yaml");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster:\n    server: http://{addr}\n\
             contexts:\n- name: f\n  context:\n    cluster: f\n    user: u\ncurrent-context: f\n\
             users:\n- name: u\n  user:\n    token: t\n"
        ),
    )
    .unwrap();
    let cfg = Config {
        kubeconfig: Some(kc),
        ..Config::default()
    };
    let files = EngineFiles {
        task_logs: None,
        desired: dir.path().join("integrations.toml"),
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (_effects, erx) = mpsc::unbounded_channel();
    tokio::spawn(k8s_nas::engine::runtime::run_with(cfg, files, tx, erx));
    let started = Instant::now();
    let limit = FIRST_LISTING_WAIT + Duration::from_secs(5);
    loop {
        let left = limit.saturating_sub(started.elapsed());
        let msg = tokio::time::timeout(left, rx.recv())
            .await
            .expect("a banner within seconds")
            .expect("engine running");
        if let Msg::ClusterError(e) = msg {
            assert!(e.contains("delivered no listing"), "{e}");
            break;
        }
    }
}

/// A TCP relay to the simulated API server that can freeze: bytes stop flowing both ways
/// while connections stay open, as with a server that hangs after the console connected.
async fn freezable_relay(to: std::net::SocketAddr) -> (std::net::SocketAddr, watch::Sender<bool>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (frozen_tx, frozen) = watch::channel(false);
    tokio::spawn(async move {
        while let Ok((client, _)) = l.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(to).await else {
                continue;
            };
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, frozen.clone()));
            tokio::spawn(pump(sr, cw, frozen.clone()));
        }
    });
    (addr, frozen_tx)
}

async fn recv_within(rx: &mut mpsc::Receiver<Msg>, left: Duration) -> Option<Msg> {
    tokio::time::timeout(left, rx.recv()).await.ok().flatten()
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if frozen.wait_for(|f| !*f).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_freezes_later_is_bannered_within_seconds_and_cleared_after() {
    use k8s_nas::engine::runtime::{HEARTBEAT_DEADLINE, HEARTBEAT_EVERY};
    use k8s_nas::sim::kube::{fixture, KubeSim};
    k8s_nas::init_tls();
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .expect("sim starts");
    let sim_addr: std::net::SocketAddr = sim
        .url()
        .trim_start_matches("https://")
        .parse()
        .expect("sim address");
    let (relay, frozen) = freezable_relay(sim_addr).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kc.yaml");
    let yaml = sim
        .kubeconfig_yaml()
        .replace(&sim_addr.to_string(), &relay.to_string());
    std::fs::write(&kc, yaml).unwrap();
    let cfg = Config {
        kubeconfig: Some(kc),
        ..Config::default()
    };
    let files = EngineFiles {
        task_logs: None,
        desired: dir.path().join("integrations.toml"),
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (_effects, erx) = mpsc::unbounded_channel();
    tokio::spawn(k8s_nas::engine::runtime::run_with(cfg, files, tx, erx));
    // connected and listed
    let limit = Duration::from_secs(20);
    let started = Instant::now();
    loop {
        match recv_within(&mut rx, limit.saturating_sub(started.elapsed())).await {
            Some(Msg::Cluster(v)) if v.error.is_none() && !v.inventory.services.is_empty() => break,
            Some(_) => {}
            None => panic!("no cluster view within {limit:?}"),
        }
    }
    frozen.send_replace(true);
    let frozen_at = Instant::now();
    let limit = HEARTBEAT_EVERY + HEARTBEAT_DEADLINE + Duration::from_secs(3);
    let banner = loop {
        match recv_within(&mut rx, limit.saturating_sub(frozen_at.elapsed())).await {
            Some(Msg::ClusterError(e)) => break e,
            Some(_) => {}
            None => panic!("no banner within {limit:?} of the freeze"),
        }
    };
    assert!(banner.contains("has not answered"), "{banner}");
    frozen.send_replace(false);
    let thawed_at = Instant::now();
    let limit = HEARTBEAT_EVERY + Duration::from_secs(5);
    loop {
        match recv_within(&mut rx, limit.saturating_sub(thawed_at.elapsed())).await {
            Some(Msg::Cluster(v)) if v.error.is_none() => break,
            Some(_) => {}
            None => panic!("the banner was not cleared within {limit:?} of the thaw"),
        }
    }
}
