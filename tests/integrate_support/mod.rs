//! Shared by the integrate tests: known secrets for the target cluster and an in-memory backend
//! that keeps the apps' rules that matter to the planner (Servarr masks secrets on read and
//! keeps the stored value when `********` comes back; names must be unique; Seerr ids start at
//! 0; Bazarr casts form values).
#![allow(dead_code)]

use async_trait::async_trait;
use k8s_nas::integrate::edge::SERVARR_MASK;
use k8s_nas::integrate::*;
use k8s_nas::keys::WireJson;
use k8s_nas::model::{AppError, AppErrorKind, Secret, ServiceId};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

pub const SONARR_KEY: &str = "0123456789abcdef0123456789abcdef";
pub const RADARR_KEY: &str = "fedcba9876543210fedcba9876543210";
pub const LIDARR_KEY: &str = "aaaa5555bbbb6666cccc7777dddd8888";
pub const SAB_KEY: &str = "5ab5ab5ab5ab5ab5ab5ab5ab5ab5ab5a";
pub const QBT_PASSWORD: &str = "hunter2-but-longer";

pub fn secrets() -> KnownSecrets {
    let mut s = KnownSecrets::default();
    for (k, v) in [
        ("SONARR_API_KEY", SONARR_KEY),
        ("RADARR_API_KEY", RADARR_KEY),
        ("LIDARR_API_KEY", LIDARR_KEY),
        ("SABNZBD_API_KEY", SAB_KEY),
    ] {
        s.refs
            .insert(SecretRef::new("media", "starr-secrets", k), Secret::new(v));
    }
    s.refs.insert(
        SecretRef::new("qbittorrent", "qbittorrent-secrets", "WEBUI_PASSWORD"),
        Secret::new(QBT_PASSWORD),
    );
    s
}

#[derive(Default)]
pub struct State {
    /// Download clients per *arr app; applications for Prowlarr. Stored unmasked.
    pub providers: BTreeMap<ServiceId, Vec<Value>>,
    pub root_folders: BTreeMap<ServiceId, Vec<Value>>,
    /// Jellyseerr servers per target kind id (`sonarr`, `radarr`).
    pub seerr_servers: BTreeMap<String, Vec<Value>>,
    pub seerr_jellyfin: Value,
    pub bazarr: Value,
    pub next_id: i64,
}

#[derive(Default)]
pub struct FakeNas {
    pub state: Mutex<State>,
    /// Apps (`from` ids) whose writes fail with 500.
    pub fail_writes: Mutex<BTreeSet<ServiceId>>,
    /// Edge ids whose connection test fails.
    pub fail_tests: Mutex<BTreeSet<String>>,
    pub writes: Mutex<Vec<String>>,
}

fn err(status: u16, msg: &str) -> AppError {
    AppError::new(AppErrorKind::Http { status }, msg)
}

fn masked(item: &Value) -> Value {
    let mut v = item.clone();
    if let Some(fields) = v.get_mut("fields").and_then(Value::as_array_mut) {
        for f in fields {
            let secret = matches!(
                f.get("name").and_then(Value::as_str),
                Some("password" | "apiKey")
            );
            if secret && f["value"].as_str().is_some_and(|s| !s.is_empty()) {
                f["value"] = json!(SERVARR_MASK);
            }
        }
    }
    v
}

fn unmask(body: &Value, stored: &Value) -> Value {
    let mut v = body.clone();
    if let Some(fields) = v.get_mut("fields").and_then(Value::as_array_mut) {
        for f in fields {
            if f["value"] == json!(SERVARR_MASK) {
                let name = f["name"].clone();
                if let Some(old) = stored["fields"]
                    .as_array()
                    .and_then(|a| a.iter().find(|o| o["name"] == name))
                {
                    f["value"] = old["value"].clone();
                }
            }
        }
    }
    v
}

fn bazarr_cast(v: &str) -> Value {
    match v {
        "true" => json!(true),
        "false" => json!(false),
        s if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => {
            json!(s.parse::<i64>().unwrap_or_default())
        }
        s => json!(s),
    }
}

impl FakeNas {
    pub fn new() -> Self {
        let nas = FakeNas::default();
        {
            let mut s = nas.state.lock().unwrap();
            s.next_id = 1;
            s.seerr_jellyfin = json!({"name": "", "ip": "", "port": 8096, "useSsl": false,
                "urlBase": "", "libraries": []});
            s.bazarr = json!({
                "general": {"use_sonarr": false, "use_radarr": false, "port": 6767},
                "sonarr": {"ip": "127.0.0.1", "port": 8989, "base_url": "/", "ssl": false, "apikey": ""},
                "radarr": {"ip": "127.0.0.1", "port": 7878, "base_url": "/", "ssl": false, "apikey": ""},
                "auth": {"apikey": "bazarr-own-key"}
            });
        }
        nas
    }

    fn check_write(&self, edge: &Edge, what: String) -> Result<(), AppError> {
        if self.fail_writes.lock().unwrap().contains(&edge.from) {
            return Err(AppError::new(
                AppErrorKind::ServerError { status: 500 },
                "500 server error",
            ));
        }
        self.writes.lock().unwrap().push(what);
        Ok(())
    }

    pub fn write_count(&self) -> usize {
        self.writes.lock().unwrap().len()
    }
}

