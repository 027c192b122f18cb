//! Jellyfin 10.11 simulator (`api-facts.md` §9).
//!
//! Answers under the configured `BaseUrl` only (the target cluster uses `/jellyfin`); paths
//! outside it are 404. Implements `/health`, `/System/Info/Public` (anonymous), `/System/Info`
//! (token), `/System/Ping`, `/Users/AuthenticateByName`, `/Auth/Keys` (list/create/delete,
//! RequiresElevation) and `/Library/MediaFolders`. Tokens are read in the order of §9.3
//! (`Authorization: MediaBrowser …`, legacy `X-Emby-Authorization`, `X-Emby-Token`,
//! `X-MediaBrowser-Token`, query `ApiKey`, legacy query `api_key`). API keys and the admin's
//! session tokens carry the Administrator role. `Faults.health_errors` makes `/health` answer
//! 503 `Unhealthy`.

use super::{AppSimConfig, Faults, Seed};
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Extension, Json, Router,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One row of the `ApiKeys` table.
#[derive(Debug, Clone)]
struct ApiKey {
    token: String,
    app_name: String,
    created: String,
}

#[derive(Debug, Clone)]
struct Library {
    id: String,
    name: String,
    collection_type: String,
}

#[derive(Debug)]
struct Jf {
    version: String,
    url_base: String,
    server_id: String,
    server_name: String,
    username: String,
    password: String,
    wizard_completed: bool,
    keys: Vec<ApiKey>,
    /// Session token → user name.
    sessions: HashMap<String, String>,
    libraries: Vec<Library>,
}

type Shared = Arc<Mutex<Jf>>;

fn random_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Build the router for one Jellyfin instance.
pub fn router(cfg: &AppSimConfig) -> Router {
    let mut keys = Vec::new();
    if !cfg.api_key.is_empty() {
        keys.push(ApiKey {
            token: cfg.api_key.clone(),
            app_name: "k8s-nas".into(),
            created: now(),
        });
    }
    let libraries = match cfg.seed {
        Seed::Fresh => Vec::new(),
        Seed::Wired | Seed::Miswired => vec![
            Library {
                id: "f137a2dd21bbc1b99aa5c0f6bf02a805".into(),
                name: "Movies".into(),
                collection_type: "movies".into(),
            },
            Library {
                id: "a656b907eb3a73532e40e44b968d0225".into(),
                name: "Shows".into(),
                collection_type: "tvshows".into(),
            },
            Library {
                id: "7e64e319657a9516ec78490da03edccb".into(),
                name: "Music".into(),
                collection_type: "music".into(),
            },
        ],
    };
    let state: Shared = Arc::new(Mutex::new(Jf {
        version: cfg.version.trim_start_matches('v').to_string(),
        url_base: cfg.url_base.clone(),
        server_id: "4f1b0c6ad2a34f0e9c2e5c1d8b7a6e3f".into(),
        server_name: "nas".into(),
        username: cfg.username.clone(),
        password: cfg.password.clone(),
        wizard_completed: true,
        keys,
        sessions: HashMap::new(),
        libraries,
    }));
    let inner = Router::new()
        .route("/health", get(health))
        .route("/System/Info/Public", get(info_public))
        .route("/System/Info", get(info))
        .route("/System/Ping", get(ping).post(ping))
        .route("/Users/AuthenticateByName", post(authenticate))
        .route("/Auth/Keys", get(list_keys).post(create_key))
        .route("/Auth/Keys/{key}", delete(delete_key))
        .route("/Library/MediaFolders", get(media_folders))
        .with_state(state);
    if cfg.url_base.is_empty() {
        inner
    } else {
        Router::new().nest(&cfg.url_base, inner)
    }
}

