//! The shipped monitoring assets (`assets/monitoring/`) and runbooks (`docs/runbooks/`): the
//! rules pass the real `promtool check rules` and `promtool test rules` (Debian `prometheus`),
//! every alert has its annotations, a runbook page and a unit test, the PrometheusRule carries
//! the same groups, every dashboard query parses and the dashboard has one tile per service.

use k8s_nas::checks::catalog;
use k8s_nas::model::AppKind;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const DIR: &str = "assets/monitoring";
const PROMTOOL: &str = "promtool";

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let d = serde_yaml_ng::Deserializer::from_str(&text).next().unwrap();
    Value::deserialize(d).unwrap()
}

fn rules() -> Value {
    yaml(&format!("{DIR}/prometheus-rules.yaml"))
}

fn alerts(rules: &Value) -> Vec<Value> {
    rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().clone())
        .filter(|r| r.get("alert").is_some())
        .collect()
}

/// `promtool`, or `None` after a loud SKIPPED line (a failure under `CI`).
fn promtool(test: &str) -> Option<Command> {
    if Command::new(PROMTOOL).arg("--version").output().is_err() {
        eprintln!("SKIPPED {test}: promtool not installed (apt-get install -y prometheus)");
        assert!(
            std::env::var_os("CI").is_none(),
            "promtool must be installed in CI (Debian package prometheus)"
        );
        return None;
    }
    Some(Command::new(PROMTOOL))
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().expect("run promtool");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool failed:\n{text}");
    text
}

#[test]
fn promtool_checks_the_rules_and_their_unit_tests_pass() {
    let Some(mut check) = promtool("promtool_checks_the_rules") else {
        return;
    };
    check
        .current_dir(DIR)
        .args(["check", "rules", "prometheus-rules.yaml"]);
    assert!(run(check).contains("SUCCESS"));
    let mut test = promtool("promtool_test_rules").unwrap();
    test.current_dir(DIR)
        .args(["test", "rules", "rules-test.yaml"]);
    assert!(run(test).contains("SUCCESS"));
}

#[test]
fn every_alert_is_documented_and_unit_tested() {
    let rules = rules();
    let tests = yaml(&format!("{DIR}/rules-test.yaml"));
    let tested: BTreeSet<String> = tests["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["alert_rule_test"].as_array().cloned().unwrap_or_default())
        .filter(|a| !a["exp_alerts"].as_array().unwrap().is_empty())
        .map(|a| a["alertname"].as_str().unwrap().to_string())
        .collect();
    let alerts = alerts(&rules);
    // The issue's list: down, health endpoint, app health, certificate soon/expired, CPU and
    // memory near limits, restarts, backup age, VPN, CronJob stale, and the burn rates.
    for needed in [
        "ServiceDown",
        "HealthEndpointFailing",
        "AppHealthIssues",
        "CertificateExpiringSoon",
        "CertificateExpired",
        "CPUNearLimit",
        "MemoryNearLimit",
        "ContainerRestarting",
        "BackupTooOld",
        "VPNTunnelDown",
        "CronJobStale",
        "ErrorBudgetBurnFast",
        "ErrorBudgetBurnSlow",
    ] {
        assert!(
            alerts.iter().any(|a| a["alert"] == needed),
            "{needed} missing"
        );
    }
    for a in &alerts {
        let name = a["alert"].as_str().unwrap();
        assert!(
            ["critical", "warning", "info"]
                .contains(&a["labels"]["severity"].as_str().unwrap_or("")),
            "{name}: severity"
        );
        for key in ["summary", "description", "runbook_url"] {
            let v = a["annotations"][key].as_str().unwrap_or("");
            assert!(!v.trim().is_empty(), "{name}: annotation {key} missing");
        }
        let url = a["annotations"]["runbook_url"].as_str().unwrap();
        assert!(
            Path::new(url).is_file(),
            "{name}: runbook_url {url} is not a file"
        );
        assert!(
            tested.contains(name),
            "{name} has no firing unit test in rules-test.yaml"
        );
    }
}

#[test]
fn service_down_meets_the_prd_timing() {
    // Detection: one scrape interval (<= 5 minutes); firing: `for` plus one evaluation interval
    // (<= 1 minute after detection). The unit test proves the same on a series.
    let scrape = yaml(&format!("{DIR}/scrape-config.yaml"));
    let secs = |s: &str| -> u64 {
        let (n, unit) = s.split_at(s.len() - 1);
        let n: u64 = n.parse().unwrap();
        match unit {
            "s" => n,
            "m" => n * 60,
            other => panic!("unit {other}"),
        }
    };
    let scrape_s = secs(scrape["global"]["scrape_interval"].as_str().unwrap());
    let eval_s = secs(scrape["global"]["evaluation_interval"].as_str().unwrap());
    let rules = rules();
    let down = alerts(&rules)
        .into_iter()
        .find(|a| a["alert"] == "ServiceDown")
        .unwrap();
    let for_s = secs(down["for"].as_str().unwrap());
    assert!(scrape_s <= 300, "detection {scrape_s}s > 5 minutes");
    assert!(
        for_s + eval_s <= 60,
        "fires {for_s}+{eval_s}s after detection"
    );
}

#[test]
fn prometheus_rule_carries_the_same_groups() {
    let plain = rules();
    let cr = yaml(&format!("{DIR}/prometheusrule.yaml"));
    assert_eq!(cr["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(cr["kind"], "PrometheusRule");
    assert_eq!(
        cr["spec"]["groups"], plain["groups"],
        "prometheusrule.yaml differs from prometheus-rules.yaml: regenerate it"
    );
}

fn dashboard() -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/grafana-dashboard.json")).unwrap();
    serde_json::from_str(&text).expect("dashboard is valid JSON")
}

fn exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(e)) = m.get("expr") {
                out.push(e.clone());
            }
            m.values().for_each(|x| exprs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| exprs(x, out)),
        _ => {}
    }
}

