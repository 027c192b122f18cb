//! Jellyseerr settings routes that talk to other apps (§8.4–§8.7): first-admin login through
//! Jellyfin, Jellyfin settings (validated by a real `/System/Info` call), library sync, and the
//! Sonarr/Radarr server lists with their `test` endpoints. Every outbound call goes over HTTP
//! through [`SimDns`](crate::sim::apps::SimDns).

use super::{forbidden, validation_error, Shared};
use crate::sim::apps::bazarr::cluster_request;
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/settings/jellyfin", get(get_jellyfin).post(post_jellyfin))
        .route("/settings/jellyfin/library", get(jellyfin_library))
        .route("/settings/sonarr", get(list_sonarr).post(create_sonarr))
        .route("/settings/sonarr/test", post(test_sonarr))
        .route(
            "/settings/sonarr/{id}",
            put(update_sonarr).delete(delete_sonarr),
        )
        .route("/settings/radarr", get(list_radarr).post(create_radarr))
        .route("/settings/radarr/test", post(test_radarr))
        .route(
            "/settings/radarr/{id}",
            put(update_radarr).delete(delete_radarr),
        )
}

fn err500(msg: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "message": msg })),
    )
        .into_response()
}

/// A refused request, boxed to keep `Result`s small.
type Rejection = Box<Response>;

fn body_object(body: &Bytes) -> Result<Map<String, Value>, Rejection> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Box::new(validation_error(
            StatusCode::BAD_REQUEST,
            "/body",
            "must be object",
        ))),
    }
}

