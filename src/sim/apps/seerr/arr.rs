//! Jellyseerr's Sonarr/Radarr server lists (§8.7): CRUD with the validator's rules and the
//! `test` endpoints, which really call the app's v3 API (`?apikey=`) through `SimDns`.

use super::{body_object, err500, snapshot, validation_error, Rejection, Shared};
use crate::sim::apps::bazarr::cluster_request;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use serde_json::{json, Map, Value};

pub(super) fn routes() -> Router<Shared> {
    arr_routes(Arr::Sonarr).merge(arr_routes(Arr::Radarr))
}

/// `/settings/<arr>`, `/settings/<arr>/test` and `/settings/<arr>/{id}` for one server kind.
fn arr_routes(arr: Arr) -> Router<Shared> {
    let base = format!("/settings/{}", arr.display().to_ascii_lowercase());
    Router::new()
        .route(
            &base,
            get(move |State(s): State<Shared>| async move { list_arr(&s, arr) }).post(
                move |State(s): State<Shared>, body: Bytes| async move { create_arr(&s, arr, &body) },
            ),
        )
        .route(
            &format!("{base}/test"),
            post(move |State(s): State<Shared>, body: Bytes| async move {
                test_arr(&s, arr, &body).await
            }),
        )
        .route(
            &format!("{base}/{{id}}"),
            put(
                move |State(s): State<Shared>, Path(id): Path<u64>, body: Bytes| async move {
                    update_arr(&s, arr, id, &body)
                },
            )
            .delete(move |State(s): State<Shared>, Path(id): Path<u64>| async move {
                delete_arr(&s, arr, id)
            }),
        )
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
