//! Commands (`POST /command`, `GET /command/{id}`), Prowlarr's `ApplicationIndexerSync` which
//! really pushes indexers to each application over HTTP honouring `syncLevel` (§4.3, §5), and the
//! per-indexer Newznab feed (`/{id}/api`) the applications call back when they test an indexer.

use super::conntest::{call, OutBody};
use super::http::{self, get_ci};
use super::providers::{field, field_str};
use super::state::{id_of, Collection, CommandRecord};
use super::Sim;
use crate::model::AppKind;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Commands this simulator runs. Anything else fails like the apps' `.Single()` lookup (500).
fn known_command(kind: AppKind, name: &str) -> Option<&'static str> {
    ["ApplicationIndexerSync", "CheckHealth"]
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .filter(|c| *c != "ApplicationIndexerSync" || kind == AppKind::Prowlarr)
}

pub fn create_command(sim: &Arc<Sim>, body: &[u8]) -> Response {
    let req = match http::parse_object(body) {
        Ok(m) => m,
        Err(e) => return http::bad_request(&e),
    };
    let name = get_ci(&req, "name").and_then(Value::as_str).unwrap_or("");
    let Some(name) = known_command(sim.kind(), name) else {
        return http::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sequence contains no matching element",
        );
    };
    let now = jiff::Timestamp::now();
    let rec = {
        let mut st = sim.state();
        let id = st.commands.len() as i64 + 1;
        let mut body = Value::Object(req.clone());
        body["sendUpdatesToClient"] = json!(true);
        let rec = CommandRecord {
            id,
            name: name.to_string(),
            body,
            status: "queued",
            result: "unknown",
            message: None,
            queued: now,
            started: None,
            ended: None,
        };
        st.commands.push(rec.clone());
        rec
    };
    let out = rec.to_json();
    let sim2 = sim.clone();
    tokio::spawn(async move { run_command(sim2, rec.id, name).await });
    http::json_response(StatusCode::CREATED, &out)
}

pub fn list_commands(sim: &Sim) -> Response {
    let st = sim.state();
    http::ok(&Value::Array(
        st.commands.iter().map(CommandRecord::to_json).collect(),
    ))
}

pub fn get_command(sim: &Sim, id: &str) -> Response {
    let st = sim.state();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| st.commands.iter().find(|c| c.id == id))
    {
        Some(c) => http::ok(&c.to_json()),
        None => http::not_found(),
    }
}

fn update_command(sim: &Sim, id: i64, f: impl FnOnce(&mut CommandRecord)) {
    let mut st = sim.state();
    if let Some(c) = st.commands.iter_mut().find(|c| c.id == id) {
        f(c);
    }
}

async fn run_command(sim: Arc<Sim>, id: i64, name: &'static str) {
    update_command(&sim, id, |c| {
        c.status = "started";
        c.started = Some(jiff::Timestamp::now());
    });
    let outcome = match name {
        "ApplicationIndexerSync" => sync_all(&sim, None).await,
        // Health is computed on every request; there is nothing to refresh.
        _ => Ok("Health checked".to_string()),
    };
    update_command(&sim, id, |c| {
        c.ended = Some(jiff::Timestamp::now());
        match outcome {
            Ok(m) => {
                c.status = "completed";
                c.result = "successful";
                c.message = Some(m);
            }
            Err(m) => {
                c.status = "failed";
                c.result = "unsuccessful";
                c.message = Some(m);
            }
        }
    });
}

/// Sync after an application was added or changed (Prowlarr does it right away).
pub fn spawn_sync(sim: Arc<Sim>, app_id: Option<i64>) {
    tokio::spawn(async move {
        let _ = sync_all(&sim, app_id).await;
    });
}