/// Parse `MediaBrowser Client="x", Token="y"` (scheme case-insensitive, `Emby` accepted as
/// legacy). Keys are case-sensitive; values are URL-decoded and quotes are optional.
pub fn parse_mediabrowser(value: &str) -> Option<HashMap<String, String>> {
    let v = value.trim();
    let (scheme, rest) = v.split_once(char::is_whitespace).unwrap_or((v, ""));
    if !scheme.eq_ignore_ascii_case("mediabrowser") && !scheme.eq_ignore_ascii_case("emby") {
        return None;
    }
    let mut out = HashMap::new();
    for part in rest.split(',') {
        let Some((k, val)) = part.split_once('=') else {
            continue;
        };
        let val = val.trim().trim_matches('"');
        let decoded = url::form_urlencoded::parse(format!("v={val}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| val.to_string());
        out.insert(k.trim().to_string(), decoded);
    }
    Some(out)
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The token of a request, in `AuthorizationContext` order (legacy authorization enabled).
fn request_token(h: &HeaderMap, q: &HashMap<String, String>) -> Option<String> {
    let from_auth = |name: &str| {
        header_str(h, name)
            .and_then(parse_mediabrowser)
            .and_then(|m| m.get("Token").cloned())
    };
    if let Some(t) = from_auth("authorization") {
        return Some(t);
    }
    if header_str(h, "authorization").is_none() {
        if let Some(t) = from_auth("x-emby-authorization") {
            return Some(t);
        }
    }
    for name in ["x-emby-token", "x-mediabrowser-token"] {
        if let Some(t) = header_str(h, name) {
            return Some(t.to_string());
        }
    }
    let q_ci = |name: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    q_ci("ApiKey").or_else(|| q.get("api_key").cloned())
}

/// `Ok(())` when the token belongs to an API key or an admin session; 401 otherwise.
/// The state, locked, for a request that must come from the administrator (or an API key).
fn admin<'a>(
    s: &'a Shared,
    h: &HeaderMap,
    q: &HashMap<String, String>,
) -> Result<std::sync::MutexGuard<'a, Jf>, StatusCode> {
    let st = s.lock().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    require_admin(&st, h, q)?;
    Ok(st)
}

fn require_admin(st: &Jf, h: &HeaderMap, q: &HashMap<String, String>) -> Result<(), StatusCode> {
    let Some(token) = request_token(h, q) else {
        return Err(StatusCode::UNAUTHORIZED);
    };
    if st.keys.iter().any(|k| k.token == token) {
        return Ok(());
    }
    match st.sessions.get(&token) {
        Some(user) if user == &st.username => Ok(()),
        Some(_) => Err(StatusCode::FORBIDDEN),
        None => Err(StatusCode::UNAUTHORIZED),
    }
}

async fn health(faults: Option<Extension<Faults>>) -> Response {
    if faults.is_some_and(|f| f.health_errors) {
        return (StatusCode::SERVICE_UNAVAILABLE, "Unhealthy").into_response();
    }
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain")],
        "Healthy",
    )
        .into_response()
}

fn public_info(st: &Jf, h: &HeaderMap) -> Value {
    let host = header_str(h, "host").unwrap_or("localhost");
    json!({
        "LocalAddress": format!("http://{host}{}", st.url_base),
        "ServerName": st.server_name,
        "Version": st.version,
        "ProductName": "Jellyfin Server",
        "OperatingSystem": "",
        "Id": st.server_id,
        "StartupWizardCompleted": st.wizard_completed,
    })
}

async fn info_public(State(s): State<Shared>, h: HeaderMap) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(public_info(&st, &h)).into_response()
}

async fn info(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    faults: Option<Extension<Faults>>,
) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if st.wizard_completed {
        if let Err(r) = require_admin(&st, &h, &q) {
            return r.into_response();
        }
    }
    let mut v = public_info(&st, &h);
    let unhealthy = faults.is_some_and(|f| f.health_errors);
    if let Some(o) = v.as_object_mut() {
        o.insert("OperatingSystemDisplayName".into(), json!("Linux"));
        o.insert("PackageName".into(), json!("jellyfin-server"));
        o.insert("HasPendingRestart".into(), json!(unhealthy));
        o.insert("IsShuttingDown".into(), json!(false));
        o.insert("SupportsLibraryMonitor".into(), json!(true));
        o.insert("WebSocketPortNumber".into(), json!(8096));
        o.insert("CompletedInstallations".into(), json!([]));
        o.insert("CanSelfRestart".into(), json!(true));
        o.insert("CanLaunchWebBrowser".into(), json!(false));
        o.insert("ProgramDataPath".into(), json!("/config/data"));
        o.insert("WebPath".into(), json!("/jellyfin/jellyfin-web"));
        o.insert("CachePath".into(), json!("/cache"));
        o.insert("LogPath".into(), json!("/config/log"));
        o.insert("HasUpdateAvailable".into(), json!(false));
        o.insert("SystemArchitecture".into(), json!("X64"));
    }
    Json(v).into_response()
}

