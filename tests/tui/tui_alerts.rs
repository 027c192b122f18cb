//! The `:alerts` pane: Alertmanager's alerts (active, silenced, inhibited) and silences; `S`
//! asks for a duration and a comment and starts a silence from the alert's labels, `E`
//! expires a silence after a confirm, read-only mode has neither, Prometheus alone cannot
//! silence.

use crate::tui_common;

use k8s_nas::alerts::{Access, AlertSource, AlertsFacts, Backend};
use k8s_nas::clients::alertmanager::{parse_am_alerts, parse_silences};
use k8s_nas::tui::{Msg, TaskRequest};
use serde_json::json;
use tui_common::*;

fn facts(backend: Backend) -> AlertsFacts {
    let t = |s: i64| ago(s).to_string();
    AlertsFacts {
        source: Some(AlertSource {
            backend,
            access: Access::Service {
                namespace: "monitoring".into(),
                name: "alertmanager".into(),
                port: "9093".into(),
                url_base: String::new(),
            },
        }),
        alerts: parse_am_alerts(&json!([
            {"labels": {"alertname": "ServiceDown", "severity": "critical", "service": "sonarr"},
             "annotations": {"summary": "sonarr is down", "description": "The probe of sonarr failed for 30 s.",
                "runbook_url": "docs/runbooks/alert-ServiceDown.md"},
             "startsAt": t(300), "fingerprint": "a1",
             "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}},
            {"labels": {"alertname": "CPUNearLimit", "severity": "warning", "pod": "radarr-1"},
             "annotations": {"summary": "radarr uses over 80 % of its CPU limit"}, "startsAt": t(7_200),
             "fingerprint": "b2",
             "status": {"state": "suppressed", "silencedBy": ["5b0e6a4c-2f7d-4c1e-9a51-0d3f7c9e2b10"], "inhibitedBy": []}}
        ])),
        silences: parse_silences(&json!([{"id": "5b0e6a4c-2f7d-4c1e-9a51-0d3f7c9e2b10",
            "status": {"state": "active"},
            "matchers": [{"name": "alertname", "value": "CPUNearLimit", "isRegex": false}],
            "startsAt": t(3_600), "endsAt": "2026-12-31T12:00:00Z",
            "createdBy": "k8s-nas", "comment": "re-encoding the library"}])),
        error: None,
        fetched_at: Some(now()),
    }
}

fn opened(w: u16, h: u16, backend: Backend) -> Harness {
    Harness::opened(
        w,
        h,
        [Msg::Alerts(Box::new(facts(backend)))],
        ":alerts<enter>",
    )
}

#[test]
fn alerts_pane_160x45_and_80x24() {
    let mut h = opened(160, 45, Backend::Alertmanager);
    let frame = h.frame();
    for needle in [
        "Alertmanager monitoring/alertmanager:9093",
        "ServiceDown",
        "critical",
        "silenced",
        "alertname=CPUNearLimit",
        "Runbook: docs/runbooks/alert-ServiceDown.md",
    ] {
        assert!(frame.contains(needle), "{needle} missing:\n{frame}");
    }
    insta::assert_snapshot!("alerts_pane_160x45", frame);
    let mut h = opened(80, 24, Backend::Alertmanager);
    insta::assert_snapshot!("alerts_pane_80x24", h.frame());
}

#[test]
fn silence_asks_duration_and_comment_and_expire_confirms() {
    let mut h = opened(160, 45, Backend::Alertmanager);
    // The cursor is on the first row: ServiceDown.
    assert!(tasks(&h.press("S")).is_empty());
    assert!(h.frame().contains("alertname=ServiceDown, service=sonarr"));
    let fx = h.press("upgrading sonarr<enter>");
    assert_eq!(
        tasks(&fx),
        [TaskRequest::Silence {
            matchers: vec![
                ("alertname".into(), "ServiceDown".into()),
                ("service".into(), "sonarr".into())
            ],
            secs: 7_200,
            comment: "upgrading sonarr".into()
        }]
    );
    h.press("/5b0e<enter>");
    h.press("E");
    let frame = h.frame();
    assert!(frame.contains("Expire silence 5b0e6a4c"), "{frame}");
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::ExpireSilence {
            id: "5b0e6a4c-2f7d-4c1e-9a51-0d3f7c9e2b10".into()
        }]
    );
}

#[test]
fn prometheus_cannot_silence_and_readonly_has_no_actions() {
    let mut h = opened(160, 45, Backend::Prometheus);
    assert!(tasks(&h.press("S")).is_empty());
    assert!(h.frame().contains("silences need an Alertmanager"));
    let mut h = Harness::new(true);
    h.load_healthy();
    h.feed(Msg::Alerts(Box::new(facts(Backend::Alertmanager))));
    h.press(":alerts<enter>");
    assert!(tasks(&h.press("S")).is_empty());
    assert!(!h.frame().contains("Duration and comment"));
}
