//! The VPN source and the restart-tunnel task inside the engine, against the simulated NAS:
//! `Msg::Vpn` reports each VPN pod's verdict within one refresh, the console's findings carry
//! a leak, and restarting a tunnel stops and starts gluetun through the pod proxy.

use k8s_nas::bus::{Effect, Msg, TaskId, TaskOutcome, TaskRequest};
use k8s_nas::config::Config;
use k8s_nas::engine::runtime::EngineFiles;
use k8s_nas::model::{AppKind, ServiceId};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use k8s_nas::vpn::Verdict;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Engine {
    rx: mpsc::Receiver<Msg>,
    effects: mpsc::UnboundedSender<Effect>,
}

impl Engine {
    fn start(nas: &SimNas, dir: &std::path::Path) -> Engine {
        let kc = dir.join("kubeconfig.yaml");
        nas.kube.write_kubeconfig(&kc).unwrap();
        let mut cfg = Config {
            kubeconfig: Some(kc),
            refresh_seconds: 2,
            ..Config::default()
        };
        cfg.vpn.ip_echo_url = Some(nas.ip_echo_url());
        let files = EngineFiles {
            task_logs: Some(dir.join("tasks")),
            desired: dir.join("integrations.toml"),
        };
        let (tx, rx) = mpsc::channel(1024);
        let (effects, erx) = mpsc::unbounded_channel();
        tokio::spawn(k8s_nas::engine::runtime::run_with(cfg, files, tx, erx));
        Engine { rx, effects }
    }

