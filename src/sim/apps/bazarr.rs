//! Bazarr simulator (`api-facts.md` §7).
//!
//! The API lives at `{base_url}/api`; the key is accepted as header `X-API-KEY`, query `apikey` or
//! form field `apikey` (else 401 JSON, flask-restx style). Settings are posted form-encoded as
//! `settings-<section>-<key>` (values `true`/`false` become booleans, all-digit strings integers,
//! so an all-digit API key fails validation with 406) and answer 204. `/api/system/status`
//! really asks the configured Sonarr/Radarr for their version through [`SimDns`], and the UI
//! connection tester `{base_url}/test/<http|https>/<host:port/base/…>` really connects too.
//! `Faults.health_errors` makes `/api/system/health` report inaccessible root folders.

use super::{AppSimConfig, Faults, Seed, SimDns};
use crate::model::AppKind;
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Json, Router,
};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const UNAUTHORIZED: &str = "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.";

/// Keys that stay strings even when they look numeric (subset of Bazarr's `str_keys`).
const STR_KEYS: &[&str] = &["chmod", "password", "username", "flask_secret_key"];

#[derive(Debug)]
struct Bz {
    version: String,
    namespace: String,
    dns: SimDns,
    settings: Map<String, Value>,
}

type Shared = Arc<Mutex<Bz>>;

/// An HTTP GET from inside the simulated cluster (see [`cluster_request`]).
pub(crate) async fn cluster_get(
    dns: &SimDns,
    namespace: &str,
    url: &str,
    headers: HeaderMap,
) -> Result<(u16, Bytes), String> {
    cluster_request(dns, namespace, Method::GET, url, headers, None).await
}

/// An HTTP request from inside the simulated cluster: the URL's host is resolved through
/// [`SimDns`] as seen from a pod in `namespace`. Redirects are not followed. Returns the status
/// and body, or a connection error text (what the app would log).
pub(crate) async fn cluster_request(
    dns: &SimDns,
    namespace: &str,
    method: Method,
    url: &str,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
) -> Result<(u16, Bytes), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("invalid URL {url}: {e}"))?;
    let host = parsed.host_str().ok_or("URL has no host")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addr = dns
        .resolve(namespace, &host, port)
        .ok_or_else(|| format!("getaddrinfo ENOTFOUND {host}"))?;
    if parsed.scheme() == "https" {
        return Err(format!("SSL handshake with {host}:{port} failed"));
    }
    let mut target = format!("http://{addr}{}", parsed.path());
    if let Some(q) = parsed.query() {
        target.push('?');
        target.push_str(q);
    }
    crate::init_tls();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    let mut rb = client
        .request(method, target)
        .headers(headers)
        .header(header::HOST, format!("{host}:{port}"));
    if let Some(b) = body {
        rb = rb.body(b);
    }
    let resp = rb
        .send()
        .await
        .map_err(|e| format!("connect ECONNREFUSED {host}:{port} ({e})"))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

fn seed_settings(cfg: &AppSimConfig) -> Map<String, Value> {
    let (use_arrs, sonarr_base) = match cfg.seed {
        Seed::Fresh => (false, "/"),
        Seed::Wired => (true, "/sonarr"),
        Seed::Miswired => (true, "/"),
    };
    let fresh = cfg.seed == Seed::Fresh;
    let arr = |kind: AppKind, base: &str| {
        json!({
            "ip": if fresh { "127.0.0.1".to_string() } else { kind.id().to_string() },
            "port": kind.default_port(), "base_url": if fresh { "/" } else { base },
            "ssl": false, "apikey": if fresh { String::new() } else { cfg.peer_key(kind) },
            "http_timeout": 60, "full_update": "Daily", "only_monitored": false,
        })
    };
    let v = json!({
        "general": {"ip": "*", "port": 6767, "base_url": cfg.url_base, "use_sonarr": use_arrs,
                    "use_radarr": use_arrs, "flask_secret_key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"},
        "auth": {"type": null, "apikey": cfg.api_key, "username": "", "password": ""},
        "sonarr": arr(AppKind::Sonarr, sonarr_base),
        "radarr": arr(AppKind::Radarr, "/radarr"),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Build the router for one Bazarr instance.
pub fn router(cfg: &AppSimConfig, dns: &SimDns) -> Router {
    let state: Shared = Arc::new(Mutex::new(Bz {
        version: cfg.version.clone(),
        namespace: cfg.namespace.clone(),
        dns: dns.clone(),
        settings: seed_settings(cfg),
    }));
    let inner = Router::new()
        .route("/api/system/ping", get(ping))
        .route("/api/system/status", get(status))
        .route("/api/system/health", get(health))
        .route(
            "/api/system/settings",
            get(get_settings).post(post_settings),
        )
        .route("/test/{protocol}/{*url}", get(test_connection))
        .with_state(state);
    if cfg.url_base.is_empty() {
        inner
    } else {
        Router::new().nest(&cfg.url_base, inner)
    }
}

fn get_path<'a>(m: &'a Map<String, Value>, section: &str, key: &str) -> Option<&'a Value> {
    m.get(section).and_then(|s| s.get(key))
}

fn authorized(st: &Bz, h: &HeaderMap, q: &HashMap<String, String>, form: Option<&str>) -> bool {
    let key = get_path(&st.settings, "auth", "apikey")
        .and_then(Value::as_str)
        .unwrap_or("");
    if key.is_empty() {
        return false;
    }
    let header_key = h.get("x-api-key").and_then(|v| v.to_str().ok());
    header_key == Some(key)
        || q.get("apikey").map(String::as_str) == Some(key)
        || form.is_some_and(|f| {
            url::form_urlencoded::parse(f.as_bytes()).any(|(k, v)| k == "apikey" && v == key)
        })
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "message": UNAUTHORIZED })),
    )
        .into_response()
}

