//! `system/status` (§1.3) and `health` (§1.4), the latter computed from the current state.

use super::state::{id_of, Collection, State};
use super::{http, Sim};
use crate::model::AppKind;
use crate::sim::apps::Faults;
use axum::response::Response;
use serde_json::{json, Value};

pub fn status(sim: &Sim) -> Response {
    let kind = sim.kind();
    let version = &sim.cfg.version;
    let (branch, migration) = match kind {
        AppKind::Sonarr => ("main", 215),
        AppKind::Radarr => ("master", 241),
        AppKind::Lidarr => ("master", 81),
        _ => ("master", 43),
    };
    let lower = kind.id();
    http::ok(&json!({
        "appName": kind.display(),
        "instanceName": kind.display(),
        "version": version,
        "buildTime": "2026-01-05T00:00:00Z",
        "isDebug": false,
        "isProduction": true,
        "isAdmin": false,
        "isUserInteractive": false,
        "startupPath": format!("/app/{lower}/bin"),
        "appData": "/config",
        "osName": "alpine",
        "osVersion": "3.22.2",
        "isNetCore": true,
        "isLinux": true,
        "isOsx": false,
        "isWindows": false,
        "isDocker": true,
        "mode": "console",
        "branch": branch,
        "authentication": "forms",
        "databaseType": "sqLite",
        "databaseVersion": "3.49.2",
        "migrationVersion": migration,
        "urlBase": sim.cfg.url_base,
        "runtimeVersion": "8.0.21",
        "runtimeName": ".NET",
        "startTime": sim.started.to_string(),
        "packageVersion": format!("{version}-ls300"),
        "packageAuthor": "[linuxserver.io](https://linuxserver.io)",
        "packageUpdateMechanism": "docker",
    }))
}

/// The wiki page health messages link to (Radarr's and Prowlarr's base already ends in `#`,
/// so every app's links look alike: `https://wiki.servarr.com/<app>/system#<fragment>`).
fn wiki(kind: AppKind, fragment: &str) -> String {
    format!("https://wiki.servarr.com/{}/system#{fragment}", kind.id())
}

fn issue(kind: AppKind, source: &str, ty: &str, message: String, fragment: &str) -> Value {
    json!({
        "id": 0,
        "source": source,
        "type": ty,
        "message": message,
        "wikiUrl": wiki(kind, fragment),
    })
}

/// (enabled providers, names of the enabled ones whose last test failed).
fn names_failing(kind: AppKind, st: &State, c: Collection) -> (usize, Vec<String>) {
    let enabled: Vec<_> = st
        .list(c)
        .iter()
        .filter(|r| c.is_enabled(kind, r))
        .collect();
    let failing: Vec<String> = enabled
        .iter()
        .filter(|r| id_of(r).is_some_and(|id| st.failing.contains(&(c, id))))
        .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    (enabled.len(), failing)
}

/// Only failing checks, like the real apps (a healthy instance answers `[]`).
pub fn compute(kind: AppKind, api_key: &str, st: &State, faults: &Faults) -> Vec<Value> {
    let mut out = Vec::new();
    if api_key.len() < 20 {
        out.push(issue(
            kind,
            "ApiKeyValidationCheck",
            "warning",
            "Please update your API key to be at least 20 characters long. You can do this via settings or the config file"
                .into(),
            "api-key-validation-check",
        ));
    }
    let enabled = |c: Collection| st.list(c).iter().any(|r| c.is_enabled(kind, r));
    let app = kind.display();
    if kind != AppKind::Prowlarr {
        let indexer_flag = |flag: &str| {
            st.list(Collection::Indexer)
                .iter()
                .any(|r| r.get(flag).and_then(Value::as_bool).unwrap_or(false))
        };
        if !indexer_flag("enableRss") {
            out.push(issue(
                kind,
                "IndexerRssCheck",
                "error",
                format!("No indexers available with RSS sync enabled, {app} will not grab new releases automatically"),
                &format!("no-indexers-available-with-rss-sync-enabled-{}-will-not-grab-new-releases-automatically", kind.id()),
            ));
        }
        if !indexer_flag("enableAutomaticSearch") {
            out.push(issue(
                kind,
                "IndexerSearchCheck",
                "warning",
                "No indexers available with Automatic Search enabled, Sonarr will not provide any automatic search results"
                    .replace("Sonarr", app),
                "no-indexers-available-with-automatic-search-enabled",
            ));
        }
        if !enabled(Collection::DownloadClient) {
            out.push(issue(
                kind,
                "DownloadClientCheck",
                "warning",
                "No download client is available".into(),
                "no-download-client-is-available",
            ));
        }
        for rf in &st.root_folders {
            let path = rf.get("path").and_then(Value::as_str).unwrap_or("");
            if !st.path_exists(path) {
                out.push(issue(
                    kind,
                    "RootFolderCheck",
                    "error",
                    format!("Missing root folder: {path}"),
                    "missing-root-folder",
                ));
            }
        }
    }
    for (c, source, fragment) in [
        (
            Collection::DownloadClient,
            "DownloadClientStatusCheck",
            "download-clients-are-unavailable-due-to-failures",
        ),
        (
            Collection::Indexer,
            "IndexerStatusCheck",
            "indexers-are-unavailable-due-to-failures",
        ),
        (
            Collection::Application,
            "ApplicationStatusCheck",
            "applications-are-unavailable-due-to-failures",
        ),
    ] {
        let (total, failing) = names_failing(kind, st, c);
        if failing.is_empty() {
            continue;
        }
        let noun = c.noun();
        let (ty, msg) = if failing.len() == total {
            (
                "error",
                format!(
                    "All {} are unavailable due to failures",
                    noun.to_lowercase()
                ),
            )
        } else {
            (
                "warning",
                format!(
                    "{noun} are unavailable due to failures: {}",
                    failing.join(", ")
                ),
            )
        };
        out.push(issue(kind, source, ty, msg, fragment));
    }
    if let Some(m) = &faults.health_message {
        out.push(issue(kind, "HostileCheck", "warning", m.clone(), "hostile"));
    }
    if faults.health_errors {
        out.push(issue(
            kind,
            "MountCheck",
            "error",
            "Mount containing a series path is mounted read-only: /data".into(),
            "mount-containing-a-series-path-is-mounted-read-only",
        ));
        out.push(issue(
            kind,
            "UpdateCheck",
            "error",
            format!("Cannot install update because startup folder '/app/{}/bin' is not writable by the user 'abc'.", kind.id()),
            "cannot-install-update-because-startup-folder-is-not-writable-by-the-user",
        ));
    }
    out
}

pub fn health(sim: &Sim, faults: &Faults) -> Response {
    let issues = compute(sim.kind(), &sim.cfg.api_key, &sim.state(), faults);
    http::ok(&Value::Array(issues))
}
