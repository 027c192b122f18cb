//! Planning for the settings-shaped apps: Jellyseerr servers and Jellyfin, Bazarr connections.

use super::compare::{form_value, lookup, FieldDiff};
use super::edge::{Current, Edge};
use super::plan::{
    drift_or_ok, id_of, match_target, mismatches, name_of, norm_path, pick, shell, unknown, Change,
    EdgePlan, EdgeState,
};
use crate::keys::WireJson;
use serde_json::{json, Value};

pub(super) fn plan_seerr_server(edge: &Edge, cur: &Current, prune: bool) -> EdgePlan {
    let target = match_target(edge);
    let to = edge.to_kind.display();
    let matches_target = |i: &&Value| {
        i.get("is4k").and_then(Value::as_bool) != Some(true)
            && match (target, i.get("hostname").and_then(Value::as_str)) {
                (Some(t), Some(h)) => t.host_names_service(h),
                _ => false,
            }
    };
    let found = cur.items.iter().find(matches_target);
    // more than one server for the same target: two writers at once made them
    let dups: Vec<&Value> = cur.items.iter().filter(matches_target).skip(1).collect();
    let profile = pick(
        &cur.choices.quality_profiles,
        edge.choices.quality_profile.as_deref(),
    );
    let folder = edge
        .choices
        .root_folder
        .as_deref()
        .and_then(|p| {
            cur.choices
                .root_folders
                .iter()
                .find(|r| norm_path(r) == norm_path(p))
        })
        .or_else(|| cur.choices.root_folders.first())
        // The graph's own root folder for the target: apply creates it in its first phase.
        .or(edge.choices.root_folder.as_ref());
    let mut changes = Vec::new();
    let state = match found {
        None => {
            match (profile, folder) {
                (Some(p), Some(d)) => {
                    let mut body = json!({});
                    for f in &edge.fields {
                        body[f.name.as_str()] = f.value.json();
                    }
                    body["activeProfileId"] = json!(p.id);
                    body["activeProfileName"] = json!(p.name);
                    body["activeDirectory"] = json!(d);
                    changes.push(Change::Create {
                        what: format!("{to} server in Jellyseerr"),
                        body: WireJson::new(body),
                    });
                }
                _ => changes.push(Change::Manual {
                    reason: format!(
                        "cannot choose a quality profile and root folder: {to} reported none \
                         (check its API key, or declare its root folder in the integration file)"
                    ),
                }),
            }
            EdgeState::Missing
        }
        Some(item) => {
            let ms = mismatches(edge, item);
            let mut reasons: Vec<String> = ms.iter().map(|m| m.3.reason.clone()).collect();
            let mut diffs: Vec<FieldDiff> = ms.iter().map(|m| m.3.diff.clone()).collect();
            let mut body = item.clone();
            for (_, name, v, _) in &ms {
                body[name.as_str()] = v.clone();
            }
            let have = item.get("activeProfileId").and_then(Value::as_i64);
            let known = cur
                .choices
                .quality_profiles
                .iter()
                .any(|p| Some(p.id) == have);
            if let (false, Some(p)) = (known, profile) {
                reasons.push(format!(
                    "{}: quality profile {} does not exist in {to}",
                    edge.label(),
                    have.map(|h| h.to_string())
                        .unwrap_or_else(|| "(none)".into())
                ));
                diffs.push(FieldDiff {
                    field: "activeProfileId".into(),
                    current: have.map(|h| h.to_string()).unwrap_or_default(),
                    desired: format!("{} ({})", p.id, p.name),
                });
                body["activeProfileId"] = json!(p.id);
                body["activeProfileName"] = json!(p.name);
            }
            if !diffs.is_empty() {
                if let Some(o) = body.as_object_mut() {
                    o.remove("id");
                }
                changes.push(Change::Update {
                    id: id_of(item),
                    what: format!("{to} server {} in Jellyseerr", name_of(item)),
                    diffs,
                    body: WireJson::new(body),
                });
            }
            if !dups.is_empty() {
                reasons.push(format!(
                    "{} duplicate {to} server(s) in Jellyseerr with the same target",
                    dups.len()
                ));
            }
            drift_or_ok(reasons)
        }
    };
    changes.extend(super::plan::duplicate_deletes(
        &dups,
        &format!("{to} server"),
        "Jellyseerr",
    ));
    if prune {
        for i in cur.items.iter().filter(|i| !matches_target(i)) {
            if i.get("is4k").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if let Some(id) = id_of(i) {
                changes.push(Change::Delete {
                    id,
                    what: format!(
                        "server {} in Jellyseerr (not in the integration file)",
                        name_of(i)
                    ),
                });
            }
        }
    }
    shell(edge, state, changes)
}