async fn ping() -> Json<Value> {
    Json(json!({"status": "OK"}))
}

/// `http://ip:port/base` for the `sonarr`/`radarr` section.
fn arr_url(s: &Map<String, Value>, section: &str) -> String {
    let ip = get_path(s, section, "ip")
        .and_then(Value::as_str)
        .unwrap_or("");
    let port = get_path(s, section, "port")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let ssl = get_path(s, section, "ssl")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let base = get_path(s, section, "base_url")
        .and_then(Value::as_str)
        .unwrap_or("/")
        .trim_end_matches('/');
    format!("{}://{ip}:{port}{base}", if ssl { "https" } else { "http" })
}

async fn arr_version(dns: &SimDns, ns: &str, base: &str, key: &str) -> String {
    let key_q: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
    for path in ["/api/system/status", "/api/v3/system/status"] {
        let url = format!("{base}{path}?apikey={key_q}");
        if let Ok((200, body)) = cluster_get(dns, ns, &url, HeaderMap::new()).await {
            if let Some(v) = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("version").and_then(Value::as_str).map(String::from))
            {
                return v;
            }
        }
    }
    "unknown".into()
}

async fn status(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (version, ns, dns, settings) = {
        let Ok(st) = s.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        if !authorized(&st, &h, &q, None) {
            return unauthorized();
        }
        (
            st.version.clone(),
            st.namespace.clone(),
            st.dns.clone(),
            st.settings.clone(),
        )
    };
    let mut arr_versions = Vec::new();
    for (flag, section) in [("use_sonarr", "sonarr"), ("use_radarr", "radarr")] {
        let used = get_path(&settings, "general", flag)
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let v = if used {
            let key = get_path(&settings, section, "apikey")
                .and_then(Value::as_str)
                .unwrap_or("");
            arr_version(&dns, &ns, &arr_url(&settings, section), key).await
        } else {
            String::new()
        };
        arr_versions.push(v);
    }
    Json(json!({"data": {
        "bazarr_version": version, "package_version": "", "sonarr_version": arr_versions[0],
        "radarr_version": arr_versions[1], "operating_system": "Linux-6.8.0-x86_64",
        "python_version": "3.12.9", "database_engine": "Sqlite 3.46.1",
        "database_migration": "cc2a5a4f1e3b", "bazarr_directory": "/app/bazarr/bin",
        "bazarr_config_directory": "/config", "start_time": 1_760_000_000.0, "timezone": "UTC"
    }}))
    .into_response()
}

async fn health(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    faults: Option<Extension<Faults>>,
) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !authorized(&st, &h, &q, None) {
        return unauthorized();
    }
    let mut issues = Vec::new();
    if faults.is_some_and(|f| f.health_errors) {
        for (flag, path) in [
            ("use_sonarr", "/data/media/series"),
            ("use_radarr", "/data/media/movies"),
        ] {
            if get_path(&st.settings, "general", flag).and_then(Value::as_bool) == Some(true) {
                issues.push(
                    json!({"object": path, "issue": "Bazarr cannot access this root folder."}),
                );
            }
        }
        issues.push(json!({"object": "Default language profile", "issue": "Default language profile doesn't exist."}));
    }
    Json(json!({ "data": issues })).into_response()
}

async fn get_settings(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !authorized(&st, &h, &q, None) {
        return unauthorized();
    }
    let mut out = st.settings.clone();
    if let Some(Value::Object(g)) = out.get_mut("general") {
        g.remove("flask_secret_key");
    }
    out.insert("notifications".into(), json!({"providers": []}));
    Json(Value::Object(out)).into_response()
}

