//! Live observations: pod state from the watchers, HTTP probes and the apps' own health.

use serde::{Deserialize, Serialize};

/// A pod's phase (`status.phase`). Serialised as Kubernetes writes it (`"Running"`), so the
/// JSON of `check` is unchanged; a phase this version does not know is kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
    /// A value outside the five Kubernetes defines (kept, shown as is).
    Other(String),
}

impl PodPhase {
    pub fn as_str(&self) -> &str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
            PodPhase::Other(s) => s,
        }
    }
}

impl From<String> for PodPhase {
    fn from(s: String) -> Self {
        PodPhase::from(s.as_str())
    }
}

impl From<&str> for PodPhase {
    fn from(s: &str) -> Self {
        match s {
            "Pending" => PodPhase::Pending,
            "Running" => PodPhase::Running,
            "Succeeded" => PodPhase::Succeeded,
            "Failed" => PodPhase::Failed,
            "Unknown" | "" => PodPhase::Unknown,
            other => PodPhase::Other(other.to_string()),
        }
    }
}

impl From<PodPhase> for String {
    fn from(p: PodPhase) -> String {
        p.as_str().to_string()
    }
}

impl std::fmt::Display for PodPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pod of a service, as the watcher last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodStatus {
    pub name: String,
    pub phase: PodPhase,
    pub ready_containers: u32,
    pub total_containers: u32,
    pub restarts: u32,
    /// Waiting/terminated reason of the worst container (`CrashLoopBackOff`, `OOMKilled` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Is the pod being deleted?
    pub terminating: bool,
    /// The latest termination of one of its containers (current or last state), for the
    /// restart-loop facts (issue 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_termination: Option<Termination>,
    /// Restarts in the last hour: the restart-count increases the engine observed plus a
    /// termination it finished in the hour (a lower bound until it has watched for an hour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarts_last_hour: Option<u32>,
}

/// How a container last ended (its `lastState.terminated`, or `state.terminated`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Termination {
    pub container: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<jiff::Timestamp>,
    /// The container's memory limit as written in the spec (`512Mi`), when it sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<String>,
}

impl PodStatus {
    pub fn is_ready(&self) -> bool {
        self.phase == PodPhase::Running
            && self.total_containers > 0
            && self.ready_containers == self.total_containers
    }
}

/// Result of the plain HTTP probe (`<url base>/ping` or the app's equivalent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueLevel {
    Ok,
    Notice,
    Warning,
    Error,
}

/// One message of an app's own health report (Starr `/api/vN/health`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthIssue {
    pub source: String,
    pub level: IssueLevel,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wiki_url: Option<String>,
}

/// What the app says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AppHealth {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Short state word for the table (`Healthy`, `3 issues`, `connected`, `Downloading` …).
    pub summary: String,
    pub issues: Vec<HealthIssue>,
}

/// The last entry of a health list cut at [`crate::bounds::MAX_LIST_ITEMS`]: how many more the
/// app reported.
pub fn more_issues(n: usize) -> HealthIssue {
    HealthIssue {
        source: "k8s-nas".into(),
        level: IssueLevel::Warning,
        message: format!("… and {n} more health issues (not kept)"),
        wiki_url: None,
    }
}

impl AppHealth {
    pub fn worst_level(&self) -> IssueLevel {
        self.issues
            .iter()
            .map(|i| i.level)
            .max()
            .unwrap_or(IssueLevel::Ok)
    }
}

/// Why a call to an app failed, classified so checks and panes can say what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AppErrorKind {
    /// Connection refused, DNS failure, no endpoints (proxy 503) …
    Unreachable,
    /// The API server (whose proxy reaches the app) cannot be reached: says nothing about the app.
    ClusterUnreachable,
    /// No answer within the timeout.
    Timeout { after_ms: u64 },
    /// 401: missing or wrong API key / credentials.
    Unauthorized,
    /// 403: forbidden (qBittorrent without session, SAB host whitelist, RBAC on the proxy).
    Forbidden,
    /// 3xx to a prefixed path: the app serves under a URL base we did not use.
    WrongUrlBase { location: String },
    /// 5xx.
    ServerError { status: u16 },
    /// Other unexpected status.
    Http { status: u16 },
    /// 2xx but the body is not what the API returns (HTML, truncated JSON …).
    BadBody,
    /// The client could not be set up (no key, bad config …).
    Config,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    #[serde(flatten)]
    pub kind: AppErrorKind,
    /// One line for humans. Never contains a secret.
    pub detail: String,
}

impl AppError {
    pub fn new(kind: AppErrorKind, detail: impl Into<String>) -> Self {
        AppError {
            kind,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for AppError {}

/// One collector round for one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceObservation {
    pub fetched_at: jiff::Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeResult>,
    /// The app's own health, or why it could not be read.
    pub health: Result<AppHealth, AppError>,
}
