//! Live connection tests: what the apps do on the wire when a provider is saved or tested.
//! Every call really connects, resolving in-cluster names through [`SimDns`](crate::sim::apps::SimDns)
//! from the app's namespace, and sending the original `Host` header (SABnzbd's host check and
//! qBittorrent's host validation see what they would see in the cluster).
//!
//! Simplification: Prowlarr's application test calls `system/status` (auth, URL base and
//! `X-Application-Version`, §4.2 steps 3–4); it does not run the indexer round trip of steps 1–2.

use super::http::Failure;
pub use super::outbound::{call, OutBody, OutResp};
use super::providers::{field, field_str};
use super::state::Collection;
use super::validate::pascal;
use super::Sim;
use crate::clients::servarr::category_field;
use crate::model::AppKind;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{Map, Value};

/// `1.2.3` ≥ `1.2`? Non-numeric parts count as 0.
pub fn version_at_least(v: &str, min: &str) -> bool {
    let parse = |s: &str| -> Vec<u64> {
        s.trim_start_matches('v')
            .split(['.', '-'])
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parse(v), parse(min));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    true
}

/// `{scheme}://host:port{urlBase}` of a download client resource.
fn client_base(r: &Map<String, Value>) -> String {
    let ssl = field(r, "useSsl").and_then(Value::as_bool).unwrap_or(false);
    let base = crate::clients::transport::normalize_url_base(&field_str(r, "urlBase"));
    format!(
        "{}://{}:{}{}",
        if ssl { "https" } else { "http" },
        field_str(r, "host").trim(),
        field_str(r, "port"),
        base
    )
}

/// Run the live test of a provider resource; empty = passed. Warnings are marked as such.
pub async fn test(sim: &Sim, _c: Collection, r: &Map<String, Value>) -> Vec<Failure> {
    let implementation = r
        .get("implementation")
        .and_then(Value::as_str)
        .unwrap_or("");
    match implementation {
        "QBittorrent" => qbittorrent(sim, r).await,
        "Sabnzbd" => sabnzbd(sim, r).await,
        "Newznab" | "Torznab" => newznab(sim, r).await,
        "Cardigann" => cardigann(sim, r).await,
        "Sonarr" | "Radarr" | "Lidarr" => application(sim, implementation, r).await,
        other => vec![Failure::error(
            "Implementation",
            format!("No test available for '{other}'"),
        )],
    }
}

fn session_cookie(h: &HeaderMap) -> Option<String> {
    h.get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next())
        .find(|kv| kv.starts_with("SID=") || kv.starts_with("QBT_SID_"))
        .map(str::to_string)
}

