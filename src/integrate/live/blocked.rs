//! Blocked edges (issue 7): an edge whose target app is down cannot be wired (the `from` app's
//! connection test fails every time), so the plan marks it `blocked` with the reason and apply
//! sends no write for it. The target is probed anonymously (the same liveness path as the
//! Services pane), so a down app is found whether or not its key is known.

use super::Live;
use crate::integrate::Edge;
use crate::model::{AppErrorKind, ServiceId};
use std::collections::BTreeMap;

/// Whether a probe failure means the app is down (not: the cluster is unreachable, or the app
/// answered with an error status).
fn is_down(kind: &AppErrorKind) -> bool {
    matches!(
        kind,
        AppErrorKind::Unreachable | AppErrorKind::Timeout { .. }
    )
}

/// Probe every distinct target of `edges` once (in parallel); the targets that are down, with
/// the reason (`qBittorrent is down (http.unreachable: …)`).
pub async fn down_targets(live: &Live, edges: &[Edge]) -> BTreeMap<ServiceId, String> {
    let mut targets: Vec<(&ServiceId, crate::model::AppKind)> = Vec::new();
    for e in edges {
        if !targets.iter().any(|(id, _)| *id == &e.to) {
            targets.push((&e.to, e.to_kind));
        }
    }
    let probes = targets.into_iter().filter_map(|(id, kind)| {
        let ep = live.endpoints.get(id)?.clone();
        Some(async move {
            let r = crate::collect::probe::probe(&ep, kind).await;
            (id.clone(), kind, r)
        })
    });
    futures::future::join_all(probes)
        .await
        .into_iter()
        .filter_map(|(id, kind, r)| {
            let err = r.error.filter(|e| is_down(&e.kind))?;
            let code = match err.kind {
                AppErrorKind::Timeout { .. } => "http.timeout",
                _ => "http.unreachable",
            };
            Some((
                id,
                format!("{} is down ({code}: {})", kind.display(), err.detail),
            ))
        })
        .collect()
}

/// The reason an edge is blocked: its target is down. (Authentication and an unknown key are
/// reported by the `from` app's read, after this one.)
pub fn blocked_reason<'a>(down: &'a BTreeMap<ServiceId, String>, edge: &Edge) -> Option<&'a str> {
    down.get(&edge.to).map(String::as_str)
}
