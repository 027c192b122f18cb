//! The provider machinery (§2) shared by download clients, indexers and Prowlarr applications:
//! list/get/create (201)/update (202)/delete, `schema`, `test`, `testall`, validation arrays, masked
//! secrets, and the live connection test on save.

use super::http::{self, get_ci, Failure};
use super::schema::{self, Template};
use super::state::{id_of, Collection};
use super::{conntest, prowlarr, Sim};
use crate::model::AppKind;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// What the apps send instead of a stored secret, and accept back as "unchanged".
pub const MASKED: &str = "********";

pub async fn handle(
    sim: &Arc<Sim>,
    c: Collection,
    method: &Method,
    rest: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match (method.clone(), lower.as_slice()) {
        (Method::GET, []) => {
            let st = sim.state();
            http::ok(&Value::Array(st.list(c).iter().map(masked).collect()))
        }
        (Method::GET, ["schema"]) => schema_list(sim.kind(), c),
        (Method::POST, []) => create(sim, c, query, body).await,
        (Method::POST, ["test"]) => test(sim, c, body).await,
        (Method::POST, ["testall"]) => test_all(sim, c).await,
        (Method::GET, [id]) => match id
            .parse::<i64>()
            .ok()
            .and_then(|id| sim.state().get(c, id).map(masked))
        {
            Some(v) => http::ok(&v),
            None => http::not_found(),
        },
        (Method::PUT, [id]) => match id.parse::<i64>() {
            Ok(id) => update(sim, c, Some(id), query, body).await,
            Err(_) => http::not_found(),
        },
        (Method::PUT, []) => update(sim, c, None, query, body).await,
        (Method::DELETE, [id]) => {
            let Ok(id) = id.parse::<i64>() else {
                return http::not_found();
            };
            let mut st = sim.state();
            let list = st.list_mut(c);
            let before = list.len();
            list.retain(|r| id_of(r) != Some(id));
            if list.len() == before {
                return http::not_found();
            }
            st.failing.remove(&(c, id));
            http::ok(&json!({}))
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A stored resource as the API shows it: secrets (privacy `apiKey`/`password`) masked.
pub fn masked(r: &Map<String, Value>) -> Value {
    let mut v = Value::Object(r.clone());
    if let Some(fields) = v.get_mut("fields").and_then(Value::as_array_mut) {
        for f in fields {
            let secret = matches!(
                f.get("privacy").and_then(Value::as_str),
                Some("apiKey" | "password")
            );
            let non_empty = f
                .get("value")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if secret && non_empty {
                f["value"] = json!(MASKED);
            }
        }
    }
    v
}

/// The value of a stored field.
pub fn field<'a>(r: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    r.get("fields")?
        .as_array()?
        .iter()
        .find(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .get("value")
}

pub fn field_str(r: &Map<String, Value>, name: &str) -> String {
    match field(r, name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn info_link(kind: AppKind, t: &Template) -> String {
    format!(
        "https://wiki.servarr.com/{}/supported#{}",
        kind.id(),
        t.implementation.to_ascii_lowercase()
    )
}

/// A template as a resource with default values (one element of `GET …/schema`).
pub fn render_template(kind: AppKind, c: Collection, t: &Template) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(0));
    for (k, v) in c.top_level(kind) {
        m.insert(k.into(), v);
    }
    if let Some(p) = t.protocol {
        m.insert("protocol".into(), json!(p));
    }
    let fields: Vec<Value> = t
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| f.render(i, &f.default))
        .collect();
    m.insert("fields".into(), Value::Array(fields));
    m.insert("implementationName".into(), json!(t.implementation_name));
    m.insert("implementation".into(), json!(t.implementation));
    m.insert("configContract".into(), json!(t.config_contract));
    m.insert("infoLink".into(), json!(info_link(kind, t)));
    m.insert("tags".into(), json!([]));
    m.insert("presets".into(), json!([]));
    m
}

fn schema_list(kind: AppKind, c: Collection) -> Response {
    let list: Vec<Value> = schema::templates(kind, c)
        .iter()
        .map(|t| Value::Object(render_template(kind, c, t)))
        .collect();
    http::ok(&Value::Array(list))
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    get_ci(m, key).and_then(Value::as_str).unwrap_or("")
}

const SYNC_LEVELS: [&str; 3] = ["disabled", "addOnly", "fullSync"];
const PROTOCOLS: [&str; 3] = ["unknown", "usenet", "torrent"];

/// Build the resource a request describes (§2.3: omitted fields reset to defaults, `********`
/// keeps the stored secret), validating it. `existing` is the stored resource on update/test.
pub fn build(
    sim: &Sim,
    c: Collection,
    req: &Map<String, Value>,
    existing: Option<&Map<String, Value>>,
    require_fields: bool,
    check_unique: bool,
) -> Result<Map<String, Value>, Vec<Failure>> {
    let kind = sim.kind();
    let mut failures = Vec::new();
    let name = str_of(req, "name").trim().to_string();
    if name.is_empty() {
        failures.push(Failure::error("Name", "'Name' must not be empty."));
    }
    let implementation = str_of(req, "implementation");
    let contract = str_of(req, "configContract");
    if contract.is_empty() {
        failures.push(Failure::error(
            "ConfigContract",
            "'Config Contract' must not be empty.",
        ));
    }
    let template = if implementation.is_empty() {
        failures.push(Failure::error(
            "Implementation",
            "'Implementation' must not be empty.",
        ));
        None
    } else {
        let t = schema::template(kind, c, implementation);
        if t.is_none() {
            failures.push(
                Failure::error(
                    "Implementation",
                    format!("Unknown implementation '{implementation}'"),
                )
                .with_value(json!(implementation)),
            );
        }
        t
    };
    let req_fields = get_ci(req, "fields");
    if require_fields && !matches!(req_fields, Some(Value::Array(_))) {
        failures.push(Failure::error("Fields", "'Fields' must not be empty."));
    }
    let Some(t) = template else {
        return Err(failures);
    };
    if !contract.is_empty() && !contract.eq_ignore_ascii_case(t.config_contract) {
        failures.push(
            Failure::error(
                "ConfigContract",
                format!(
                    "Config contract '{contract}' does not match implementation {} ({})",
                    t.implementation, t.config_contract
                ),
            )
            .with_value(json!(contract)),
        );
    }

    let mut m = Map::new();
    if let Some(e) = existing {
        if let Some(id) = id_of(e) {
            m.insert("id".into(), json!(id));
        }
        // Properties the app computes itself survive an update.
        for k in ["capabilities", "added"] {
            if let Some(v) = e.get(k) {
                m.insert(k.into(), v.clone());
            }
        }
    }
    m.insert("name".into(), json!(name));
    for (k, default) in c.top_level(kind) {
        let v = get_ci(req, k).cloned().unwrap_or(default);
        m.insert(k.into(), v);
    }
    if let Some(p) = t.protocol {
        m.insert("protocol".into(), json!(p));
    } else if let Some(p) = m.get("protocol").and_then(Value::as_str) {
        if !PROTOCOLS.contains(&p) {
            failures.push(Failure::error(
                "Protocol",
                format!("'{p}' is not a valid protocol"),
            ));
        }
    }
    if c == Collection::Application {
        let raw = m.get("syncLevel").cloned().unwrap_or(Value::Null);
        match raw
            .as_str()
            .and_then(|s| SYNC_LEVELS.iter().find(|l| l.eq_ignore_ascii_case(s)))
        {
            Some(level) => {
                m.insert("syncLevel".into(), json!(level));
                m.insert("enable".into(), json!(*level != "disabled"));
            }
            None => failures.push(
                Failure::error(
                    "SyncLevel",
                    format!(
                        "'{}' is not a valid value for SyncLevel; valid values: {}",
                        raw.as_str().map(str::to_string).unwrap_or(raw.to_string()),
                        SYNC_LEVELS.join(", ")
                    ),
                )
                .with_value(raw),
            ),
        }
    }
    if kind == AppKind::Prowlarr && c == Collection::DownloadClient {
        let p = m.get("priority").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=50).contains(&p) {
            failures.push(
                Failure::error(
                    "Priority",
                    format!("'Priority' must be between 1 and 50. You entered {p}."),
                )
                .with_value(json!(p)),
            );
        }
    }
    let tags = match get_ci(req, "tags") {
        Some(Value::Array(a)) if a.iter().all(Value::is_i64) => Value::Array(a.clone()),
        Some(Value::Array(_)) => {
            failures.push(Failure::error("Tags", "Tags must be integer ids"));
            json!([])
        }
        _ => json!([]),
    };
    m.insert("tags".into(), tags);

    // Settings: every template field, from the request, the stored value (masked echo) or default.
    let supplied: Vec<&Value> = req_fields
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut fields = Vec::new();
    for (i, def) in t.fields.iter().enumerate() {
        let given = supplied
            .iter()
            .find(|f| {
                f.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&def.name))
            })
            .and_then(|f| f.get("value"))
            .cloned();
        let value = match given {
            Some(Value::String(s)) if s == MASKED && def.is_secret() => existing
                .and_then(|e| field(e, &def.name))
                .cloned()
                .unwrap_or(json!("")),
            Some(v) => v,
            None => def.default.clone(),
        };
        fields.push(def.render(i, &value));
    }
    m.insert("fields".into(), Value::Array(fields));
    m.insert("implementationName".into(), json!(t.implementation_name));
    m.insert("implementation".into(), json!(t.implementation));
    m.insert("configContract".into(), json!(t.config_contract));
    m.insert("infoLink".into(), json!(info_link(kind, &t)));

    failures.extend(super::validate::settings(kind, &t, &m));
    let own = existing.and_then(id_of);
    let taken = sim.state().list(c).iter().any(|r| {
        id_of(r) != own
            && r.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    });
    if check_unique && taken && !name.is_empty() {
        failures.push(Failure::error("Name", "Should be unique").with_value(json!(name)));
    }
    if failures.is_empty() {
        Ok(m)
    } else {
        Err(failures)
    }
}

