//! SABnzbd API simulator (`api-facts.md` §11).
//!
//! `/api` answers both at `/` and under `[misc] url_base` (like the real app, which mounts itself
//! twice). Order of checks: hostname verification (no UI login configured ⇒ `Host` must be
//! `localhost`, an IP, `*.local` or listed in `host_whitelist`; else 403 text), then the API key
//! (`version`/`auth` need none; the NZB key opens only `addfile`/`addurl`/`addlocalfile`;
//! 403 `API Key Required` / `API Key Incorrect` as plain text). Errors inside a mode are
//! `{"status":false,"error":"…"}`. `Faults.health_errors` adds warnings and pauses the queue.

use super::{AppSimConfig, Faults, Seed};
use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Json, Router,
};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MSG_HOSTNAME: &str =
    "Access denied - Hostname verification failed: https://sabnzbd.org/hostname-check";
const MSG_KEY_REQUIRED: &str = "API Key Required";
const MSG_KEY_INCORRECT: &str = "API Key Incorrect";

#[derive(Debug)]
struct Sab {
    version: String,
    misc: Map<String, Value>,
    categories: Vec<Value>,
    paused: bool,
}

type Shared = Arc<Mutex<Sab>>;

fn category(name: &str, order: u32, dir: &str) -> Value {
    json!({"name": name, "order": order, "pp": if name == "*" { "3" } else { "" },
           "script": if name == "*" { "None" } else { "Default" }, "dir": dir,
           "newzbin": "", "priority": if name == "*" { 0 } else { -100 }})
}

/// Derive a distinct NZB key from the API key (the real one is an independent uuid4 hex).
fn nzb_key_for(api_key: &str) -> String {
    let rev: String = api_key.chars().rev().collect();
    if rev == api_key {
        format!("{rev}0")
    } else {
        rev
    }
}

/// Build the router for one SABnzbd instance.
pub fn router(cfg: &AppSimConfig) -> Router {
    let (whitelist, cats) = match cfg.seed {
        Seed::Fresh => (
            "",
            vec![
                category("*", 0, ""),
                category("movies", 1, ""),
                category("tv", 2, ""),
                category("audio", 3, ""),
                category("software", 4, ""),
            ],
        ),
        Seed::Wired => (
            "sabnzbd, sabnzbd.media, sabnzbd.media.svc.cluster.local",
            vec![
                category("*", 0, ""),
                category("movies", 1, "movies"),
                category("tv", 2, "tv"),
                category("audio", 3, "music"),
                category("prowlarr", 4, ""),
            ],
        ),
        Seed::Miswired => (
            "",
            vec![
                category("*", 0, ""),
                category("movies", 1, ""),
                category("software", 2, ""),
            ],
        ),
    };
    let misc = json!({
        "api_key": cfg.api_key, "nzb_key": nzb_key_for(&cfg.api_key),
        "url_base": cfg.url_base, "host": "0.0.0.0", "port": "8080", "https_port": "",
        "username": "", "password": "", "inet_exposure": 0, "host_whitelist": whitelist,
        "local_ranges": "", "api_warnings": 1,
        "download_dir": "/data/usenet/incomplete", "complete_dir": "/data/usenet/complete",
    });
    let state: Shared = Arc::new(Mutex::new(Sab {
        version: cfg.version.clone(),
        misc: match misc {
            Value::Object(m) => m,
            _ => Map::new(),
        },
        categories: cats,
        paused: false,
    }));
    let mut r = Router::new().route("/api", get(api).post(api));
    if !cfg.url_base.is_empty() {
        r = r.route(&format!("{}/api", cfg.url_base), get(api).post(api));
    }
    r.with_state(state)
}

fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn sab_error(msg: &str) -> Response {
    Json(json!({"status": false, "error": msg})).into_response()
}

fn misc_str<'a>(st: &'a Sab, k: &str) -> &'a str {
    st.misc.get(k).and_then(Value::as_str).unwrap_or("")
}