#[async_trait]
impl EdgeBackend for FakeNas {
    async fn read(&self, edge: &Edge) -> Result<Current, AppError> {
        let s = self.state.lock().unwrap();
        let profiles = vec![
            Profile {
                id: 1,
                name: "Any".into(),
            },
            Profile {
                id: 4,
                name: "HD-1080p".into(),
            },
        ];
        Ok(match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                let items = s
                    .providers
                    .get(&edge.from)
                    .map(|l| l.iter().map(masked).collect())
                    .unwrap_or_default();
                Current {
                    items,
                    template: Some(json!({"id": 0, "name": "", "enable": false, "priority": 1,
                        "implementation": edge.implementation, "fields": [
                            {"name": "initialState", "value": 0},
                            {"name": "sequentialOrder", "value": false}], "presets": []})),
                    choices: AppChoices::default(),
                }
            }
            EdgeKind::RootFolder => Current {
                items: s.root_folders.get(&edge.from).cloned().unwrap_or_default(),
                template: None,
                choices: AppChoices {
                    quality_profiles: profiles,
                    metadata_profiles: vec![Profile {
                        id: 1,
                        name: "Standard".into(),
                    }],
                    root_folders: vec![],
                },
            },
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => Current {
                items: s
                    .seerr_servers
                    .get(edge.to_kind.id())
                    .cloned()
                    .unwrap_or_default(),
                template: None,
                choices: AppChoices {
                    quality_profiles: profiles,
                    metadata_profiles: vec![],
                    root_folders: s
                        .root_folders
                        .get(&edge.to)
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["path"].as_str().map(String::from))
                        .collect(),
                },
            },
            EdgeKind::SeerrJellyfin => Current::items(vec![s.seerr_jellyfin.clone()]),
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => {
                Current::items(vec![s.bazarr.clone()])
            }
        })
    }

    async fn create(&self, edge: &Edge, body: &WireJson) -> Result<(), AppError> {
        self.check_write(edge, format!("create {}", edge.id))?;
        let mut s = self.state.lock().unwrap();
        let mut v = body.expose().clone();
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                let name = v["name"].as_str().unwrap_or("").to_string();
                let list = s.providers.get(&edge.from).cloned().unwrap_or_default();
                if name.is_empty()
                    || list
                        .iter()
                        .any(|i| i["name"].as_str().unwrap_or("").eq_ignore_ascii_case(&name))
                {
                    return Err(err(400, "Name: Should be unique"));
                }
                v["id"] = json!(s.next_id);
                s.next_id += 1;
                s.providers.entry(edge.from.clone()).or_default().push(v);
            }
            EdgeKind::RootFolder => {
                v["id"] = json!(s.next_id);
                v["accessible"] = json!(true);
                s.next_id += 1;
                s.root_folders.entry(edge.from.clone()).or_default().push(v);
            }
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
                let list = s
                    .seerr_servers
                    .entry(edge.to_kind.id().to_string())
                    .or_default();
                let id = list
                    .iter()
                    .filter_map(|i| i["id"].as_i64())
                    .max()
                    .map_or(0, |m| m + 1);
                v["id"] = json!(id);
                list.push(v);
            }
            EdgeKind::SeerrJellyfin => {
                return Err(err(500, "Jellyfin hostname already configured"))
            }
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => apply_form(&mut s.bazarr, &v),
        }
        Ok(())
    }

    async fn update(&self, edge: &Edge, id: Option<i64>, body: &WireJson) -> Result<(), AppError> {
        self.check_write(edge, format!("update {}", edge.id))?;
        let mut s = self.state.lock().unwrap();
        let v = body.expose().clone();
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                let list = s.providers.entry(edge.from.clone()).or_default();
                let slot = list
                    .iter_mut()
                    .find(|i| i["id"].as_i64() == id)
                    .ok_or_else(|| err(404, "NotFound"))?;
                *slot = unmask(&v, slot);
            }
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
                if v.get("id").is_some() {
                    return Err(err(
                        400,
                        "request/body must NOT have additional properties: id",
                    ));
                }
                let list = s
                    .seerr_servers
                    .entry(edge.to_kind.id().to_string())
                    .or_default();
                let slot = list
                    .iter_mut()
                    .find(|i| i["id"].as_i64() == id)
                    .ok_or_else(|| err(404, "Settings instance not found"))?;
                let mut v = v;
                v["id"] = json!(id);
                *slot = v;
            }
            EdgeKind::SeerrJellyfin => {
                for (k, val) in v.as_object().into_iter().flatten() {
                    s.seerr_jellyfin[k.as_str()] = val.clone();
                }
            }
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => apply_form(&mut s.bazarr, &v),
            EdgeKind::RootFolder => return Err(err(405, "root folders cannot be updated")),
        }
        Ok(())
    }

    async fn delete(&self, edge: &Edge, id: i64) -> Result<(), AppError> {
        self.check_write(edge, format!("delete {} {id}", edge.id))?;
        let mut s = self.state.lock().unwrap();
        let list = match edge.kind {
            EdgeKind::RootFolder => s.root_folders.entry(edge.from.clone()).or_default(),
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => s
                .seerr_servers
                .entry(edge.to_kind.id().to_string())
                .or_default(),
            _ => s.providers.entry(edge.from.clone()).or_default(),
        };
        list.retain(|i| i["id"].as_i64() != Some(id));
        Ok(())
    }

    async fn test(&self, edge: &Edge, _entry: &Value) -> Result<(), AppError> {
        if self.fail_tests.lock().unwrap().contains(&edge.id) {
            return Err(err(400, "Unable to connect"));
        }
        Ok(())
    }
}

/// Bazarr's `POST /api/system/settings`: `settings-<section>-<key>` form fields.
fn apply_form(settings: &mut Value, form: &Value) {
    for (k, v) in form.as_object().into_iter().flatten() {
        let Some(rest) = k.strip_prefix("settings-") else {
            continue;
        };
        let Some((section, key)) = rest.split_once('-') else {
            continue;
        };
        settings[section][key] = bazarr_cast(v.as_str().unwrap_or(""));
    }
}
