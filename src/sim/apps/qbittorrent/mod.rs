//! qBittorrent WebUI API v2 simulator (`api-facts.md` §10).
//!
//! `AppSimConfig.version` picks the behaviour: before 5.2 login answers 200 `Ok.`/`Fails.` and
//! the cookie is `SID`; from 5.2 login answers 204 / 401, the cookie is `QBT_SID_<webui port>`
//! and endpoints without a result answer 204. The request pipeline of §10.1 runs first: CSRF
//! (`Origin`, else `Referer`, must match `Host`; 401), then the session (403 `Forbidden`, with the
//! localhost / subnet-whitelist bypasses), then POST-only actions (405). The ban after
//! `web_ui_max_auth_fail_count` failed logins is kept per client IP.
//!
//! qBittorrent has no health report of its own; `Faults.health_errors` makes `transfer/info`
//! report `connection_status: disconnected`. Only form-urlencoded POST bodies are parsed.

mod auth;

use super::{AppSimConfig, Faults, Seed};
use auth::{csrf_ok, login};
use axum::{
    body::Bytes,
    extract::{ConnectInfo, Path, Query, State},
    http::{header, HeaderMap, Method, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{any, get},
    Extension, Json, Router,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug)]
struct Qb {
    version: String,
    webapi: String,
    /// 5.2 or newer (204 login, `QBT_SID_<port>`, 204 for empty results).
    v52: bool,
    password: String,
    /// Session id → last activity (sessions expire after `web_ui_session_timeout` idle seconds).
    sessions: HashMap<String, Instant>,
    fails: HashMap<IpAddr, u32>,
    prefs: Map<String, Value>,
    categories: BTreeMap<String, (String, Option<String>)>,
    torrents: Vec<Value>,
    connection_status: String,
    /// Added torrents still fetching metadata: hash → when it arrives (a real client needs
    /// peers first, which takes a moment).
    metadata_at: HashMap<String, Instant>,
}

/// How long an added torrent takes to fetch its metadata.
const METADATA_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

type Shared = Arc<Mutex<Qb>>;

/// `v5.1.4` → `(5, 1, 4)`; unparsable parts count as 0.
pub fn parse_version(v: &str) -> (u32, u32, u32) {
    let mut it = v
        .trim()
        .trim_start_matches(['v', 'V'])
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
    )
}

/// The WebAPI version a release reports (§10, table of releases).
pub fn webapi_version(app_version: &str) -> &'static str {
    match parse_version(app_version) {
        (4, m, _) if m < 6 => "2.8.19",
        (4, _, _) => "2.9.3",
        (5, 0, _) => "2.11.2",
        (5, 1, _) => "2.11.4",
        (5, 2, _) => "2.15.1",
        _ => "2.16.1",
    }
}

fn torrent(name: &str, cat: &str, state: &str, progress: f64, v5: bool) -> Value {
    let state = if v5 {
        state.to_string()
    } else {
        state.replace("stopped", "paused")
    };
    let hash = format!("{:040x}", name.len() as u128 * 0x9e37_79b9_7f4a_7c15u128);
    json!({
        "hash": hash, "infohash_v1": hash, "infohash_v2": "", "name": name,
        "size": 1_500_000_000u64, "progress": progress, "dlspeed": 0, "upspeed": 0,
        "priority": 0, "num_seeds": 3, "num_leechs": 0, "ratio": 0.4, "eta": 8_640_000,
        "state": state, "category": cat, "tags": "", "save_path": format!("/downloads/{cat}"),
        "content_path": format!("/downloads/{cat}/{name}"), "added_on": 1_760_000_000,
        "completion_on": -1, "amount_left": 0, "auto_tmm": false, "tracker": "",
    })
}

