//! Edges of the integration graph: one wire between two apps, with concrete desired values.
//!
//! An edge lives in the app that holds the setting (`from`): Sonarr holds its download client,
//! Prowlarr holds its applications, Jellyseerr and Bazarr hold their server settings.
//! What the app currently has is handed to the planner as a [`Current`]; how to read it is the
//! backend's business (see [`super::apply::EdgeBackend`]).

use crate::model::{AppKind, Secret, ServiceId};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeKind {
    /// Sonarr/Radarr/Lidarr `downloadclient` → qBittorrent.
    DownloadClient,
    /// Sonarr/Radarr/Lidarr `downloadclient` → SABnzbd.
    UsenetClient,
    /// Sonarr/Radarr/Lidarr `rootfolder` (the "to" side is the app itself).
    RootFolder,
    /// Prowlarr `applications` → Sonarr/Radarr/Lidarr.
    ProwlarrApp,
    /// Jellyseerr `settings/jellyfin`.
    SeerrJellyfin,
    /// Jellyseerr `settings/sonarr`.
    SeerrSonarr,
    /// Jellyseerr `settings/radarr`.
    SeerrRadarr,
    /// Bazarr `system/settings`, section `sonarr`.
    BazarrSonarr,
    /// Bazarr `system/settings`, section `radarr`.
    BazarrRadarr,
}

impl EdgeKind {
    pub fn slug(self) -> &'static str {
        match self {
            EdgeKind::DownloadClient => "download-client",
            EdgeKind::UsenetClient => "usenet-client",
            EdgeKind::RootFolder => "root-folder",
            EdgeKind::ProwlarrApp => "prowlarr-app",
            EdgeKind::SeerrJellyfin => "seerr-jellyfin",
            EdgeKind::SeerrSonarr => "seerr-sonarr",
            EdgeKind::SeerrRadarr => "seerr-radarr",
            EdgeKind::BazarrSonarr => "bazarr-sonarr",
            EdgeKind::BazarrRadarr => "bazarr-radarr",
        }
    }

    /// Servarr provider resources (`{id,name,implementation,configContract,fields:[…]}`).
    pub fn is_provider(self) -> bool {
        matches!(
            self,
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp
        )
    }
}

/// A service an edge value points at, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SvcRef {
    pub app: AppKind,
    /// Kubernetes Service name.
    pub service: String,
    pub namespace: String,
    /// The URL base the app serves under (`""` or `/sonarr`).
    pub url_base: String,
    /// Namespace of the pod that makes the call (short names resolve only there).
    pub caller_ns: String,
}

impl SvcRef {
    /// Does `host` (as written in an app's settings) reach this service from `caller_ns`?
    pub fn host_reaches(&self, host: &str) -> bool {
        let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
        let labels: Vec<&str> = h.split('.').collect();
        if labels.first() != Some(&self.service.to_ascii_lowercase().as_str()) {
            return false;
        }
        match labels.len() {
            1 => self.namespace == self.caller_ns,
            _ => {
                labels[1] == self.namespace.to_ascii_lowercase()
                    && (labels.len() == 2
                        || labels[2..] == ["svc"]
                        || labels[2..] == ["svc", "cluster", "local"])
            }
        }
    }

    /// Loose identity used to match existing entries: the first DNS label names the Service.
    pub fn host_names_service(&self, host: &str) -> bool {
        let h = host.trim().to_ascii_lowercase();
        h.split('.').next() == Some(self.service.to_ascii_lowercase().as_str())
    }

    /// `qbittorrent.qbittorrent`.
    pub fn short_fqdn(&self) -> String {
        format!("{}.{}", self.service, self.namespace)
    }
}

/// How a field's current value is compared with the desired one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cmp", rename_all = "camelCase")]
pub enum Cmp {
    /// Equal after loose JSON comparison (`8080` equals `"8080"`).
    Exact,
    /// A host name: any name that reaches the service counts as equal.
    Host { target: SvcRef },
    /// A URL `http://host:port/base`: host as [`Cmp::Host`], same port, same normalised path.
    Url { target: SvcRef },
    /// A URL base: `""`, `/` and `/x/` normalise before comparing.
    UrlBase { target: SvcRef },
}

