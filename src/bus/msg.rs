//! Messages into the pure core ([`Msg`]) and intents out of it ([`Effect`]), plus the snapshot
//! types the engine fills ([`ClusterView`], [`EventRow`]).
//!
//! Contract with the engine: the runtime hands every [`Effect`] to the engine through an
//! `mpsc::UnboundedSender<Effect>`; the engine answers with [`Msg`]s on a bounded
//! `mpsc::Sender<Msg>`. Ids (log streams, tasks) are allocated by the UI so replies from a stale
//! stream or a cancelled task can be recognised and dropped.

pub use crate::bus::views::{IntegrationsView, KeysView};
use crate::model::{Finding, Inventory, PodStatus, ServiceId, ServiceObservation};
use crossterm::event::KeyEvent;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::fmt;

/// The `:backups` pane's data: the backup root, the services that should have backups with
/// the config directory each backs up, and every backup found (read from the root, cheap).
#[derive(Debug, Clone)]
pub struct BackupsView {
    pub root: std::path::PathBuf,
    /// Backup name (`sonarr`) → the config directory it backs up, as seen from here.
    pub paths: std::collections::BTreeMap<String, std::path::PathBuf>,
    pub facts: crate::checks::backup::BackupFacts,
    /// Backup name → the discovered service (for the pane's actions).
    pub ids: std::collections::BTreeMap<String, ServiceId>,
    /// Why the root could not be read, if it could not.
    pub error: Option<String>,
    pub fetched_at: jiff::Timestamp,
}

/// What the `:certs` pane shows.
#[derive(Debug, Clone)]
pub struct CertsView {
    pub facts: crate::certs::CertFacts,
    pub findings: Vec<Finding>,
    pub fetched_at: Timestamp,
}

/// What the `:gitops` pane shows (issue 12): Argo CD Applications, ApplicationSets, argocd-cm
/// health overrides and their `gitops.*` findings.
#[derive(Debug, Clone)]
pub struct GitopsView {
    pub facts: crate::gitops::GitopsFacts,
    pub findings: Vec<Finding>,
    /// The manifest audit's findings (`manifest.*`), shown per Application.
    pub audit: Vec<Finding>,
    pub fetched_at: Timestamp,
}

/// What the `:jobs` pane shows (issue 12): CronJobs, Jobs with their pods, and `job.*` findings.
#[derive(Debug, Clone)]
pub struct JobsView {
    pub facts: crate::jobs::JobsFacts,
    pub findings: Vec<Finding>,
    pub fetched_at: Timestamp,
}

/// One Kubernetes event about a service's objects (pod, deployment …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// `Normal` or `Warning`.
    pub type_: String,
    /// `BackOff`, `Unhealthy`, `Pulled` …
    pub reason: String,
    /// `Pod/sonarr-5d8f…`.
    pub object: String,
    pub message: String,
    pub count: u32,
    pub last_seen: Option<Timestamp>,
}

/// What the Kubernetes side of the engine knows, sent whole after each (debounced) change.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterView {
    /// kubeconfig context name.
    pub context: String,
    /// API server URL.
    pub cluster: String,
    /// Namespaces being watched.
    pub namespaces: Vec<String>,
    pub inventory: Inventory,
    pub pods: BTreeMap<ServiceId, Vec<PodStatus>>,
    pub events: BTreeMap<ServiceId, Vec<EventRow>>,
    pub fetched_at: Timestamp,
    /// Set when the last refresh failed (the rest is the last good state).
    pub error: Option<String>,
    /// Which watched kinds the cluster serves (a CRD-backed kind may be absent, with a note):
    /// panes that need an absent kind are hidden.
    pub kinds: Vec<crate::cluster::kinds::KindStatus>,
}

impl ClusterView {
    /// Why `kind` (a registry row name such as `certificates.cert-manager.io`) is known to be
    /// unavailable, or `None` when it is served or not reported (yet).
    pub fn kind_absent(&self, kind: &str) -> Option<String> {
        let k = self.kinds.iter().find(|k| k.name == kind)?;
        (!k.present).then(|| {
            k.note
                .clone()
                .unwrap_or_else(|| format!("{kind} is not served by this cluster"))
        })
    }
}

