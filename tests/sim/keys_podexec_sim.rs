//! End to end on the simulated NAS (`Scenario::Miswired`, whose `media/starr-secrets` holds a
//! stale RADARR_API_KEY): the console reads each app's real key out of its pod by `pods/exec`
//! (`cat /config/config.xml` …), sees Radarr's Secret key drifting, and `k8s-nas keys --sync
//! --yes` writes only that key.

use k8s_nas::config::Config;
use k8s_nas::engine::facts::ClusterFacts;
use k8s_nas::engine::live::{key_target, live_context_with_keys, read_secret};
use k8s_nas::keys::live::keys_report;
use k8s_nas::keys::KeyDriftState;
use k8s_nas::model::AppKind;
use k8s_nas::sim::nas::SimNas;
use k8s_nas::sim::scenario::Scenario;
use k8s_openapi::api::core::v1::Secret as KSecret;
use std::collections::BTreeMap;
use std::time::Duration;

/// The stale value `Scenario::Miswired` puts into the Secret.
const STALE_RADARR: &str = "0123456789abcdef0123456789abcdef";

async fn secret_data(nas: &SimNas) -> BTreeMap<String, String> {
    let client = nas.kube.kube_client().await.expect("client");
    let s = kube::Api::<KSecret>::namespaced(client, "media")
        .get("starr-secrets")
        .await
        .expect("the key Secret");
    s.data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).to_string()))
        .collect()
}

#[tokio::test]
async fn the_console_reads_real_keys_by_pod_exec_and_sees_radarr_drift() {
    let nas = SimNas::start(Scenario::Miswired, None).await.expect("sim");
    let dir = tempfile::tempdir().unwrap();
    // Only this test in this binary touches the environment.
    std::env::set_var("K8S_NAS_CONFIG_DIR", dir.path().join("config"));
    std::env::set_var("K8S_NAS_DATA_DIR", dir.path().join("data"));
    let kubeconfig = dir.path().join("kubeconfig");
    nas.kube.write_kubeconfig(&kubeconfig).unwrap();
    let cfg = Config {
        kubeconfig: Some(kubeconfig),
        ..Default::default()
    };
    let facts = ClusterFacts::connect(&cfg).await.expect("connect and list");
    let desired = dir.path().join("config").join("integrations.toml");
    let (live, observed) = live_context_with_keys(&cfg, &facts, &desired)
        .await
        .expect("live context");
    let conn = facts.conn.clone();

    let real = nas.world.app_keys[&AppKind::Radarr].clone();
    assert_ne!(real, STALE_RADARR);
    let (radarr, origin) = observed
        .iter()
        .find(|(o, _)| o.kind == AppKind::Radarr)
        .expect("a Radarr observation");
    let key = radarr.key.as_ref().expect("Radarr's key was read");
    assert_eq!(key.expose(), real, "the app's own key, not the Secret's");
    let origin = origin.clone().unwrap_or_default();
    assert!(
        origin.starts_with("media/radarr-") && origin.ends_with(":/config/config.xml"),
        "read through the pod: {origin}"
    );
    // Every app with a key file had its key read through its pod.
    for kind in [
        AppKind::Sonarr,
        AppKind::Lidarr,
        AppKind::Prowlarr,
        AppKind::Sabnzbd,
        AppKind::Bazarr,
        AppKind::Jellyseerr,
    ] {
        let (o, _) = observed
            .iter()
            .find(|(o, _)| o.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} observation"));
        let got = o.key.as_ref().map(|k| k.expose().to_string());
        assert_eq!(
            got.as_deref(),
            Ok(nas.world.app_keys[&kind].as_str()),
            "{kind:?}"
        );
    }

    let target = key_target(&live).clone();
    let secret = read_secret(&conn, &target.namespace, &target.name)
        .await
        .expect("readable")
        .expect("exists");
    assert_eq!(secret["RADARR_API_KEY"].expose(), STALE_RADARR);
    let report = keys_report(
        &live.inventory,
        &live.endpoints,
        &target,
        &secret,
        true,
        &observed,
    )
    .await;
    let drift: BTreeMap<AppKind, &KeyDriftState> =
        report.drift.iter().map(|d| (d.kind, &d.state)).collect();
    assert_eq!(drift[&AppKind::Radarr], &KeyDriftState::Differs);
    for (kind, state) in &drift {
        if *kind != AppKind::Radarr {
            assert_eq!(*state, &KeyDriftState::InSync, "{kind:?}");
        }
    }
    let sync = report.sync.expect("a sync to write");
    let keys: Vec<&str> = sync.changes.iter().map(|c| c.secret_key.as_str()).collect();
    assert_eq!(keys, ["RADARR_API_KEY"]);
    nas.kube.shutdown().await;
}

#[tokio::test]
async fn keys_sync_writes_only_the_drifting_key() {
    let nas = SimNas::start(Scenario::Miswired, None).await.expect("sim");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    nas.kube.write_kubeconfig(&kubeconfig).unwrap();
    let before = secret_data(&nas).await;
    assert_eq!(before.len(), 7, "{:?}", before.keys());

    let run = || {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_k8s-nas"));
        c.arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["keys", "--sync", "--yes"])
            .env("K8S_NAS_CONFIG_DIR", dir.path().join("config"))
            .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
            .env_remove("KUBECONFIG")
            .env_remove("KUBECONFIG_NAS")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        async move {
            let out = tokio::time::timeout(Duration::from_secs(120), c.output())
                .await
                .expect("k8s-nas keys finishes")
                .expect("k8s-nas runs");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).to_string(),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        }
    };
    let (code, out, err) = run().await;
    assert!(
        out.contains("RADARR_API_KEY"),
        "exit {code:?}\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let after = secret_data(&nas).await;
    assert_eq!(
        after["RADARR_API_KEY"],
        nas.world.app_keys[&AppKind::Radarr]
    );
    for (k, v) in &before {
        if k != "RADARR_API_KEY" {
            assert_eq!(after.get(k), Some(v), "{k} must not change");
        }
    }
    assert_eq!(after.len(), before.len());

    let (code, out, err) = run().await;
    assert!(
        out.contains("nothing to sync"),
        "exit {code:?}\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert_eq!(secret_data(&nas).await, after);
    nas.kube.shutdown().await;
}
