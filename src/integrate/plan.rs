//! Plan: desired edges against what the apps have → per-edge state and the changes to make.
//!
//! Existing entries are matched by implementation + host (never by name alone; [`super::entries`]),
//! so a hand-made entry that points elsewhere is left alone and a new entry gets a name that does
//! not collide.
//! Fields the app masks (`********`) are not reported as drift. Nothing is deleted unless
//! `prune`. A plan over an already-wired state has no writes.

use super::compare::{set_provider_field, FieldDiff};
use super::desired::{Resolution, Unresolved};
use super::edge::{Current, Edge, EdgeKind};
pub use super::entries::matched_entry;
pub(crate) use super::entries::{id_of, norm_path};
pub(super) use super::entries::{match_target, mismatches, name_of, pick};
use super::entries::{provider_entries, unique_name};
use crate::keys::WireJson;
use crate::model::{AppError, ServiceId};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum EdgeState {
    Configured,
    Missing,
    Drift {
        reasons: Vec<String>,
    },
    Unknown {
        why: String,
    },
    /// A prerequisite fails (the target app is down): nothing is planned or written; `why`
    /// names the first failing prerequisite (target down > authentication > key unknown).
    Blocked {
        why: String,
    },
}

impl EdgeState {
    /// ✔ configured, ✘ missing, ⚠ drift, ? unknown, ⊘ blocked.
    pub fn symbol(&self) -> &'static str {
        match self {
            EdgeState::Configured => "✔",
            EdgeState::Missing => "✘",
            EdgeState::Drift { .. } => "⚠",
            EdgeState::Unknown { .. } => "?",
            EdgeState::Blocked { .. } => "⊘",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Change {
    Create {
        what: String,
        #[serde(skip)]
        body: WireJson,
    },
    Update {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<i64>,
        what: String,
        diffs: Vec<FieldDiff>,
        #[serde(skip)]
        body: WireJson,
    },
    /// Only with `prune`.
    Delete { id: i64, what: String },
    /// Needs a human; nothing is written.
    Manual { reason: String },
}

impl Change {
    pub fn is_write(&self) -> bool {
        !matches!(self, Change::Manual { .. })
    }
    /// One line, secrets masked.
    pub fn describe(&self) -> String {
        match self {
            Change::Create { what, .. } => format!("create {what}"),
            Change::Update { what, diffs, .. } => {
                let d: Vec<String> = diffs
                    .iter()
                    .map(|d| format!("{}: {} → {}", d.field, d.current, d.desired))
                    .collect();
                format!("update {what} ({})", d.join(", "))
            }
            Change::Delete { id, what } => format!("delete {what} (id {id})"),
            Change::Manual { reason } => format!("manual: {reason}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgePlan {
    pub id: String,
    pub label: String,
    pub kind: EdgeKind,
    pub from: ServiceId,
    pub to: ServiceId,
    #[serde(flatten)]
    pub state: EdgeState,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub edges: Vec<EdgePlan>,
    /// Prowlarr's indexer count and where to add indexers (a live plan reads it; `None`:
    /// not read, or no Prowlarr).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prowlarr: Option<ProwlarrIndexers>,
    /// Root folders that fail beside a working one, offered for removal as a separate,
    /// confirmed step (never part of the writes above).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<super::stale::StaleRootFolder>,
}

/// How many indexers Prowlarr holds, and its web UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProwlarrIndexers {
    pub app: crate::model::ServiceId,
    pub count: usize,
    pub url: String,
}

impl Plan {
    /// Number of writes (create, update, delete).
    pub fn writes(&self) -> usize {
        self.edges
            .iter()
            .flat_map(|e| &e.changes)
            .filter(|c| c.is_write())
            .count()
    }
    pub fn is_empty(&self) -> bool {
        self.writes() == 0
    }
    /// Steps left to a human (Jellyseerr's setup wizard, a folder to create on the node …).
    pub fn manual_steps(&self) -> usize {
        self.edges
            .iter()
            .flat_map(|e| &e.changes)
            .filter(|c| !c.is_write())
            .count()
    }
    /// `integrate plan` exit code: 0 nothing to do, 1 changes pending (writes or manual steps),
    /// 2 nothing pending but some edges could not be read or resolved, or are blocked.
    pub fn exit_code(&self) -> i32 {
        if self.writes() > 0 || self.manual_steps() > 0 {
            1
        } else if self.edges.iter().any(|e| {
            matches!(
                e.state,
                EdgeState::Unknown { .. } | EdgeState::Blocked { .. }
            )
        }) {
            2
        } else {
            0
        }
    }
    /// A text table for the terminal; secrets masked.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in &self.edges {
            out.push_str(&format!("{} {}\n", e.state.symbol(), e.label));
            match &e.state {
                EdgeState::Drift { reasons } => {
                    for r in reasons {
                        out.push_str(&format!("    ⚠ {r}\n"));
                    }
                }
                EdgeState::Unknown { why } => out.push_str(&format!("    ? {why}\n")),
                EdgeState::Blocked { why } => {
                    out.push_str(&format!("    ⊘ blocked: {why} (nothing planned)\n"))
                }
                _ => {}
            }
            for c in &e.changes {
                out.push_str(&format!("    → {}\n", c.describe()));
            }
        }
        out.push_str(&format!("{} change(s) to apply\n", self.writes()));
        out.push_str(&super::stale::render(&self.stale));
        out
    }
}

/// Plan every edge. `currents` maps edge ids to what the `from` app returned.
pub fn plan(
    res: &Resolution,
    currents: &BTreeMap<String, Result<Current, AppError>>,
    prune: bool,
) -> Plan {
    let mut edges: Vec<EdgePlan> = res
        .edges
        .iter()
        .map(|e| match currents.get(&e.id) {
            Some(c) => plan_edge(e, c.as_ref(), prune),
            None => unknown(e, "not read".into()),
        })
        .collect();
    edges.extend(res.unresolved.iter().map(unresolved_plan));
    Plan {
        edges,
        prowlarr: None,
        stale: super::stale::stale_root_folders(&res.edges, currents, prune),
    }
}

impl EdgePlan {
    /// Mark the edge blocked: its changes are dropped (apply sends no write for it).
    pub fn block(&mut self, why: String) {
        self.state = EdgeState::Blocked { why };
        self.changes.clear();
    }
}

pub fn unresolved_plan(u: &Unresolved) -> EdgePlan {
    EdgePlan {
        id: u.id.clone(),
        label: u.label.clone(),
        kind: u.kind,
        from: u.from.clone(),
        to: u.to.clone(),
        state: EdgeState::Unknown { why: u.why.clone() },
        changes: vec![],
    }
}

pub(super) fn unknown(edge: &Edge, why: String) -> EdgePlan {
    shell(edge, EdgeState::Unknown { why }, vec![])
}

pub(super) fn shell(edge: &Edge, state: EdgeState, changes: Vec<Change>) -> EdgePlan {
    EdgePlan {
        id: edge.id.clone(),
        label: edge.label(),
        kind: edge.kind,
        from: edge.from.clone(),
        to: edge.to.clone(),
        state,
        changes,
    }
}

/// Plan one edge against what its `from` app returned.
pub fn plan_edge(edge: &Edge, current: Result<&Current, &AppError>, prune: bool) -> EdgePlan {
    let cur = match current {
        Ok(c) => c,
        Err(e) => {
            return unknown(
                edge,
                format!("could not read {}: {}", edge.from_kind.display(), e.detail),
            )
        }
    };
    match edge.kind {
        EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
            plan_provider(edge, cur, prune)
        }
        EdgeKind::RootFolder => plan_root_folder(edge, cur, prune),
        EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
            super::plan_apps::plan_seerr_server(edge, cur, prune)
        }
        EdgeKind::SeerrJellyfin => super::plan_apps::plan_seerr_jellyfin(edge, cur),
        EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => super::plan_apps::plan_bazarr(edge, cur),
    }
}