#[derive(Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DesiredValue {
    Plain(Value),
    /// Masked in every rendering; exposed only into the write body.
    Secret(Secret),
}

impl DesiredValue {
    pub fn json(&self) -> Value {
        match self {
            DesiredValue::Plain(v) => v.clone(),
            DesiredValue::Secret(s) => Value::String(s.expose().to_string()),
        }
    }
    /// For humans: plain values as JSON, secrets masked.
    pub fn shown(&self) -> String {
        match self {
            DesiredValue::Plain(v) => show_json(v),
            DesiredValue::Secret(s) => s.masked().to_string(),
        }
    }
}

impl fmt::Debug for DesiredValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

pub fn show_json(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "''".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One desired setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesiredField {
    /// Provider field name, object key, or dotted settings path (`sonarr.base_url`).
    pub name: String,
    pub value: DesiredValue,
    pub cmp: Cmp,
    /// `false`: only written when the entry is created (a name, a priority …), never enforced.
    pub enforce: bool,
}

impl DesiredField {
    pub fn plain(name: &str, v: impl Into<Value>) -> Self {
        DesiredField {
            name: name.into(),
            value: DesiredValue::Plain(v.into()),
            cmp: Cmp::Exact,
            enforce: true,
        }
    }
    pub fn secret(name: &str, s: Secret) -> Self {
        DesiredField {
            name: name.into(),
            value: DesiredValue::Secret(s),
            cmp: Cmp::Exact,
            enforce: true,
        }
    }
    pub fn cmp(mut self, cmp: Cmp) -> Self {
        self.cmp = cmp;
        self
    }
    pub fn create_only(mut self) -> Self {
        self.enforce = false;
        self
    }
}

/// Preferences for values picked from what the app reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChoicePrefs {
    pub quality_profile: Option<String>,
    pub metadata_profile: Option<String>,
    pub root_folder: Option<String>,
    /// Root folder edges: the path is the built-in default, so an app that already has an
    /// accessible root folder keeps it (no second folder is added). A path the desired file
    /// changes is always wanted.
    pub follow_existing: bool,
}

/// One wire of the graph, fully resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    /// `download-client:media/sonarr->qbittorrent/qbittorrent`.
    pub id: String,
    pub from: ServiceId,
    pub from_kind: AppKind,
    pub to: ServiceId,
    pub to_kind: AppKind,
    pub kind: EdgeKind,
    /// Entry name used when creating (`qBittorrent`, `Sonarr`).
    pub name: String,
    /// Provider `implementation` (`QBittorrent`, `Sabnzbd`, `Sonarr` …); empty for other kinds.
    pub implementation: String,
    /// Top-level properties (`enable`, `syncLevel`, `path` …) of the resource.
    pub top: Vec<DesiredField>,
    /// Provider `fields[]`, Jellyseerr object keys, or Bazarr dotted settings.
    pub fields: Vec<DesiredField>,
    pub choices: ChoicePrefs,
}

impl Edge {
    pub fn make_id(kind: EdgeKind, from: &ServiceId, to: &ServiceId) -> String {
        format!("{}:{from}->{to}", kind.slug())
    }
    /// `Prowlarr → Sonarr`, `Sonarr root folder`.
    pub fn label(&self) -> String {
        if self.kind == EdgeKind::RootFolder {
            format!("{} root folder", self.from_kind.display())
        } else {
            format!("{} → {}", self.from_kind.display(), self.to_kind.display())
        }
    }
}

/// A profile an app reports (`GET /qualityprofile`, `/metadataprofile`, Seerr `…/test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: i64,
    pub name: String,
}

/// Values the app offers to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppChoices {
    pub quality_profiles: Vec<Profile>,
    pub metadata_profiles: Vec<Profile>,
    pub root_folders: Vec<String>,
}

