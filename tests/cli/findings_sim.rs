//! One findings pipeline, end to end on the simulated NAS: `check --output json` carries the
//! key and integration findings of a composed scenario, every code is a catalog entry, and the
//! TUI engine, once its key check and plan tasks ran, reports the same findings `check` prints.

use crate::common::{self, finding_pairs, json, k8s_nas};
use k8s_nas::bus::{Effect, Msg, TaskId, TaskRequest};
use k8s_nas::checks::catalog;
use k8s_nas::config::Config;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Env {
    _nas: SimNas,
    dir: tempfile::TempDir,
    kubeconfig: std::path::PathBuf,
}

async fn start(scenario: &str) -> Env {
    let (nas, dir, kubeconfig) = common::start(Scenario::parse(scenario).unwrap()).await;
    Env {
        _nas: nas,
        dir,
        kubeconfig,
    }
}

/// `check --output json` through the real binary, with the test's own config directory.
async fn check_json(env: &Env) -> (Option<i32>, Value) {
    let out = k8s_nas(env.dir.path())
        .args(["check", "--output", "json", "--kubeconfig"])
        .arg(&env.kubeconfig)
        .output()
        .await
        .unwrap();
    (out.status.code(), json(&out))
}

fn keyed(v: &Value) -> BTreeSet<(String, String)> {
    finding_pairs(v, "code", "subject").into_iter().collect()
}

fn has(set: &BTreeSet<(String, String)>, code: &str, subject_part: &str) -> bool {
    set.iter()
        .any(|(c, s)| c == code && s.contains(subject_part))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composed_scenario_reaches_check_with_keys_and_integration_findings() {
    let env = start("degraded,miswired").await;
    let (code, v) = check_json(&env).await;
    assert_eq!(code, Some(1), "{v:#}");
    let got = keyed(&v);
    // The degraded layer …
    assert!(has(&got, "pod.crashloop", "media/bazarr"), "{got:#?}");
    assert!(has(&got, "http.timeout", "media/jellyseerr"), "{got:#?}");
    assert!(has(&got, "keys.drift", "media/prowlarr"), "{got:#?}");
    // … and the miswired one, at once.
    assert!(has(&got, "keys.drift", "media/radarr"), "{got:#?}");
    assert!(has(&got, "keys.rejected", "media/radarr"), "{got:#?}");
    assert!(
        has(&got, "integration.drift", "prowlarr-app:media/prowlarr->"),
        "{got:#?}"
    );
    assert!(
        has(&got, "integration.drift", "download-client:media/sonarr->"),
        "{got:#?}"
    );
    for f in v["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        let entry = catalog::lookup(code).unwrap_or_else(|| panic!("{code} not in the catalog"));
        assert!(!code.starts_with("integrate."), "{f}");
        assert!(!f["remediation"].as_str().unwrap().is_empty(), "{f}");
        // Service findings and edge findings carry the service the row shows them on
        // (certificate findings are about Secrets, Certificates and hosts, not a service).
        if !code.starts_with("cert.") {
            let service = f["service"].as_str().unwrap_or_else(|| panic!("{f}"));
            let subject = f["subject"].as_str().unwrap();
            assert!(
                subject == service || subject.contains(&format!(":{service}->")),
                "{f}"
            );
        }
        if entry.family_prefix().is_none() {
            assert_eq!(f["severity"], serde_json::json!(entry.severity), "{f}");
        }
    }
    let errors = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(v["summary"]["error"], errors);
}

/// Feed engine messages until `pred` holds for the latest findings (or fail after `secs`).
async fn findings_until(
    rx: &mut mpsc::Receiver<Msg>,
    secs: u64,
    pred: impl Fn(&BTreeSet<(String, String)>) -> bool,
) -> BTreeSet<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = BTreeSet::new();
    loop {
        if pred(&last) {
            return last;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; last findings: {last:#?}");
        if let Ok(Some(Msg::Findings(f))) = tokio::time::timeout(left, rx.recv()).await {
            last = f
                .iter()
                .map(|f| (f.code.clone(), f.subject.clone()))
                .collect();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_engine_reports_what_check_prints_without_being_asked() {
    let env = start("miswired").await;
    let (_, v) = check_json(&env).await;
    let want = keyed(&v);
    assert!(has(&want, "keys.drift", "media/radarr"), "{want:#?}");
    assert!(
        has(&want, "integration.missing", "root-folder:"),
        "{want:#?}"
    );

    // The engine's tasks read the integration file from the config directory.
    std::env::set_var("K8S_NAS_CONFIG_DIR", env.dir.path().join("config"));
    let cfg = Config {
        kubeconfig: Some(env.kubeconfig.clone()),
        refresh_seconds: 2,
        ..Config::default()
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (etx, erx) = mpsc::unbounded_channel();
    let engine = tokio::spawn(k8s_nas::engine::runtime::run(cfg, tx, erx));
    // No task asked for: the engine checks the keys and plans the integrations once at start,
    // so the console counts what `check` counts. A key check asked for later keeps it so.
    let got = findings_until(&mut rx, 30, |f| *f == want).await;
    assert_eq!(got, want);
    etx.send(Effect::RunTask {
        id: TaskId(1),
        request: TaskRequest::CheckKeys,
    })
    .unwrap();
    // Findings are sent when they change: after the key check, whatever was sent last (if
    // anything) still equals what `check` prints.
    let mut last = got;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the key check did not finish");
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(Msg::Findings(f))) => {
                last = f
                    .iter()
                    .map(|f| (f.code.clone(), f.subject.clone()))
                    .collect();
            }
            Ok(Some(Msg::TaskDone { .. })) => break,
            _ => {}
        }
    }
    // Findings the check learnt may arrive right after it (the engine's next message).
    if last != want {
        let got = findings_until(&mut rx, 10, |f| *f == want).await;
        assert_eq!(got, want);
    }
    let _ = etx.send(Effect::Quit);
    let _ = tokio::time::timeout(Duration::from_secs(5), engine).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_findings_reach_the_engines_findings_and_so_the_header() {
    // The console's Findings pane and header count show `Msg::Findings`: cert.* are in it.
    let env = start("cert-stale").await;
    let cfg = Config {
        kubeconfig: Some(env.kubeconfig.clone()),
        refresh_seconds: 2,
        ingress_address: Some(env._nas.ingress.addr.to_string()),
        ingress_http_address: Some(env._nas.ingress.http_addr.to_string()),
        ..Config::default()
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let (etx, erx) = mpsc::unbounded_channel();
    let engine = tokio::spawn(k8s_nas::engine::runtime::run(cfg, tx, erx));
    let got = findings_until(&mut rx, 30, |f| {
        f.iter().any(|(c, _)| c == "cert.stale_copy")
            && f.iter().any(|(c, _)| c == "cert.expires_soon")
    })
    .await;
    assert!(got
        .iter()
        .any(|(c, s)| c == "cert.stale_copy" && s.starts_with("Secret ")));
    let _ = etx.send(Effect::Quit);
    let _ = tokio::time::timeout(Duration::from_secs(5), engine).await;
}