fn emby_auth(token: Option<&str>) -> HeaderMap {
    let mut v = r#"MediaBrowser Client="Jellyseerr", Device="Jellyseerr", DeviceId="SmVsbHlzZWVycg==", Version="2.7.3""#.to_string();
    if let Some(t) = token {
        v.push_str(&format!(r#", Token="{t}""#));
    }
    let mut h = HeaderMap::new();
    if let Ok(val) = HeaderValue::from_str(&v) {
        h.insert("x-emby-authorization", val);
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h
}

/// `http(s)://ip:port{urlBase}` (`getHostname.ts`).
fn jellyfin_url(j: &Value) -> String {
    format!(
        "{}://{}:{}{}",
        if j["useSsl"].as_bool().unwrap_or(false) {
            "https"
        } else {
            "http"
        },
        j["ip"].as_str().unwrap_or(""),
        j["port"].as_u64().unwrap_or(8096),
        j["urlBase"].as_str().unwrap_or("")
    )
}

fn snapshot(s: &Shared) -> Option<(crate::sim::apps::SimDns, String)> {
    s.lock()
        .ok()
        .map(|st| (st.dns.clone(), st.namespace.clone()))
}

/// `POST /auth/jellyfin`: the first login creates user 1 and a Jellyfin API key.
pub(super) async fn auth_jellyfin(State(s): State<Shared>, body: Bytes) -> Response {
    let b = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    for k in ["username", "password"] {
        if !b.contains_key(k) {
            return validation_error(
                StatusCode::BAD_REQUEST,
                "/body",
                &format!("must have required property '{k}'"),
            );
        }
    }
    let (jf, admin_exists) = {
        let Ok(st) = s.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        (st.jellyfin.clone(), st.admin_exists)
    };
    let configured = !jf["ip"].as_str().unwrap_or("").is_empty();
    let hostname = b.get("hostname").and_then(Value::as_str).unwrap_or("");
    if configured && !hostname.is_empty() {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "Jellyfin hostname already configured"})),
        )
            .into_response();
    }
    if !configured && hostname.is_empty() {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "No hostname provided."})),
        )
            .into_response();
    }
    let mut target = jf.clone();
    if !configured {
        target["ip"] = json!(hostname);
        target["port"] = b.get("port").cloned().unwrap_or(json!(8096));
        target["urlBase"] = b.get("urlBase").cloned().unwrap_or(json!(""));
        target["useSsl"] = b.get("useSsl").cloned().unwrap_or(json!(false));
    }
    let base = jellyfin_url(&target);
    let Some((dns, ns)) = snapshot(&s) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let login = json!({"Username": b["username"], "Pw": b["password"]}).to_string();
    let (code, resp) = match cluster_request(
        &dns,
        &ns,
        Method::POST,
        &format!("{base}/Users/AuthenticateByName"),
        emby_auth(None),
        Some(login.into_bytes()),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => return err500("Something went wrong."),
    };
    if code == 401 {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Unauthorized"})),
        )
            .into_response();
    }
    let Ok(auth) = serde_json::from_slice::<Value>(&resp) else {
        return err500("Something went wrong.");
    };
    if code != 200 {
        return err500("Something went wrong.");
    }
    let is_admin = auth["User"]["Policy"]["IsAdministrator"]
        .as_bool()
        .unwrap_or(false);
    if !admin_exists {
        if !is_admin {
            return (
                StatusCode::FORBIDDEN,
                Json(json!({"message": "CREDENTIAL_ERROR_NOT_ADMIN"})),
            )
                .into_response();
        }
        let token = auth["AccessToken"].as_str().unwrap_or("").to_string();
        let key_url = format!("{base}/Auth/Keys?App=Jellyseerr");
        let created = cluster_request(
            &dns,
            &ns,
            Method::POST,
            &key_url,
            emby_auth(Some(&token)),
            None,
        )
        .await;
        let listed = cluster_request(
            &dns,
            &ns,
            Method::GET,
            &format!("{base}/Auth/Keys"),
            emby_auth(Some(&token)),
            None,
        )
        .await;
        let info = cluster_request(
            &dns,
            &ns,
            Method::GET,
            &format!("{base}/System/Info/Public"),
            emby_auth(None),
            None,
        )
        .await;
        let (Ok((204 | 200, _)), Ok((200, keys)), Ok((200, info))) = (created, listed, info) else {
            return err500("Something went wrong.");
        };
        let keys: Value = serde_json::from_slice(&keys).unwrap_or(Value::Null);
        let info: Value = serde_json::from_slice(&info).unwrap_or(Value::Null);
        let key = keys["Items"]
            .as_array()
            .and_then(|items| items.iter().rev().find(|i| i["AppName"] == "Jellyseerr"))
            .and_then(|i| i["AccessToken"].as_str())
            .unwrap_or("")
            .to_string();
        target["apiKey"] = json!(key);
        target["name"] = info["ServerName"].clone();
        target["serverId"] = info["Id"].clone();
    }
    let sid = format!("s%3A{:032x}", rand::random::<u128>());
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !st.admin_exists {
        st.admin_exists = true;
        st.jellyfin = target;
        st.main["mediaServerType"] = json!(2);
    }
    st.sessions.insert(sid.clone());
    let cookie = format!("connect.sid={sid}; Path=/; HttpOnly");
    (
        [(header::SET_COOKIE, cookie)],
        Json(json!({"id": 1, "username": b["username"], "userType": 3, "permissions": 2})),
    )
        .into_response()
}

async fn get_jellyfin(State(s): State<Shared>) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(st.jellyfin.clone()).into_response()
}

