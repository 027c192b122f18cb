//! A finding: one thing the admin should know about, with what to do about it.

use super::ServiceId;
use serde::{Deserialize, Serialize};

/// Ordered from harmless to worst, so `max()` gives the overall state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    /// Warning or worse: what makes `check` exit 1.
    pub fn is_problem(self) -> bool {
        self >= Severity::Warning
    }
}

/// The same value is shown in panes and printed by `check --output json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable machine code, dotted: `http.slow`, `pod.crashloop`, `keys.rejected` … (every code
    /// is an entry of [`crate::checks::catalog`]).
    pub code: String,
    /// What it is about: a service id (`media/sonarr`), an edge, a certificate …
    pub subject: String,
    /// The service the finding belongs to, when there is one: how rows find their findings
    /// (by id, never by parsing `subject`). Serialised only when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceId>,
    /// One line: what is wrong.
    pub message: String,
    /// One line: what to do about it.
    pub remediation: String,
    /// Link to a runbook or the app's wiki, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
}

impl Finding {
    pub fn new(
        severity: Severity,
        code: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
        remediation: impl Into<String>,
    ) -> Self {
        Finding {
            severity,
            code: code.into(),
            subject: subject.into(),
            service: None,
            message: message.into(),
            remediation: remediation.into(),
            runbook: None,
        }
    }

    pub fn with_runbook(mut self, url: impl Into<String>) -> Self {
        self.runbook = Some(url.into());
        self
    }

    /// The finding belongs to `service` (its row and detail pane show it).
    pub fn about(mut self, service: ServiceId) -> Self {
        self.service = Some(service);
        self
    }

    /// Is this finding about `id`? By the `service` field; a finding made without one (by hand,
    /// or read from an older JSON) is about `id` only when its subject is exactly that id.
    pub fn is_about(&self, id: &ServiceId) -> bool {
        match &self.service {
            Some(s) => s == id,
            None => self.subject == id.as_str(),
        }
    }
}

/// The worst severity of a set of findings (`Ok` when empty).
pub fn worst<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Severity {
    findings
        .into_iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_belong_to_services_by_id() {
        let sonarr = ServiceId::new("media", "sonarr");
        let edge = Finding::new(
            Severity::Warning,
            "integration.missing",
            "download-client:media/sonarr->qbittorrent/qbittorrent",
            "m",
            "r",
        );
        assert!(
            !edge.is_about(&sonarr),
            "no service: the subject is not parsed"
        );
        let edge = edge.about(sonarr.clone());
        assert!(edge.is_about(&sonarr));
        assert!(!edge.is_about(&ServiceId::new("qbittorrent", "qbittorrent")));
        // Without a service, only an exact subject matches (never a prefix).
        let plain = Finding::new(Severity::Error, "x.y", "media/sonarr", "m", "r");
        assert!(plain.is_about(&sonarr));
        assert!(!plain.is_about(&ServiceId::new("media", "sonarr-4k")));
        let other = Finding::new(Severity::Error, "x.y", "media/sonarr-4k", "m", "r");
        assert!(!other.is_about(&sonarr));
    }

    #[test]
    fn service_is_serialised_only_when_present() {
        let f = Finding::new(Severity::Info, "a.b", "s", "m", "r");
        let v = serde_json::to_value(&f).unwrap();
        assert!(v.get("service").is_none(), "{v}");
        let v = serde_json::to_value(f.about(ServiceId::new("media", "sonarr"))).unwrap();
        assert_eq!(v["service"], "media/sonarr");
        let back: Finding = serde_json::from_value(v).unwrap();
        assert_eq!(back.service, Some(ServiceId::new("media", "sonarr")));
    }
}
