//! The engine (`engine::runtime::run_with`) against simulated NAS, without a terminal: one
//! connection for everything (a task acts on the console's cluster after its kubeconfig file
//! was rewritten to another one), a rotated Secret reaching the pollers without a restart,
//! and task locks across real tasks.

use k8s_nas::bus::{Effect, Msg, TaskId, TaskOutcome, TaskRequest};
use k8s_nas::config::Config;
use k8s_nas::engine::facts::ClusterFacts;
use k8s_nas::engine::runtime::EngineFiles;
use k8s_nas::model::{AppErrorKind, AppKind, ServiceId};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Engine {
    rx: mpsc::Receiver<Msg>,
    effects: mpsc::UnboundedSender<Effect>,
    logs: PathBuf,
    /// No such file: the default desired graph.
    desired: PathBuf,
    cfg: Config,
}

impl Engine {
    fn start(kubeconfig: &Path, dir: &Path) -> Engine {
        let cfg = Config {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            refresh_seconds: 2,
            ..Config::default()
        };
        let files = EngineFiles {
            task_logs: Some(dir.join("tasks")),
            desired: dir.join("config").join("integrations.toml"),
        };
        let (tx, rx) = mpsc::channel(1024);
        let (effects, erx) = mpsc::unbounded_channel();
        tokio::spawn(k8s_nas::engine::runtime::run_with(
            cfg.clone(),
            files.clone(),
            tx,
            erx,
        ));
        Engine {
            rx,
            effects,
            logs: files.task_logs.unwrap(),
            desired: files.desired,
            cfg,
        }
    }

    /// The first message `f` picks, within `secs`.
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

    fn run(&self, id: u64, request: TaskRequest) {
        self.effects
            .send(Effect::RunTask {
                id: TaskId(id),
                request,
            })
            .unwrap();
    }

    async fn done(&mut self, id: u64, secs: u64) -> TaskOutcome {
        self.wait(secs, "a task's end", |m| match m {
            Msg::TaskDone { id: done, outcome } if *done == TaskId(id) => Some(outcome.clone()),
            _ => None,
        })
        .await
    }