    async fn wait<T>(&mut self, secs: u64, what: &str, mut f: impl FnMut(&Msg) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(m)) => {
                    if let Some(t) = f(&m) {
                        return t;
                    }
                }
                Ok(None) => panic!("engine stopped while waiting for {what}"),
                Err(_) => panic!("timed out waiting for {what}"),
            }
        }
    }

    /// The first VPN message where `kind`'s report has `verdict`.
    async fn verdict(&mut self, kind: AppKind, verdict: Verdict) -> String {
        self.wait(30, "a VPN verdict", |m| match m {
            Msg::Vpn(v) => v
                .reports
                .iter()
                .find(|r| r.obs.kind == kind && r.verdict == verdict)
                .map(|r| r.reason.clone()),
            _ => None,
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leak_is_reported_and_found_within_one_refresh() {
    let nas = SimNas::start(Scenario::parse("vpn-leak").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut e = Engine::start(&nas, dir.path());
    let why = e.verdict(AppKind::Qbittorrent, Verdict::Leak).await;
    assert!(why.contains("equals the home IP"), "{why}");
    e.wait(30, "a vpn.leak finding", |m| match m {
        Msg::Findings(f) => f.iter().find(|f| f.code == "vpn.leak").map(|_| ()),
        _ => None,
    })
    .await;
    // The audit of every workload comes with the cluster view.
    e.wait(30, "the isolation audit", |m| match m {
        Msg::Vpn(v) if v.audit.len() == 9 => Some(()),
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_tunnel_stops_then_starts_gluetun_and_waits_for_it() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut e = Engine::start(&nas, dir.path());
    e.verdict(AppKind::Qbittorrent, Verdict::Secure).await;
    let id = ServiceId::new("qbittorrent", "qbittorrent");
    e.effects
        .send(Effect::RunTask {
            id: TaskId(1),
            request: TaskRequest::RestartTunnel(id),
        })
        .unwrap();
    let outcome = e
        .wait(60, "the restart's end", |m| match m {
            Msg::TaskDone { id, outcome } if *id == TaskId(1) => Some(outcome.clone()),
            _ => None,
        })
        .await;
    match outcome {
        TaskOutcome::Succeeded(s) => assert!(s.contains("tunnel running again"), "{s}"),
        other => panic!("{other:?}"),
    }
    let g = nas.gluetun(AppKind::Qbittorrent).unwrap();
    assert_eq!(
        g.state.lock().unwrap().status_changes,
        ["stopped", "running"]
    );
    assert_eq!(g.status(), "running");
    // A pod without a VPN sidecar is refused with the reason.
    e.effects
        .send(Effect::RunTask {
            id: TaskId(2),
            request: TaskRequest::RestartTunnel(ServiceId::new("media", "sonarr")),
        })
        .unwrap();
    let outcome = e
        .wait(30, "the refusal", |m| match m {
            Msg::TaskDone { id, outcome } if *id == TaskId(2) => Some(outcome.clone()),
            _ => None,
        })
        .await;
    assert!(
        matches!(&outcome, TaskOutcome::Failed(w) if w.contains("no VPN sidecar")),
        "{outcome:?}"
    );
}

async fn test_download(nas: &SimNas) -> TaskOutcome {
    let dir = tempfile::tempdir().unwrap();
    let mut e = Engine::start(nas, dir.path());
    e.wait(30, "a VPN report", |m| match m {
        Msg::Vpn(v) if v.reports.iter().any(|r| r.obs.kind == AppKind::Qbittorrent) => Some(()),
        _ => None,
    })
    .await;
    e.effects
        .send(Effect::RunTask {
            id: TaskId(7),
            request: TaskRequest::TestDownload(ServiceId::new("qbittorrent", "qbittorrent")),
        })
        .unwrap();
    e.wait(60, "the test download's end", |m| match m {
        Msg::TaskDone { id, outcome } if *id == TaskId(7) => Some(outcome.clone()),
        _ => None,
    })
    .await
}

async fn qbit(nas: &SimNas) -> k8s_nas::clients::qbittorrent::QbitClient {
    let app = nas.app(AppKind::Qbittorrent).unwrap();
    k8s_nas::clients::qbittorrent::QbitClient::new(
        k8s_nas::clients::transport::AppEndpoint::direct(app.url(), ""),
        "admin",
        k8s_nas::model::Secret::new(nas.world.qbittorrent_password.clone()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_download_works_through_the_tunnel_and_leaves_nothing_behind() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let q = qbit(&nas).await;
    let before = q.torrents(None).await.unwrap().len();
    match test_download(&nas).await {
        TaskOutcome::Succeeded(s) => {
            assert!(s.contains("test download works through the tunnel"), "{s}");
            assert!(s.contains("debian-12.0.0-amd64-netinst.iso"), "{s}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(q.torrents(None).await.unwrap().len(), before);
    assert!(!q
        .categories()
        .await
        .unwrap()
        .contains_key("k8s-nas-vpn-test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_download_is_refused_outside_a_proven_tunnel() {
    let nas = SimNas::start(Scenario::parse("vpn-eth0").unwrap(), None)
        .await
        .unwrap();
    let q = qbit(&nas).await;
    let before = q.torrents(None).await.unwrap().len();
    match test_download(&nas).await {
        TaskOutcome::Failed(w) => assert!(w.contains("LEAK") && w.contains("eth0"), "{w}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        q.torrents(None).await.unwrap().len(),
        before,
        "nothing was added"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_test_download_midway_removes_torrent_and_data_and_stops_it() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let q = qbit(&nas).await;
    let before = q.torrents(None).await.unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let mut e = Engine::start(&nas, dir.path());
    e.wait(30, "a VPN report", |m| match m {
        Msg::Vpn(v) if v.reports.iter().any(|r| r.obs.kind == AppKind::Qbittorrent) => Some(()),
        _ => None,
    })
    .await;
    let id = TaskId(9);
    e.effects
        .send(Effect::RunTask {
            id,
            request: TaskRequest::TestDownload(ServiceId::new("qbittorrent", "qbittorrent")),
        })
        .unwrap();
    // Mid-way: the torrent was added and the task waits for its metadata.
    e.wait(60, "the torrent added", |m| match m {
        Msg::TaskProgress(p) if p.id == id && p.lines.iter().any(|l| l.starts_with("added ")) => {
            Some(())
        }
        _ => None,
    })
    .await;
    assert_eq!(
        q.torrents(Some("k8s-nas-vpn-test")).await.unwrap().len(),
        1,
        "the test torrent is in qBittorrent before the cancel"
    );
    e.effects.send(Effect::CancelTask(id)).unwrap();
    let outcome = e
        .wait(30, "the cancelled task's end", |m| match m {
            Msg::TaskDone { id: i, outcome } if *i == id => Some(outcome.clone()),
            _ => None,
        })
        .await;
    assert_eq!(outcome, TaskOutcome::Cancelled);
    // Clean-up ran: the torrent and its data are gone, and so is the category it created.
    let check_clean = || async {
        assert!(q
            .torrents(Some("k8s-nas-vpn-test"))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(q.torrents(None).await.unwrap().len(), before);
        assert!(!q
            .categories()
            .await
            .unwrap()
            .contains_key("k8s-nas-vpn-test"));
    };
    check_clean().await;
    // No progress after the cancel: no report of the task for a while, nothing added again.
    let quiet = Instant::now() + Duration::from_secs(3);
    while let Ok(Some(m)) =
        tokio::time::timeout(quiet.saturating_duration_since(Instant::now()), e.rx.recv()).await
    {
        if let Msg::TaskProgress(p) = &m {
            assert_ne!(p.id, id, "progress after cancel: {p:?}");
        }
        if let Msg::TaskDone { id: i, .. } = &m {
            assert_ne!(*i, id, "a second end after cancel");
        }
    }
    check_clean().await;
}
