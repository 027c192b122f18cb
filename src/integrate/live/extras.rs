//! What the integrations pane shows beside the edges: indexer counts per app, root folders
//! (accessible, free space) and the apps' own health messages about download clients,
//! indexers, root folders and Prowlarr applications. Read through the same backend (and
//! snapshot) as the plan, so nothing is read twice.

use super::backend::HttpBackend;
use super::servarr::get;
use crate::clients::servarr::HealthResource;
use crate::model::{AppKind, HealthIssue, Inventory, ServiceId};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexerCount {
    pub app: ServiceId,
    pub kind: AppKind,
    /// Indexers the app has (for Sonarr/Radarr/Lidarr: synced from Prowlarr).
    pub count: usize,
    pub enabled: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootFolderInfo {
    pub app: ServiceId,
    pub kind: AppKind,
    pub path: String,
    pub accessible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_space: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppMessage {
    pub app: ServiceId,
    pub kind: AppKind,
    #[serde(flatten)]
    pub issue: HealthIssue,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extras {
    pub indexers: Vec<IndexerCount>,
    pub root_folders: Vec<RootFolderInfo>,
    pub health: Vec<AppMessage>,
    /// Reads that failed (`sonarr: …`), for the user.
    pub errors: Vec<String>,
}

/// Health sources (or words) that concern the integration graph.
pub fn is_integration_message(source: &str, message: &str) -> bool {
    let s = source.to_ascii_lowercase();
    let m = message.to_ascii_lowercase();
    [
        "downloadclient",
        "indexer",
        "rootfolder",
        "application",
        "importmechanism",
    ]
    .iter()
    .any(|w| s.contains(w))
        || ["download client", "indexer", "root folder"]
            .iter()
            .any(|w| m.contains(w))
}

pub async fn read(b: &HttpBackend, inv: &Inventory) -> Extras {
    let apps: Vec<_> = inv
        .services
        .iter()
        .filter(|s| s.kind.is_servarr() && b.servarr(&s.id).is_ok())
        .collect();
    let per_app = apps.iter().map(|svc| async move {
        let mut out = Extras::default();
        let name = svc.id.to_string();
        match get(b, &svc.id, "indexer").await {
            Ok(Value::Array(list)) => out.indexers.push(IndexerCount {
                app: svc.id.clone(),
                kind: svc.kind,
                count: list.len(),
                enabled: list
                    .iter()
                    .filter(|i| {
                        i["enable"].as_bool() == Some(true)
                            || i["enableRss"].as_bool() == Some(true)
                    })
                    .count(),
            }),
            Ok(_) => out
                .errors
                .push(format!("{name}: indexer list is not a list")),
            Err(e) => out.errors.push(format!("{name}: indexers: {}", e.detail)),
        }
        if svc.kind != AppKind::Prowlarr {
            match get(b, &svc.id, "rootfolder").await {
                Ok(Value::Array(list)) => {
                    out.root_folders.extend(list.iter().map(|r| RootFolderInfo {
                        app: svc.id.clone(),
                        kind: svc.kind,
                        path: r["path"].as_str().unwrap_or("").to_string(),
                        accessible: r["accessible"].as_bool().unwrap_or(false),
                        free_space: r["freeSpace"].as_i64(),
                    }))
                }
                Ok(_) => out.errors.push(format!("{name}: rootfolder is not a list")),
                Err(e) => out
                    .errors
                    .push(format!("{name}: root folders: {}", e.detail)),
            }
        }
        match get(b, &svc.id, "health").await {
            Ok(v @ Value::Array(_)) => {
                let list: Vec<HealthResource> = serde_json::from_value(v).unwrap_or_default();
                for issue in list.iter().map(HealthResource::to_issue) {
                    if is_integration_message(&issue.source, &issue.message) {
                        out.health.push(AppMessage {
                            app: svc.id.clone(),
                            kind: svc.kind,
                            issue,
                        });
                    }
                }
            }
            Ok(_) => out.errors.push(format!("{name}: health is not a list")),
            Err(e) => out.errors.push(format!("{name}: health: {}", e.detail)),
        }
        out
    });
    let mut all = Extras::default();
    for e in futures::future::join_all(per_app).await {
        all.indexers.extend(e.indexers);
        all.root_folders.extend(e.root_folders);
        all.health.extend(e.health);
        all.errors.extend(e.errors);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_messages_about_the_graph() {
        assert!(is_integration_message("DownloadClientCheck", "x"));
        assert!(is_integration_message("IndexerRssCheck", "x"));
        assert!(is_integration_message("", "Missing root folder: /tv"));
        assert!(!is_integration_message(
            "UpdateCheck",
            "New update is available"
        ));
    }
}