fn failures_block(failures: &[Failure], include_warnings: bool) -> bool {
    failures.iter().any(|f| include_warnings || !f.warning)
}

async fn create(sim: &Arc<Sim>, c: Collection, query: Option<&str>, body: &[u8]) -> Response {
    let req = match http::parse_object(body) {
        Ok(m) => m,
        Err(e) => return http::bad_request(&e),
    };
    let force = http::query_flag(query, "forceSave");
    let r = match build(sim, c, &req, None, true, true) {
        Ok(r) => r,
        Err(f) => return http::validation(&f),
    };
    let enabled = c.is_enabled(sim.kind(), &r);
    if enabled && !force {
        // Warnings count as errors unless forceSave.
        let failures = conntest::test(sim, c, &r).await;
        if failures_block(&failures, true) {
            return http::validation(&failures);
        }
    }
    let (id, out) = {
        let mut st = sim.state();
        let name = r.get("name").and_then(Value::as_str).unwrap_or("");
        let clash = st.list(c).iter().any(|x| {
            x.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        if clash {
            return http::validation(&[Failure::error("Name", "Should be unique")]);
        }
        let id = st.insert(c, r);
        (id, st.get(c, id).map(masked).unwrap_or(Value::Null))
    };
    if c == Collection::Application && enabled {
        prowlarr::spawn_sync(sim.clone(), Some(id));
    }
    crate::sim::apps::servarr::http::json_response(StatusCode::CREATED, &out)
}

async fn update(
    sim: &Arc<Sim>,
    c: Collection,
    path_id: Option<i64>,
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let req = match http::parse_object(body) {
        Ok(m) => m,
        Err(e) => return http::bad_request(&e),
    };
    let force = http::query_flag(query, "forceSave");
    let Some(id) = path_id.or_else(|| get_ci(&req, "id").and_then(Value::as_i64)) else {
        return http::not_found();
    };
    let Some(existing) = sim.state().get(c, id).cloned() else {
        return http::not_found();
    };
    let r = match build(sim, c, &req, Some(&existing), false, true) {
        Ok(r) => r,
        Err(f) => return http::validation(&f),
    };
    let enabled = c.is_enabled(sim.kind(), &r);
    // Prowlarr re-tests on every PUT; the others only when the definition changed.
    let retest = enabled && !force && (sim.kind() == AppKind::Prowlarr || r != existing);
    if retest {
        let failures = conntest::test(sim, c, &r).await;
        if failures_block(&failures, true) {
            return http::validation(&failures);
        }
    }
    let out = {
        let mut st = sim.state();
        let list = st.list_mut(c);
        match list.iter_mut().find(|x| id_of(x) == Some(id)) {
            Some(slot) => *slot = r,
            None => return http::not_found(),
        }
        list.sort_by_key(|r| {
            r.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase()
        });
        if retest {
            st.failing.remove(&(c, id));
        }
        st.get(c, id).map(masked).unwrap_or(Value::Null)
    };
    if c == Collection::Application && enabled {
        prowlarr::spawn_sync(sim.clone(), Some(id));
    }
    http::json_response(StatusCode::ACCEPTED, &out)
}

async fn test(sim: &Arc<Sim>, c: Collection, body: &[u8]) -> Response {
    let req = match http::parse_object(body) {
        Ok(m) => m,
        Err(e) => return http::bad_request(&e),
    };
    let id = get_ci(&req, "id")
        .and_then(Value::as_i64)
        .filter(|i| *i > 0);
    let existing = id.and_then(|id| sim.state().get(c, id).cloned());
    // A test validates the settings, not whether the name is still free.
    let r = match build(sim, c, &req, existing.as_ref(), false, false) {
        Ok(r) => r,
        Err(f) => return http::validation(&f),
    };
    let failures = conntest::test(sim, c, &r).await;
    if let Some(id) = existing.as_ref().and_then(id_of) {
        let mut st = sim.state();
        if failures_block(&failures, false) {
            st.failing.insert((c, id));
        } else {
            st.failing.remove(&(c, id));
        }
    }
    if failures_block(&failures, true) {
        http::validation(&failures)
    } else {
        http::ok(&json!({}))
    }
}

async fn test_all(sim: &Arc<Sim>, c: Collection) -> Response {
    let kind = sim.kind();
    let targets: Vec<Map<String, Value>> = sim
        .state()
        .list(c)
        .iter()
        .filter(|r| c.is_enabled(kind, r))
        .cloned()
        .collect();
    let mut results = Vec::new();
    let mut any_invalid = false;
    for r in targets {
        let Some(id) = id_of(&r) else { continue };
        let failures: Vec<Failure> = conntest::test(sim, c, &r)
            .await
            .into_iter()
            .filter(|f| !f.warning)
            .collect();
        let valid = failures.is_empty();
        any_invalid |= !valid;
        {
            let mut st = sim.state();
            if valid {
                st.failing.remove(&(c, id));
            } else {
                st.failing.insert((c, id));
            }
        }
        results.push(json!({
            "id": id,
            "isValid": valid,
            "validationFailures": failures.iter().map(Failure::to_json).collect::<Vec<_>>(),
        }));
    }
    let status = if any_invalid {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    http::json_response(status, &Value::Array(results))
}