async fn post_jellyfin(State(s): State<Shared>, body: Bytes) -> Response {
    let b = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    for ro in ["name", "libraries", "serverId"] {
        if b.contains_key(ro) {
            return validation_error(
                StatusCode::BAD_REQUEST,
                &format!("/body/{ro}"),
                "is read-only",
            );
        }
    }
    let (mut candidate, dns, ns, admin) = {
        let Ok(st) = s.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        (
            st.jellyfin.clone(),
            st.dns.clone(),
            st.namespace.clone(),
            st.admin_exists,
        )
    };
    if !admin {
        return forbidden();
    }
    for k in [
        "ip",
        "port",
        "useSsl",
        "urlBase",
        "externalHostname",
        "jellyfinForgotPasswordUrl",
        "apiKey",
    ] {
        if let Some(v) = b.get(k) {
            candidate[k] = v.clone();
        }
    }
    let key = candidate["apiKey"].as_str().unwrap_or("").to_string();
    let url = format!("{}/System/Info", jellyfin_url(&candidate));
    match cluster_request(&dns, &ns, Method::GET, &url, emby_auth(Some(&key)), None).await {
        Ok((200, body)) => {
            let info: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let Some(id) = info["Id"].as_str() else {
                return err500("UNKNOWN");
            };
            candidate["serverId"] = json!(id);
            candidate["name"] = info["ServerName"].clone();
            let Ok(mut st) = s.lock() else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            st.jellyfin = candidate.clone();
            Json(candidate).into_response()
        }
        Ok((code, _)) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Json(json!({"message": "INVALID_URL"})),
        )
            .into_response(),
        Err(_) => err500("UNKNOWN"),
    }
}

async fn jellyfin_library(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (jf, dns, ns) = {
        let Ok(st) = s.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        (st.jellyfin.clone(), st.dns.clone(), st.namespace.clone())
    };
    let mut libs: Vec<Value> = jf["libraries"].as_array().cloned().unwrap_or_default();
    if q.get("sync").is_some_and(|v| v == "true") {
        let key = jf["apiKey"].as_str().unwrap_or("").to_string();
        let url = format!("{}/Library/MediaFolders", jellyfin_url(&jf));
        let Ok((200, body)) =
            cluster_request(&dns, &ns, Method::GET, &url, emby_auth(Some(&key)), None).await
        else {
            return err500("SYNC_ERROR_NO_LIBRARIES");
        };
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        const SKIP: &[&str] = &["music", "books", "musicvideos", "homevideos", "boxsets"];
        libs = v["Items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|i| i["Type"] == "CollectionFolder")
                    .filter(|i| !SKIP.contains(&i["CollectionType"].as_str().unwrap_or("")))
                    .map(|i| {
                        let ty = if i["CollectionType"] == "movies" {
                            "movie"
                        } else {
                            "show"
                        };
                        json!({"id": i["Id"], "name": i["Name"], "enabled": false, "type": ty})
                    })
                    .collect()
            })
            .unwrap_or_default();
        if libs.is_empty() {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({"message": "SYNC_ERROR_NO_LIBRARIES"})),
            )
                .into_response();
        }
    }
    let enable: Vec<&str> = q
        .get("enable")
        .map(|e| e.split(',').collect())
        .unwrap_or_default();
    for l in libs.iter_mut() {
        let on = l["id"].as_str().is_some_and(|id| enable.contains(&id));
        l["enabled"] = json!(on);
    }
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    st.jellyfin["libraries"] = json!(libs.clone());
    Json(libs).into_response()
}

#[derive(Clone, Copy, PartialEq)]
enum Arr {
    Sonarr,
    Radarr,
}

impl Arr {
    fn required(self) -> &'static [&'static str] {
        match self {
            Arr::Sonarr => &[
                "name",
                "hostname",
                "port",
                "apiKey",
                "useSsl",
                "activeProfileId",
                "activeProfileName",
                "activeDirectory",
                "is4k",
                "enableSeasonFolders",
                "isDefault",
            ],
            Arr::Radarr => &[
                "name",
                "hostname",
                "port",
                "apiKey",
                "useSsl",
                "activeProfileId",
                "activeProfileName",
                "activeDirectory",
                "is4k",
                "minimumAvailability",
                "isDefault",
            ],
        }
    }
    fn list(self, st: &mut super::Js) -> &mut Vec<Value> {
        match self {
            Arr::Sonarr => &mut st.sonarr,
            Arr::Radarr => &mut st.radarr,
        }
    }
    fn display(self) -> &'static str {
        match self {
            Arr::Sonarr => "Sonarr",
            Arr::Radarr => "Radarr",
        }
    }
}

