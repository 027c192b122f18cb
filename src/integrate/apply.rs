//! Apply: read → plan → write → re-read → verify → test, per edge, over an [`EdgeBackend`].
//!
//! Edges are grouped by the app that holds them; groups run in parallel, edges of one app run
//! one after another (one writer per app: Sonarr's qBittorrent and SABnzbd entries share one
//! list). Two phases: first what the *arr apps hold (download clients, root folders), then what
//! points at them (Prowlarr, Jellyseerr, Bazarr), so Jellyseerr can choose a root folder that
//! was just created. Every write is followed by a re-read: an edge counts as applied only when
//! the app reports it as configured. A failure stops that edge only; the report says what was
//! written and what was not.

use super::edge::{Current, Edge, EdgeKind};
use super::plan::{matched_entry, plan_edge, Change, EdgeState};
use crate::keys::WireJson;
use crate::model::{AppError, Finding, ServiceId};
use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;

/// What the protocol clients must provide for the engine to wire the graph.
///
/// Mapping for the HTTP clients (per [`EdgeKind`]):
/// * provider kinds: `read` = `GET /api/vN/downloadclient` (Prowlarr: `/api/v1/applications`)
///   plus the `/schema` entry of `edge.implementation` as `template`; `create` = `POST` the body;
///   `update` = `PUT /{id}` the body (every field is in it; masked values are sent back as
///   `********`, which keeps the stored secret); `delete` = `DELETE /{id}`; `test` =
///   `POST …/test` with the entry.
/// * `RootFolder`: `GET|POST|DELETE /rootfolder`; Lidarr `read` also fills
///   `choices.quality_profiles`/`metadata_profiles`; `test`: the folder is `accessible`.
/// * Jellyseerr servers: `GET|POST /api/v1/settings/{sonarr,radarr}`, `PUT|DELETE …/{id}`;
///   `read` fills `choices` from `POST …/test` called with the edge's desired `hostname`,
///   `port`, `apiKey`, `useSsl`, `baseUrl` (`profiles`, `rootFolders[].path`); `test` =
///   `POST …/test` with the entry.
/// * `SeerrJellyfin`: `read` = `[GET /api/v1/settings/jellyfin]`; `update` = `POST` the body.
/// * Bazarr: `read` = `[GET /api/system/settings]`; `create`/`update` = `POST
///   /api/system/settings` form-encoding the body's string values; `test` = its system status.
#[async_trait]
pub trait EdgeBackend: Send + Sync {
    async fn read(&self, edge: &Edge) -> Result<Current, AppError>;
    async fn create(&self, edge: &Edge, body: &WireJson) -> Result<(), AppError>;
    async fn update(&self, edge: &Edge, id: Option<i64>, body: &WireJson) -> Result<(), AppError>;
    async fn delete(&self, edge: &Edge, id: i64) -> Result<(), AppError>;
    /// Ask the app to test the connection of `entry` (the existing resource of the edge).
    async fn test(&self, edge: &Edge, entry: &Value) -> Result<(), AppError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Read,
    Write,
    Reread,
    Verify,
    Test,
}

/// One progress line: `[sonarr] Sonarr → qBittorrent: write ok (create download client …)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyEvent {
    pub edge_id: String,
    pub label: String,
    pub stage: Stage,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    pub prune: bool,
    /// Run the app's connection test after a successful apply.
    pub test: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "test", rename_all = "camelCase")]
pub enum TestOutcome {
    Passed,
    Failed { detail: String },
    Skipped,
}

/// The stage at which an edge stopped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub stage: Stage,
    pub error: AppError,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeOutcome {
    pub id: String,
    pub label: String,
    pub from: ServiceId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<EdgeState>,
    /// Writes that the app accepted.
    pub applied: Vec<String>,
    /// Writes that were planned but not made (after a failure).
    pub not_applied: Vec<String>,
    /// Steps left to a human.
    pub manual: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<Failure>,
    /// State after the re-read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<EdgeState>,
    pub test: TestOutcome,
}

