//! Blocked edges (issue 7): an edge whose prerequisites fail cannot be wired (the write or the
//! connection test fails every time), so the plan marks it `blocked` with the FIRST failing
//! prerequisite — an app down (the target, then the `from` app) > authentication rejected >
//! a key unknown — and apply sends no write for it. Apps are probed anonymously (the same
//! liveness path as the Services pane), so a down app is found whether or not its key is known.

use super::Live;
use crate::integrate::edge::Current;
use crate::integrate::Edge;
use crate::model::{AppError, AppErrorKind, ServiceId};
use std::collections::BTreeMap;

/// Whether a probe failure means the app is down (not: the cluster is unreachable, or the app
/// answered with an error status).
fn is_down(kind: &AppErrorKind) -> bool {
    matches!(
        kind,
        AppErrorKind::Unreachable | AppErrorKind::Timeout { .. }
    )
}

/// Probe every distinct app of `edges` (targets and `from` apps) once, in parallel; those
/// that are down, with the reason (`qBittorrent is down (http.unreachable: …)`).
pub async fn down_targets(live: &Live, edges: &[Edge]) -> BTreeMap<ServiceId, String> {
    let mut targets: Vec<(&ServiceId, crate::model::AppKind)> = Vec::new();
    for e in edges {
        for (id, kind) in [(&e.to, e.to_kind), (&e.from, e.from_kind)] {
            if !targets.iter().any(|(t, _)| *t == id) {
                targets.push((id, kind));
            }
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

fn display(live: &Live, id: &ServiceId) -> String {
    live.inventory
        .services
        .iter()
        .find(|s| &s.id == id)
        .map(|s| s.kind.display().to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The first failing prerequisite of the edge `from → to`, if any: an app down (target, then
/// `from`), then authentication rejected (the `from` app refuses the console's key, or the
/// target refuses the key that would be wired), then a key unknown (the `from` app's, or the
/// one to wire). `read` is what reading the `from` app gave (plan only); `unresolved` why the
/// edge could not be made concrete, when it could not.
pub fn first_failing(
    live: &Live,
    down: &BTreeMap<ServiceId, String>,
    from: &ServiceId,
    to: &ServiceId,
    read: Option<&Result<Current, AppError>>,
    unresolved: Option<&str>,
) -> Option<String> {
    if let Some(d) = down.get(to).or_else(|| down.get(from)) {
        return Some(d.clone());
    }
    let read_err = read.and_then(|r| r.as_ref().err());
    if let Some(e) =
        read_err.filter(|e| matches!(e.kind, AppErrorKind::Unauthorized | AppErrorKind::Forbidden))
    {
        return Some(format!(
            "{} rejected the console's API key ({}): fix the key first (`:keys`, `k8s-nas keys`)",
            display(live, from),
            e.detail
        ));
    }
    // The target refuses the Secret's key, and its own key (which would be wired instead) is
    // not known.
    let own_key_known = live.secrets.app_keys.contains_key(to);
    if let Some(why) = live.secrets.rejected.get(to).filter(|_| !own_key_known) {
        return Some(format!(
            "{} rejects the key in the key Secret ({why}): fix the Secret first (`:keys` → `S`, \
             `k8s-nas keys --sync`)",
            display(live, to)
        ));
    }
    if let Some(e) = read_err.filter(|e| e.kind == AppErrorKind::Config) {
        return Some(format!(
            "{}'s API key is unknown: {}",
            display(live, from),
            e.detail
        ));
    }
    if let Some(svc) = live.inventory.services.iter().find(|s| &s.id == from) {
        if read.is_none()
            && live.api_key(svc).is_err()
            && svc.kind != crate::model::AppKind::Qbittorrent
        {
            return Some(format!("{}'s API key is unknown", svc.kind.display()));
        }
    }
    unresolved
        .filter(|w| w.contains("unknown"))
        .map(String::from)
}
