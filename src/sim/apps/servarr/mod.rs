//! Simulator of the Servarr family — Sonarr, Radarr (`/api/v3`), Lidarr, Prowlarr (`/api/v1`) —
//! as ONE simulator parameterised by [`AppKind`]. Per-app differences (field names, categories,
//! Prowlarr applications, Lidarr root-folder properties) are data in [`schema`] and [`seeds`].
//!
//! Request pipeline, in the apps' order (§1.1, §1.7): API-key auth on `/api/*` (401, empty body),
//! then the URL-base redirect (307 to the prefixed path), then case-insensitive routing; every
//! `/api` answer carries `X-Application-Version`.
//!
//! Modules: [`http`] wire conventions, [`state`] the one locked state, [`seeds`] Fresh/Wired/
//! Miswired, [`system`] status + computed health, [`providers`] download clients / indexers /
//! applications, [`conntest`] live connection tests over HTTP (through [`SimDns`]),
//! [`outbound`] calls into the simulated cluster, [`rootfolder`], [`prowlarr`] commands, indexer sync and the Newznab feed.

pub mod conntest;
pub mod http;
pub mod outbound;
pub mod providers;
pub mod prowlarr;
pub mod rootfolder;
pub mod schema;
pub mod seeds;
pub mod state;
pub mod system;
pub mod validate;

use super::{AppSimConfig, Faults, SimDns};
use crate::model::AppKind;
use axum::{
    extract::{Request, State as AxState},
    http::{HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use bytes::Bytes;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// One running Servarr simulator: configuration, name resolution, state, outbound HTTP client.
pub struct Sim {
    pub cfg: AppSimConfig,
    pub dns: SimDns,
    state: Mutex<state::State>,
    /// For connection tests and Prowlarr's sync; never follows redirects.
    pub http: reqwest::Client,
    pub started: jiff::Timestamp,
    /// Prowlarr runs one indexer sync at a time (its command queue serialises them).
    pub sync_lock: tokio::sync::Mutex<()>,
}

impl Sim {
    pub fn new(cfg: AppSimConfig, dns: SimDns) -> Arc<Sim> {
        let st = seeds::seed(&cfg);
        crate::init_tls();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Arc::new(Sim {
            cfg,
            dns,
            state: Mutex::new(st),
            http,
            started: jiff::Timestamp::now(),
            sync_lock: tokio::sync::Mutex::new(()),
        })
    }

    pub fn kind(&self) -> AppKind {
        self.cfg.kind
    }

    /// `v3` or `v1`.
    pub fn api_version(&self) -> &'static str {
        self.cfg.kind.servarr_api_version().unwrap_or("v3")
    }

    /// The state lock. Never held across an `.await`.
    pub fn state(&self) -> MutexGuard<'_, state::State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

/// The axum router of one Servarr app.
pub fn router(cfg: &AppSimConfig, dns: &SimDns) -> Router {
    let sim = Sim::new(cfg.clone(), dns.clone());
    Router::new().fallback(handle).with_state(sim)
}

async fn handle(AxState(sim): AxState<Arc<Sim>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let faults = parts
        .extensions
        .get::<Faults>()
        .cloned()
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let (prefixed, rest) = http::strip_url_base(&sim.cfg.url_base, &path);
    let lower = rest.to_ascii_lowercase();
    let api = http::is_api(&lower);

    // Prowlarr's per-indexer Newznab feed authenticates itself (apikey in the query).
    let feed = sim.kind() == AppKind::Prowlarr && prowlarr::feed_indexer_id(&lower).is_some();
    if api && !feed && !http::is_anonymous(&lower) {
        let key = http::presented_key(query.as_deref(), &parts.headers);
        let want = faults
            .config_key
            .as_deref()
            .unwrap_or(sim.cfg.api_key.as_str());
        if key.as_deref() != Some(want) {
            return with_version(&sim, http::unauthorized());
        }
    }
    if !prefixed {
        let r = http::redirect_to_base(&sim.cfg.url_base, &path, query.as_deref());
        return if api { with_version(&sim, r) } else { r };
    }
    let body = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return http::error(StatusCode::BAD_REQUEST, "Unable to read request body"),
    };
    let resp = if let Some(id) = feed.then(|| prowlarr::feed_indexer_id(&lower)).flatten() {
        prowlarr::feed(&sim, id, query.as_deref())
    } else {
        route(
            &sim,
            &parts.method,
            rest,
            &lower,
            query.as_deref(),
            body,
            &faults,
        )
        .await
    };
    if api {
        with_version(&sim, resp)
    } else {
        resp
    }
}

fn with_version(sim: &Sim, mut r: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&sim.cfg.version) {
        r.headers_mut().insert("x-application-version", v);
    }
    r
}

