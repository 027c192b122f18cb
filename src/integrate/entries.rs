//! Which existing entry of an app is an edge: entries are matched by implementation + host
//! (never by name alone), root folders by normalised path; a new entry gets a name that does
//! not collide. Shared by the planner ([`super::plan`]), apply (connection tests) and the
//! stale-root-folder offer.

use super::compare::{compare_field, lookup, set_provider_field, Mismatch};
use super::edge::{Cmp, Current, Edge, EdgeKind, Profile, SvcRef};
use serde_json::{json, Value};

/// The service the entry's host must point at.
pub(super) fn match_target(edge: &Edge) -> Option<&SvcRef> {
    edge.fields
        .iter()
        .filter(|f| ["host", "baseUrl", "hostname", "ip"].contains(&f.name.as_str()))
        .find_map(|f| match &f.cmp {
            Cmp::Host { target } | Cmp::Url { target } => Some(target),
            _ => None,
        })
}

fn host_of(edge: &Edge, item: &Value) -> Option<String> {
    let (name, url) = match edge.kind {
        EdgeKind::ProwlarrApp => ("baseUrl", true),
        EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => ("hostname", false),
        _ => ("host", false),
    };
    let v = lookup(edge.kind, item, name, false)?.as_str()?;
    if url {
        super::edge::split_url(v).map(|(_, h, _, _)| h)
    } else {
        Some(v.to_string())
    }
}

pub(crate) fn id_of(item: &Value) -> Option<i64> {
    item.get("id").and_then(Value::as_i64)
}

pub(super) fn name_of(item: &Value) -> String {
    item.get("name")
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)")
        .to_string()
}

/// Compare every enforced field of `edge` with `item`.
pub(super) fn mismatches(edge: &Edge, item: &Value) -> Vec<(bool, String, Value, Mismatch)> {
    let mut out = Vec::new();
    for (top, f) in edge
        .top
        .iter()
        .map(|f| (true, f))
        .chain(edge.fields.iter().map(|f| (false, f)))
    {
        if !f.enforce {
            continue;
        }
        if let Some(m) = compare_field(edge, f, lookup(edge.kind, item, &f.name, top)) {
            out.push((top, f.name.clone(), f.value.json(), m));
        }
    }
    out
}

pub(super) fn unique_name(want: &str, items: &[Value]) -> String {
    let taken = |n: &str| items.iter().any(|i| name_of(i).eq_ignore_ascii_case(n));
    if !taken(want) {
        return want.to_string();
    }
    let mut n = 1;
    loop {
        let cand = if n == 1 {
            format!("{want} (k8s-nas)")
        } else {
            format!("{want} (k8s-nas {n})")
        };
        if !taken(&cand) {
            return cand;
        }
        n += 1;
    }
}

/// Entries of the edge's implementation, and the one that is the edge (matched by host).
fn find_provider<'a>(edge: &Edge, cur: &'a Current) -> (Vec<&'a Value>, Option<&'a Value>) {
    let (same_impl, _, best) = provider_entries(edge, cur);
    (same_impl, best)
}

/// Entries of the edge's implementation, those pointing at its target, and the one that is
/// the edge. Target entries besides it are duplicates (two writers at once made them).
pub(super) fn provider_entries<'a>(
    edge: &Edge,
    cur: &'a Current,
) -> (Vec<&'a Value>, Vec<&'a Value>, Option<&'a Value>) {
    let same_impl: Vec<&Value> = cur
        .items
        .iter()
        .filter(|i| {
            i.get("implementation")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(&edge.implementation))
        })
        .collect();
    let target = match_target(edge);
    // The host the file asks for, when it is not the Service's name (an override such as an IP).
    let wanted = host_of(edge, &desired_item(edge));
    let candidates: Vec<&Value> = same_impl
        .iter()
        .copied()
        .filter(|i| match (target, host_of(edge, i)) {
            (Some(t), Some(h)) => {
                t.host_names_service(&h)
                    || wanted
                        .as_deref()
                        .is_some_and(|w| w.eq_ignore_ascii_case(&h))
            }
            _ => false,
        })
        .collect();
    let best = candidates
        .iter()
        .copied()
        .find(|i| match (target, host_of(edge, i)) {
            (Some(t), Some(h)) => t.host_reaches(&h),
            _ => false,
        })
        .or_else(|| candidates.first().copied());
    (same_impl, candidates, best)
}

/// The edge's desired values shaped like an entry of its kind (for [`host_of`]).
fn desired_item(edge: &Edge) -> Value {
    let mut v = json!({"fields": []});
    for f in &edge.fields {
        if edge.kind.is_provider() {
            set_provider_field(&mut v, &f.name, f.value.json());
        } else {
            v[f.name.as_str()] = f.value.json();
        }
    }
    v
}

/// The existing entry that is this edge, if any (what a connection test runs against).
pub fn matched_entry<'a>(edge: &Edge, cur: &'a Current) -> Option<&'a Value> {
    match edge.kind {
        EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
            find_provider(edge, cur).1
        }
        EdgeKind::RootFolder => {
            let path = edge
                .top
                .iter()
                .find(|f| f.name == "path")
                .and_then(|f| f.value.json().as_str().map(norm_path))?;
            cur.items.iter().find(|i| {
                i.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|p| norm_path(p) == path)
            })
        }
        EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
            let target = match_target(edge)?;
            cur.items.iter().find(|i| {
                i.get("is4k").and_then(Value::as_bool) != Some(true)
                    && i.get("hostname")
                        .and_then(Value::as_str)
                        .is_some_and(|h| target.host_names_service(h))
            })
        }
        EdgeKind::SeerrJellyfin | EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => {
            cur.items.first()
        }
    }
}

pub(crate) fn norm_path(p: &str) -> String {
    let t = p.trim().trim_end_matches('/');
    if t.is_empty() {
        "/".into()
    } else {
        t.to_string()
    }
}

pub(super) fn pick<'a>(list: &'a [Profile], pref: Option<&str>) -> Option<&'a Profile> {
    pref.and_then(|p| list.iter().find(|x| x.name.eq_ignore_ascii_case(p)))
        .or_else(|| list.first())
}