pub(super) fn plan_seerr_jellyfin(edge: &Edge, cur: &Current) -> EdgePlan {
    let item = cur.items.first();
    let configured = item
        .and_then(|i| i.get("ip"))
        .and_then(Value::as_str)
        .is_some_and(|ip| !ip.trim().is_empty());
    let Some(item) = item.filter(|_| configured) else {
        let want: Vec<String> = edge
            .fields
            .iter()
            .map(|f| format!("{} {}", f.name, f.value.shown()))
            .collect();
        return shell(
            edge,
            EdgeState::Missing,
            vec![Change::Manual {
                reason: format!(
                    "Jellyseerr has no Jellyfin server yet: finish its setup by signing in with a \
                     Jellyfin administrator ({})",
                    want.join(", ")
                ),
            }],
        );
    };
    let ms = mismatches(edge, item);
    let mut changes = Vec::new();
    if !ms.is_empty() {
        let mut body = json!({});
        for (_, name, v, _) in &ms {
            body[name.as_str()] = v.clone();
        }
        changes.push(Change::Update {
            id: None,
            what: "Jellyfin settings in Jellyseerr".into(),
            diffs: ms.iter().map(|m| m.3.diff.clone()).collect(),
            body: WireJson::new(body),
        });
    }
    shell(
        edge,
        drift_or_ok(ms.into_iter().map(|m| m.3.reason).collect()),
        changes,
    )
}

pub(super) fn plan_bazarr(edge: &Edge, cur: &Current) -> EdgePlan {
    let Some(item) = cur.items.first() else {
        return unknown(edge, "Bazarr returned no settings".into());
    };
    let app = edge.to_kind.id();
    let enabled = lookup(edge.kind, item, &format!("general.use_{app}"), false)
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let has_key = lookup(edge.kind, item, &format!("{app}.apikey"), false)
        .and_then(Value::as_str)
        .is_some_and(|k| !k.trim().is_empty());
    let form = |fields: &mut dyn Iterator<Item = (String, Value)>| {
        let mut body = serde_json::Map::new();
        for (name, v) in fields {
            body.insert(
                format!("settings-{}", name.replace('.', "-")),
                Value::String(form_value(&v)),
            );
        }
        WireJson::new(Value::Object(body))
    };
    if !enabled && !has_key {
        let body = form(&mut edge.fields.iter().map(|f| (f.name.clone(), f.value.json())));
        return shell(
            edge,
            EdgeState::Missing,
            vec![Change::Create {
                what: format!("{} connection in Bazarr", edge.to_kind.display()),
                body,
            }],
        );
    }
    let ms = mismatches(edge, item);
    let mut changes = Vec::new();
    if !ms.is_empty() {
        let body = form(&mut ms.iter().map(|m| (m.1.clone(), m.2.clone())));
        changes.push(Change::Update {
            id: None,
            what: format!("{} connection in Bazarr", edge.to_kind.display()),
            diffs: ms.iter().map(|m| m.3.diff.clone()).collect(),
            body,
        });
    }
    shell(
        edge,
        drift_or_ok(ms.into_iter().map(|m| m.3.reason).collect()),
        changes,
    )
}
