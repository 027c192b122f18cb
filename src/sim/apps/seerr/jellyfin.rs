//! Jellyseerr's Jellyfin side (§8.4–§8.6): first-admin login through Jellyfin (which makes
//! Jellyseerr create its own Jellyfin API key), Jellyfin settings validated by a real
//! `/System/Info` call, and library sync. Outbound calls go over HTTP through `SimDns`.

use super::{body_object, err500, forbidden, snapshot, validation_error, Shared};
use crate::sim::apps::bazarr::cluster_request;
use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use std::collections::HashMap;

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

pub(super) async fn get_jellyfin(State(s): State<Shared>) -> Response {
    let Ok(st) = s.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(st.jellyfin.clone()).into_response()
}

pub(super) async fn post_jellyfin(State(s): State<Shared>, body: Bytes) -> Response {
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

pub(super) async fn jellyfin_library(
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