async fn qbittorrent(sim: &Sim, r: &Map<String, Value>) -> Vec<Failure> {
    let base = client_base(r);
    let cat_field = category_field(sim.kind());
    let cat = field_str(r, cat_field);
    let api_key = field_str(r, "apiKey");
    let unreachable = |why: String| {
        vec![Failure::error(
            "Host",
            format!("Unable to connect to qBittorrent: {why}"),
        )]
    };
    let version_url = format!("{base}/api/v2/app/webapiVersion");
    // 1. API detection without auth: 403 means WebAPI v2 is there.
    match call(sim, Method::GET, &version_url, &[], OutBody::None).await {
        Err(e) => return unreachable(e),
        Ok(p) if p.status == 404 => {
            return unreachable("WebAPI v2 not found (404), check the URL base".into())
        }
        Ok(p) if p.status == 401 => {
            return unreachable(format!("request rejected: 401 {}", p.text()))
        }
        Ok(_) => {}
    }
    // 2. Authenticate: Bearer API key (qBittorrent ≥ 5.2) or login for a session cookie.
    let mut auth: Vec<(&str, String)> = Vec::new();
    if !api_key.is_empty() {
        auth.push(("authorization", format!("Bearer {api_key}")));
    } else {
        let form = vec![
            ("username".to_string(), field_str(r, "username")),
            ("password".to_string(), field_str(r, "password")),
        ];
        let login = match call(
            sim,
            Method::POST,
            &format!("{base}/api/v2/auth/login"),
            &[],
            OutBody::Form(form),
        )
        .await
        {
            Ok(l) => l,
            Err(e) => return unreachable(e),
        };
        let text = login.text();
        match login.status {
            200 if text == "Ok." || text.is_empty() => {}
            204 => {}
            200 | 401 => return vec![Failure::error("Username", "Authentication failure")],
            403 => {
                return vec![Failure::error(
                    "Username",
                    format!("Unable to authenticate: {text}"),
                )]
            }
            s => return unreachable(format!("login answered HTTP {s}")),
        }
        if let Some(c) = session_cookie(&login.headers) {
            auth.push(("cookie", c));
        }
    }
    // 3. WebAPI version with the session.
    let v = match call(sim, Method::GET, &version_url, &auth, OutBody::None).await {
        Ok(v) => v,
        Err(e) => return unreachable(e),
    };
    match v.status {
        200 => {}
        401 | 403 => return vec![Failure::error("Username", "Authentication failure")],
        s => return unreachable(format!("webapiVersion answered HTTP {s}")),
    }
    let version = v.text();
    if !version_at_least(&version, "1.5") {
        return vec![Failure::error(
            "Host",
            format!("qBittorrent WebAPI {version} is too old, 1.5 or newer is required"),
        )];
    }
    // 4. Preferences: torrents must not be removed before the app imports them, and a
    //    non-default priority needs queueing.
    let prefs = match call(
        sim,
        Method::GET,
        &format!("{base}/api/v2/app/preferences"),
        &auth,
        OutBody::None,
    )
    .await
    {
        Ok(p) if p.status == 200 => p.json().unwrap_or(Value::Null),
        Ok(p) => return unreachable(format!("preferences answered HTTP {}", p.status)),
        Err(e) => return unreachable(e),
    };
    if let Some(f) = removes_torrents_early(&prefs) {
        return vec![f];
    }
    let prioritised = r
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.ends_with("Priority") || n == "priority")
        })
        .any(|f| f.get("value").and_then(Value::as_i64) == Some(1));
    if prioritised && prefs.get("queueing_enabled") != Some(&Value::Bool(true)) {
        return vec![Failure::error(
            "",
            "Queueing not enabled: Torrent Queueing is not enabled in your qBittorrent settings. Enable it in qBittorrent or select 'Last' as priority.",
        )];
    }
    // 5. Category: recommended; created in qBittorrent when missing.
    if cat.is_empty() {
        return vec![Failure::warning(
            &pascal(cat_field),
            "Category is recommended",
        )];
    }
    let cats = match call(
        sim,
        Method::GET,
        &format!("{base}/api/v2/torrents/categories"),
        &auth,
        OutBody::None,
    )
    .await
    {
        Ok(c) if c.status == 200 => c.json().unwrap_or(Value::Null),
        Ok(c) => return unreachable(format!("categories answered HTTP {}", c.status)),
        Err(e) => return unreachable(e),
    };
    if cats.get(&cat).is_none() {
        let form = vec![
            ("category".to_string(), cat.clone()),
            ("savePath".to_string(), String::new()),
        ];
        match call(
            sim,
            Method::POST,
            &format!("{base}/api/v2/torrents/createCategory"),
            &auth,
            OutBody::Form(form),
        )
        .await
        {
            Ok(c) if c.success() => {}
            Ok(c) => {
                return vec![Failure::error(
                    &pascal(cat_field),
                    format!(
                        "Failed to create category '{cat}': HTTP {} {}",
                        c.status,
                        c.text()
                    ),
                )]
            }
            Err(e) => return unreachable(e),
        }
    }
    Vec::new()
}