/// Required fields, `readOnly` `id`, and the types the spec declares for the core fields.
fn validate_arr(arr: Arr, b: &Map<String, Value>) -> Result<(), Rejection> {
    if b.contains_key("id") {
        return Err(Box::new(validation_error(
            StatusCode::BAD_REQUEST,
            "/body/id",
            "is read-only",
        )));
    }
    for k in arr.required() {
        if !b.contains_key(*k) {
            return Err(Box::new(validation_error(
                StatusCode::BAD_REQUEST,
                "/body",
                &format!("must have required property '{k}'"),
            )));
        }
    }
    type Check = (&'static str, fn(&Value) -> bool, &'static str);
    let checks: &[Check] = &[
        ("name", Value::is_string, "must be string"),
        ("hostname", Value::is_string, "must be string"),
        ("apiKey", Value::is_string, "must be string"),
        ("baseUrl", Value::is_string, "must be string"),
        ("port", Value::is_u64, "must be number"),
        ("activeProfileId", Value::is_u64, "must be number"),
        ("useSsl", Value::is_boolean, "must be boolean"),
        ("is4k", Value::is_boolean, "must be boolean"),
        ("isDefault", Value::is_boolean, "must be boolean"),
    ];
    for (k, ok, msg) in checks {
        if let Some(v) = b.get(*k) {
            if !ok(v) {
                return Err(Box::new(validation_error(
                    StatusCode::BAD_REQUEST,
                    &format!("/body/{k}"),
                    msg,
                )));
            }
        }
    }
    Ok(())
}

fn list_arr(s: &Shared, arr: Arr) -> Response {
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(arr.list(&mut st).clone()).into_response()
}

fn clear_default(list: &mut [Value], is4k: &Value, except: u64) {
    for other in list.iter_mut() {
        if other["is4k"] == *is4k && other["id"].as_u64() != Some(except) {
            other["isDefault"] = json!(false);
        }
    }
}

fn create_arr(s: &Shared, arr: Arr, body: &Bytes) -> Response {
    let b = match body_object(body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if let Err(r) = validate_arr(arr, &b) {
        return *r;
    }
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let list = arr.list(&mut st);
    let id = list
        .last()
        .and_then(|l| l["id"].as_u64())
        .map(|i| i + 1)
        .unwrap_or(0);
    let mut v = Value::Object(b);
    v["id"] = json!(id);
    if v["isDefault"] == json!(true) {
        clear_default(list, &v["is4k"].clone(), id);
    }
    list.push(v.clone());
    (StatusCode::CREATED, Json(v)).into_response()
}

fn not_found_instance() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"status": "404", "message": "Settings instance not found"})),
    )
        .into_response()
}