    /// The first cluster view with services; returns the API server URL it names.
    async fn first_view(&mut self) -> String {
        self.wait(30, "the first cluster view", |m| match m {
            Msg::Cluster(v) if !v.inventory.services.is_empty() => Some(v.cluster.clone()),
            _ => None,
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_acts_on_the_consoles_cluster_after_the_kubeconfig_file_changed() {
    let a = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let b = SimNas::start(Scenario::Fresh, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    a.kube.write_kubeconfig(&kc).unwrap();
    let mut e = Engine::start(&kc, dir.path());
    let server = e.first_view().await;
    assert!(
        server.contains(&a.kube.addr().port().to_string()),
        "{server}"
    );

    // What a plan says on each NAS, headless (connect, list, plan).
    let pending = |server: std::net::SocketAddr| {
        let (cfg, desired) = (e.cfg.clone(), e.desired.clone());
        async move {
            let facts = ClusterFacts::connect(&cfg).await.unwrap();
            assert!(facts.conn.server.contains(&server.port().to_string()));
            let live = k8s_nas::engine::live_context(&cfg, &facts, &desired)
                .await
                .unwrap();
            let p = k8s_nas::integrate::live::read_plan(&live).await.plan;
            (p.writes(), p.render())
        }
    };
    let (pending_a, plan_a) = pending(a.kube.addr()).await;
    // The file now leads to B (a second `demo` would do this): nothing is wired there.
    b.kube.write_kubeconfig(&kc).unwrap();
    let (pending_b, plan_b) = pending(b.kube.addr()).await;
    assert!(
        pending_b > pending_a,
        "the fresh NAS has more to write:\nA:\n{plan_a}\nB:\n{plan_b}"
    );

    // The console's task still plans on A.
    e.run(1, TaskRequest::PlanIntegrations);
    let writes = e
        .wait(60, "the integrations view", |m| match m {
            Msg::Integrations(v) => Some(v.plan.writes()),
            _ => None,
        })
        .await;
    assert_eq!(
        writes, pending_a,
        "planned on A, not on B ({pending_b} writes there)"
    );
    match e.done(1, 30).await {
        TaskOutcome::Succeeded(s) => {
            assert!(s.contains(&format!(" {pending_a} writes pending")), "{s}")
        }
        other => panic!("{other:?}"),
    }
    // Key checks too: A's Secret matches A's apps (B's apps have other keys).
    e.run(2, TaskRequest::CheckKeys);
    match e.done(2, 60).await {
        TaskOutcome::Succeeded(s) => assert_eq!(s, "0 key(s) differ from the apps"),
        other => panic!("{other:?}"),
    }
    // Each task wrote its log.
    let logs: Vec<String> = std::fs::read_dir(&e.logs)
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        logs.iter().any(|n| n.ends_with("-1-integrate-plan.log")),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|n| n.ends_with("-2-check-keys.log")),
        "{logs:?}"
    );
}

fn health_of(m: &Msg, id: &ServiceId) -> Option<Result<(), AppErrorKind>> {
    match m {
        Msg::Observation(sid, o) if sid == id => {
            Some(o.health.as_ref().map(|_| ()).map_err(|e| e.kind.clone()))
        }
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_key_secret_reaches_the_pollers_without_a_restart() {
    use base64::Engine as _;
    use k8s_openapi::api::core::v1::Secret as KSecret;
    use kube::api::{Api, Patch, PatchParams};

    // Degraded: the Prowlarr key in media/starr-secrets is stale.
    let nas = SimNas::start(Scenario::Degraded, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let mut e = Engine::start(&kc, dir.path());
    let prowlarr = e
        .wait(30, "the first cluster view", |m| match m {
            Msg::Cluster(v) => v
                .inventory
                .services
                .iter()
                .find(|s| s.kind == AppKind::Prowlarr)
                .map(|s| s.id.clone()),
            _ => None,
        })
        .await;
    let first = e
        .wait(30, "Prowlarr's health", |m| health_of(m, &prowlarr))
        .await;
    assert_eq!(first, Err(AppErrorKind::Unauthorized));

    let real = nas.world.app_keys[&AppKind::Prowlarr].clone();
    let client = nas.kube.kube_client().await.unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&real);
    Api::<KSecret>::namespaced(client, "media")
        .patch(
            "starr-secrets",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({ "data": { "PROWLARR_API_KEY": b64 } })),
        )
        .await
        .unwrap();
    let patched = Instant::now();
    e.wait(20, "Prowlarr healthy with the new key", |m| {
        (health_of(m, &prowlarr) == Some(Ok(()))).then_some(())
    })
    .await;
    eprintln!(
        "the new key was used {:?} after the patch",
        patched.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutating_task_on_apps_held_by_another_is_refused() {
    let nas = SimNas::start(Scenario::Fresh, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let mut e = Engine::start(&kc, dir.path());
    e.first_view().await;
    // Both requests reach the engine before the apply (many requests) can end.
    e.run(1, TaskRequest::ApplyIntegrations);
    e.run(2, TaskRequest::SyncIndexers);
    match e.done(2, 30).await {
        TaskOutcome::Refused(why) => {
            assert!(why.ends_with(" is locked by integrate apply #1"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    match e.done(1, 60).await {
        TaskOutcome::Succeeded(s) => assert!(s.ends_with("every edge verified"), "{s}"),
        other => panic!("{other:?}"),
    }
    // Released: the same request now runs — and, Prowlarr on the fresh stack having no
    // indexer, says that nothing was pushed instead of claiming success (issue 7).
    e.run(3, TaskRequest::SyncIndexers);
    match e.done(3, 60).await {
        TaskOutcome::Failed(why) => {
            assert!(why.starts_with("Prowlarr has no indexers"), "{why}");
            assert!(why.contains("/prowlarr/indexers"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 7: the console on a cluster where nothing has the default names (`other-names`: apps in
/// `arr`/`torrent`, Secrets `arr-api-keys`/`torrent-login`) finds every credential through the
/// workloads' references: every keyed app and qBittorrent are polled healthy, and the key check
/// compares against `arr/arr-api-keys`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_finds_the_keys_where_the_workloads_say() {
    let nas = SimNas::start(Scenario::parse("healthy,other-names").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let mut e = Engine::start(&kc, dir.path());
    let ids: Vec<(ServiceId, AppKind)> = e
        .wait(30, "the first cluster view", |m| match m {
            Msg::Cluster(v) if v.inventory.services.len() == 9 => Some(
                v.inventory
                    .services
                    .iter()
                    .map(|s| (s.id.clone(), s.kind))
                    .collect(),
            ),
            _ => None,
        })
        .await;
    for (id, kind) in &ids {
        assert!(
            id.as_str().starts_with("arr/") || id.as_str().starts_with("torrent/"),
            "{id}"
        );
        if *kind == AppKind::Jellyfin {
            continue;
        }
        let h = e.wait(30, "each app's health", |m| health_of(m, id)).await;
        assert_eq!(h, Ok(()), "{id} ({kind})");
    }
    e.run(1, TaskRequest::CheckKeys);
    let keys = e
        .wait(60, "the key check", |m| match m {
            Msg::Keys(v) => Some(v.clone()),
            _ => None,
        })
        .await;
    assert_eq!(keys.secret, "arr/arr-api-keys");
    assert!(keys.secret_exists);
    assert!(keys.error.is_none(), "{:?}", keys.error);
    assert_eq!(keys.writes(), 0, "every key in sync");
}