/// Bazarr's `base_url_slash_cleaner` plus the leading slash its validators expect.
fn clean_base_url(v: &str) -> String {
    let mut s = format!("/{}", v.trim());
    while s.contains("//") {
        s = s.replace("//", "/");
    }
    s
}

fn cast_value(key: &str, v: &str) -> Value {
    match v {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ if !STR_KEYS.contains(&key) && !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) => {
            v.parse::<u64>().map(Value::from).unwrap_or(json!(v))
        }
        _ => json!(v),
    }
}

/// Type rules the validators enforce for the keys the console writes. `raw` is the form value
/// before casting (an all-digit string too long for an integer is still cast to int by Bazarr).
fn validate(section: &str, key: &str, raw: &str, v: &Value) -> Result<(), String> {
    let want = match key {
        "ip" | "base_url" | "apikey" => "str",
        "port" | "http_timeout" => "int",
        "ssl" | "use_sonarr" | "use_radarr" | "only_monitored" => "bool",
        _ => return Ok(()),
    };
    let digits = !raw.is_empty() && raw.chars().all(|c| c.is_ascii_digit());
    let ok = match want {
        "str" => v.is_string() && (!digits || STR_KEYS.contains(&key)),
        "int" => v.is_u64(),
        _ => v.is_boolean(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{section}.{key} must is_type_of <class '{want}'> but it is {raw} in env main"
        ))
    }
}

async fn post_settings(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let form = String::from_utf8_lossy(&body).to_string();
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !authorized(&st, &h, &q, Some(&form)) {
        return unauthorized();
    }
    let mut next = st.settings.clone();
    for (k, v) in url::form_urlencoded::parse(form.as_bytes()) {
        let Some(rest) = k.strip_prefix("settings-") else {
            continue;
        };
        let Some((section, key)) = rest.split_once('-') else {
            continue;
        };
        let mut value = cast_value(key, &v);
        if key == "base_url" {
            value = json!(clean_base_url(&v));
        }
        if let Err(msg) = validate(section, key, &v, &value) {
            return (StatusCode::NOT_ACCEPTABLE, msg).into_response();
        }
        if let Some(Value::Object(sec)) = next.get_mut(section) {
            sec.insert(key.to_string(), value);
        }
    }
    st.settings = next;
    StatusCode::NO_CONTENT.into_response()
}

/// The UI's connection tester: `GET /test/<protocol>/<host:port/base/…>?apikey=…`.
async fn test_connection(
    State(s): State<Shared>,
    Path((protocol, rest)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (ns, dns, auth_type) = {
        let Ok(st) = s.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let auth = get_path(&st.settings, "auth", "type").cloned();
        (st.namespace.clone(), st.dns.clone(), auth)
    };
    // Needs the UI login when one is configured; the simulator has no UI session.
    if auth_type.as_ref().and_then(Value::as_str).is_some() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if !protocol.eq_ignore_ascii_case("http") && !protocol.eq_ignore_ascii_case("https") {
        return Json(json!({"status": false, "error": "Unsupported protocol", "code": 0}))
            .into_response();
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.iter())
        .finish();
    let url = format!("{}://{rest}?{query}", protocol.to_lowercase());
    let out = match cluster_get(&dns, &ns, &url, HeaderMap::new()).await {
        Err(e) => json!({"status": false, "error": e}),
        Ok((200, body)) => match serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("version").cloned())
        {
            Some(v) => json!({"status": true, "version": v, "code": 200}),
            None => {
                json!({"status": false, "error": "Error Occurred. Check your settings.", "code": 200})
            }
        },
        Ok((401, _)) => {
            json!({"status": false, "error": "Access Denied. Check API key.", "code": 401})
        }
        Ok((404, _)) => {
            json!({"status": false, "error": "Cannot get version. Maybe unsupported legacy API call?", "code": 404})
        }
        Ok((c @ 300..=399, _)) => json!({"status": false, "error": "Wrong URL Base.", "code": c}),
        Ok((c, _)) => json!({"status": false, "error": format!("HTTP {c}"), "code": c}),
    };
    Json(out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casting_and_cleaning() {
        assert_eq!(cast_value("ssl", "true"), json!(true));
        assert_eq!(cast_value("port", "8989"), json!(8989));
        assert_eq!(cast_value("password", "1234"), json!("1234"));
        assert_eq!(clean_base_url("sonarr"), "/sonarr");
        assert_eq!(clean_base_url("/"), "/");
        assert_eq!(clean_base_url(""), "/");
        assert!(validate("sonarr", "apikey", "12345", &cast_value("apikey", "12345")).is_err());
        let long = "12345678901234567890123456789012";
        assert!(validate("sonarr", "apikey", long, &cast_value("apikey", long)).is_err());
        assert!(validate("sonarr", "apikey", "ab12", &cast_value("apikey", "ab12")).is_ok());
    }
}