/// One row of a generic resource view (k9s `:pods`, `:deploy` …): the cells every kind has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRow {
    pub namespace: String,
    pub name: String,
    /// `1/1` (pods, deployments), capacity (PVCs), count (events).
    pub ready: String,
    /// Phase or worst reason (pods), `Bound` (PVCs), `Warning`/`Normal` (events).
    pub status: String,
    pub restarts: u32,
    pub since: Option<Timestamp>,
    /// Node, hosts, storage class, the event's reason and message.
    pub info: String,
    /// Something is wrong with it (coloured as a warning).
    pub bad: bool,
    /// Pods: the containers, then the init containers (for the shell and logs pickers).
    pub containers: Vec<String>,
    pub init_containers: Vec<String>,
    /// Events: the involved object `(kind, name)` (describe it).
    pub involved: Option<(String, String)>,
    /// The pod `l` shows the logs of, with its restarts (pods: itself; Deployments: their most
    /// interesting pod; events: the involved pod or workload's); `containers` are its.
    pub logs: Option<(String, u32)>,
    /// Nodes: the figures behind `info`, for the columns of `:nodes` (other kinds: `None`).
    pub node: Option<NodeFigures>,
}

/// One node's usage against allocatable and the disk use of the stack's paths on it (`None`:
/// unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeFigures {
    /// CPU in use and allocatable, millicores.
    pub cpu_milli: Option<u64>,
    pub cpu_allocatable: Option<u64>,
    /// Memory in use and allocatable, bytes.
    pub mem_bytes: Option<u64>,
    pub mem_allocatable: Option<u64>,
    /// The cluster serves the metrics API (usage unknown without it).
    pub metrics_api: bool,
    /// The stack's `hostPath` paths measured here: used and total bytes (`None`: not found).
    pub disks: Vec<(String, Option<(u64, u64)>)>,
}

/// Usage of one service's pods (summed) against their requests and limits (summed over the
/// containers of one pod; `None` when a container sets none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceUsage {
    pub cpu_milli: u64,
    pub mem_bytes: u64,
    pub cpu_request: Option<u64>,
    pub cpu_limit: Option<u64>,
    pub mem_request: Option<u64>,
    pub mem_limit: Option<u64>,
}

/// What the metrics API says, per service; `available: false` hides the columns (with the note).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsView {
    pub available: bool,
    pub note: Option<String>,
    pub services: BTreeMap<ServiceId, ServiceUsage>,
}

/// The console's workload actions RBAC was asked about (SelfSubjectAccessReview).
pub const ACCESS_ACTIONS: [&str; 4] = ["restart", "scale", "delete", "exec"];

/// The workload actions RBAC denies, per namespace: `(namespace, action, why)`. An action not
/// listed is allowed or not checked yet (the task checks again before acting).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessView {
    pub denied: Vec<(String, String, String)>,
}

impl AccessView {
    /// Why `action` (one of [`ACCESS_ACTIONS`]) is forbidden in `namespace`, if it is.
    pub fn denied(&self, namespace: &str, action: &str) -> Option<&str> {
        self.denied
            .iter()
            .find(|(ns, a, _)| ns == namespace && a == action)
            .map(|(_, _, why)| why.as_str())
    }
}

/// Identifies one log stream the UI asked for; lines tagged with another id are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(pub u64);

