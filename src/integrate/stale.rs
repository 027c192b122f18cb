//! Stale root folders (issue 7): after the configured root folder is in place, an app often
//! keeps the old one, which now fails (`/tv not accessible` beside `/data/media/tv`). Prune is
//! off by default, so the plan does not delete it; it offers the removal as a separate step the
//! user confirms (`integrate apply --remove-stale`, `:int` → `x`). Only root folders the app
//! itself reports inaccessible are offered, and only beside an accessible one.

use super::edge::{Current, Edge, EdgeKind};
use super::plan::{id_of, norm_path};
use crate::model::ServiceId;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One root folder offered for removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleRootFolder {
    /// The root-folder edge of the app (the removal goes through its backend).
    pub edge_id: String,
    pub app: ServiceId,
    /// `Sonarr`.
    pub app_name: String,
    pub id: i64,
    pub path: String,
}

impl StaleRootFolder {
    /// `root folder /tv in Sonarr (not accessible)`.
    pub fn describe(&self) -> String {
        format!(
            "root folder {} in {} (not accessible)",
            self.path, self.app_name
        )
    }
}

/// The stale root folders of every root-folder edge read: inaccessible, not the desired path,
/// beside an accessible one. With `prune` the plan deletes them itself: nothing to offer.
pub fn stale_root_folders(
    edges: &[Edge],
    current: &BTreeMap<String, Result<Current, crate::model::AppError>>,
    prune: bool,
) -> Vec<StaleRootFolder> {
    if prune {
        return Vec::new();
    }
    let mut out = Vec::new();
    for e in edges.iter().filter(|e| e.kind == EdgeKind::RootFolder) {
        let Some(Ok(cur)) = current.get(&e.id) else {
            continue;
        };
        let want = e
            .top
            .iter()
            .find(|f| f.name == "path")
            .and_then(|f| f.value.json().as_str().map(norm_path));
        let path = |i: &Value| i.get("path").and_then(Value::as_str).map(norm_path);
        let accessible = |i: &Value| i.get("accessible").and_then(Value::as_bool);
        if !cur.items.iter().any(|i| accessible(i) == Some(true)) {
            continue;
        }
        for i in &cur.items {
            let (Some(p), Some(id)) = (path(i), id_of(i)) else {
                continue;
            };
            if accessible(i) == Some(false) && Some(&p) != want.as_ref() {
                out.push(StaleRootFolder {
                    edge_id: e.id.clone(),
                    app: e.from.clone(),
                    app_name: e.from_kind.display().to_string(),
                    id,
                    path: p,
                });
            }
        }
    }
    out
}

/// The lines `integrate plan` adds for them.
pub fn render(stale: &[StaleRootFolder]) -> String {
    if stale.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nstale root folders (not accessible; removal is a separate step, prune is off):\n",
    );
    for s in stale {
        out.push_str(&format!("  ✘ {} in {}\n", s.path, s.app_name));
    }
    out.push_str(
        "  remove them: `k8s-nas integrate apply --remove-stale` (asks first), or `:int` → `x`\n",
    );
    out
}

/// Remove the given stale root folders (the user confirmed) through `backend`; each with its
/// outcome. A root folder whose edge is not among `edges` is reported, not guessed.
pub async fn remove(
    backend: &dyn super::EdgeBackend,
    edges: &[Edge],
    stale: &[StaleRootFolder],
) -> Vec<(StaleRootFolder, Result<(), crate::model::AppError>)> {
    let mut out = Vec::new();
    for s in stale {
        let r = match edges.iter().find(|e| e.id == s.edge_id) {
            Some(e) => backend.delete(e, s.id).await,
            None => Err(crate::model::AppError::new(
                crate::model::AppErrorKind::Config,
                format!("{}: its edge is no longer planned", s.describe()),
            )),
        };
        out.push((s.clone(), r));
    }
    out
}
