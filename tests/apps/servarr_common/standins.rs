//! Stand-ins for qBittorrent (WebAPI v2 subset) and SABnzbd (`/sabnzbd/api`) that the simulated
//! Servarr apps really connect to through SimDns during their connection tests.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use k8s_nas::sim::apps::SimDns;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

// ---- a tiny qBittorrent stand-in (WebAPI v2 subset the apps' test uses) ----

pub const QBT_API_KEY: &str = "qbt_0123456789abcdefghijklmnopqr";

#[derive(Default)]
pub struct Qbit {
    /// 5.2 behaviour: 204 + QBT_SID_<port> on login, 401 on wrong credentials.
    pub v52: bool,
    pub password: String,
    pub categories: Mutex<BTreeSet<String>>,
    pub logins: Mutex<u32>,
    pub preferences: Mutex<Value>,
}

fn has_session(q: &Qbit, h: &HeaderMap) -> bool {
    let cookie = h.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("");
    let want = if q.v52 {
        "QBT_SID_8080=s3ss"
    } else {
        "SID=s3ss"
    };
    // qBittorrent ≥ 5.2 also accepts its API key as a bearer token.
    let bearer = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| q.v52 && v == format!("Bearer {QBT_API_KEY}"));
    bearer || cookie.split("; ").any(|c| c == want)
}

async fn qb_login(State(q): State<Arc<Qbit>>, Form(f): Form<HashMap<String, String>>) -> Response {
    *q.logins.lock().unwrap() += 1;
    let ok = f.get("username").map(String::as_str) == Some("admin")
        && f.get("password") == Some(&q.password);
    match (ok, q.v52) {
        (true, false) => (
            StatusCode::OK,
            [("set-cookie", "SID=s3ss; HttpOnly; path=/")],
            "Ok.",
        )
            .into_response(),
        (true, true) => (
            StatusCode::NO_CONTENT,
            [("set-cookie", "QBT_SID_8080=s3ss; HttpOnly; path=/")],
        )
            .into_response(),
        (false, false) => (StatusCode::OK, "Fails.").into_response(),
        (false, true) => (StatusCode::UNAUTHORIZED, "Unauthorized").into_response(),
    }
}

async fn qb_version(State(q): State<Arc<Qbit>>, h: HeaderMap) -> Response {
    if !has_session(&q, &h) {
        return (StatusCode::FORBIDDEN, "Forbidden").into_response();
    }
    (if q.v52 { "2.15.1" } else { "2.11.4" }).into_response()
}

async fn qb_preferences(State(q): State<Arc<Qbit>>, h: HeaderMap) -> Response {
    if !has_session(&q, &h) {
        return (StatusCode::FORBIDDEN, "Forbidden").into_response();
    }
    axum::Json(q.preferences.lock().unwrap().clone()).into_response()
}

async fn qb_categories(State(q): State<Arc<Qbit>>, h: HeaderMap) -> Response {
    if !has_session(&q, &h) {
        return (StatusCode::FORBIDDEN, "Forbidden").into_response();
    }
    let cats = q.categories.lock().unwrap();
    let m: serde_json::Map<String, Value> = cats
        .iter()
        .map(|c| (c.clone(), json!({"name": c, "savePath": ""})))
        .collect();
    axum::Json(Value::Object(m)).into_response()
}

async fn qb_create_category(
    State(q): State<Arc<Qbit>>,
    h: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !has_session(&q, &h) {
        return (StatusCode::FORBIDDEN, "Forbidden").into_response();
    }
    match f.get("category").filter(|c| !c.is_empty()) {
        Some(c) => {
            q.categories.lock().unwrap().insert(c.clone());
            StatusCode::OK.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "Category cannot be empty").into_response(),
    }
}

async fn serve(router: Router) -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    addr
}

pub async fn qbittorrent(dns: &SimDns, v52: bool, password: &str) -> Arc<Qbit> {
    let q = Arc::new(Qbit {
        v52,
        password: password.into(),
        preferences: Mutex::new(json!({
            "queueing_enabled": false, "max_ratio_enabled": false, "max_ratio": -1,
            "max_ratio_act": 0, "max_seeding_time_enabled": false, "max_seeding_time": -1
        })),
        ..Qbit::default()
    });
    let r = Router::new()
        .route("/api/v2/auth/login", post(qb_login))
        .route("/api/v2/app/webapiVersion", get(qb_version))
        .route("/api/v2/app/preferences", get(qb_preferences))
        .route("/api/v2/torrents/categories", get(qb_categories))
        .route("/api/v2/torrents/createCategory", post(qb_create_category))
        .with_state(q.clone());
    let addr = serve(r).await;
    dns.register("qbittorrent", "qbittorrent", 8080, addr);
    q
}

// ---- a tiny SABnzbd stand-in: /sabnzbd/api?mode=version|get_config ----

async fn sab_api(
    State(key): State<Arc<String>>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // Hostname check: the apps must send the in-cluster name we whitelisted.
    let host = h.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
    if host != "sabnzbd.media.svc.cluster.local:8080" {
        return (
            StatusCode::FORBIDDEN,
            "Access denied - Hostname verification failed",
        )
            .into_response();
    }
    match q.get("mode").map(String::as_str) {
        Some("version") => axum::Json(json!({"version": "4.5.5"})).into_response(),
        Some(_) if q.get("apikey") != Some(&*key) => {
            (StatusCode::FORBIDDEN, "API Key Incorrect").into_response()
        }
        Some("get_config") => axum::Json(json!({"config": {"misc": {}, "categories": [
            {"name": "*"}, {"name": "movies"}, {"name": "tv"}, {"name": "audio"}
        ]}}))
        .into_response(),
        _ => axum::Json(json!({"status": false, "error": "not implemented"})).into_response(),
    }
}

pub async fn sabnzbd(dns: &SimDns, key: &str) {
    let r = Router::new()
        .route("/sabnzbd/api", get(sab_api))
        .with_state(Arc::new(key.to_string()));
    let addr = serve(r).await;
    dns.register("media", "sabnzbd", 8080, addr);
}