pub(super) fn drift_or_ok(reasons: Vec<String>) -> EdgeState {
    if reasons.is_empty() {
        EdgeState::Configured
    } else {
        EdgeState::Drift { reasons }
    }
}

/// A delete for each entry of `dups` (same implementation and target as the edge's entry).
pub(super) fn duplicate_deletes(dups: &[&Value], what_kind: &str, app: &str) -> Vec<Change> {
    dups.iter()
        .filter_map(|i| {
            Some(Change::Delete {
                id: id_of(i)?,
                what: format!(
                    "duplicate {what_kind} {} in {app} (same implementation and target)",
                    name_of(i)
                ),
            })
        })
        .collect()
}

fn plan_provider(edge: &Edge, cur: &Current, prune: bool) -> EdgePlan {
    let what_kind = match edge.kind {
        EdgeKind::ProwlarrApp => "application",
        _ => "download client",
    };
    let (same_impl, candidates, best) = provider_entries(edge, cur);
    let dups: Vec<&Value> = candidates
        .iter()
        .copied()
        .filter(|i| !best.is_some_and(|b| std::ptr::eq(b, *i)))
        .collect();
    let mut changes = Vec::new();
    let state = match best {
        None => {
            let mut body = cur
                .template
                .clone()
                .unwrap_or_else(|| json!({"fields": []}));
            if let Some(o) = body.as_object_mut() {
                o.remove("id");
                o.remove("presets");
            }
            for f in &edge.top {
                body[f.name.as_str()] = f.value.json();
            }
            for f in &edge.fields {
                set_provider_field(&mut body, &f.name, f.value.json());
            }
            let name = unique_name(&edge.name, &cur.items);
            body["name"] = Value::String(name.clone());
            if !body.get("tags").is_some_and(Value::is_array) {
                body["tags"] = json!([]);
            }
            changes.push(Change::Create {
                what: format!("{what_kind} {name} in {}", edge.from_kind.display()),
                body: WireJson::new(body),
            });
            EdgeState::Missing
        }
        Some(item) => {
            let ms = mismatches(edge, item);
            if !ms.is_empty() {
                let mut body = item.clone();
                for (top, name, v, _) in &ms {
                    if *top {
                        body[name.as_str()] = v.clone();
                    } else {
                        set_provider_field(&mut body, name, v.clone());
                    }
                }
                changes.push(Change::Update {
                    id: id_of(item),
                    what: format!(
                        "{what_kind} {} in {}",
                        name_of(item),
                        edge.from_kind.display()
                    ),
                    diffs: ms.iter().map(|m| m.3.diff.clone()).collect(),
                    body: WireJson::new(body),
                });
            }
            let mut reasons: Vec<String> = ms.into_iter().map(|m| m.3.reason).collect();
            if !dups.is_empty() {
                reasons.push(format!(
                    "{} duplicate {what_kind}(s) with the same implementation and target",
                    dups.len()
                ));
            }
            drift_or_ok(reasons)
        }
    };
    let app = edge.from_kind.display();
    changes.extend(duplicate_deletes(&dups, what_kind, app));
    if prune {
        for i in same_impl {
            if best.is_some_and(|b| std::ptr::eq(b, i)) || dups.iter().any(|d| std::ptr::eq(*d, i))
            {
                continue;
            }
            if let Some(id) = id_of(i) {
                changes.push(Change::Delete {
                    id,
                    what: format!(
                        "{what_kind} {} in {} (not in the integration file)",
                        name_of(i),
                        edge.from_kind.display()
                    ),
                });
            }
        }
    }
    shell(edge, state, changes)
}

