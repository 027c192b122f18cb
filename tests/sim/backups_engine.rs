//! The backups source inside the engine, against the simulated NAS: the backup root is read
//! (`Msg::Backups` with each service's config path) and `backup.*` findings reach the console's
//! one findings pipeline (header and Findings pane), not only headless `check`.

use k8s_nas::backup::schedule::ScheduleFacts;
use k8s_nas::bus::{Effect, Msg};
use k8s_nas::config::Config;
use k8s_nas::engine::runtime::EngineFiles;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

async fn wait<T>(
    rx: &mut mpsc::Receiver<Msg>,
    what: &str,
    mut f: impl FnMut(&Msg) -> Option<T>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_findings_reach_the_console_and_the_view_names_the_config_path() {
    let nas = SimNas::start(Scenario::parse("healthy").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let config_dir = dir.path().join("sonarr-config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let mut cfg = Config {
        kubeconfig: Some(kc),
        refresh_seconds: 2,
        ..Config::default()
    };
    cfg.backup.root = Some(dir.path().join("backups"));
    cfg.backup.paths.insert("sonarr".into(), config_dir.clone());
    let files = EngineFiles {
        task_logs: Some(dir.path().join("tasks")),
        desired: dir.path().join("integrations.toml"),
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (effects, erx) = mpsc::unbounded_channel();
    tokio::spawn(k8s_nas::engine::runtime::run_with(cfg, files, tx, erx));
    let view = wait(&mut rx, "Msg::Backups", |m| match m {
        Msg::Backups(v) => Some(v.clone()),
        _ => None,
    })
    .await;
    assert_eq!(view.root, dir.path().join("backups"));
    assert_eq!(view.paths.get("sonarr"), Some(&config_dir));
    assert!(view.facts.backups.is_empty());
    assert!(view.error.is_none(), "{:?}", view.error);
    let msg = wait(&mut rx, "a backup.none finding for sonarr", |m| match m {
        Msg::Findings(f) => f
            .iter()
            .find(|f| f.code == "backup.none" && f.subject == "sonarr")
            .map(|f| f.message.clone()),
        _ => None,
    })
    .await;
    assert!(msg.contains("no backup"), "{msg}");
    let _ = effects.send(Effect::Quit);
}

/// The console's restore, end to end against the simulator: back up Sonarr with the
/// BackupNow task, damage its config as `config-corrupted` does, walk the restore wizard over
/// the backups the engine reported (choose → checksum → typed name), and run the task it
/// returns: the engine scales Sonarr to 0, swaps the config, scales back and passes the
/// post-checks, and reports the RTO.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_wizard_task_restores_a_corrupted_sonarr() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use k8s_nas::bus::{TaskId, TaskOutcome, TaskRequest};
    use k8s_nas::model::AppKind;
    use k8s_nas::tui::modal::restore::RestoreWizard;
    use k8s_nas::tui::modal::{ModalOutcome, Reply, Wizard};

    let nas = SimNas::start(Scenario::parse("healthy").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    let tree = nas.node_tree(&node, false, &|_| {}).unwrap();
    let sonarr_dir = tree.dir(AppKind::Sonarr).unwrap().to_path_buf();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let mut cfg = Config {
        kubeconfig: Some(kc),
        refresh_seconds: 2,
        ..Config::default()
    };
    cfg.backup.root = Some(dir.path().join("backups"));
    cfg.backup.node_root = Some(node.clone());
    let files = EngineFiles {
        task_logs: Some(dir.path().join("tasks")),
        desired: dir.path().join("integrations.toml"),
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (effects, erx) = mpsc::unbounded_channel();
    tokio::spawn(k8s_nas::engine::runtime::run_with(cfg, files, tx, erx));
    let id = wait(&mut rx, "sonarr in the backups view", |m| match m {
        Msg::Backups(v) => v.ids.get("sonarr").cloned(),
        _ => None,
    })
    .await;
    let done = |n: u64| {
        move |m: &Msg| match m {
            Msg::TaskDone { id, outcome } if *id == TaskId(n) => Some(outcome.clone()),
            _ => None,
        }
    };
    effects
        .send(Effect::RunTask {
            id: TaskId(1),
            request: TaskRequest::BackupNow(id.clone()),
        })
        .unwrap();
    let outcome = wait(&mut rx, "the backup", done(1)).await;
    assert!(matches!(&outcome, TaskOutcome::Succeeded(_)), "{outcome:?}");
    effects
        .send(Effect::RunTask {
            id: TaskId(3),
            request: TaskRequest::VerifyBackup {
                service: id.clone(),
                deep: true,
            },
        })
        .unwrap();
    let outcome = wait(&mut rx, "the deep verification", done(3)).await;
    assert!(
        matches!(&outcome, TaskOutcome::Succeeded(s) if s.contains("deep verification ok")),
        "{outcome:?}"
    );
    effects.send(Effect::RefreshNow).unwrap();
    let backups = wait(&mut rx, "the new backup in the view", |m| match m {
        Msg::Backups(v) => {
            let b: Vec<_> = v
                .facts
                .backups
                .iter()
                .filter(|b| b.service == "sonarr")
                .cloned()
                .collect();
            let deep = b
                .iter()
                .any(|b| b.verification.as_ref().is_some_and(|v| v.deep && v.ok));
            // The CronJobs were read by then: the world has four, none runs backups.
            let schedule = v.facts.schedule != ScheduleFacts::Unknown;
            (deep && schedule).then(|| (b, v.facts.schedule.clone()))
        }
        _ => None,
    })
    .await;
    let (backups, schedule) = backups;
    assert_eq!(schedule, ScheduleFacts::Known(vec![]));
    // `m` in the pane: the engine reads the manifest beside the archive.
    let path = backups[0].sidecar("manifest.json");
    effects
        .send(Effect::ReadBackupManifest { path: path.clone() })
        .unwrap();
    let manifest = wait(&mut rx, "the manifest", |m| match m {
        Msg::BackupManifest { path: p, manifest } if *p == path => Some(manifest.clone()),
        _ => None,
    })
    .await
    .unwrap();
    assert_eq!(manifest.app.as_deref(), Some("sonarr"));
    assert!(manifest.files.iter().any(|f| f.path == "config.xml"));
    assert!(manifest
        .key_fingerprint
        .as_deref()
        .is_some_and(|f| f.starts_with("sha256:")));
    k8s_nas::sim::node::corrupt(&sonarr_dir, AppKind::Sonarr);
    let mut w = RestoreWizard::new("sonarr", id.clone(), backups, jiff::Timestamp::now());
    let mut reply = None;
    for code in [KeyCode::Enter, KeyCode::Enter]
        .into_iter()
        .chain("sonarr".chars().map(KeyCode::Char))
        .chain([KeyCode::Enter])
    {
        if let ModalOutcome::Done(r) = w.on_input(&KeyEvent::new(code, KeyModifiers::NONE)) {
            reply = Some(r);
        }
    }
    let Some(Reply::Task(request)) = reply else {
        panic!("the wizard did not finish: {reply:?}");
    };
    assert!(matches!(&request, TaskRequest::RestoreBackup { .. }));
    effects
        .send(Effect::RunTask {
            id: TaskId(2),
            request,
        })
        .unwrap();
    let mut steps = Vec::new();
    let outcome = wait(&mut rx, "the restore", |m| {
        if let Msg::TaskProgress(p) = m {
            steps.push(format!("{p:?}"));
        }
        done(2)(m)
    })
    .await;
    match &outcome {
        TaskOutcome::Succeeded(s) => {
            assert!(s.contains("RTO") && s.contains("post-checks passed"), "{s}")
        }
        other => panic!("{other:?}\n{}", steps.join("\n")),
    }
    assert!(!steps.is_empty(), "the restore reported its steps");
    let xml = std::fs::read_to_string(sonarr_dir.join("config.xml")).unwrap();
    assert!(xml.contains("<ApiKey>"), "{xml}");
    let _ = effects.send(Effect::Quit);
    drop(tree);
}