/// `check_hostname`: passes for localhost, IP literals, `*.local` and whitelisted names.
fn hostname_ok(st: &Sab, h: &HeaderMap) -> bool {
    if !misc_str(st, "username").is_empty() && !misc_str(st, "password").is_empty() {
        return true;
    }
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.rsplit_once(':').map(|(n, _)| n).unwrap_or(host)
    }
    .to_ascii_lowercase();
    if name == "localhost" || name.parse::<std::net::IpAddr>().is_ok() || name.ends_with(".local") {
        return true;
    }
    misc_str(st, "host_whitelist")
        .split(',')
        .any(|w| w.trim().eq_ignore_ascii_case(&name))
}

async fn api(
    State(s): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    faults: Option<Extension<Faults>>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = query;
    for (k, v) in url::form_urlencoded::parse(&body) {
        params.entry(k.into_owned()).or_insert(v.into_owned());
    }
    let p = |k: &str| params.get(k).cloned().unwrap_or_default();
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !hostname_ok(&st, &h) {
        return text(StatusCode::FORBIDDEN, MSG_HOSTNAME);
    }
    let mode = p("mode");
    if !matches!(mode.as_str(), "version" | "auth") {
        let key = p("apikey");
        let nzb_level = matches!(mode.as_str(), "addfile" | "addurl" | "addlocalfile");
        if key.is_empty() {
            return text(StatusCode::FORBIDDEN, MSG_KEY_REQUIRED);
        }
        let ok = key == misc_str(&st, "api_key") || (nzb_level && key == misc_str(&st, "nzb_key"));
        if !ok {
            return text(StatusCode::FORBIDDEN, MSG_KEY_INCORRECT);
        }
    }
    let unhealthy = faults.is_some_and(|f| f.health_errors);
    match mode.as_str() {
        "version" => Json(json!({"version": st.version})).into_response(),
        "auth" => Json(json!({"auth": "apikey"})).into_response(),
        "queue" => Json(json!({"queue": queue(&st, unhealthy)})).into_response(),
        "history" => Json(json!({"history": {
            "noofslots": 1, "day_size": "4.2 GB", "week_size": "20 GB", "month_size": "80 GB",
            "total_size": "1.2 TB", "last_history_update": 1,
            "slots": [{"nzo_id": "SABnzbd_nzo_hist1", "name": "Show.S01E03.1080p",
                       "category": "tv", "status": "Completed", "fail_message": "",
                       "storage": "/data/usenet/complete/tv/Show.S01E03.1080p", "bytes": 1_400_000_000u64}]
        }}))
        .into_response(),
        "warnings" => {
            let w = if unhealthy { warnings() } else { json!([]) };
            Json(json!({ "warnings": w })).into_response()
        }
        "get_cats" => {
            let names: Vec<Value> = st
                .categories
                .iter()
                .filter_map(|c| c.get("name").cloned())
                .collect();
            Json(json!({ "categories": names })).into_response()
        }
        "get_config" => get_config(&st, &p("section"), &p("keyword")),
        "set_config" => set_config(&mut st, &params),
        "pause" => {
            st.paused = true;
            Json(json!({"status": true})).into_response()
        }
        "resume" => {
            st.paused = false;
            Json(json!({"status": true})).into_response()
        }
        "status" | "fullstatus" => Json(json!({"status": {
            "paused": st.paused || unhealthy, "speedlimit": "100", "diskspace1": "812.5",
            "diskspacetotal1": "3725.3", "completedir": misc_str(&st, "complete_dir"),
            "downloaddir": misc_str(&st, "download_dir"), "version": st.version,
            "have_warnings": if unhealthy { "2" } else { "0" },
            "servers": [{"servername": "news.newshosting.com", "serveractive": !unhealthy,
                         "serveractiveconn": 20, "servertotalconn": 20}],
        }}))
        .into_response(),
        _ => sab_error("not implemented"),
    }
}

fn warnings() -> Value {
    json!([
        {"text": "Server news.newshosting.com will be ignored for 10 minutes", "type": "WARNING", "time": 1_760_000_000},
        {"text": "Too little diskspace forcing PAUSE", "type": "WARNING", "time": 1_760_000_100}
    ])
}