/// Sync every enabled application (or only `only`); `Err` lists the applications that failed.
pub async fn sync_all(sim: &Sim, only: Option<i64>) -> Result<String, String> {
    let _one_at_a_time = sim.sync_lock.lock().await;
    let kind = sim.kind();
    let (apps, indexers) = {
        let st = sim.state();
        let apps: Vec<Map<String, Value>> = st
            .list(Collection::Application)
            .iter()
            .filter(|a| Collection::Application.is_enabled(kind, a))
            .filter(|a| only.is_none() || id_of(a) == only)
            .cloned()
            .collect();
        let idx: Vec<Map<String, Value>> = st
            .list(Collection::Indexer)
            .iter()
            .filter(|i| Collection::Indexer.is_enabled(kind, i))
            .cloned()
            .collect();
        (apps, idx)
    };
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for app in &apps {
        let name = app
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let result = sync_app(sim, app, &indexers).await;
        if let Some(id) = id_of(app) {
            let mut st = sim.state();
            if result.is_ok() {
                st.failing.remove(&(Collection::Application, id));
            } else {
                st.failing.insert((Collection::Application, id));
            }
        }
        match result {
            Ok(s) => done.push(format!("{name}: {s}")),
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    if failed.is_empty() {
        Ok(if done.is_empty() {
            "No applications to sync".to_string()
        } else {
            done.join("; ")
        })
    } else {
        Err(failed.join("; "))
    }
}

/// The Prowlarr indexer id a remote indexer's `baseUrl` points at, if it points at this Prowlarr.
fn prowlarr_id_of(remote_base: &str, prowlarr_url: &str) -> Option<i64> {
    let lower = remote_base.to_ascii_lowercase();
    if prowlarr_url.is_empty() || !lower.starts_with(&prowlarr_url.to_ascii_lowercase()) {
        return None;
    }
    let re = regex::Regex::new(r"/(?P<indexer>\d{1,3})(?:/(?:api)?/?)?$").ok()?;
    re.captures(remote_base)?
        .name("indexer")?
        .as_str()
        .parse()
        .ok()
}

fn categories_of(indexer: &Map<String, Value>) -> Option<Vec<i64>> {
    let cats = indexer.get("capabilities")?.get("categories")?.as_array()?;
    let mut out = Vec::new();
    for c in cats {
        out.extend(c.get("id").and_then(Value::as_i64));
        if let Some(subs) = c.get("subCategories").and_then(Value::as_array) {
            out.extend(
                subs.iter()
                    .filter_map(|s| s.get("id").and_then(Value::as_i64)),
            );
        }
    }
    Some(out)
}

/// The indexer Prowlarr writes into an application (`BuildSonarrIndexer` and friends).
fn remote_indexer(
    app: AppKind,
    local: &Map<String, Value>,
    prowlarr_url: &str,
    prowlarr_key: &str,
    cats: &[i64],
) -> Value {
    let id = id_of(local).unwrap_or(0);
    let torrent = local.get("protocol").and_then(Value::as_str) == Some("torrent");
    let implementation = if torrent { "Torznab" } else { "Newznab" };
    let mut fields = vec![
        json!({"name": "baseUrl", "value": format!("{prowlarr_url}/{id}/")}),
        json!({"name": "apiPath", "value": "/api"}),
        json!({"name": "apiKey", "value": prowlarr_key}),
        json!({"name": "categories", "value": cats}),
    ];
    if app == AppKind::Sonarr {
        fields.push(json!({"name": "animeCategories", "value": []}));
        fields.push(json!({"name": "animeStandardFormatSearch", "value": true}));
    }
    fields.push(json!({"name": "additionalParameters", "value": ""}));
    if torrent {
        fields.push(json!({"name": "minimumSeeders", "value": 1}));
        fields.push(json!({"name": "rejectBlocklistedTorrentHashesWhileGrabbing", "value": false}));
    }
    json!({
        "name": format!("{} (Prowlarr)", local.get("name").and_then(Value::as_str).unwrap_or("Indexer")),
        "enableRss": true,
        "enableAutomaticSearch": true,
        "enableInteractiveSearch": true,
        "priority": local.get("priority").cloned().unwrap_or(json!(25)),
        "implementation": implementation,
        "implementationName": implementation,
        "configContract": format!("{implementation}Settings"),
        "protocol": if torrent { "torrent" } else { "usenet" },
        "tags": [],
        "fields": fields,
    })
}

async fn sync_app(
    sim: &Sim,
    app: &Map<String, Value>,
    indexers: &[Map<String, Value>],
) -> Result<String, String> {
    let implementation = app
        .get("implementation")
        .and_then(Value::as_str)
        .unwrap_or("");
    let target = AppKind::from_id(implementation)
        .filter(|k| k.is_servarr())
        .ok_or_else(|| format!("unsupported application {implementation}"))?;
    let ver = target.servarr_api_version().unwrap_or("v3");
    let base = field_str(app, "baseUrl").trim_end_matches('/').to_string();
    let prowlarr_url = field_str(app, "prowlarrUrl")
        .trim_end_matches('/')
        .to_string();
    let key = vec![("x-api-key", field_str(app, "apiKey"))];
    let full = app.get("syncLevel").and_then(Value::as_str) == Some("fullSync");
    let sync_cats: Vec<i64> = field(app, "syncCategories")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let url = format!("{base}/api/{ver}/indexer");

    let listed = call(sim, Method::GET, &url, &key, OutBody::None).await?;
    if listed.status != 200 {
        return Err(format!("listing indexers answered HTTP {}", listed.status));
    }
    let remote = listed
        .json()
        .and_then(|v| v.as_array().cloned())
        .ok_or("listing indexers did not return a JSON array")?;
    let mut by_pid: BTreeMap<i64, Value> = BTreeMap::new();
    for r in remote {
        let Some(obj) = r.as_object() else { continue };
        if let Some(pid) = prowlarr_id_of(&field_str(obj, "baseUrl"), &prowlarr_url) {
            by_pid.insert(pid, r.clone());
        }
    }
    let (mut added, mut updated, mut removed) = (0, 0, 0);
    for local in indexers {
        let Some(pid) = id_of(local) else { continue };
        let cats: Vec<i64> = match categories_of(local) {
            Some(own) => sync_cats
                .iter()
                .copied()
                .filter(|c| own.contains(c) || own.contains(&(c / 1000 * 1000)))
                .collect(),
            None => sync_cats.clone(),
        };
        if cats.is_empty() {
            continue;
        }
        let mut desired = remote_indexer(target, local, &prowlarr_url, &sim.cfg.api_key, &cats);
        match by_pid.remove(&pid) {
            None => {
                let r = call(
                    sim,
                    Method::POST,
                    &url,
                    &key,
                    OutBody::Json(desired.clone()),
                )
                .await?;
                let r = if r.status == 400 {
                    // Prowlarr retries a rejected add with forceSave.
                    call(
                        sim,
                        Method::POST,
                        &format!("{url}?forceSave=true"),
                        &key,
                        OutBody::Json(desired),
                    )
                    .await?
                } else {
                    r
                };
                if !r.success() {
                    return Err(format!(
                        "adding indexer answered HTTP {}: {}",
                        r.status,
                        r.text()
                    ));
                }
                added += 1;
            }
            Some(existing) if full => {
                let rid = existing.get("id").and_then(Value::as_i64).unwrap_or(0);
                desired["id"] = json!(rid);
                let r = call(
                    sim,
                    Method::PUT,
                    &format!("{url}/{rid}?forceSave=true"),
                    &key,
                    OutBody::Json(desired),
                )
                .await?;
                if !r.success() {
                    return Err(format!(
                        "updating indexer answered HTTP {}: {}",
                        r.status,
                        r.text()
                    ));
                }
                updated += 1;
            }
            Some(_) => {}
        }
    }
    if full {
        for (_, stale) in by_pid {
            let rid = stale.get("id").and_then(Value::as_i64).unwrap_or(0);
            let r = call(
                sim,
                Method::DELETE,
                &format!("{url}/{rid}"),
                &key,
                OutBody::None,
            )
            .await?;
            if r.success() {
                removed += 1;
            }
        }
    }
    Ok(format!(
        "{added} added, {updated} updated, {removed} removed"
    ))
}

/// `/{id}/api` → the Prowlarr indexer id of the Newznab feed.
pub fn feed_indexer_id(lower_path: &str) -> Option<i64> {
    let rest = lower_path.strip_prefix('/')?;
    let (id, tail) = rest.split_once('/')?;
    if !matches!(tail, "api" | "api/") || id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn xml_error(status: StatusCode, code: u16, description: &str) -> Response {
    xml(
        status,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error code=\"{code}\" description=\"{description}\" />"),
    )
}

/// The Newznab/Torznab feed of one Prowlarr indexer: `t=caps` and (empty) searches.
pub fn feed(sim: &Sim, id: i64, query: Option<&str>) -> Response {
    if http::query_param(query, "apikey").as_deref() != Some(sim.cfg.api_key.as_str()) {
        return xml_error(StatusCode::UNAUTHORIZED, 100, "Incorrect user credentials");
    }
    let indexer = sim.state().get(Collection::Indexer, id).cloned();
    let Some(indexer) = indexer else {
        return xml_error(StatusCode::NOT_FOUND, 201, "Indexer not found");
    };
    if !Collection::Indexer.is_enabled(sim.kind(), &indexer) {
        return xml_error(StatusCode::GONE, 410, "Indexer is disabled");
    }
    let Some(t) = http::query_param(query, "t") else {
        return xml_error(StatusCode::BAD_REQUEST, 200, "Missing parameter (t)");
    };
    match t.as_str() {
        "caps" => {
            let cats: String = categories_of(&indexer)
                .unwrap_or_else(|| vec![2000, 3000, 5000])
                .iter()
                .filter(|c| *c % 1000 == 0)
                .map(|c| format!("<category id=\"{c}\" name=\"{c}\" />"))
                .collect();
            xml(
                StatusCode::OK,
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<caps><server title=\"Prowlarr\" />\
                     <limits default=\"100\" max=\"100\" /><searching><search available=\"yes\" supportedParams=\"q\" />\
                     <tv-search available=\"yes\" supportedParams=\"q,season,ep\" />\
                     <movie-search available=\"yes\" supportedParams=\"q\" />\
                     <music-search available=\"yes\" supportedParams=\"q\" /></searching>\
                     <categories>{cats}</categories></caps>"
                ),
            )
        }
        "search" | "tvsearch" | "movie" | "music" => xml(
            StatusCode::OK,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{}</title></channel></rss>",
                indexer.get("name").and_then(Value::as_str).unwrap_or("")
            ),
        ),
        _ => xml_error(StatusCode::BAD_REQUEST, 202, "No such function"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_its_own_indexers() {
        let p = "http://prowlarr:9696/prowlarr";
        assert_eq!(
            prowlarr_id_of("http://prowlarr:9696/prowlarr/12/", p),
            Some(12)
        );
        assert_eq!(
            prowlarr_id_of("http://prowlarr:9696/prowlarr/3/api", p),
            Some(3)
        );
        assert_eq!(prowlarr_id_of("http://other:9696/3/", p), None);
        assert_eq!(feed_indexer_id("/7/api"), Some(7));
        assert_eq!(feed_indexer_id("/api/v1/x"), None);
    }
}
