//! Wire types of the Servarr APIs (camelCase JSON), with the per-app data the client needs.

use crate::model::{AppKind, Secret};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// What the apps send instead of a stored secret (and accept back as "unchanged").
pub const MASKED_VALUE: &str = "********";

/// The download-client field holding the category, per app (`tvCategory`, `movieCategory`,
/// `musicCategory`, Prowlarr `category`).
pub fn category_field(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Sonarr => "tvCategory",
        AppKind::Radarr => "movieCategory",
        AppKind::Lidarr => "musicCategory",
        _ => "category",
    }
}

/// The provider collections that share one API machinery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProviderKind {
    DownloadClient,
    Indexer,
    /// Prowlarr `applications`.
    Application,
}

impl ProviderKind {
    /// Path segment under `/api/vN/`.
    pub fn segment(self) -> &'static str {
        match self {
            ProviderKind::DownloadClient => "downloadclient",
            ProviderKind::Indexer => "indexer",
            ProviderKind::Application => "applications",
        }
    }
}

/// One `{name, value}` of a provider's settings; other properties (label, privacy …) in `extra`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(default)]
    pub value: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Field {
    pub fn new(name: impl Into<String>, value: Value) -> Self {
        Field {
            name: name.into(),
            value,
            extra: Map::new(),
        }
    }

    /// Privacy `apiKey`/`password`, or a name that says so: never printed.
    pub fn is_secret(&self) -> bool {
        let privacy = self.extra.get("privacy").and_then(Value::as_str);
        let n = self.name.to_ascii_lowercase();
        matches!(privacy, Some("apiKey" | "password"))
            || n.contains("password")
            || n.contains("apikey")
            || n.contains("token")
    }

    /// True when the app masked this value (`********`).
    pub fn is_masked(&self) -> bool {
        self.value.as_str() == Some(MASKED_VALUE)
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Field");
        d.field("name", &self.name);
        if self.is_secret() && !self.is_masked() {
            let s = Secret::new(self.value.as_str().unwrap_or("x"));
            d.field("value", &s);
        } else {
            d.field("value", &self.value);
        }
        d.finish()
    }
}

/// A download client, indexer or Prowlarr application (`ProviderResource`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub implementation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub implementation_name: String,
    #[serde(default)]
    pub config_contract: String,
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub tags: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// Everything else (`protocol`, `priority`, `syncLevel`, `enableRss`, …), kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Provider {
    pub fn new(name: &str, implementation: &str, config_contract: &str) -> Self {
        Provider {
            name: name.into(),
            implementation: implementation.into(),
            config_contract: config_contract.into(),
            ..Provider::default()
        }
    }

    /// The value of a settings field (name matched case-insensitively).
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| &f.value)
    }

    /// A field as text (numbers rendered), empty when absent.
    pub fn field_str(&self, name: &str) -> String {
        match self.field(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => String::new(),
        }
    }

    /// Set (or add) a settings field.
    pub fn set_field(&mut self, name: &str, value: Value) -> &mut Self {
        match self
            .fields
            .iter_mut()
            .find(|f| f.name.eq_ignore_ascii_case(name))
        {
            Some(f) => f.value = value,
            None => self.fields.push(Field::new(name, value)),
        }
        self
    }

    /// Set a secret field from a [`Secret`] (the only place its value is exposed: the wire).
    pub fn set_secret(&mut self, name: &str, secret: &Secret) -> &mut Self {
        self.set_field(name, Value::String(secret.expose().to_string()))
    }

    /// A top-level property outside the common base (`protocol`, `syncLevel` …).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.extra.get(key)
    }

    pub fn set(&mut self, key: &str, value: Value) -> &mut Self {
        self.extra.insert(key.to_string(), value);
        self
    }
}

/// `GET /api/vN/system/status` (the fields the console uses; the rest kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemStatus {
    #[serde(default)]
    pub app_name: String,
    #[serde(default)]
    pub instance_name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub url_base: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub is_docker: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// The `X-Application-Version` header of the answer.
    #[serde(skip)]
    pub header_version: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One element of `GET /api/vN/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthResource {
    #[serde(default)]
    pub source: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wiki_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnmappedFolder {
    pub name: String,
    pub path: String,
}

/// A root folder (Lidarr's extra properties in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootFolder {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub path: String,
    #[serde(default)]
    pub accessible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_space: Option<i64>,
    #[serde(default)]
    pub unmapped_folders: Vec<UnmappedFolder>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A quality / metadata / app profile: `{id, name, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A command resource (`POST /api/vN/command`, `GET /api/vN/command/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Command {
    pub id: i64,
    pub name: String,
    /// `queued`, `started`, `completed`, `failed` …
    #[serde(default)]
    pub status: String,
    /// `unknown`, `successful`, `unsuccessful`.
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Command {
    /// Finished, one way or another.
    pub fn is_done(&self) -> bool {
        matches!(
            self.status.as_str(),
            "completed" | "failed" | "aborted" | "cancelled" | "orphaned"
        )
    }
}

/// One element of a 400 validation array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationFailure {
    #[serde(default)]
    pub property_name: String,
    #[serde(default)]
    pub error_message: String,
    #[serde(default)]
    pub is_warning: bool,
}