/// qBittorrent set to remove (or delete) torrents at a ratio or within 14 days of seeding.
fn removes_torrents_early(prefs: &Value) -> Option<Failure> {
    let flag = |k: &str| prefs.get(k).and_then(Value::as_bool).unwrap_or(false);
    let removes = matches!(
        prefs.get("max_ratio_act").and_then(Value::as_i64),
        Some(1 | 3)
    );
    if !removes {
        return None;
    }
    let seeding_minutes = prefs
        .get("max_seeding_time")
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    if flag("max_ratio_enabled") {
        return Some(Failure::error(
            "",
            "qBittorrent is configured to remove torrents when they reach their Share Ratio Limit",
        ));
    }
    if flag("max_seeding_time_enabled") && seeding_minutes < 14 * 24 * 60 {
        return Some(Failure::error(
            "",
            "qBittorrent is configured to remove torrents when they reach their Seeding Time Limit",
        ));
    }
    None
}

async fn sabnzbd(sim: &Sim, r: &Map<String, Value>) -> Vec<Failure> {
    let base = client_base(r);
    let key = field_str(r, "apiKey");
    let cat_field = category_field(sim.kind());
    let cat = field_str(r, cat_field);
    let url = |mode: &str| {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("mode", mode)
            .append_pair("apikey", &key)
            .append_pair("output", "json")
            .finish();
        format!("{base}/api?{q}")
    };
    let host_fail = |why: String| {
        vec![Failure::error(
            "Host",
            format!("Unable to connect to SABnzbd, {why}"),
        )]
    };
    let v = match call(sim, Method::GET, &url("version"), &[], OutBody::None).await {
        Ok(v) => v,
        Err(e) => return host_fail(e),
    };
    if v.status != 200 {
        return host_fail(format!("HTTP {} {}", v.status, v.text()));
    }
    let Some(version) = v
        .json()
        .and_then(|j| j.get("version").and_then(Value::as_str).map(str::to_string))
    else {
        return host_fail("the answer is not SABnzbd's (check host and URL base)".into());
    };
    let mut out = Vec::new();
    if version == "develop" {
        out.push(Failure::warning(
            "Version",
            "SABnzbd develop version, assuming version 3.0.0 or higher.",
        ));
    } else if !version_at_least(&version, "0.7.0") {
        return vec![Failure::error(
            "Version",
            format!("Version 0.7.0+ is required, but found: {version}"),
        )];
    }
    let c = match call(sim, Method::GET, &url("get_config"), &[], OutBody::None).await {
        Ok(c) => c,
        Err(e) => return host_fail(e),
    };
    let text = c.text();
    let json = c.json();
    let error = if c.status == 403 || text.to_ascii_lowercase().starts_with("error") {
        Some(text.clone())
    } else {
        json.as_ref()
            .filter(|j| j.get("status") == Some(&Value::Bool(false)))
            .map(|j| {
                j.get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("error")
                    .to_string()
            })
    };
    if let Some(e) = error {
        let prop = if e.contains("API Key") {
            "ApiKey"
        } else {
            "Host"
        };
        return vec![Failure::error(prop, e)];
    }
    if c.status != 200 {
        return host_fail(format!("get_config answered HTTP {}", c.status));
    }
    let names: Vec<String> = json
        .as_ref()
        .and_then(|j| j.pointer("/config/categories"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if cat.is_empty() {
        out.push(Failure::warning(
            &pascal(cat_field),
            "A category is recommended",
        ));
    } else if !names.iter().any(|n| n.eq_ignore_ascii_case(&cat)) {
        out.push(Failure::error(
            &pascal(cat_field),
            format!("Category '{cat}' does not exist in SABnzbd; create it there first"),
        ));
    }
    out
}

async fn newznab(sim: &Sim, r: &Map<String, Value>) -> Vec<Failure> {
    let base = field_str(r, "baseUrl");
    let path = field_str(r, "apiPath");
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("t", "caps")
        .append_pair("apikey", &field_str(r, "apiKey"))
        .finish();
    let url = format!(
        "{}{}?{q}",
        base.trim_end_matches('/'),
        if path.is_empty() {
            "/api".to_string()
        } else {
            format!("/{}", path.trim_start_matches('/'))
        }
    );
    match call(sim, Method::GET, &url, &[], OutBody::None).await {
        Err(e) => vec![Failure::error(
            "BaseUrl",
            format!("Unable to connect to indexer: {e}"),
        )],
        Ok(c) if c.status == 401 || c.status == 403 => {
            vec![Failure::error("ApiKey", "Invalid API Key")]
        }
        Ok(c) if c.status != 200 => vec![Failure::error(
            "BaseUrl",
            format!("Unable to connect to indexer, HTTP {}", c.status),
        )],
        Ok(c) if !c.text().contains("<caps") => vec![Failure::error(
            "BaseUrl",
            "Indexer answered, but not with a Newznab/Torznab capabilities document",
        )],
        Ok(_) => Vec::new(),
    }
}

async fn cardigann(sim: &Sim, r: &Map<String, Value>) -> Vec<Failure> {
    let base = field_str(r, "baseUrl");
    if base.is_empty() {
        return vec![Failure::error(
            "BaseUrl",
            "Unable to connect to indexer: no URL",
        )];
    }
    match call(sim, Method::GET, &base, &[], OutBody::None).await {
        Ok(c) if c.success() => Vec::new(),
        Ok(c) => vec![Failure::error(
            "BaseUrl",
            format!("Unable to connect to indexer, HTTP {}", c.status),
        )],
        Err(e) => vec![Failure::error(
            "BaseUrl",
            format!("Unable to connect to indexer: {e}"),
        )],
    }
}

/// Minimum versions Prowlarr accepts (§4.2).
fn min_version(app: AppKind, version: &str) -> &'static str {
    match app {
        AppKind::Sonarr => "3.0.5",
        AppKind::Radarr if version_at_least(version, "4.0.0") => "4.0.4",
        AppKind::Radarr => "3.1.1",
        _ => "1.0.2",
    }
}

/// Prowlarr → Sonarr/Radarr/Lidarr application test.
async fn application(sim: &Sim, implementation: &str, r: &Map<String, Value>) -> Vec<Failure> {
    let Some(app) = AppKind::from_id(implementation) else {
        return vec![Failure::error("Implementation", "unknown application")];
    };
    let name = app.display();
    let ver = app.servarr_api_version().unwrap_or("v3");
    let base = field_str(r, "baseUrl");
    let url = format!("{}/api/{ver}/system/status", base.trim_end_matches('/'));
    let key = field_str(r, "apiKey");
    let resp = match call(sim, Method::GET, &url, &[("x-api-key", key)], OutBody::None).await {
        Ok(x) => x,
        Err(e) => {
            return vec![Failure::error(
                "BaseUrl",
                format!("Unable to complete application test, cannot connect to {name}. {e}"),
            )]
        }
    };
    match resp.status {
        200..=299 => {}
        401 => return vec![Failure::error("ApiKey", "API Key is invalid")],
        400 => {
            return vec![Failure::error(
                "ProwlarrUrl",
                format!("Prowlarr URL is invalid, {name} cannot connect to Prowlarr"),
            )]
        }
        301..=303 | 307 | 308 => {
            return vec![Failure::error(
                "BaseUrl",
                format!(
                    "{name} returned redirect to {} and is invalid, are you missing a URL base?",
                    resp.header("location").unwrap_or("?")
                ),
            )]
        }
        404 => {
            return vec![Failure::error(
                "BaseUrl",
                format!("{name} URL is invalid, Prowlarr cannot connect to {name}. {name} v2 is not supported."),
            )]
        }
        s => {
            return vec![Failure::error(
                "BaseUrl",
                format!("Unable to complete application test, {name} answered HTTP {s}"),
            )]
        }
    }
    let Some(version) = resp.header("x-application-version").map(str::to_string) else {
        return vec![Failure::error(
            "BaseUrl",
            format!("Failed to fetch {name} version"),
        )];
    };
    let min = min_version(app, &version);
    if !version_at_least(&version, min) {
        return vec![Failure::error(
            "BaseUrl",
            format!("{name} version {version} is not supported, {min} or newer is required"),
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("2.11.4", "1.5"));
        assert!(!version_at_least("1.4.9", "1.5"));
        assert!(version_at_least("v5.1.4", "5.1.4"));
        assert!(version_at_least("4.0.19.2979", "3.0.5"));
        assert!(!version_at_least("0.6.9", "0.7.0"));
    }
}