async fn route(
    sim: &Arc<Sim>,
    method: &Method,
    path: &str,
    lower: &str,
    query: Option<&str>,
    body: Bytes,
    faults: &Faults,
) -> Response {
    let is_read = method == Method::GET || method == Method::HEAD;
    match lower {
        "/ping" if is_read => return http::ok(&json!({"status": "OK"})),
        "/" if is_read => {
            return (
                [(axum::http::header::CONTENT_TYPE, "text/html")],
                format!(
                    "<!doctype html><html><head><title>{}</title></head><body></body></html>",
                    sim.kind().display()
                ),
            )
                .into_response()
        }
        "/api" | "/api/" if is_read => {
            return http::ok(&json!({"current": sim.api_version(), "deprecated": []}))
        }
        _ => {}
    }
    let prefix = format!("/api/{}/", sim.api_version());
    let Some(below) = lower.strip_prefix(&prefix) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Original-case segments (ids are digits; names do not matter for routing).
    let orig: Vec<&str> = path[prefix.len()..]
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let segs: Vec<&str> = below.split('/').filter(|s| !s.is_empty()).collect();
    let kind = sim.kind();
    let collection = segs
        .first()
        .and_then(|c| state::Collection::from_segment(kind, c));
    if let Some(coll) = collection {
        return providers::handle(sim, coll, method, &orig[1..], query, &body).await;
    }
    match (method.clone(), segs.as_slice()) {
        (Method::GET, ["system", "status"]) => system::status(sim),
        (Method::GET, ["health"]) => system::health(sim, faults),
        (_, ["rootfolder", ..]) if kind != AppKind::Prowlarr => {
            rootfolder::handle(sim, method, &orig[1..], &body)
        }
        (Method::GET, ["qualityprofile", rest @ ..]) if kind != AppKind::Prowlarr => {
            list_or_item(&sim.state().quality_profiles, rest)
        }
        (Method::GET, ["metadataprofile", rest @ ..]) if kind == AppKind::Lidarr => {
            list_or_item(&sim.state().metadata_profiles, rest)
        }
        (Method::GET, ["appprofile", rest @ ..]) if kind == AppKind::Prowlarr => {
            list_or_item(&sim.state().app_profiles, rest)
        }
        (Method::GET, ["tag", rest @ ..]) => list_or_item(&sim.state().tags, rest),
        (Method::POST, ["command"]) => prowlarr::create_command(sim, &body),
        (Method::GET, ["command"]) => prowlarr::list_commands(sim),
        (Method::GET, ["command", id]) => prowlarr::get_command(sim, id),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /thing` → the list; `GET /thing/{id}` → one element or 404.
fn list_or_item(list: &[Value], rest: &[&str]) -> Response {
    match rest {
        [] => http::ok(&Value::Array(list.to_vec())),
        [id] => match id.parse::<i64>() {
            Ok(id) => list
                .iter()
                .find(|v| v.get("id").and_then(Value::as_i64) == Some(id))
                .map(http::ok)
                .unwrap_or_else(http::not_found),
            Err(_) => http::not_found(),
        },
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
