//! Jellyseerr simulator (`api-facts.md` §8). Overseerr/Seerr share the surface.
//!
//! Base `/api/v1`, no URL base support (the target cluster serves it on a subdomain). Auth is
//! `X-Api-Key` (acting as user 1) or the `connect.sid` cookie from `/auth/jellyfin`; anything
//! else is 403 JSON, never 401, and the key is useless until user 1 exists (`Fresh` seed).
//! Request bodies are validated like `express-openapi-validator` does (required fields,
//! `readOnly` fields rejected, unknown paths 404) with its `{"message","errors"}` shape.
//! `Faults.health_errors` makes `/status` report `restartRequired` and an available update.
//!
//! `jellyfin.rs` holds the first-admin login and Jellyfin settings, `arr.rs` the Sonarr/Radarr
//! server lists; both connect to the other apps for real.

mod arr;
mod jellyfin;

use super::{AppSimConfig, Faults, Seed, SimDns};
use crate::model::AppKind;
use axum::body::Bytes;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub(crate) struct Js {
    pub version: String,
    pub namespace: String,
    pub dns: SimDns,
    pub api_key: String,
    /// User id 1 (the admin) exists.
    pub admin_exists: bool,
    pub initialized: bool,
    pub main: Value,
    pub jellyfin: Value,
    pub sonarr: Vec<Value>,
    pub radarr: Vec<Value>,
    pub sessions: HashSet<String>,
}

pub(crate) type Shared = Arc<Mutex<Js>>;

pub(crate) fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({"status": 403, "error": "You do not have permission to access this endpoint"})),
    )
        .into_response()
}

/// The validator's error shape.
pub(crate) fn validation_error(status: StatusCode, path: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"message": format!("{path} {message}"),
                    "errors": [{"path": path, "message": message}]})),
    )
        .into_response()
}

fn arr_entry(kind: AppKind, cfg: &AppSimConfig, base_url: &str) -> Value {
    let sonarr = kind == AppKind::Sonarr;
    let mut v = json!({
        "id": 0, "name": kind.display(), "hostname": kind.id(), "port": kind.default_port(),
        "apiKey": cfg.peer_key(kind), "useSsl": false, "baseUrl": base_url,
        "activeProfileId": 1, "activeProfileName": "Any",
        "activeDirectory": match (sonarr, cfg.seed) {
            // Wired follows the default integration graph (Sonarr's root folder /data/media/tv);
            // the target cluster's init container writes /data/media/series.
            (true, Seed::Wired) => "/data/media/tv",
            (true, _) => "/data/media/series",
            (false, _) => "/data/media/movies",
        },
        "is4k": false, "isDefault": true, "externalUrl": "", "syncEnabled": true,
        "preventSearch": false, "tags": [], "tagRequests": false,
    });
    if sonarr {
        v["enableSeasonFolders"] = json!(true);
        v["seriesType"] = json!("standard");
        v["animeTags"] = json!([]);
    } else {
        v["minimumAvailability"] = json!("released");
    }
    v
}

fn seed_state(cfg: &AppSimConfig, dns: &SimDns) -> Js {
    let fresh = cfg.seed == Seed::Fresh;
    let jf_key = cfg.peer_key(AppKind::Jellyfin);
    let (jf_port, jf_base, arr_base): (u16, &str, fn(AppKind) -> String) = match cfg.seed {
        Seed::Wired => (80, "/jellyfin", |k| format!("/{}", k.id())),
        _ => (80, "", |_| String::new()),
    };
    let jellyfin = json!({
        "name": if fresh { "" } else { "nas" }, "ip": if fresh { "" } else { "jellyfin" },
        "port": if fresh { 8096 } else { jf_port }, "useSsl": false,
        "urlBase": if fresh { "" } else { jf_base }, "externalHostname": "",
        "jellyfinForgotPasswordUrl": "", "libraries": [],
        "serverId": if fresh { "" } else { "4f1b0c6ad2a34f0e9c2e5c1d8b7a6e3f" },
        "apiKey": if fresh { String::new() } else { jf_key },
    });
    let (sonarr, radarr) = if fresh {
        (Vec::new(), Vec::new())
    } else {
        (
            vec![arr_entry(AppKind::Sonarr, cfg, &arr_base(AppKind::Sonarr))],
            vec![arr_entry(AppKind::Radarr, cfg, &arr_base(AppKind::Radarr))],
        )
    };
    Js {
        version: cfg.version.clone(),
        namespace: cfg.namespace.clone(),
        dns: dns.clone(),
        api_key: cfg.api_key.clone(),
        admin_exists: !fresh,
        initialized: !fresh,
        main: json!({
            "apiKey": cfg.api_key, "applicationTitle": "Jellyseerr",
            "applicationUrl": "", "mediaServerType": if fresh { 4 } else { 2 },
            "localLogin": true, "mediaServerLogin": true, "hideAvailable": false,
            "partialRequestsEnabled": true, "enableSpecialEpisodes": false, "locale": "en",
            "defaultPermissions": 32,
        }),
        jellyfin,
        sonarr,
        radarr,
        sessions: HashSet::new(),
    }
}

