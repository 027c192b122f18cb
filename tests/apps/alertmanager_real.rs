//! The Alertmanager client against a real `prometheus-alertmanager` (Debian package, 0.25) on
//! 127.0.0.1: alerts posted to it are listed active with severity, summary and runbook; a
//! silence from the alert's labels makes it `silenced` (no finding any more); expiring the
//! silence makes it active again. SKIPPED loudly without the binary (a failure under `CI`).

use crate::support::qbit_real::{free_port, wait_ready, ChildGuard};
use k8s_nas::alerts::{fetch, matchers_of, Access, AlertSource, Backend};
use k8s_nas::clients::alertmanager::AlertmanagerClient;
use k8s_nas::clients::transport::AppEndpoint;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = "/usr/bin/prometheus-alertmanager";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_silence_and_expire_against_real_alertmanager() {
    if !std::path::Path::new(BIN).exists() {
        eprintln!("SKIPPED alertmanager_real: prometheus-alertmanager not installed ({BIN})");
        assert!(
            std::env::var_os("CI").is_none(),
            "prometheus-alertmanager must be installed in CI"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("alertmanager.yml");
    std::fs::write(
        &cfg,
        "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n",
    )
    .unwrap();
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let _am = ChildGuard(
        Command::new(BIN)
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus-alertmanager"),
    );
    assert!(wait_ready(&format!("{origin}/-/ready")).await, "not ready");

    // Two alerts posted as Prometheus would.
    let http = reqwest::Client::new();
    let body = serde_json::json!([
        {"labels": {"alertname": "ServiceDown", "severity": "critical", "service": "sonarr"},
         "annotations": {"summary": "sonarr is down", "runbook_url": "docs/runbooks/alert-ServiceDown.md"}},
        {"labels": {"alertname": "CPUNearLimit", "severity": "warning", "pod": "radarr-1"},
         "annotations": {"summary": "radarr hot"}}
    ]);
    let r = http
        .post(format!("{origin}/api/v2/alerts"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    let src = AlertSource {
        backend: Backend::Alertmanager,
        access: Access::Url(origin.clone()),
    };
    let ep = AppEndpoint::direct(origin.clone(), "").with_timeout(Duration::from_secs(5));
    let facts = fetch(&src, &ep).await;
    assert_eq!(facts.error, None);
    let names: Vec<&str> = facts.alerts.iter().map(|a| a.name()).collect();
    assert_eq!(names, ["CPUNearLimit", "ServiceDown"]);
    assert!(facts.alerts.iter().all(|a| a.shown_state() == "active"));
    let findings = k8s_nas::checks::alerts::evaluate(&facts);
    assert_eq!(findings.len(), 2);
    let down = findings
        .iter()
        .find(|f| f.code == "alert.ServiceDown")
        .unwrap();
    assert_eq!(
        down.runbook.as_deref(),
        Some("docs/runbooks/alert-ServiceDown.md")
    );

    // Silence ServiceDown from its labels.
    let alert = facts
        .alerts
        .iter()
        .find(|a| a.name() == "ServiceDown")
        .unwrap();
    let c = AlertmanagerClient::new(ep.clone());
    let id = c
        .silence(
            &matchers_of(alert),
            3_600,
            "k8s-nas",
            "test: upgrading sonarr",
        )
        .await
        .unwrap();
    let facts = fetch(&src, &ep).await;
    let down = facts
        .alerts
        .iter()
        .find(|a| a.name() == "ServiceDown")
        .unwrap();
    assert_eq!(down.shown_state(), "silenced");
    assert_eq!(down.silenced_by, vec![id.clone()]);
    let s = facts.silences.iter().find(|s| s.id == id).unwrap();
    assert_eq!(s.state, "active");
    assert_eq!(s.comment, "test: upgrading sonarr");
    assert_eq!(
        k8s_nas::checks::alerts::evaluate(&facts)
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>(),
        ["alert.CPUNearLimit"],
        "a silenced alert is not a finding"
    );

    // Expire it: active again.
    c.expire(&id).await.unwrap();
    let facts = fetch(&src, &ep).await;
    assert_eq!(
        facts.silences.iter().find(|s| s.id == id).unwrap().state,
        "expired"
    );
    let down = facts
        .alerts
        .iter()
        .find(|a| a.name() == "ServiceDown")
        .unwrap();
    assert_eq!(down.shown_state(), "active");
    assert!(c.expire("../status").await.is_err(), "ids are checked");
}
