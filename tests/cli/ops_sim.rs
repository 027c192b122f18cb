//! `k8s-nas check` on `ops-faults` (issue 12) through the real binary: the GitOps findings are
//! there, each with its runbook, and the exit code is 1, with the manifest audit's misaimed
//! Bazarr probe, limitless Jellyfin, Sonarr on `:latest`, Prowlarr's RollingUpdate over a RWO
//! claim and Radarr without a startup probe; on `healthy` there is no `gitops.*` or
//! `manifest.*` finding (the simulated world is clean by the console's own rules).

use crate::common::{findings, json, k8s_nas, start};
use k8s_nas::sim::scenario::Scenario;
use serde_json::Value;

async fn check(s: Scenario) -> (Option<i32>, Value) {
    let (_nas, dir, kc) = start(s).await;
    let out = k8s_nas(dir.path())
        .args(["check", "--output", "json", "--kubeconfig"])
        .arg(&kc)
        .output()
        .await
        .unwrap();
    (out.status.code(), json(&out))
}

fn gitops(v: &Value) -> Vec<(String, String, String)> {
    with_prefix(v, "gitops.", "runbook")
}

/// `(code, subject, message)` of the findings whose code starts with `prefix`.
fn codes_of(v: &Value, prefix: &str) -> Vec<(String, String, String)> {
    with_prefix(v, prefix, "message")
}

/// `(code, subject, third)` of the findings whose code starts with `prefix`.
fn with_prefix(v: &Value, prefix: &str, third: &str) -> Vec<(String, String, String)> {
    findings(v)
        .filter(|f| f["code"].as_str().unwrap().starts_with(prefix))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("subject"), s(third))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_the_gitops_faults_with_runbooks() {
    let (code, v) = check(Scenario::parse("ops-faults").unwrap()).await;
    let g = gitops(&v);
    let codes: std::collections::BTreeSet<&str> = g.iter().map(|(c, _, _)| c.as_str()).collect();
    for want in [
        "gitops.degraded",
        "gitops.operation_failed",
        "gitops.out_of_sync",
        "gitops.auto_sync_off",
        "gitops.health_override",
    ] {
        assert!(codes.contains(want), "{want} missing: {g:?}");
    }
    assert_eq!(
        g.iter()
            .filter(|(c, _, _)| c == "gitops.health_override")
            .count(),
        3,
        "Certificate, Job and CronJob: {g:?}"
    );
    assert!(g.iter().all(|(_, _, rb)| !rb.is_empty()), "{g:?}");
    // Prometheus's firing alerts (the pending one is not a finding yet), with their runbooks.
    let alerts: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("alert."))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["runbook"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        alerts,
        [
            (
                "alert.VPNTunnelDown".to_string(),
                "docs/runbooks/alert-VPNTunnelDown.md".to_string()
            ),
            (
                "alert.CronJobStale".to_string(),
                "docs/runbooks/alert-CronJobStale.md".to_string()
            ),
        ],
        "{v:#}"
    );
    // The manifest audit: Bazarr probed at /bazarr/ping while it serves at `/`.
    let manifest = codes_of(&v, "manifest.probe_target");
    assert_eq!(manifest.len(), 2, "liveness and readiness: {manifest:?}");
    for (code, subject, message) in &manifest {
        assert_eq!(code, "manifest.probe_target");
        assert!(subject.ends_with("/bazarr"), "{manifest:?}");
        assert!(
            message.contains("`/bazarr/ping` does not exist"),
            "{manifest:?}"
        );
    }
    let res = codes_of(&v, "manifest.resources");
    assert_eq!(res.len(), 1, "{res:?}");
    assert!(res[0].1.ends_with("/jellyfin"), "{res:?}");
    assert!(
        res[0].2.contains("declares no limits.cpu, limits.memory"),
        "{res:?}"
    );
    // Exactly one of each of the other audit faults, on the app the scenario broke.
    for (prefix, app, says) in [
        (
            "manifest.image_unpinned",
            "/sonarr",
            "sonarr:latest`: `:latest`",
        ),
        (
            "manifest.strategy",
            "/prowlarr",
            "uses RollingUpdate with a ReadWriteOnce volume",
        ),
        ("manifest.startup_probe", "/radarr", "has no startup probe"),
    ] {
        let f = codes_of(&v, prefix);
        assert_eq!(f.len(), 1, "{prefix}: {f:?}");
        assert!(f[0].1.ends_with(app), "{prefix}: {f:?}");
        assert!(f[0].2.contains(says), "{prefix}: {f:?}");
    }
    assert_eq!(codes_of(&v, "manifest.probes_missing"), vec![], "{v:#}");
    let runbooks: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "manifest.strategy")
        .filter_map(|f| f["runbook"].as_str())
        .collect();
    assert_eq!(runbooks, vec!["docs/runbooks/manifest.strategy.md"]);
    assert_eq!(code, Some(1));
    let (_, healthy) = check(Scenario::Healthy).await;
    assert_eq!(gitops(&healthy), vec![], "{healthy:#}");
    assert_eq!(codes_of(&healthy, "manifest."), vec![], "{healthy:#}");
    let warnings = healthy["warnings"].to_string();
    assert!(
        !warnings.contains("Prometheus"),
        "the simulated Prometheus answers: {warnings}"
    );
}