/// Build the router for one Jellyseerr instance.
pub fn router(cfg: &AppSimConfig, dns: &SimDns) -> Router {
    let state: Shared = Arc::new(Mutex::new(seed_state(cfg, dns)));
    let admin = Router::new()
        .route("/settings/main", get(get_main).post(post_main))
        .route("/settings/initialize", post(initialize))
        .route(
            "/settings/jellyfin",
            get(jellyfin::get_jellyfin).post(jellyfin::post_jellyfin),
        )
        .route(
            "/settings/jellyfin/library",
            get(jellyfin::jellyfin_library),
        )
        .merge(arr::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_admin,
        ));
    let api = Router::new()
        .route("/status", get(status))
        .route("/status/appdata", get(appdata))
        .route("/settings/public", get(public_settings))
        .route("/auth/jellyfin", post(jellyfin::auth_jellyfin))
        .merge(admin)
        .fallback(not_found)
        .with_state(state);
    Router::new().nest("/api/v1", api)
}

async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "not found", "errors": [{"path": path, "message": "not found"}]})),
    )
        .into_response()
}

fn session_cookie(h: &HeaderMap) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == "connect.sid")
        .map(|(_, v)| v.to_string())
}

/// `X-Api-Key` (runs as user 1, which must exist) or a session cookie; else 403.
async fn require_admin(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let ok = {
        let Ok(st) = s.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let h = req.headers();
        let by_key = h
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|k| !st.api_key.is_empty() && k == st.api_key && st.admin_exists);
        let by_cookie = session_cookie(h).is_some_and(|c| st.sessions.contains(&c));
        by_key || by_cookie
    };
    if !ok {
        return forbidden();
    }
    next.run(req).await
}

async fn status(State(s): State<Shared>, faults: Option<Extension<Faults>>) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let bad = faults.is_some_and(|f| f.health_errors);
    Json(json!({
        "version": st.version, "commitTag": format!("v{}", st.version),
        "updateAvailable": bad, "commitsBehind": if bad { 12 } else { 0 },
        "restartRequired": bad,
    }))
    .into_response()
}

async fn appdata() -> Json<Value> {
    Json(json!({"appData": true, "appDataPath": "/app/config", "appDataPermissions": true}))
}

async fn public_settings(State(s): State<Shared>) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let m = &st.main;
    Json(json!({
        "initialized": st.initialized, "applicationTitle": m["applicationTitle"],
        "applicationUrl": m["applicationUrl"], "hideAvailable": m["hideAvailable"],
        "hideBlacklisted": false, "localLogin": m["localLogin"],
        "mediaServerLogin": m["mediaServerLogin"], "movie4kEnabled": false,
        "series4kEnabled": false, "discoverRegion": "", "streamingRegion": "US",
        "originalLanguage": "", "mediaServerType": m["mediaServerType"],
        "jellyfinExternalHost": st.jellyfin["externalHostname"],
        "jellyfinForgotPasswordUrl": st.jellyfin["jellyfinForgotPasswordUrl"],
        "partialRequestsEnabled": m["partialRequestsEnabled"],
        "enableSpecialEpisodes": m["enableSpecialEpisodes"], "cacheImages": false,
        "vapidPublic": "BExampleVapidPublicKey", "enablePushRegistration": false,
        "locale": m["locale"], "emailEnabled": false, "userEmailRequired": false,
        "newPlexLogin": true, "youtubeUrl": "",
    }))
    .into_response()
}

async fn get_main(State(s): State<Shared>) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(st.main.clone()).into_response()
}

async fn post_main(State(s): State<Shared>, body: axum::body::Bytes) -> Response {
    let Ok(Value::Object(update)) = serde_json::from_slice::<Value>(&body) else {
        return validation_error(StatusCode::BAD_REQUEST, "/body", "must be object");
    };
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if update.contains_key("apiKey") {
        return validation_error(StatusCode::BAD_REQUEST, "/body/apiKey", "is read-only");
    }
    if let Some(m) = st.main.as_object_mut() {
        m.extend(update);
    }
    Json(st.main.clone()).into_response()
}

async fn initialize(State(s): State<Shared>) -> Response {
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    st.initialized = true;
    Json(json!({"initialized": true})).into_response()
}

pub(crate) fn err500(msg: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "message": msg })),
    )
        .into_response()
}

/// A refused request, boxed to keep `Result`s small.
pub(crate) type Rejection = Box<Response>;

pub(crate) fn body_object(body: &Bytes) -> Result<Map<String, Value>, Rejection> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Box::new(validation_error(
            StatusCode::BAD_REQUEST,
            "/body",
            "must be object",
        ))),
    }
}

pub(crate) fn snapshot(s: &Shared) -> Option<(crate::sim::apps::SimDns, String)> {
    s.lock()
        .ok()
        .map(|st| (st.dns.clone(), st.namespace.clone()))
}
