//! `config-corrupted` is one consistent world: Sonarr, whose config and database are damaged on
//! the node, cannot start, so its pod crash-loops (not Ready, restarted), its Deployment has no
//! ready replica and its Service no ready endpoint; once the files are good again, the next
//! restart brings it back Ready with its endpoint.

use k8s_nas::model::AppKind;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Sonarr's pod, Deployment and Endpoints as the simulated API server has them now.
struct Sonarr {
    pod: Value,
    deployment: Value,
    endpoints: Value,
}

fn sonarr(nas: &SimNas) -> Option<Sonarr> {
    let pod = nas.kube.list("v1", "Pod", None).into_iter().find(|p| {
        p["metadata"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("sonarr-"))
    })?;
    let ns = pod["metadata"]["namespace"].as_str()?.to_string();
    Some(Sonarr {
        deployment: nas.kube.get("apps/v1", "Deployment", Some(&ns), "sonarr")?,
        endpoints: nas.kube.get("v1", "Endpoints", Some(&ns), "sonarr")?,
        pod,
    })
}

/// Waits until `ok` holds for Sonarr's objects; panics with them after `secs`.
async fn until(nas: &SimNas, secs: u64, what: &str, ok: impl Fn(&Sonarr) -> bool) -> Sonarr {
    let t0 = Instant::now();
    loop {
        let s = sonarr(nas);
        match s {
            Some(s) if ok(&s) => return s,
            _ if t0.elapsed() > Duration::from_secs(secs) => panic!(
                "{what}: {}",
                s.map(|s| format!(
                    "{}\n{}\n{}",
                    s.pod["status"], s.deployment["status"], s.endpoints
                ))
                .unwrap_or_default()
            ),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn app_status(s: &Sonarr) -> &Value {
    s.pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|c| c.last())
        .expect("a container status")
}

fn ready_addresses(s: &Sonarr) -> usize {
    s.endpoints["subsets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ss| ss["addresses"].as_array().map_or(0, Vec::len))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_config_crash_loops_the_pod_until_the_files_are_good() {
    let nas = SimNas::start(Scenario::parse("config-corrupted").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    // Keep the files as laid out, before the scenario damages them.
    let keep = |apps: &[(AppKind, std::path::PathBuf)]| {
        let (_, d) = apps.iter().find(|(k, _)| *k == AppKind::Sonarr).unwrap();
        let st = std::process::Command::new("cp")
            .arg("-a")
            .arg(d)
            .arg(&good)
            .status()
            .unwrap();
        assert!(st.success());
    };
    let tree = nas
        .node_tree(&dir.path().join("node"), false, &keep)
        .unwrap();
    let sonarr_dir = tree.dir(AppKind::Sonarr).unwrap().to_path_buf();

    let s = until(&nas, 20, "sonarr crash-loops", |s| {
        app_status(s)["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    })
    .await;
    assert_eq!(app_status(&s)["ready"], false);
    assert!(app_status(&s)["restartCount"].as_u64() >= Some(1));
    let ready = s.pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap()["status"]
        .clone();
    assert_eq!(ready, "False");
    assert_eq!(s.deployment["status"]["readyReplicas"].as_u64(), Some(0));
    assert_eq!(ready_addresses(&s), 0, "{}", s.endpoints);

    // The files are good again: the next restart (the kubelet's back-off) starts it.
    let st = std::process::Command::new("cp")
        .arg("-a")
        .arg(good.join("."))
        .arg(&sonarr_dir)
        .status()
        .unwrap();
    assert!(st.success());
    let s = until(&nas, 30, "sonarr Ready again", |s| {
        app_status(s)["ready"] == true && ready_addresses(s) == 1
    })
    .await;
    assert!(app_status(&s)["state"]["running"].is_object());
    assert!(app_status(&s)["restartCount"].as_u64() >= Some(1));
    assert_eq!(s.deployment["status"]["readyReplicas"].as_u64(), Some(1));
    drop(tree);
}
