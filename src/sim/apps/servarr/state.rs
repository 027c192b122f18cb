//! The whole mutable state of one simulated Servarr app, kept in one struct behind one lock.

use crate::model::AppKind;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The provider collections that share the provider machinery (§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Collection {
    DownloadClient,
    Indexer,
    /// Prowlarr only.
    Application,
}

impl Collection {
    pub const ALL: [Collection; 3] = [
        Collection::DownloadClient,
        Collection::Indexer,
        Collection::Application,
    ];

    /// The collection served under a (lower-cased) path segment, if this app has it.
    pub fn from_segment(kind: AppKind, seg: &str) -> Option<Collection> {
        match seg {
            "downloadclient" => Some(Collection::DownloadClient),
            "indexer" => Some(Collection::Indexer),
            "applications" if kind == AppKind::Prowlarr => Some(Collection::Application),
            _ => None,
        }
    }

    /// Human noun used in health messages.
    pub fn noun(self) -> &'static str {
        match self {
            Collection::DownloadClient => "Download clients",
            Collection::Indexer => "Indexers",
            Collection::Application => "Applications",
        }
    }

    /// Known top-level properties of the resource besides the provider base, with the value an
    /// omitted property deserializes to.
    pub fn top_level(self, kind: AppKind) -> Vec<(&'static str, Value)> {
        let prowlarr = kind == AppKind::Prowlarr;
        match self {
            Collection::DownloadClient if prowlarr => vec![
                ("enable", json!(false)),
                ("protocol", json!("unknown")),
                ("priority", json!(0)),
                ("categories", json!([])),
                ("supportsCategories", json!(true)),
            ],
            Collection::DownloadClient => vec![
                ("enable", json!(false)),
                ("protocol", json!("unknown")),
                ("priority", json!(0)),
                ("removeCompletedDownloads", json!(false)),
                ("removeFailedDownloads", json!(false)),
            ],
            Collection::Indexer if prowlarr => vec![
                ("enable", json!(false)),
                ("redirect", json!(false)),
                ("supportsRss", json!(true)),
                ("supportsSearch", json!(true)),
                ("appProfileId", json!(1)),
                ("protocol", json!("unknown")),
                ("privacy", json!("private")),
                ("priority", json!(25)),
                ("downloadClientId", json!(0)),
            ],
            Collection::Indexer => {
                let mut v = vec![
                    ("enableRss", json!(false)),
                    ("enableAutomaticSearch", json!(false)),
                    ("enableInteractiveSearch", json!(false)),
                    ("supportsRss", json!(true)),
                    ("supportsSearch", json!(true)),
                    ("protocol", json!("unknown")),
                    ("priority", json!(25)),
                    ("downloadClientId", json!(0)),
                ];
                if kind == AppKind::Sonarr {
                    v.push(("seasonSearchMaximumSingleEpisodeAge", json!(0)));
                }
                v
            }
            Collection::Application => vec![("syncLevel", json!("disabled"))],
        }
    }

    /// Is this stored resource enabled (the condition for the live test and for health)?
    pub fn is_enabled(self, kind: AppKind, r: &Map<String, Value>) -> bool {
        let flag = |k: &str| r.get(k).and_then(Value::as_bool).unwrap_or(false);
        match self {
            Collection::Indexer if kind != AppKind::Prowlarr => {
                flag("enableRss")
                    || flag("enableAutomaticSearch")
                    || flag("enableInteractiveSearch")
            }
            Collection::Application => r
                .get("syncLevel")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.eq_ignore_ascii_case("disabled")),
            _ => flag("enable"),
        }
    }
}

/// A command (`POST /api/vN/command`) and its progress.
#[derive(Debug, Clone)]
pub struct CommandRecord {
    pub id: i64,
    pub name: String,
    pub body: Value,
    pub status: &'static str,
    pub result: &'static str,
    pub message: Option<String>,
    pub queued: jiff::Timestamp,
    pub started: Option<jiff::Timestamp>,
    pub ended: Option<jiff::Timestamp>,
}

impl CommandRecord {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "commandName": command_display_name(&self.name),
            "body": self.body,
            "priority": "normal",
            "status": self.status,
            "result": self.result,
            "queued": self.queued.to_string(),
            "trigger": "manual",
            "stateChangeTime": self
                .ended
                .or(self.started)
                .unwrap_or(self.queued)
                .to_string(),
            "sendUpdatesToClient": true,
            "updateScheduledTask": true,
        });
        if let Some(m) = &self.message {
            v["message"] = json!(m);
        }
        if let Some(s) = self.started {
            v["started"] = json!(s.to_string());
        }
        if let Some(e) = self.ended {
            v["ended"] = json!(e.to_string());
            if let Some(s) = self.started {
                let d = e.duration_since(s);
                v["duration"] = json!(format!(
                    "00:00:{:02}.{:07}",
                    d.as_secs(),
                    d.subsec_nanos() / 100
                ));
            }
        }
        v
    }
}

/// `ApplicationIndexerSync` → `Application Indexer Sync`.
fn command_display_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Everything the app stores.
#[derive(Debug, Default)]
pub struct State {
    /// Provider resources per collection, unmasked, in the shape the API returns.
    pub providers: BTreeMap<Collection, Vec<Map<String, Value>>>,
    pub next_provider_id: BTreeMap<Collection, i64>,
    /// Providers whose last connection test failed (feeds `*StatusCheck` health).
    pub failing: BTreeSet<(Collection, i64)>,
    /// Root folders as stored (`id`, `path`, and Lidarr's extra properties).
    pub root_folders: Vec<Map<String, Value>>,
    pub next_root_folder_id: i64,
    /// Directories that exist in the app's container, with their subfolders.
    pub existing_paths: BTreeMap<String, Vec<String>>,
    pub quality_profiles: Vec<Value>,
    pub metadata_profiles: Vec<Value>,
    pub app_profiles: Vec<Value>,
    pub tags: Vec<Value>,
    pub commands: Vec<CommandRecord>,
}

impl State {
    pub fn list(&self, c: Collection) -> &[Map<String, Value>] {
        self.providers.get(&c).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn list_mut(&mut self, c: Collection) -> &mut Vec<Map<String, Value>> {
        self.providers.entry(c).or_default()
    }

    pub fn get(&self, c: Collection, id: i64) -> Option<&Map<String, Value>> {
        self.list(c).iter().find(|r| id_of(r) == Some(id))
    }

    /// Store a new provider resource and return its id.
    pub fn insert(&mut self, c: Collection, mut r: Map<String, Value>) -> i64 {
        let next = self.next_provider_id.entry(c).or_insert(1);
        let id = *next;
        *next += 1;
        r.insert("id".into(), json!(id));
        let list = self.list_mut(c);
        list.push(r);
        list.sort_by_key(|r| {
            r.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase()
        });
        id
    }

    pub fn free_space(&self, path: &str) -> Option<i64> {
        self.existing_paths
            .contains_key(path)
            .then_some(1_800_000_000_000)
    }

    pub fn path_exists(&self, path: &str) -> bool {
        self.existing_paths.contains_key(path.trim_end_matches('/'))
    }
}

pub fn id_of(r: &Map<String, Value>) -> Option<i64> {
    r.get("id").and_then(Value::as_i64)
}