fn queue(st: &Sab, unhealthy: bool) -> Value {
    let paused = st.paused || unhealthy;
    let slot = json!({"index": 0, "nzo_id": "SABnzbd_nzo_q1", "unpackopts": "3", "priority": "Normal",
        "script": "None", "filename": "Movie.2025.1080p", "labels": [], "password": "",
        "cat": "movies", "mbleft": "2969.6", "mb": "3174.4", "size": "3.1 GB",
        "sizeleft": "2.9 GB", "percentage": "6", "mbmissing": "0.0",
        "direct_unpack": null, "status": if paused { "Paused" } else { "Downloading" },
        "timeleft": "0:04:10", "avg_age": "12d", "time_added": 1_760_000_000});
    json!({
        "status": if paused { "Paused" } else { "Downloading" }, "paused": paused,
        "paused_all": false, "pause_int": "0", "speedlimit": "100", "speedlimit_abs": "",
        "noofslots": 1, "noofslots_total": 1, "limit": 0, "start": 0,
        "timeleft": "0:04:10", "speed": "12.3 M", "kbpersec": "12595.20", "size": "3.1 GB",
        "sizeleft": "2.9 GB", "mb": "3174.4", "mbleft": "2969.6", "finish": 1,
        "diskspace1": "812.5", "diskspace2": "812.5", "diskspacetotal1": "3725.3",
        "diskspacetotal2": "3725.3", "version": st.version, "have_warnings": if unhealthy { "2" } else { "0" },
        "slots": [slot],
    })
}

fn get_config(st: &Sab, section: &str, keyword: &str) -> Response {
    let mut misc = st.misc.clone();
    if !misc_str(st, "password").is_empty() {
        misc.insert("password".into(), json!("*****"));
    }
    let all = json!({"misc": misc, "servers": [{"name": "news.newshosting.com", "host": "news.newshosting.com",
        "port": 563, "ssl": 1, "connections": 20, "username": "user", "password": "*****", "enable": 1}],
        "categories": st.categories, "rss": [], "sorters": []});
    if section.is_empty() {
        return Json(json!({ "config": all })).into_response();
    }
    let Some(sec) = all.get(section) else {
        return sab_error("not implemented");
    };
    let out = match (sec, keyword.is_empty()) {
        (_, true) => sec.clone(),
        (Value::Object(m), false) => match m.get(keyword) {
            Some(v) => json!({ keyword: v }),
            None => return sab_error("item does not exist"),
        },
        (Value::Array(items), false) => {
            match items
                .iter()
                .find(|i| i.get("name").and_then(Value::as_str) == Some(keyword))
            {
                Some(v) => json!([v]),
                None => return sab_error("item does not exist"),
            }
        }
        _ => return sab_error("item does not exist"),
    };
    Json(json!({"config": { section: out }})).into_response()
}

fn set_config(st: &mut Sab, params: &HashMap<String, String>) -> Response {
    let p = |k: &str| params.get(k).cloned().unwrap_or_default();
    let section = p("section");
    if section == "categories" {
        let name = if p("name").is_empty() {
            p("keyword")
        } else {
            p("name")
        };
        if name.trim().is_empty() {
            return sab_error("expects one parameter");
        }
        let name = name.trim().to_lowercase();
        let order = st.categories.len() as u32;
        let idx = st
            .categories
            .iter()
            .position(|c| c.get("name").and_then(Value::as_str) == Some(name.as_str()));
        let cat = match idx {
            Some(i) => &mut st.categories[i],
            None => {
                st.categories.push(category(&name, order, ""));
                let last = st.categories.len() - 1;
                &mut st.categories[last]
            }
        };
        for k in ["dir", "pp", "script", "priority", "order", "newzbin"] {
            if let Some(v) = params.get(k) {
                cat[k] = match v.parse::<i64>() {
                    Ok(n) if k == "priority" || k == "order" => json!(n),
                    _ => json!(v),
                };
            }
        }
        let out = cat.clone();
        return Json(json!({"config": {"categories": [out]}})).into_response();
    }
    let keyword = p("keyword");
    if section != "misc" || keyword.is_empty() || !params.contains_key("value") {
        return sab_error("expects one parameter");
    }
    if !st.misc.contains_key(&keyword) {
        return sab_error("item does not exist");
    }
    let value = p("value");
    st.misc.insert(keyword.clone(), json!(value));
    Json(json!({"config": {"misc": { keyword: value }}})).into_response()
}