/// Identifies one long-running task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Long actions the UI can start. The engine extends this enum with its own task kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskRequest {
    /// Run every check now (same engine as `k8s-nas check`); findings come back as
    /// [`Msg::Findings`].
    CheckAll,
    /// Read every edge and plan (no writes); the result comes back as [`Msg::Integrations`].
    PlanIntegrations,
    /// Apply the integration plan: write, re-read, test each changed edge; then a fresh
    /// [`Msg::Integrations`].
    ApplyIntegrations,
    /// Run each configured edge's own connection test (`downloadclient/test` …).
    TestIntegrations,
    /// Prowlarr `ApplicationIndexerSync`: push its indexers to the apps.
    SyncIndexers,
    /// Remove the stale root folders the last plan listed (inaccessible, beside a working
    /// one): the separate, confirmed step (issue 7).
    RemoveStaleRootFolders,
    /// Find, verify and compare every app's API key; the result comes back as [`Msg::Keys`].
    CheckKeys,
    /// Write the keys that differ into the cluster Secret (only those; never blank others).
    SyncKeys,
    /// Restart the VPN tunnel of a service's pod (gluetun `PUT /v1/vpn/status` stopped →
    /// running), then wait until it runs and has an exit IP again.
    RestartTunnel(ServiceId),
    /// FR006: add a small legal torrent to a qBittorrent behind a proven tunnel, wait for its
    /// metadata or data, then remove it and its data.
    TestDownload(ServiceId),
    /// Renew a cert-manager Certificate as `cmctl renew` does, then follow it to a new Ready
    /// revision (or its failure).
    RenewCertificate { namespace: String, name: String },
    /// Copy the data of a TLS Secret's source into the copy (name, namespace, labels kept).
    ResyncSecret {
        namespace: String,
        name: String,
        source_namespace: String,
        source: String,
    },
    /// `kubectl rollout restart`: the pod-template annotation (issue 8).
    RestartWorkload {
        namespace: String,
        kind: String,
        name: String,
    },
    /// `kubectl delete pod`.
    DeletePod { namespace: String, name: String },
    /// `kubectl scale --replicas=N`.
    ScaleWorkload {
        namespace: String,
        kind: String,
        name: String,
        replicas: u32,
    },
    /// Back up one service's config directory now (verify, retention, restic copy).
    BackupNow(ServiceId),
    /// Restore one service's config from backup `backup` (the wizard's last step, after the
    /// typed confirmation): safety backup, scale 0, swap, scale back, post-checks.
    RestoreBackup { service: ServiceId, backup: String },
    /// Verify a service's newest backup (checksum and every file hash; `deep`: restore into a
    /// scratch directory, integrity_check, config parse); the result is recorded beside it.
    VerifyBackup { service: ServiceId, deep: bool },
    /// Ask Argo CD to refresh an Application (the `argocd.argoproj.io/refresh` annotation).
    ArgoRefresh { namespace: String, name: String },
    /// Request a sync of an Application (the `operation` patch; refused while one runs).
    ArgoSync { namespace: String, name: String },
    /// Silence what matches `matchers` for `secs` seconds, with a comment (Alertmanager).
    Silence {
        matchers: Vec<(String, String)>,
        secs: i64,
        comment: String,
    },
    /// Expire a silence (Alertmanager).
    ExpireSilence { id: String },
    /// Run a CronJob now (`kubectl create job --from=cronjob/NAME`).
    RunCronJob { namespace: String, name: String },
    /// Ask Argo CD's ApplicationSet controller to regenerate (annotation
    /// `argocd.argoproj.io/application-set-refresh`).
    AppSetRefresh { namespace: String, name: String },
}

impl TaskRequest {
    pub fn title(&self) -> String {
        match self {
            TaskRequest::RenewCertificate { namespace, name } => {
                return format!("renew certificate {namespace}/{name}")
            }
            TaskRequest::ArgoRefresh { namespace, name } => {
                return format!("refresh application {namespace}/{name}")
            }
            TaskRequest::ArgoSync { namespace, name } => {
                return format!("sync application {namespace}/{name}")
            }
            TaskRequest::Silence { matchers, .. } => {
                let alert = matchers
                    .iter()
                    .find(|(k, _)| k == "alertname")
                    .map_or("alerts", |(_, v)| v.as_str());
                return format!("silence {alert}");
            }
            TaskRequest::ExpireSilence { id } => return format!("expire silence {id}"),
            TaskRequest::RunCronJob { namespace, name } => {
                return format!("run cronjob {namespace}/{name} now")
            }
            TaskRequest::AppSetRefresh { namespace, name } => {
                return format!("refresh applicationset {namespace}/{name}")
            }
            TaskRequest::ResyncSecret {
                namespace, name, ..
            } => return format!("re-sync secret {namespace}/{name}"),
            TaskRequest::RestartWorkload {
                namespace, name, ..
            } => return format!("restart {namespace}/{name}"),
            TaskRequest::DeletePod { namespace, name } => {
                return format!("delete pod {namespace}/{name}")
            }
            TaskRequest::ScaleWorkload {
                namespace,
                name,
                replicas,
                ..
            } => return format!("scale {namespace}/{name} to {replicas}"),
            _ => {}
        }
        match self {
            TaskRequest::CheckAll => "check all",
            TaskRequest::PlanIntegrations => "integrate plan",
            TaskRequest::ApplyIntegrations => "integrate apply",
            TaskRequest::TestIntegrations => "test integrations",
            TaskRequest::SyncIndexers => "sync indexers",
            TaskRequest::RemoveStaleRootFolders => "remove stale root folders",
            TaskRequest::CheckKeys => "check keys",
            TaskRequest::SyncKeys => "sync keys",
            TaskRequest::RestartTunnel(id) => return format!("restart tunnel {id}"),
            TaskRequest::TestDownload(id) => return format!("test download {id}"),
            TaskRequest::RenewCertificate { .. }
            | TaskRequest::ResyncSecret { .. }
            | TaskRequest::RestartWorkload { .. }
            | TaskRequest::DeletePod { .. }
            | TaskRequest::ScaleWorkload { .. } => "",
            TaskRequest::BackupNow(id) => return format!("back up {id}"),
            TaskRequest::RestoreBackup { service, backup } => {
                return format!("restore {service} from {backup}")
            }
            TaskRequest::VerifyBackup { service, deep } => {
                let how = if *deep { "deep-verify" } else { "verify" };
                return format!("{how} the newest backup of {service}");
            }
            TaskRequest::ArgoRefresh { .. } | TaskRequest::ArgoSync { .. } => "",
            TaskRequest::Silence { .. } | TaskRequest::ExpireSilence { .. } => "",
            TaskRequest::RunCronJob { .. } | TaskRequest::AppSetRefresh { .. } => "",
        }
        .to_string()
    }

