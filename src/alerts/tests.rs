use super::*;
use crate::checks;
use crate::clients::alertmanager::{parse_am_alerts, parse_prom_alerts, parse_silences};
use crate::model::Severity;
use serde_json::json;
use std::sync::Arc;

fn am_alerts() -> Vec<Alert> {
    parse_am_alerts(&json!([
        {"labels": {"alertname": "ServiceDown", "severity": "critical", "service": "sonarr"},
         "annotations": {"summary": "sonarr is down", "runbook_url": "docs/runbooks/alert-ServiceDown.md"},
         "startsAt": "2026-12-05T10:00:00Z", "fingerprint": "a1",
         "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}},
        {"labels": {"alertname": "CPUNearLimit", "severity": "warning", "pod": "radarr-1"},
         "annotations": {"summary": "hot"}, "startsAt": "2026-12-05T09:00:00Z", "fingerprint": "b2",
         "status": {"state": "suppressed", "silencedBy": ["6f1c0c4e-0b6a-4b8e-9d0a-2a4c7c1d9e11"], "inhibitedBy": []}},
        {"labels": {"alertname": "HealthEndpointFailing", "severity": "warning", "service": "sonarr"},
         "annotations": {}, "startsAt": "2026-12-05T10:00:00Z", "fingerprint": "c3",
         "status": {"state": "suppressed", "silencedBy": [], "inhibitedBy": ["a1"]}}
    ]))
}

#[test]
fn alertmanager_states_and_findings_only_for_active_alerts() {
    let a = am_alerts();
    let states: Vec<&str> = a.iter().map(Alert::shown_state).collect();
    assert_eq!(states, ["active", "silenced", "inhibited"]);
    let facts = AlertsFacts {
        alerts: a,
        ..AlertsFacts::default()
    };
    let f = checks::alerts::evaluate(&facts);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "alert.ServiceDown");
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].subject, "service=sonarr");
    assert_eq!(f[0].message, "sonarr is down");
    assert_eq!(
        f[0].runbook.as_deref(),
        Some("docs/runbooks/alert-ServiceDown.md")
    );
}

#[test]
fn prometheus_fallback_and_silences_parse() {
    let p = parse_prom_alerts(&json!({"status": "success", "data": {"alerts": [
        {"labels": {"alertname": "VPNTunnelDown", "severity": "critical"}, "annotations": {},
         "state": "firing", "activeAt": "2026-12-05T10:00:00Z", "value": "0"},
        {"labels": {"alertname": "CronJobStale", "severity": "warning"}, "annotations": {},
         "state": "pending", "activeAt": "2026-12-05T10:00:00Z", "value": "1"}]}}));
    assert!(
        p[0].is_active() && !p[1].is_active(),
        "pending is not a problem yet"
    );
    let s = parse_silences(&json!([{"id": "abc-1", "status": {"state": "active"},
        "matchers": [{"name": "alertname", "value": "CPUNearLimit", "isRegex": false},
                     {"name": "pod", "value": "radarr-.*", "isRegex": true, "isEqual": true}],
        "startsAt": "2026-12-05T09:00:00Z", "endsAt": "2026-12-05T11:00:00Z",
        "createdBy": "k8s-nas", "comment": "tuning"}]));
    assert_eq!(s[0].matchers, ["alertname=CPUNearLimit", "pod=~radarr-.*"]);
    assert_eq!(s[0].state, "active");
}

#[test]
fn discovery_prefers_alertmanager_and_reads_the_route_prefix() {
    let svc = |ns: &str, name: &str, port: i32| -> Arc<Service> {
        Arc::new(
            serde_json::from_value(json!({"metadata": {"name": name, "namespace": ns},
                "spec": {"selector": {"app": name}, "ports": [{"port": port}]}}))
            .unwrap(),
        )
    };
    let mut l = Listing::default();
    l.objects
        .services
        .push(svc("monitoring", "prometheus", 9090));
    l.objects.pods.push(Arc::new(
        serde_json::from_value(
            json!({"metadata": {"name": "prometheus-0", "namespace": "monitoring",
            "labels": {"app": "prometheus"}},
            "spec": {"containers": [{"name": "prometheus", "image": "prom/prometheus",
                "args": ["--web.route-prefix=/prometheus"]}]}}),
        )
        .unwrap(),
    ));
    let cfg = Config::default();
    let s = discover(&l, &cfg).unwrap();
    assert_eq!(s.backend, Backend::Prometheus);
    assert_eq!(
        s.label(),
        "Prometheus monitoring/prometheus:9090/prometheus"
    );
    l.objects
        .services
        .push(svc("monitoring", "alertmanager", 9093));
    assert_eq!(
        discover(&l, &cfg).unwrap().label(),
        "Alertmanager monitoring/alertmanager:9093"
    );
    let cfg = Config {
        alertmanager_url: Some("http://127.0.0.1:9093".into()),
        ..Config::default()
    };
    assert_eq!(
        discover(&l, &cfg).unwrap().access,
        Access::Url("http://127.0.0.1:9093".into())
    );
    assert_eq!(discover(&Listing::default(), &Config::default()), None);
}

#[test]
fn silence_matchers_and_durations() {
    let a = &am_alerts()[0];
    assert_eq!(
        matchers_of(a),
        [
            ("alertname".to_string(), "ServiceDown".to_string()),
            ("service".to_string(), "sonarr".to_string())
        ]
    );
    assert_eq!(parse_duration("2h"), Ok(7_200));
    assert_eq!(parse_duration("30m"), Ok(1_800));
    assert_eq!(parse_duration("45"), Ok(2_700));
    assert!(parse_duration("0m").is_err() && parse_duration("2w").is_err());
    assert!(parse_duration("31d").is_err());
}
