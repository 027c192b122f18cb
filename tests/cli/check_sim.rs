//! `k8s-nas check` against the simulated NAS, through the real binary: exit codes, JSON shape,
//! each degraded-scenario fault as a finding, and clear errors for unusable kubeconfigs.

use crate::common::{self, ingress_config, k8s_nas};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;
use std::process::Output;

async fn check(kubeconfig: &std::path::Path, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    // The simulated NAS's Ingress hosts are reached at its ingress listener (as `demo` sets).
    let config = kubeconfig.with_file_name("config.toml");
    let config: Vec<&std::path::Path> = if config.exists() {
        vec![std::path::Path::new("--config"), config.as_path()]
    } else {
        vec![]
    };
    k8s_nas(dir.path())
        .arg("check")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(config)
        .args(extra)
        .output()
        .await
        .unwrap()
}

/// The simulated NAS with a `config.toml` beside its kubeconfig (`check` picks it up).
async fn start(s: Scenario) -> (SimNas, tempfile::TempDir, std::path::PathBuf) {
    let (nas, dir, kc) = common::start(s).await;
    let config = ingress_config(&nas, dir.path());
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    (nas, dir, kc)
}

fn codes(v: &Value, subject: &str) -> Vec<String> {
    common::findings(v)
        .filter(|f| f["subject"] == subject)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_stack_exits_0_with_nine_services_in_json() {
    let (_nas, _dir, kc) = start(Scenario::Healthy).await;
    let out = check(&kc, &["--output", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "k8s-nas/check/v1");
    assert_eq!(v["summary"]["services"], 9);
    assert_eq!(v["summary"]["worst"], "ok");
    let kinds: Vec<&str> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    for k in [
        "sonarr",
        "radarr",
        "lidarr",
        "prowlarr",
        "bazarr",
        "jellyseerr",
        "jellyfin",
        "qbittorrent",
        "sabnzbd",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    // every service was reached through the API server's service proxy and answered
    for s in v["services"].as_array().unwrap() {
        assert_eq!(s["observation"]["probe"]["status"], 200, "{s}");
        assert!(s["observation"]["health"]["ok"].is_object(), "{s}");
    }
    // no API key leaks into the output
    let text = String::from_utf8_lossy(&out.stdout);
    for key in _nas.world.app_keys.values() {
        assert!(
            !text.contains(key.as_str()),
            "an API key leaked into check's JSON"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn degraded_stack_exits_1_and_names_every_fault() {
    let (_nas, _dir, kc) = start(Scenario::Degraded).await;
    let out = check(&kc, &["--output", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        codes(&v, "media/bazarr").contains(&"pod.crashloop".to_string()),
        "{:?}",
        codes(&v, "media/bazarr")
    );
    assert!(codes(&v, "media/radarr").contains(&"http.slow".to_string()));
    assert!(codes(&v, "media/lidarr")
        .iter()
        .any(|c| c.starts_with("app.")));
    assert!(codes(&v, "media/prowlarr").contains(&"auth.rejected".to_string()));
    assert!(codes(&v, "media/jellyseerr").contains(&"http.timeout".to_string()));
    for f in v["findings"].as_array().unwrap() {
        assert!(!f["remediation"].as_str().unwrap().is_empty(), "{f}");
    }
    // the table face says the same
    let out = check(&kc, &[]).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("http.timeout") && table.contains("auth.rejected"),
        "{table}"
    );
    // Issue 7: the cause before its symptoms, the wiki links in the table too, the console's
    // own fix named, and no TUI key outside the TUI.
    let at = |s: &str| {
        table
            .find(s)
            .unwrap_or_else(|| panic!("{s} missing:\n{table}"))
    };
    assert!(at("pod.crashloop") < at("http.unreachable"), "{table}");
    assert!(table.contains("see https://wiki.servarr.com/"), "{table}");
    assert!(table.contains("`:keys` → `S`"), "{table}");
    assert!(!table.contains("(`l`)"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_kubeconfigs_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "this: is: not: a kubeconfig").unwrap();
    let out = check(&bad, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("kubeconfig"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = check(&dir.path().join("missing.yaml"), &[]).await;
    assert_eq!(out.status.code(), Some(2));

    // a cluster that is not there: take a port, close it, point the kubeconfig at it
    let (nas, _d, kc) = start(Scenario::Healthy).await;
    nas.kube.clone().shutdown().await;
    drop(nas);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let out = check(&kc, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unreachable") || err.contains("connect"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_exit_2_and_forbidden_namespaces_are_warnings() {
    let (nas, dir, kc) = start(Scenario::Healthy).await;
    // an expired/revoked token: the API server answers 401
    let text = std::fs::read_to_string(&kc).unwrap();
    let bad = dir.path().join("revoked.yaml");
    std::fs::write(&bad, text.replace(nas.kube.token(), "revoked-token")).unwrap();
    let out = check(&bad, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401"), "{err}");

    // RBAC: one namespace forbidden; scoped to two namespaces, check still runs and says so
    nas.kube.forbid_namespace("qbittorrent");
    let out = check(
        &kc,
        &["-n", "media", "-n", "qbittorrent", "--output", "json"],
    )
    .await;
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("qbittorrent") && warnings.contains("403"),
        "{warnings}"
    );
    assert_eq!(
        v["summary"]["services"], 8,
        "qBittorrent's namespace is not visible"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_findings_reach_check_and_exit_1() {
    // The one findings pipeline: `check` carries the cert.* findings `certs` reports.
    let (_nas, _dir, kc) = start(Scenario::parse("cert-stale").unwrap()).await;
    let out = check(&kc, &["--output", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cert: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("cert."))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cert.iter().filter(|(c, _)| c == "cert.stale_copy").count(),
        1,
        "{cert:#?}"
    );
    assert!(
        cert.iter()
            .any(|(c, m)| c == "cert.expires_soon" && m.contains("expires in 20 days")),
        "{cert:#?}"
    );
    // Served through the simulated ingress: no handshake failures.
    assert!(
        !cert.iter().any(|(c, _)| c == "cert.handshake"),
        "{cert:#?}"
    );
}