    /// Does the task change anything in the cluster or the apps? (Gated by `--readonly`.)
    pub fn is_mutating(&self) -> bool {
        match self {
            TaskRequest::CheckAll
            | TaskRequest::PlanIntegrations
            | TaskRequest::TestIntegrations
            | TaskRequest::CheckKeys => false,
            TaskRequest::ApplyIntegrations
            | TaskRequest::SyncIndexers
            | TaskRequest::RemoveStaleRootFolders
            | TaskRequest::SyncKeys
            | TaskRequest::RestartTunnel(_)
            | TaskRequest::TestDownload(_) => true,
            TaskRequest::RenewCertificate { .. } | TaskRequest::ResyncSecret { .. } => true,
            TaskRequest::RestartWorkload { .. }
            | TaskRequest::DeletePod { .. }
            | TaskRequest::ScaleWorkload { .. } => true,
            TaskRequest::BackupNow(_) | TaskRequest::RestoreBackup { .. } => true,
            // Writes its result beside the backup.
            TaskRequest::VerifyBackup { .. } => true,
            TaskRequest::ArgoRefresh { .. } | TaskRequest::ArgoSync { .. } => true,
            TaskRequest::Silence { .. } | TaskRequest::ExpireSilence { .. } => true,
            TaskRequest::RunCronJob { .. } | TaskRequest::AppSetRefresh { .. } => true,
        }
    }
}

/// Progress report of a task; the first one for an unknown id registers the task (so the engine
/// may start tasks of its own, e.g. at startup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskProgress {
    pub id: TaskId,
    pub title: String,
    /// Name of the current stage.
    pub stage: String,
    /// 1-based number of the current stage, and the total (0 when unknown).
    pub step: u32,
    pub steps: u32,
    /// Bytes or items done (and the total, when known) within the current step.
    pub units: Option<Units>,
    /// New log lines since the last report.
    pub lines: Vec<String>,
    /// The task's log file under the data directory (sent with the first report).
    pub log: Option<std::path::PathBuf>,
}

/// What a step counts, for a progress bar: bytes (shown as KiB/MiB) or items (edges, files …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Bytes,
    Items,
}

/// Progress within one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Units {
    pub kind: UnitKind,
    pub done: u64,
    /// `None` while the total is not known yet.
    pub total: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    /// One-line summary.
    Succeeded(String),
    Failed(String),
    Cancelled,
    /// Not started: e.g. another mutating task holds a resource it needs (the reason says which).
    Refused(String),
}

/// The title that ties a [`Msg::Describe`] answer to its [`Effect::Describe`] request:
/// `Deployment media/sonarr`.
pub fn describe_title(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind} {namespace}/{name}")
}