fn plan_root_folder(edge: &Edge, cur: &Current, prune: bool) -> EdgePlan {
    let path = edge
        .top
        .iter()
        .find(|f| f.name == "path")
        .and_then(|f| f.value.json().as_str().map(norm_path))
        .unwrap_or_default();
    let app = edge.from_kind.display();
    let found = cur.items.iter().find(|i| {
        i.get("path")
            .and_then(Value::as_str)
            .is_some_and(|p| norm_path(p) == path)
    });
    let mut changes = Vec::new();
    let state = match found {
        Some(i) if i.get("accessible").and_then(Value::as_bool) == Some(false) => {
            changes.push(Change::Manual {
                reason: format!(
                    "create {path} on the node and make it writable by the app's user (PUID 1000)"
                ),
            });
            EdgeState::Drift {
                reasons: vec![format!(
                    "{app} root folder {path} is not accessible (missing or not writable)"
                )],
            }
        }
        Some(_) => EdgeState::Configured,
        // The default path, and the app already has a working root folder: keep it.
        None if edge.choices.follow_existing
            && cur
                .items
                .iter()
                .any(|i| i.get("accessible").and_then(Value::as_bool) == Some(true)) =>
        {
            EdgeState::Configured
        }
        None => {
            let mut body = json!({});
            for f in &edge.top {
                body[f.name.as_str()] = f.value.json();
            }
            let mut ok = true;
            if edge.from_kind == crate::model::AppKind::Lidarr {
                let q = pick(
                    &cur.choices.quality_profiles,
                    edge.choices.quality_profile.as_deref(),
                );
                let m = pick(
                    &cur.choices.metadata_profiles,
                    edge.choices
                        .metadata_profile
                        .as_deref()
                        .or(Some("Standard")),
                );
                match (q, m) {
                    (Some(q), Some(m)) => {
                        body["defaultQualityProfileId"] = json!(q.id);
                        body["defaultMetadataProfileId"] = json!(m.id);
                    }
                    _ => {
                        ok = false;
                        changes.push(Change::Manual {
                            reason: format!(
                                "cannot add {path}: Lidarr reported no quality or metadata profiles"
                            ),
                        });
                    }
                }
            }
            if ok {
                changes.push(Change::Create {
                    what: format!("root folder {path} in {app}"),
                    body: WireJson::new(body),
                });
            }
            EdgeState::Missing
        }
    };
    if prune {
        for i in &cur.items {
            if found.is_some_and(|f| std::ptr::eq(f, i)) {
                continue;
            }
            if let Some(id) = id_of(i) {
                let p = i.get("path").and_then(Value::as_str).unwrap_or("?");
                changes.push(Change::Delete {
                    id,
                    what: format!("root folder {p} in {app} (not in the integration file)"),
                });
            }
        }
    }
    shell(edge, state, changes)
}
