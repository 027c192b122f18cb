//! `alert.<AlertName>` findings: one per active alert (silenced, inhibited and pending ones are
//! not problems now), severity from its `severity` label, runbook from its `runbook_url`.

use super::catalog;
use crate::alerts::AlertsFacts;
use crate::model::{Finding, Severity};

pub fn severity_of(label: &str) -> Severity {
    match label {
        "critical" | "page" => Severity::Critical,
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Info,
    }
}

pub fn evaluate(a: &AlertsFacts) -> Vec<Finding> {
    a.alerts
        .iter()
        .filter(|x| x.is_active())
        .map(|x| {
            let summary = x
                .annotations
                .get("summary")
                .or_else(|| x.annotations.get("description"))
                .cloned()
                .unwrap_or_else(|| "no summary".into());
            let subject = ["namespace", "service", "instance", "pod", "job", "cronjob"]
                .iter()
                .filter_map(|k| x.labels.get(*k).map(|v| format!("{k}={v}")))
                .next()
                .unwrap_or_else(|| x.name().to_string());
            let mut f = catalog::ALERT_FIRING.member(x.name(), subject, summary, &[]);
            f.severity = severity_of(x.severity());
            if let Some(u) = x.annotations.get("runbook_url").filter(|u| !u.is_empty()) {
                f = f.with_runbook(u);
            }
            f
        })
        .collect()
}