impl EdgeOutcome {
    /// Applied, re-read as configured, and the test (when run) passed.
    pub fn verified(&self) -> bool {
        self.failed.is_none()
            && self.after == Some(EdgeState::Configured)
            && !matches!(self.test, TestOutcome::Failed { .. })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplyReport {
    pub outcomes: Vec<EdgeOutcome>,
}

impl ApplyReport {
    pub fn writes(&self) -> usize {
        self.outcomes.iter().map(|o| o.applied.len()).sum()
    }
    /// Every edge verified: `integrate apply` exits 0.
    pub fn all_verified(&self) -> bool {
        self.outcomes.iter().all(EdgeOutcome::verified)
    }
    pub fn findings(&self) -> Vec<Finding> {
        self.outcomes
            .iter()
            .filter(|o| !o.verified())
            .map(|o| {
                let (msg, fix) = if let Some(Failure { stage, error: e }) = &o.failed {
                    let left = if o.not_applied.is_empty() {
                        String::new()
                    } else {
                        format!("; not applied: {}", o.not_applied.join(", "))
                    };
                    (
                        format!("{}: {stage:?} failed: {}{left}", o.label, e.detail),
                        None,
                    )
                } else if let TestOutcome::Failed { detail } = &o.test {
                    (
                        format!("{}: connection test failed: {detail}", o.label),
                        Some("Open the entry in the app and run its Test for details"),
                    )
                } else if !o.manual.is_empty() {
                    (
                        format!("{}: {}", o.label, o.manual.join("; ")),
                        Some("Do the manual step, then run `k8s-nas integrate plan`"),
                    )
                } else {
                    (
                        format!("{}: still not configured after apply", o.label),
                        Some("Run `k8s-nas integrate plan` to see what the app kept"),
                    )
                };
                crate::checks::integration::apply_failed(&o.id, &o.from, msg, fix)
            })
            .collect()
    }
}

fn phase(kind: EdgeKind) -> u8 {
    match kind {
        EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::RootFolder => 0,
        _ => 1,
    }
}

/// Apply every edge; see the module docs for the order. `on_event` sees every stage.
pub async fn apply(
    backend: &dyn EdgeBackend,
    edges: &[Edge],
    opts: ApplyOptions,
    on_event: &(dyn Fn(ApplyEvent) + Send + Sync),
) -> ApplyReport {
    let mut outcomes: Vec<(usize, EdgeOutcome)> = Vec::new();
    for ph in [0u8, 1] {
        let mut groups: Vec<(ServiceId, Vec<(usize, &Edge)>)> = Vec::new();
        for (i, e) in edges
            .iter()
            .enumerate()
            .filter(|(_, e)| phase(e.kind) == ph)
        {
            match groups.iter_mut().find(|(k, _)| *k == e.from) {
                Some((_, g)) => g.push((i, e)),
                None => groups.push((e.from.clone(), vec![(i, e)])),
            }
        }
        let runs = groups.into_iter().map(|(_, group)| async move {
            let mut out = Vec::new();
            for (i, e) in group {
                out.push((i, apply_edge(backend, e, opts, on_event).await));
            }
            out
        });
        for group in futures::future::join_all(runs).await {
            outcomes.extend(group);
        }
    }
    outcomes.sort_by_key(|(i, _)| *i);
    ApplyReport {
        outcomes: outcomes.into_iter().map(|(_, o)| o).collect(),
    }
}

async fn apply_edge(
    backend: &dyn EdgeBackend,
    edge: &Edge,
    opts: ApplyOptions,
    on_event: &(dyn Fn(ApplyEvent) + Send + Sync),
) -> EdgeOutcome {
    let emit = |stage, ok, detail: String| {
        on_event(ApplyEvent {
            edge_id: edge.id.clone(),
            label: edge.label(),
            stage,
            ok,
            detail,
        })
    };
    let mut out = EdgeOutcome {
        id: edge.id.clone(),
        label: edge.label(),
        from: edge.from.clone(),
        before: None,
        applied: vec![],
        not_applied: vec![],
        manual: vec![],
        failed: None,
        after: None,
        test: TestOutcome::Skipped,
    };
    let current = match backend.read(edge).await {
        Ok(c) => c,
        Err(e) => {
            emit(Stage::Read, false, e.detail.clone());
            out.failed = Some(Failure {
                stage: Stage::Read,
                error: e,
            });
            return out;
        }
    };
    emit(Stage::Read, true, String::new());
    let p = plan_edge(edge, Ok(&current), opts.prune);
    out.before = Some(p.state.clone());
    let mut wrote = false;
    let mut changes = p.changes.iter();
    for c in changes.by_ref() {
        let result = match c {
            Change::Create { body, .. } => backend.create(edge, body).await,
            Change::Update { id, body, .. } => backend.update(edge, *id, body).await,
            Change::Delete { id, .. } => backend.delete(edge, *id).await,
            Change::Manual { reason } => {
                out.manual.push(reason.clone());
                continue;
            }
        };
        match result {
            Ok(()) => {
                wrote = true;
                out.applied.push(c.describe());
                emit(Stage::Write, true, c.describe());
            }
            Err(e) => {
                emit(
                    Stage::Write,
                    false,
                    format!("{}: {}", c.describe(), e.detail),
                );
                out.not_applied.push(c.describe());
                out.failed = Some(Failure {
                    stage: Stage::Write,
                    error: e,
                });
                break;
            }
        }
    }
    out.not_applied
        .extend(changes.filter(|c| c.is_write()).map(Change::describe));
    let after_current = if wrote {
        match backend.read(edge).await {
            Ok(c) => {
                emit(Stage::Reread, true, String::new());
                c
            }
            Err(e) => {
                emit(Stage::Reread, false, e.detail.clone());
                if out.failed.is_none() {
                    out.failed = Some(Failure {
                        stage: Stage::Reread,
                        error: e,
                    });
                }
                return out;
            }
        }
    } else {
        current
    };
    let after = plan_edge(edge, Ok(&after_current), opts.prune).state;
    let verified = after == EdgeState::Configured;
    emit(
        Stage::Verify,
        verified,
        match &after {
            EdgeState::Drift { reasons } => reasons.join("; "),
            other => other.symbol().to_string(),
        },
    );
    out.after = Some(after);
    if opts.test && verified && out.failed.is_none() {
        if let Some(entry) = matched_entry(edge, &after_current) {
            out.test = match backend.test(edge, entry).await {
                Ok(()) => {
                    emit(Stage::Test, true, String::new());
                    TestOutcome::Passed
                }
                Err(e) => {
                    emit(Stage::Test, false, e.detail.clone());
                    TestOutcome::Failed { detail: e.detail }
                }
            };
        }
    }
    out
}
