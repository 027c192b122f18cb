//! An API server that answers `/version` and then never delivers a listing (issue 13, point 4):
//! the engine tells the UI within seconds, instead of leaving it at "connecting…".

use k8s_nas::bus::Msg;
use k8s_nas::config::Config;
use k8s_nas::engine::runtime::{EngineFiles, FIRST_LISTING_WAIT};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

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