#[test]
fn dashboard_has_one_up_down_tile_per_service_with_a_link() {
    let d = dashboard();
    let panels = d["panels"].as_array().unwrap();
    let re =
        regex::Regex::new(r#"^max\(probe_success\{job="blackbox-http",service="([a-z]+)"\}\)$"#)
            .unwrap();
    let mut tiles = BTreeSet::new();
    for p in panels.iter().filter(|p| p["type"] == "stat") {
        let expr = p["targets"][0]["expr"].as_str().unwrap();
        if let Some(c) = re.captures(expr) {
            let svc = c[1].to_string();
            assert!(tiles.insert(svc.clone()), "two tiles for {svc}");
            let url = p["links"][0]["url"].as_str().unwrap_or("");
            assert!(url.starts_with("https://"), "{svc}: no link to its UI");
            let m = p["fieldConfig"]["defaults"]["mappings"].to_string();
            assert!(
                m.contains("DOWN") && m.contains("UP"),
                "{svc}: not colour-coded"
            );
        }
    }
    let want: BTreeSet<String> = AppKind::ALL.iter().map(|k| k.id().to_string()).collect();
    assert_eq!(tiles, want);
    let all = d.to_string();
    for what in [
        "probe_duration_seconds",
        "cpu_usage",
        "memory_working_set",
        "probe_ssl_earliest_cert_expiry",
        "kube_cronjob_status_last_successful_time",
        "gluetun-health",
        "service:error_budget:remaining_ratio",
    ] {
        assert!(all.contains(what), "dashboard lacks {what}");
    }
}

#[test]
fn every_dashboard_query_parses() {
    let mut es = Vec::new();
    exprs(&dashboard(), &mut es);
    assert!(es.len() >= 15, "only {} queries", es.len());
    let Some(mut check) = promtool("every_dashboard_query_parses") else {
        return;
    };
    // Each query as a recording rule: `promtool check rules` parses it with Prometheus's own
    // PromQL parser (Grafana's `$namespace` only occurs inside label matchers' strings).
    let groups: Vec<Value> = vec![serde_json::json!({
        "name": "dashboard",
        "rules": es.iter().enumerate().map(|(i, e)| serde_json::json!({
            "record": format!("dashboard:query_{i}"), "expr": e })).collect::<Vec<_>>(),
    })];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dashboard-queries.yaml");
    std::fs::write(
        &file,
        serde_yaml_ng::to_string(&serde_json::json!({ "groups": groups })).unwrap(),
    )
    .unwrap();
    check.arg("check").arg("rules").arg(&file);
    let out = run(check);
    assert!(out.contains(&format!("{} rules found", es.len())), "{out}");
}

#[test]
fn scrape_config_has_every_job_the_rules_use() {
    let scrape = yaml(&format!("{DIR}/scrape-config.yaml"));
    let jobs: BTreeSet<&str> = scrape["scrape_configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_name"].as_str().unwrap())
        .collect();
    let rules_text = std::fs::read_to_string(format!("{DIR}/prometheus-rules.yaml")).unwrap();
    let re = regex::Regex::new(r#"job="([a-z-]+)""#).unwrap();
    for c in re.captures_iter(&rules_text) {
        assert!(
            jobs.contains(&c[1]),
            "rules use job {} that is not scraped",
            &c[1]
        );
    }
    assert!(jobs.contains("kube-state-metrics"));
    for app in [
        "sonarr", "radarr", "lidarr", "prowlarr", "bazarr", "sabnzbd",
    ] {
        assert!(jobs.contains(app), "no exportarr job for {app}");
    }
}

#[test]
fn every_finding_code_and_alert_has_a_runbook_page() {
    for e in catalog::ALL {
        let page = catalog::runbook_page(e.code);
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{}: runbook page {page} missing", e.code));
        for section in ["## Symptoms", "## Checks", "## Fix", "## Verify"] {
            assert!(text.contains(section), "{page}: no {section}");
        }
    }
    for a in alerts(&rules()) {
        let page = format!("docs/runbooks/alert-{}.md", a["alert"].as_str().unwrap());
        let text = std::fs::read_to_string(&page).unwrap_or_else(|_| panic!("{page} missing"));
        assert!(text.contains("## Verify"), "{page}: no Verify section");
    }
    // And no page for something that no longer exists.
    let known: BTreeSet<String> = catalog::ALL
        .iter()
        .map(|e| catalog::runbook_page(e.code))
        .chain(
            alerts(&rules())
                .iter()
                .map(|a| format!("docs/runbooks/alert-{}.md", a["alert"].as_str().unwrap())),
        )
        .chain(["docs/runbooks/README.md".to_string()])
        .collect();
    for entry in std::fs::read_dir("docs/runbooks").unwrap() {
        let p = format!(
            "docs/runbooks/{}",
            entry.unwrap().file_name().to_string_lossy()
        );
        assert!(known.contains(&p), "{p} documents no finding code or alert");
    }
}
