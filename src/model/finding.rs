//! A finding: one thing the admin should know about, with what to do about it.

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
    /// Stable machine code, dotted: `health.http_slow`, `pod.crashloop`, `keys.rejected` …
    pub code: String,
    /// What it is about: a service id (`media/sonarr`), an edge, a certificate …
    pub subject: String,
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
            message: message.into(),
            remediation: remediation.into(),
            runbook: None,
        }
    }

    pub fn with_runbook(mut self, url: impl Into<String>) -> Self {
        self.runbook = Some(url.into());
        self
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