/// Everything that can happen to the UI.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Terminal size in columns, rows.
    Resize(u16, u16),
    /// 1 Hz tick with the current time (the core never reads the clock itself).
    Tick(Timestamp),
    Cluster(Box<ClusterView>),
    Observation(ServiceId, ServiceObservation),
    /// The complete current set of findings (replaces the previous set).
    Findings(Vec<Finding>),
    /// New lines of a log stream.
    Logs {
        stream: StreamId,
        lines: Vec<String>,
    },
    /// The log stream ended (pod gone, container restarted, error).
    LogsEnded {
        stream: StreamId,
        error: Option<String>,
    },
    /// Result of an [`Effect::Describe`]. `title` must be [`describe_title`] of the request: an
    /// answer to an older request (the user moved on) is dropped.
    Describe {
        title: String,
        text: String,
    },
    /// The cluster cannot be reached; shown as a banner `cluster unreachable: <text>` until the
    /// next good [`Msg::Cluster`]. The engine puts the retry delay in the text.
    ClusterError(String),
    TaskProgress(TaskProgress),
    TaskDone {
        id: TaskId,
        outcome: TaskOutcome,
    },
    /// The integration graph: plan, fields, indexer counts, root folders, related health
    /// messages (replaces the previous view).
    Integrations(Box<IntegrationsView>),
    /// API keys: location, verdict and Secret drift per app, masked (replaces the previous view).
    Keys(Box<KeysView>),
    /// The VPN check: the report of every VPN pod and the isolation audit (replaces the
    /// previous one).
    Vpn(Box<crate::checks::vpn::VpnFacts>),
    /// Certificates: Certificates, TLS Secrets, served certificates and their `cert.*`
    /// findings (replaces the previous view).
    Certs(Box<CertsView>),
    /// GitOps: Argo CD Applications and their findings (replaces the previous view).
    Gitops(Box<GitopsView>),
    /// Jobs: CronJobs, Jobs and their pods with their findings (replaces the previous view).
    Jobs(Box<JobsView>),
    /// Alerts and silences from Alertmanager or Prometheus (replaces the previous view).
    Alerts(Box<crate::alerts::AlertsFacts>),
    /// Backups under the backup root per service (issue 11; replaces the previous view).
    Backups(Box<BackupsView>),
    /// A one-line notice in the status line.
    Flash(String),
    /// What RBAC denies this user among the console's workload actions (issue 8; replaces the
    /// previous answer).
    Access(AccessView),
    /// CPU and memory per service from the metrics API (issue 8), polled every 30 s.
    Metrics(MetricsView),
    /// Answer to [`Effect::ListResources`]: the rows of one kind from the latest snapshot.
    Resources {
        kind: String,
        rows: Vec<ResourceRow>,
    },
    /// Answer to [`Effect::ReadTaskLog`]: the last lines of the task's log file, or why it could
    /// not be read.
    TaskLogFile {
        id: TaskId,
        lines: Result<Vec<String>, String>,
    },
    /// Answer to [`Effect::ReadBackupManifest`]: the manifest, or why it could not be read.
    BackupManifest {
        path: std::path::PathBuf,
        manifest: Result<Box<crate::backup::Manifest>, String>,
    },
}

/// What the UI asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Leave: the runtime restores the terminal; the engine shuts down.
    Quit,
    /// Refresh cluster state and observations now.
    RefreshNow,
    /// Stream a container's log; lines come back as [`Msg::Logs`] tagged with `stream`.
    /// Starting a stream implicitly replaces any previous one.
    StreamLogs {
        stream: StreamId,
        namespace: String,
        pod: String,
        container: String,
        follow: bool,
        tail: u32,
        /// The run before the current one (`previous=true`).
        previous: bool,
        /// Prefix each line with the API server's RFC 3339 timestamp.
        timestamps: bool,
        /// Only lines of the last N seconds (`sinceSeconds`), instead of the tail.
        since_seconds: Option<u32>,
    },
    /// Write log lines to `<data dir>/logs/<name>-<time>.log`; the path comes back as a
    /// [`Msg::Flash`].
    SaveLogs {
        name: String,
        lines: Vec<String>,
    },
    StopLogs {
        stream: StreamId,
    },
    /// The rows of a generic resource view (`pods`, `deployments`, `events`, `pvcs`,
    /// `ingresses`) from the watch's latest snapshot (no request); answered by
    /// [`Msg::Resources`].
    ListResources {
        kind: String,
    },
    /// Describe an object (`kind` is `Deployment`, `StatefulSet`, `Pod` …); the answer comes back
    /// as [`Msg::Describe`].
    Describe {
        namespace: String,
        kind: String,
        name: String,
    },
    RunTask {
        id: TaskId,
        request: TaskRequest,
    },
    CancelTask(TaskId),
    /// Read a task's log file (the path its first [`TaskProgress`] named); the last
    /// [`TASK_LOG_TAIL`] lines come back as [`Msg::TaskLogFile`].
    ReadTaskLog {
        id: TaskId,
        path: std::path::PathBuf,
    },
    /// Read a backup's `<id>.manifest.json`; the answer is [`Msg::BackupManifest`].
    ReadBackupManifest {
        path: std::path::PathBuf,
    },
    /// A shell in a container (`pods/exec` with a TTY; `/bin/bash`, else `/bin/sh`). The
    /// runtime suspends the console and fills `io` in before the engine gets it.
    Shell {
        namespace: String,
        pod: String,
        container: String,
        io: crate::bus::shell::ShellHandle,
    },
}

/// Lines of a task log file the UI asks for (the end of the file).
pub const TASK_LOG_TAIL: usize = 2_000;
