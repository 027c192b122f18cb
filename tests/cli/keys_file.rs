//! Issue 7 leftover: a key Secret named in `integrations.toml` (`[api_keys]`) serves `check`'s
//! probes and the console's pollers as it serves `keys` and `integrate` (one resolution). On
//! `healthy,other-names` the workloads reference `arr/arr-api-keys`; the test makes that
//! Secret's keys wrong and puts the right ones in `arr/console-keys`, which no workload
//! references. Without the file everything reads the referenced Secret (the apps reject it);
//! with it, the named Secret's keys are used and verified, and a change of that Secret reaches
//! the pollers without a restart.

use crate::common::{finding_pairs, json, k8s_nas, start};
use k8s_nas::bus::{Effect, Msg};
use k8s_nas::config::Config;
use k8s_nas::engine::runtime::{run_with, EngineFiles};
use k8s_nas::model::{AppErrorKind, ServiceObservation};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use k8s_openapi::api::core::v1::Secret as KSecret;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const WRONG: &str = "00000000000000000000000000000000";

/// Copy the referenced key Secret's keys to `arr/console-keys`, then make the referenced one's
/// keys wrong.
async fn keys_elsewhere(nas: &SimNas) -> kube::Client {
    let client = nas.kube.kube_client().await.unwrap();
    let api: Api<KSecret> = Api::namespaced(client.clone(), "arr");
    let referenced = api.get("arr-api-keys").await.unwrap();
    let data = referenced.data.clone().unwrap();
    let mut copy = KSecret::default();
    copy.metadata.name = Some("console-keys".into());
    copy.metadata.namespace = Some("arr".into());
    copy.data = Some(data.clone());
    api.create(&PostParams::default(), &copy).await.unwrap();
    let wrong: serde_json::Map<String, Value> = data
        .keys()
        .map(|k| (k.clone(), Value::String(WRONG.into())))
        .collect();
    api.patch(
        "arr-api-keys",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "stringData": wrong })),
    )
    .await
    .unwrap();
    client
}

fn write_file(home: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(home.join("config")).unwrap();
    let path = home.join("config/integrations.toml");
    std::fs::write(
        &path,
        "[api_keys]\nnamespace = \"arr\"\nname = \"console-keys\"\n",
    )
    .unwrap();
    path
}

async fn check(home: &Path, kubeconfig: &Path) -> (String, Value) {
    let out = k8s_nas(home)
        .args(["check", "--output", "json", "--kubeconfig"])
        .arg(kubeconfig)
        .output()
        .await
        .unwrap();
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        json(&out),
    )
}

fn rejected(v: &Value) -> BTreeSet<(String, String)> {
    finding_pairs(v, "code", "subject")
        .into_iter()
        .filter(|(c, _)| c == "auth.rejected" || c == "keys.rejected")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_uses_the_key_secret_integrations_toml_names() {
    let (nas, dir, kc) = start(Scenario::parse("healthy,other-names").unwrap()).await;
    keys_elsewhere(&nas).await;

    // Without the file: the referenced Secret, whose keys the apps reject (today's truth).
    let home = tempfile::tempdir().unwrap();
    let (_, v) = check(home.path(), &kc).await;
    let got = rejected(&v);
    assert!(
        got.contains(&("auth.rejected".into(), "arr/sonarr".into())),
        "{got:#?}\n{v:#}"
    );

    // With `[api_keys]` naming arr/console-keys: the probes use its keys, and they are valid.
    let home = dir.path().join("with-file");
    write_file(&home);
    let (stderr, v) = check(&home, &kc).await;
    let all = format!("{v}\n{stderr}");
    assert!(rejected(&v).is_empty(), "{all}");
    assert!(!all.contains("no API key"), "{all}");
    assert!(!all.contains(WRONG), "a key value in the output: {all}");
    for key in nas.world.app_keys.values() {
        assert!(!all.contains(key.as_str()), "a key value in the output");
    }
    let sonarr = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "arr/sonarr")
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        sonarr["observation"]["health"]["ok"].is_object(),
        "{sonarr:#}"
    );
}

/// Feed engine messages until an observation of `arr/sonarr` satisfies `pred` (or fail after
/// `secs`).
async fn sonarr_until(
    rx: &mut mpsc::Receiver<Msg>,
    secs: u64,
    pred: impl Fn(&ServiceObservation) -> bool,
) -> ServiceObservation {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; last observation: {last:#?}");
        if let Ok(Some(Msg::Observation(id, o))) = tokio::time::timeout(left, rx.recv()).await {
            if id.as_str() == "arr/sonarr" {
                if pred(&o) {
                    return o;
                }
                last = Some(o);
            }
        }
    }
}

fn unauthorized(o: &ServiceObservation) -> bool {
    matches!(&o.health, Err(e) if e.kind == AppErrorKind::Unauthorized)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pollers_use_the_named_secret_and_follow_its_changes() {
    let (nas, dir, kc) = start(Scenario::parse("healthy,other-names").unwrap()).await;
    let client = keys_elsewhere(&nas).await;
    let desired = write_file(dir.path());
    let cfg = Config {
        kubeconfig: Some(kc.clone()),
        refresh_seconds: 2,
        ..Config::default()
    };
    let files = EngineFiles {
        task_logs: None,
        desired,
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (etx, erx) = mpsc::unbounded_channel();
    let engine = tokio::spawn(run_with(cfg, files, tx, erx));
    // The named Secret's key: Sonarr answers the pollers (the referenced Secret's is wrong).
    sonarr_until(&mut rx, 30, |o| o.health.is_ok()).await;

    // The named Secret changes (no workload references it): the pollers follow, no restart.
    let api: Api<KSecret> = Api::namespaced(client, "arr");
    api.patch(
        "console-keys",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "stringData": { "SONARR_API_KEY": WRONG } })),
    )
    .await
    .unwrap();
    sonarr_until(&mut rx, 30, unauthorized).await;
    let _ = etx.send(Effect::Quit);
    let _ = tokio::time::timeout(Duration::from_secs(5), engine).await;
}