/// What the `from` app has now for one edge, as its API returns it.
///
/// * provider kinds: `items` = the list (`GET /api/vN/downloadclient` or `/applications`);
///   `template` = the `/schema` entry of the edge's implementation (used as the base of a create).
/// * `RootFolder`: `items` = `GET /rootfolder`; Lidarr: `choices` = its quality and metadata
///   profiles.
/// * `SeerrSonarr`/`SeerrRadarr`: `items` = `GET /api/v1/settings/sonarr`; `choices` = the
///   profiles and root folders of the `…/test` answer for the target.
/// * `SeerrJellyfin`: `items` = `[GET /api/v1/settings/jellyfin]`.
/// * `BazarrSonarr`/`BazarrRadarr`: `items` = `[GET /api/system/settings]`.
///
/// `Debug` prints only counts: apps return some keys in clear (Jellyseerr, Bazarr).
#[derive(Clone, Default, PartialEq)]
pub struct Current {
    pub items: Vec<Value>,
    pub template: Option<Value>,
    pub choices: AppChoices,
}

impl fmt::Debug for Current {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Current {{ items: {}, template: {}, quality_profiles: {}, metadata_profiles: {}, \
             root_folders: {} }}",
            self.items.len(),
            self.template.is_some(),
            self.choices.quality_profiles.len(),
            self.choices.metadata_profiles.len(),
            self.choices.root_folders.len()
        )
    }
}

impl Current {
    pub fn items(items: Vec<Value>) -> Self {
        Current {
            items,
            ..Default::default()
        }
    }
}

/// The value Servarr shows for a masked secret.
pub const SERVARR_MASK: &str = "********";

/// Loose JSON equality: numbers by value, numbers/bools equal to their string forms.
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => {
            s.trim().parse::<f64>().ok() == n.as_f64()
        }
        (Value::String(s), Value::Bool(b)) | (Value::Bool(b), Value::String(s)) => s
            .trim()
            .eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| loose_eq(a, b))
        }
        (Value::Null, Value::String(s)) | (Value::String(s), Value::Null) => s.is_empty(),
        _ => a == b,
    }
}

/// `/sonarr/`, `sonarr` → `/sonarr`; `/`, `` → ``.
pub fn norm_base(s: &str) -> String {
    crate::clients::transport::normalize_url_base(s)
}

/// Split `http://host:port/path` into (scheme, host, port, normalised path).
pub fn split_url(s: &str) -> Option<(String, String, Option<u16>, String)> {
    let u = url::Url::parse(s.trim()).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_string(),
        u.port_or_known_default(),
        norm_base(u.path()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn qbt(caller_ns: &str) -> SvcRef {
        SvcRef {
            app: AppKind::Qbittorrent,
            service: "qbittorrent".into(),
            namespace: "qbittorrent".into(),
            url_base: String::new(),
            caller_ns: caller_ns.into(),
        }
    }

    #[test]
    fn host_resolution_follows_cluster_dns() {
        let t = qbt("media");
        assert!(t.host_reaches("qbittorrent.qbittorrent"));
        assert!(t.host_reaches("qbittorrent.qbittorrent.svc"));
        assert!(t.host_reaches("QBittorrent.qbittorrent.svc.cluster.local."));
        assert!(
            !t.host_reaches("qbittorrent"),
            "short name from another namespace"
        );
        assert!(!t.host_reaches("qbittorrent.media"));
        assert!(!t.host_reaches("qbittorrent.qbittorrent.example.com"));
        assert!(qbt("qbittorrent").host_reaches("qbittorrent"));
        assert!(t.host_names_service("qbittorrent"));
        assert!(!t.host_names_service("10.43.0.12"));
    }

    #[test]
    fn loose_values_and_urls() {
        assert!(loose_eq(&json!(8080), &json!("8080")));
        assert!(loose_eq(&json!(true), &json!("True")));
        assert!(loose_eq(&json!(1.0), &json!(1)));
        assert!(loose_eq(&json!(null), &json!("")));
        assert!(!loose_eq(&json!("tv"), &json!("tv-sonarr")));
        assert!(!loose_eq(&json!([1, 2]), &json!([1])));
        assert_eq!(
            split_url("http://sonarr:8989/sonarr/"),
            Some(("http".into(), "sonarr".into(), Some(8989), "/sonarr".into()))
        );
        assert_eq!(
            split_url("http://sonarr"),
            Some(("http".into(), "sonarr".into(), Some(80), String::new()))
        );
        assert_eq!(split_url("not a url"), None);
    }
}
