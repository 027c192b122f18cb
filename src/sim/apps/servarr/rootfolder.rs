//! Root folders (§3): Sonarr/Radarr `{id, path, accessible, freeSpace, unmappedFolders}`, Lidarr
//! with name, default profiles and monitor options (and PUT). The simulator knows which paths exist.

use super::http::{self, get_ci, Failure};
use super::state::{id_of, State};
use super::Sim;
use crate::model::AppKind;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

const MONITOR: [&str; 8] = [
    "all", "future", "missing", "existing", "latest", "first", "none", "unknown",
];
const NEW_ITEM_MONITOR: [&str; 3] = ["all", "none", "new"];

pub fn handle(sim: &Sim, method: &Method, rest: &[&str], body: &[u8]) -> Response {
    let id = rest.first().map(|s| s.parse::<i64>());
    match (method.clone(), rest.len(), id) {
        (Method::GET, 0, _) => {
            let st = sim.state();
            let list: Vec<Value> = st
                .root_folders
                .iter()
                .map(|r| render(sim.kind(), &st, r))
                .collect();
            http::ok(&Value::Array(list))
        }
        (Method::GET, 1, Some(Ok(id))) => {
            let st = sim.state();
            match st.root_folders.iter().find(|r| id_of(r) == Some(id)) {
                Some(r) => http::ok(&render(sim.kind(), &st, r)),
                None => http::not_found(),
            }
        }
        (Method::POST, 0, _) => save(sim, None, body),
        (Method::PUT, 1, Some(Ok(id))) if sim.kind() == AppKind::Lidarr => {
            save(sim, Some(id), body)
        }
        (Method::DELETE, 1, Some(Ok(id))) => {
            let mut st = sim.state();
            let before = st.root_folders.len();
            st.root_folders.retain(|r| id_of(r) != Some(id));
            if st.root_folders.len() == before {
                http::not_found()
            } else {
                http::ok(&json!({}))
            }
        }
        (_, 1, Some(Err(_))) => http::not_found(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A stored root folder as the API shows it, with live accessibility and space.
pub fn render(kind: AppKind, st: &State, r: &Map<String, Value>) -> Value {
    let path = r.get("path").and_then(Value::as_str).unwrap_or("");
    let accessible = st.path_exists(path);
    let mut v = Value::Object(r.clone());
    v["accessible"] = json!(accessible);
    if let Some(free) = st.free_space(path) {
        v["freeSpace"] = json!(free);
        if kind == AppKind::Lidarr {
            v["totalSpace"] = json!(4_000_000_000_000_i64);
        }
    }
    if kind != AppKind::Lidarr {
        let subs = st.existing_paths.get(path).cloned().unwrap_or_default();
        v["unmappedFolders"] = Value::Array(
            subs.iter()
                .map(|n| json!({"name": n, "path": format!("{path}/{n}"), "relativePath": n}))
                .collect(),
        );
    }
    v
}

fn save(sim: &Sim, id: Option<i64>, body: &[u8]) -> Response {
    let req = match http::parse_object(body) {
        Ok(m) => m,
        Err(e) => return http::bad_request(&e),
    };
    let kind = sim.kind();
    let is_put = id.is_some();
    let raw = get_ci(&req, "path")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let path = if raw.len() > 1 {
        raw.trim_end_matches('/')
    } else {
        raw
    }
    .to_string();
    let mut st = sim.state();
    if let Some(id) = id {
        if !st.root_folders.iter().any(|r| id_of(r) == Some(id)) {
            return http::not_found();
        }
    }
    let mut failures = Vec::new();
    if !path.starts_with('/') || path.contains("//") {
        failures.push(Failure::error("Path", "Invalid Path").with_value(json!(raw)));
    } else {
        let dup = st.root_folders.iter().any(|r| {
            id_of(r) != id && r.get("path").and_then(Value::as_str) == Some(path.as_str())
        });
        if dup && id.is_none() {
            failures.push(
                Failure::error(
                    "Path",
                    format!("Path '{path}' is already configured as a root folder"),
                )
                .with_value(json!(path)),
            );
        }
        if !st.path_exists(&path) {
            failures.push(
                Failure::error("Path", format!("Path '{path}' does not exist"))
                    .with_value(json!(path)),
            );
        }
    }
    let mut m = Map::new();
    m.insert("path".into(), json!(path));
    if kind == AppKind::Lidarr {
        let name = get_ci(&req, "name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if name.is_empty() {
            failures.push(Failure::error("Name", "'Name' must not be empty."));
        }
        m.insert("name".into(), json!(name));
        for (key, label, list) in [
            (
                "defaultQualityProfileId",
                "DefaultQualityProfileId",
                &st.quality_profiles,
            ),
            (
                "defaultMetadataProfileId",
                "DefaultMetadataProfileId",
                &st.metadata_profiles,
            ),
        ] {
            let v = get_ci(&req, key).and_then(Value::as_i64).unwrap_or(0);
            let exists = list
                .iter()
                .any(|p| p.get("id").and_then(Value::as_i64) == Some(v));
            if v <= 0 || !exists {
                failures.push(
                    Failure::error(
                        label,
                        if v <= 0 {
                            "'Id' must be greater than '0'.".to_string()
                        } else {
                            format!("Profile does not exist: {v}")
                        },
                    )
                    .with_value(json!(v)),
                );
            }
            m.insert(key.into(), json!(v));
        }
        for (key, allowed) in [
            ("defaultMonitorOption", &MONITOR[..]),
            ("defaultNewItemMonitorOption", &NEW_ITEM_MONITOR[..]),
        ] {
            let v = get_ci(&req, key).and_then(Value::as_str).unwrap_or("all");
            match allowed.iter().find(|a| a.eq_ignore_ascii_case(v)) {
                Some(a) => {
                    m.insert(key.into(), json!(a));
                }
                None => failures.push(
                    Failure::error(
                        key,
                        format!(
                            "'{v}' is not a valid value; valid values: {}",
                            allowed.join(", ")
                        ),
                    )
                    .with_value(json!(v)),
                ),
            }
        }
        let tags = get_ci(&req, "defaultTags")
            .cloned()
            .filter(Value::is_array)
            .unwrap_or(json!([]));
        m.insert("defaultTags".into(), tags);
    }
    if !failures.is_empty() {
        return http::validation(&failures);
    }
    let id = match id {
        Some(id) => {
            m.insert("id".into(), json!(id));
            if let Some(slot) = st.root_folders.iter_mut().find(|r| id_of(r) == Some(id)) {
                *slot = m.clone();
            }
            id
        }
        None => {
            st.next_root_folder_id += 1;
            let id = st.next_root_folder_id;
            m.insert("id".into(), json!(id));
            st.root_folders.push(m.clone());
            id
        }
    };
    let out = st
        .root_folders
        .iter()
        .find(|r| id_of(r) == Some(id))
        .map(|r| render(kind, &st, r))
        .unwrap_or(Value::Null);
    let status = if is_put {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    http::json_response(status, &out)
}
