//! The backups source inside the engine, against the simulated NAS: the backup root is read
//! (`Msg::Backups` with each service's config path) and `backup.*` findings reach the console's
//! one findings pipeline (header and Findings pane), not only headless `check`.

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