fn default_prefs(cfg: &AppSimConfig) -> Map<String, Value> {
    let (iface, whitelist_enabled) = match cfg.seed {
        Seed::Wired => ("tun0", true),
        Seed::Fresh | Seed::Miswired => ("", false),
    };
    let iface = cfg.faults.bound_interface.as_deref().unwrap_or(iface);
    let v = json!({
        "save_path": "/downloads", "temp_path_enabled": false, "temp_path": "/downloads/incomplete",
        "listen_port": 6881, "random_port": false, "upnp": false, "dht": true,
        "queueing_enabled": true, "max_ratio_enabled": false, "max_ratio": -1, "max_ratio_act": 0,
        "max_seeding_time_enabled": false, "max_seeding_time": -1,
        "web_ui_port": 8080, "web_ui_address": "*", "web_ui_username": cfg.username,
        "bypass_local_auth": false,
        "bypass_auth_subnet_whitelist_enabled": whitelist_enabled,
        "bypass_auth_subnet_whitelist": if whitelist_enabled { "10.0.0.0/8" } else { "" },
        "web_ui_max_auth_fail_count": 5, "web_ui_ban_duration": 3600,
        "web_ui_session_timeout": 3600, "web_ui_csrf_protection_enabled": true,
        "web_ui_host_header_validation_enabled": true, "web_ui_domain_list": "*",
        "web_ui_reverse_proxy_enabled": false, "use_https": false,
        "current_network_interface": iface, "current_interface_name": iface,
        "current_interface_address": "",
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Build the router for one qBittorrent instance (no URL base: qBittorrent has none).
pub fn router(cfg: &AppSimConfig) -> Router {
    let (maj, min, _) = parse_version(&cfg.version);
    let v5 = maj >= 5;
    let v52 = (maj, min) >= (5, 2);
    let mut categories = BTreeMap::new();
    let mut torrents = Vec::new();
    let connection_status = match cfg.seed {
        Seed::Fresh => "firewalled",
        Seed::Wired => {
            for c in ["tv", "movies", "music"] {
                categories.insert(c.to_string(), (format!("/downloads/{c}"), None));
            }
            torrents.push(torrent("Show.S01E01.1080p", "tv", "uploading", 1.0, v5));
            torrents.push(torrent(
                "Movie.2024.2160p",
                "movies",
                "downloading",
                0.42,
                v5,
            ));
            "connected"
        }
        Seed::Miswired => {
            for c in ["tv-sonarr", "radarr"] {
                categories.insert(c.to_string(), (String::new(), None));
            }
            torrents.push(torrent(
                "Show.S01E02.1080p",
                "tv-sonarr",
                "stoppedDL",
                0.1,
                v5,
            ));
            "firewalled"
        }
    };
    let state: Shared = Arc::new(Mutex::new(Qb {
        version: cfg.version.clone(),
        webapi: webapi_version(&cfg.version).to_string(),
        v52,
        password: cfg.password.clone(),
        sessions: HashMap::new(),
        fails: HashMap::new(),
        prefs: default_prefs(cfg),
        categories,
        torrents,
        metadata_at: HashMap::new(),
        connection_status: cfg
            .faults
            .connection_status
            .clone()
            .unwrap_or_else(|| connection_status.into()),
    }));
    Router::new()
        .route("/", get(login_page))
        .route("/api/v2/{*rest}", any(api))
        .with_state(state)
}

async fn login_page() -> Html<&'static str> {
    Html("<!DOCTYPE html><html><head><title>qBittorrent WebUI</title></head><body><form id=\"loginform\"></form></body></html>")
}

fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

impl Qb {
    /// 200 with an empty body before 5.2, 204 from 5.2.
    fn empty_ok(&self) -> Response {
        if self.v52 {
            StatusCode::NO_CONTENT.into_response()
        } else {
            text(StatusCode::OK, "")
        }
    }
}

const POST_ONLY: &[&str] = &[
    "auth/login",
    "auth/logout",
    "app/setPreferences",
    "torrents/createCategory",
    "torrents/editCategory",
    "torrents/removeCategories",
    "torrents/add",
    "torrents/delete",
];

#[allow(clippy::too_many_arguments)]
async fn api(
    State(s): State<Shared>,
    method: Method,
    Path(rest): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    ext: http::Extensions,
    faults: Option<Extension<Faults>>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let peer = ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if st.pref_bool("web_ui_csrf_protection_enabled") && !csrf_ok(&h) {
        return text(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let params: HashMap<String, String> = if method == Method::POST {
        url::form_urlencoded::parse(&body).into_owned().collect()
    } else {
        query
    };
    let p = |k: &str| params.get(k).cloned().unwrap_or_default();
    if POST_ONLY.contains(&rest.as_str()) && method != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    if rest == "auth/login" {
        return login(&mut st, &h, peer, &p("username"), &p("password"));
    }
    let session = st.session_of(&h);
    if session.is_none() && !st.bypassed(peer) {
        return text(StatusCode::FORBIDDEN, "Forbidden");
    }
    let unhealthy = faults.is_some_and(|f| f.health_errors);
    match rest.as_str() {
        "auth/logout" => {
            if let Some(sid) = session {
                st.sessions.remove(&sid);
            }
            let cookie = format!("{}=; path=/; max-age=0", st.cookie_name());
            ([(header::SET_COOKIE, cookie)], text(StatusCode::OK, "")).into_response()
        }
        "app/version" => text(StatusCode::OK, &st.version),
        "app/webapiVersion" => text(StatusCode::OK, &st.webapi),
        "app/preferences" => Json(Value::Object(st.prefs.clone())).into_response(),
        "app/setPreferences" => set_preferences(&mut st, &p("json")),
        "app/networkInterfaceList" => Json(json!([
            {"name": "tun0", "value": "tun0"}, {"name": "eth0", "value": "eth0"}, {"name": "lo", "value": "lo"}
        ]))
        .into_response(),
        "transfer/info" => {
            let status = if unhealthy {
                "disconnected"
            } else {
                st.connection_status.as_str()
            };
            Json(json!({
                "dl_info_speed": 1_250_000, "dl_info_data": 52_000_000_000u64,
                "up_info_speed": 80_000, "up_info_data": 9_000_000_000u64,
                "dl_rate_limit": 0, "up_rate_limit": 0,
                "dht_nodes": if status == "disconnected" { 0 } else { 312 },
                "connection_status": status,
            }))
            .into_response()
        }
        "torrents/info" => {
            let cat = params.get("category");
            let list: Vec<Value> = st
                .torrents
                .iter()
                .filter(|t| cat.is_none_or(|c| t.get("category").and_then(Value::as_str) == Some(c)))
                .cloned()
                .collect();
            // An added torrent's metadata arrives a moment after it was added.
            let now = Instant::now();
            let due: Vec<String> = st
                .metadata_at
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(h, _)| h.clone())
                .collect();
            for t in st
                .torrents
                .iter_mut()
                .filter(|t| t["state"] == "metaDL")
                .filter(|t| t["hash"].as_str().is_some_and(|h| due.iter().any(|d| d == h)))
            {
                t["state"] = json!("downloading");
                t["has_metadata"] = json!(true);
                t["progress"] = json!(0.001);
            }
            for h in due {
                st.metadata_at.remove(&h);
            }
            Json(list).into_response()
        }
        "torrents/add" => add_urls(&mut st, &p("urls"), &p("category")),
        "torrents/delete" => {
            let hashes = p("hashes");
            let all = hashes == "all";
            let hs: Vec<&str> = hashes.split('|').collect();
            st.torrents
                .retain(|t| !(all || hs.contains(&t["hash"].as_str().unwrap_or_default())));
            st.empty_ok()
        }
        "torrents/categories" => {
            let v52 = st.v52;
            let m: Map<String, Value> = st
                .categories
                .iter()
                .map(|(name, (save, dl))| {
                    let mut o = json!({"name": name, "savePath": save});
                    if v52 {
                        o["downloadPath"] = dl.clone().map(Value::String).unwrap_or(Value::Null);
                    } else if let Some(d) = dl {
                        o["downloadPath"] = json!(d);
                    }
                    (name.clone(), o)
                })
                .collect();
            Json(Value::Object(m)).into_response()
        }
        "torrents/createCategory" => {
            let name = p("category");
            if name.trim().is_empty() {
                return text(StatusCode::BAD_REQUEST, "Category cannot be empty");
            }
            if !valid_category_name(&name) {
                return text(StatusCode::CONFLICT, "Incorrect category name");
            }
            if st.categories.contains_key(&name) {
                return text(StatusCode::CONFLICT, "Unable to create category");
            }
            let dl = (p("downloadPathEnabled") == "true").then(|| p("downloadPath"));
            st.categories.insert(name, (p("savePath"), dl));
            st.empty_ok()
        }
        "torrents/editCategory" => {
            let name = p("category");
            if name.trim().is_empty() {
                return text(StatusCode::BAD_REQUEST, "Category cannot be empty");
            }
            if !st.categories.contains_key(&name) {
                return if st.v52 {
                    text(StatusCode::NOT_FOUND, "Category does not exist")
                } else {
                    text(StatusCode::CONFLICT, "Unable to edit category")
                };
            }
            let dl = (p("downloadPathEnabled") == "true").then(|| p("downloadPath"));
            st.categories.insert(name, (p("savePath"), dl));
            st.empty_ok()
        }
        "torrents/removeCategories" => {
            for c in p("categories").split('\n') {
                st.categories.remove(c.trim());
            }
            st.empty_ok()
        }
        _ => text(
            StatusCode::NOT_FOUND,
            if st.v52 {
                "Endpoint does not exist"
            } else {
                "Not Found"
            },
        ),
    }
}

/// `torrents/add` of magnets (`xt=urn:btih:<hash>`) and `.torrent` URLs: each starts
/// fetching metadata.
fn add_urls(st: &mut Qb, urls: &str, category: &str) -> Response {
    let mut added = 0;
    for u in urls.lines().map(str::trim).filter(|u| !u.is_empty()) {
        let magnet = u
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("xt=urn:btih:"))
            .map(str::to_lowercase);
        let file = u
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".torrent"))
            .filter(|_| u.starts_with("http"));
        let hash = match (magnet, file) {
            (Some(h), _) => h,
            (None, Some(f)) => format!("{:040x}", f.len() as u128 * 0x9e37_79b9_7f4a_7c15u128 + 7),
            (None, None) => continue,
        };
        if st.torrents.iter().any(|t| t["hash"] == hash.as_str()) {
            continue;
        }
        let name = u
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("dn="))
            .or(file)
            .unwrap_or(&hash)
            .replace('+', " ");
        let mut t = torrent(&name, category, "metaDL", 0.0, true);
        t["hash"] = json!(hash);
        t["has_metadata"] = json!(false);
        st.metadata_at
            .insert(hash.clone(), Instant::now() + METADATA_DELAY);
        st.torrents.push(t);
        added += 1;
    }
    if st.v52 {
        let status = if added == 0 {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        };
        let v = json!({"success_count": added, "failure_count": 0, "pending_count": 0});
        (status, Json(v)).into_response()
    } else if added == 0 {
        text(StatusCode::OK, "Fails.")
    } else {
        text(StatusCode::OK, "Ok.")
    }
}

fn valid_category_name(name: &str) -> bool {
    !name.starts_with('/') && !name.ends_with('/') && !name.contains("//") && !name.contains('\\')
}

fn set_preferences(st: &mut Qb, json_field: &str) -> Response {
    let Ok(Value::Object(update)) = serde_json::from_str::<Value>(json_field) else {
        return text(StatusCode::BAD_REQUEST, "Invalid json");
    };
    for (k, v) in update {
        if k == "web_ui_password" {
            if let Some(pw) = v.as_str() {
                st.password = pw.to_string();
            }
            continue;
        }
        if k == "current_network_interface" {
            let name = v.as_str().unwrap_or("").to_string();
            st.prefs
                .insert("current_interface_name".into(), json!(name.clone()));
        }
        if st.prefs.contains_key(&k) {
            st.prefs.insert(k, v);
        }
    }
    text(StatusCode::OK, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("v5.1.4"), (5, 1, 4));
        assert_eq!(webapi_version("v4.5.2"), "2.8.19");
        assert_eq!(webapi_version("v5.2.3"), "2.15.1");
    }
}