fn update_arr(s: &Shared, arr: Arr, id: u64, body: &Bytes) -> Response {
    let b = match body_object(body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if let Err(r) = validate_arr(arr, &b) {
        return *r;
    }
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let list = arr.list(&mut st);
    let Some(idx) = list.iter().position(|l| l["id"].as_u64() == Some(id)) else {
        return not_found_instance();
    };
    let mut v = Value::Object(b);
    v["id"] = json!(id);
    if v["isDefault"] == json!(true) {
        clear_default(list, &v["is4k"].clone(), id);
    }
    list[idx] = v.clone();
    Json(v).into_response()
}

fn delete_arr(s: &Shared, arr: Arr, id: u64) -> Response {
    let Ok(mut st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let list = arr.list(&mut st);
    let Some(idx) = list.iter().position(|l| l["id"].as_u64() == Some(id)) else {
        return not_found_instance();
    };
    Json(list.remove(idx)).into_response()
}

/// `POST /settings/{sonarr,radarr}/test`: really calls the app's v3 API with `?apikey=`.
async fn test_arr(s: &Shared, arr: Arr, body: &Bytes) -> Response {
    let b = match body_object(body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    for k in ["hostname", "port", "apiKey", "useSsl"] {
        if !b.contains_key(k) {
            return validation_error(
                StatusCode::BAD_REQUEST,
                "/body",
                &format!("must have required property '{k}'"),
            );
        }
    }
    let Some((dns, ns)) = snapshot(s) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let base_url = b.get("baseUrl").and_then(Value::as_str).unwrap_or("");
    let root = format!(
        "{}://{}:{}{}/api/v3",
        if b["useSsl"].as_bool().unwrap_or(false) {
            "https"
        } else {
            "http"
        },
        b["hostname"].as_str().unwrap_or(""),
        b["port"].as_u64().unwrap_or(0),
        base_url
    );
    let key: String =
        url::form_urlencoded::byte_serialize(b["apiKey"].as_str().unwrap_or("").as_bytes())
            .collect();
    let fail = || err500(&format!("Failed to connect to {}", arr.display()));
    let fetch = |path: &'static str| {
        let url = format!("{root}{path}?apikey={key}");
        let (dns, ns) = (dns.clone(), ns.clone());
        async move {
            match cluster_request(&dns, &ns, Method::GET, &url, HeaderMap::new(), None).await {
                Ok((200, body)) => serde_json::from_slice::<Value>(&body).ok(),
                _ => None,
            }
        }
    };
    let status = fetch("/system/status").await;
    if arr == Arr::Sonarr && status.is_none() {
        return fail();
    }
    let (Some(profiles), Some(folders), Some(tags)) = (
        fetch("/qualityProfile").await,
        fetch("/rootfolder").await,
        fetch("/tag").await,
    ) else {
        return fail();
    };
    let root_folders: Vec<Value> = folders
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| json!({"id": f["id"], "path": f["path"]}))
                .collect()
        })
        .unwrap_or_default();
    let url_base = status
        .as_ref()
        .and_then(|s| s["urlBase"].as_str().map(String::from))
        .unwrap_or_else(|| base_url.to_string());
    let mut out = json!({"profiles": profiles, "rootFolders": root_folders, "tags": tags,
                         "urlBase": url_base});
    if arr == Arr::Sonarr {
        let major = status
            .as_ref()
            .and_then(|s| s["version"].as_str())
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(4);
        out["languageProfiles"] = if major <= 3 {
            fetch("/languageprofile").await.unwrap_or(Value::Null)
        } else {
            Value::Null
        };
    }
    Json(out).into_response()
}

async fn list_sonarr(State(s): State<Shared>) -> Response {
    list_arr(&s, Arr::Sonarr)
}
async fn create_sonarr(State(s): State<Shared>, body: Bytes) -> Response {
    create_arr(&s, Arr::Sonarr, &body)
}
async fn update_sonarr(State(s): State<Shared>, Path(id): Path<u64>, body: Bytes) -> Response {
    update_arr(&s, Arr::Sonarr, id, &body)
}
async fn delete_sonarr(State(s): State<Shared>, Path(id): Path<u64>) -> Response {
    delete_arr(&s, Arr::Sonarr, id)
}
async fn test_sonarr(State(s): State<Shared>, body: Bytes) -> Response {
    test_arr(&s, Arr::Sonarr, &body).await
}
async fn list_radarr(State(s): State<Shared>) -> Response {
    list_arr(&s, Arr::Radarr)
}
async fn create_radarr(State(s): State<Shared>, body: Bytes) -> Response {
    create_arr(&s, Arr::Radarr, &body)
}
async fn update_radarr(State(s): State<Shared>, Path(id): Path<u64>, body: Bytes) -> Response {
    update_arr(&s, Arr::Radarr, id, &body)
}
async fn delete_radarr(State(s): State<Shared>, Path(id): Path<u64>) -> Response {
    delete_arr(&s, Arr::Radarr, id)
}
async fn test_radarr(State(s): State<Shared>, body: Bytes) -> Response {
    test_arr(&s, Arr::Radarr, &body).await
}