async fn ping() -> Json<&'static str> {
    Json("Jellyfin Server")
}

async fn authenticate(State(s): State<Shared>, h: HeaderMap, body: axum::body::Bytes) -> Response {
    // Client, Device, DeviceId and Version are mandatory (SessionManager throws otherwise).
    let auth = header_str(&h, "authorization")
        .and_then(parse_mediabrowser)
        .or_else(|| header_str(&h, "x-emby-authorization").and_then(parse_mediabrowser));
    let complete = auth.as_ref().is_some_and(|m| {
        ["Client", "Device", "DeviceId", "Version"]
            .iter()
            .all(|k| m.get(*k).is_some_and(|v| !v.is_empty()))
    });
    if !complete {
        return (
            StatusCode::BAD_REQUEST,
            "Client, Device, DeviceId and Version are required in the authorization header",
        )
            .into_response();
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "Invalid JSON body").into_response();
    };
    let user = v.get("Username").and_then(Value::as_str).unwrap_or("");
    let pw = v.get("Pw").and_then(Value::as_str).unwrap_or("");
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !user.eq_ignore_ascii_case(&st.username) || pw != st.password {
        return (StatusCode::UNAUTHORIZED, "Invalid username or password.").into_response();
    }
    let token = random_hex();
    let username = st.username.clone();
    st.sessions.insert(token.clone(), username.clone());
    Json(json!({
        "User": {"Name": username, "ServerId": st.server_id, "Id": "e0b1c7c9a3f44d0a9e0c3f6f1b2d4a5c",
                 "HasPassword": true, "Policy": {"IsAdministrator": true}},
        "SessionInfo": {"UserName": username, "Client": auth.and_then(|m| m.get("Client").cloned())},
        "AccessToken": token,
        "ServerId": st.server_id,
    }))
    .into_response()
}

async fn list_keys(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = match admin(&s, &h, &q) {
        Ok(st) => st,
        Err(r) => return r.into_response(),
    };
    let items: Vec<Value> = st
        .keys
        .iter()
        .map(|k| {
            json!({"AccessToken": k.token, "AppName": k.app_name, "DateCreated": k.created,
                   "DeviceId": "", "DeviceName": "", "AppVersion": "", "IsActive": true})
        })
        .collect();
    Json(json!({"Items": items, "TotalRecordCount": st.keys.len(), "StartIndex": 0}))
        .into_response()
}

async fn create_key(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = match admin(&s, &h, &q) {
        Ok(st) => st,
        Err(r) => return r.into_response(),
    };
    let app = q
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("app"))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    if app.is_empty() {
        return (StatusCode::BAD_REQUEST, "The app field is required.").into_response();
    }
    st.keys.push(ApiKey {
        token: random_hex(),
        app_name: app,
        created: now(),
    });
    StatusCode::NO_CONTENT.into_response()
}

async fn delete_key(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Response {
    let mut st = match admin(&s, &h, &q) {
        Ok(st) => st,
        Err(r) => return r.into_response(),
    };
    st.keys.retain(|k| k.token != key);
    StatusCode::NO_CONTENT.into_response()
}

async fn media_folders(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = match admin(&s, &h, &q) {
        Ok(st) => st,
        Err(r) => return r.into_response(),
    };
    let items: Vec<Value> = st
        .libraries
        .iter()
        .map(|l| {
            json!({"Name": l.name, "Id": l.id, "CollectionType": l.collection_type,
                   "Type": "CollectionFolder", "IsFolder": true})
        })
        .collect();
    Json(json!({"Items": items, "TotalRecordCount": st.libraries.len(), "StartIndex": 0}))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mediabrowser_header() {
        let m = parse_mediabrowser(
            r#"MediaBrowser Client="k8s-nas", Device="x", DeviceId="a%20b", Version="1", Token="t0k""#,
        )
        .expect("parsed");
        assert_eq!(m.get("Token").map(String::as_str), Some("t0k"));
        assert_eq!(m.get("DeviceId").map(String::as_str), Some("a b"));
        assert!(parse_mediabrowser("Bearer abc").is_none());
        let e = parse_mediabrowser("emby Token=abc").expect("legacy scheme");
        assert_eq!(e.get("Token").map(String::as_str), Some("abc"));
    }
}
