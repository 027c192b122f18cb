//! The desired integration graph: a TOML file whose defaults fit the target cluster unedited.
//!
//! Every host, port and URL base comes from discovery (the [`crate::model::Inventory`]); the file holds only
//! intent (which wires exist, categories, folders, names) and optional overrides. An empty file
//! is valid and means "all defaults". [`DEFAULT_FILE`] is the documented, commented version.
//!
//! [`resolve`] turns intent + inventory + known secrets into concrete [`super::edge::Edge`]s; a wire whose
//! apps are not discovered is left out, one whose secret is unknown becomes [`Unresolved`].

use crate::keys::SecretTarget;
use crate::model::AppKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::resolve::{resolve, KnownSecrets, Resolution, Unresolved};

/// The commented default file, written by `integrate init` and shown in the docs.
pub const DEFAULT_FILE: &str = include_str!("desired_default.toml");

/// A key of a Kubernetes Secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SecretRef {
    pub namespace: String,
    pub name: String,
    pub key: String,
}

impl SecretRef {
    pub fn new(namespace: &str, name: &str, key: &str) -> Self {
        SecretRef {
            namespace: namespace.into(),
            name: name.into(),
            key: key.into(),
        }
    }
    pub fn display(&self) -> String {
        format!("{}/{} key {}", self.namespace, self.name, self.key)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Desired {
    /// Delete entries of a managed kind that the graph does not declare. Off: hand-made entries stay.
    pub prune: bool,
    /// Where the apps' API keys are kept (used when a key was not read from the app itself).
    pub api_keys: SecretTarget,
    pub download_client: DownloadClientSpec,
    pub usenet: UsenetSpec,
    /// Root folder per app kind (`sonarr = "/data/media/series"`).
    pub root_folders: BTreeMap<AppKind, String>,
    pub prowlarr: ProwlarrSpec,
    pub jellyseerr: SeerrSpec,
    pub bazarr: BazarrSpec,
    /// The file names the key Secret (`[api_keys] namespace`/`name`): it wins over evidence.
    #[serde(skip)]
    pub api_keys_set: bool,
    /// The file names the qBittorrent password (`[download_client] password`).
    #[serde(skip)]
    pub password_set: bool,
}

impl Default for Desired {
    fn default() -> Self {
        Desired {
            prune: false,
            api_keys: SecretTarget::default(),
            download_client: DownloadClientSpec::default(),
            usenet: UsenetSpec::default(),
            root_folders: BTreeMap::from([
                (AppKind::Sonarr, "/data/media/tv".to_string()),
                (AppKind::Radarr, "/data/media/movies".to_string()),
                (AppKind::Lidarr, "/data/media/music".to_string()),
            ]),
            prowlarr: ProwlarrSpec::default(),
            jellyseerr: SeerrSpec::default(),
            bazarr: BazarrSpec::default(),
            api_keys_set: false,
            password_set: false,
        }
    }
}

/// Overrides of what discovery found for a target service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetOverride {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub url_base: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DownloadClientSpec {
    pub enabled: bool,
    pub name: String,
    pub apps: Vec<AppKind>,
    pub username: String,
    pub password: SecretRef,
    pub categories: BTreeMap<AppKind, String>,
    pub priority: i64,
    pub remove_completed: bool,
    pub remove_failed: bool,
    /// Overrides of the discovered target.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub url_base: Option<String>,
}

impl Default for DownloadClientSpec {
    fn default() -> Self {
        DownloadClientSpec {
            enabled: true,
            name: "qBittorrent".into(),
            apps: vec![AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr],
            username: "admin".into(),
            password: SecretRef::new("qbittorrent", "qbittorrent-secrets", "WEBUI_PASSWORD"),
            categories: BTreeMap::from([
                (AppKind::Sonarr, "tv".to_string()),
                (AppKind::Radarr, "movies".to_string()),
                (AppKind::Lidarr, "music".to_string()),
            ]),
            priority: 1,
            remove_completed: true,
            remove_failed: true,
            host: None,
            port: None,
            url_base: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UsenetSpec {
    /// Absent: wire SABnzbd when it is discovered. `true`: required. `false`: never.
    pub enabled: Option<bool>,
    pub name: String,
    pub apps: Vec<AppKind>,
    /// SAB's category per app; SAB's defaults are `tv`, `movies`, `audio`.
    pub categories: BTreeMap<AppKind, String>,
    pub priority: i64,
    /// Overrides of the discovered target.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub url_base: Option<String>,
}

impl Default for UsenetSpec {
    fn default() -> Self {
        UsenetSpec {
            enabled: None,
            name: "SABnzbd".into(),
            apps: vec![AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr],
            categories: BTreeMap::from([
                (AppKind::Sonarr, "tv".to_string()),
                (AppKind::Radarr, "movies".to_string()),
                (AppKind::Lidarr, "audio".to_string()),
            ]),
            priority: 1,
            host: None,
            port: None,
            url_base: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProwlarrSpec {
    pub enabled: bool,
    /// `fullSync` (add, update, remove), `addOnly` or `disabled`.
    pub sync_level: String,
    pub apps: Vec<AppKind>,
}

impl Default for ProwlarrSpec {
    fn default() -> Self {
        ProwlarrSpec {
            enabled: true,
            sync_level: "fullSync".into(),
            apps: vec![AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeerrSpec {
    pub jellyfin: bool,
    pub sonarr: bool,
    pub radarr: bool,
    /// Quality profile name to pick; absent: the first one the app reports.
    pub quality_profile: Option<String>,
}

impl Default for SeerrSpec {
    fn default() -> Self {
        SeerrSpec {
            jellyfin: true,
            sonarr: true,
            radarr: true,
            quality_profile: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BazarrSpec {
    pub sonarr: bool,
    pub radarr: bool,
}

impl Default for BazarrSpec {
    fn default() -> Self {
        BazarrSpec {
            sonarr: true,
            radarr: true,
        }
    }
}

impl DownloadClientSpec {
    pub fn target(&self) -> TargetOverride {
        TargetOverride {
            host: self.host.clone(),
            port: self.port,
            url_base: self.url_base.clone(),
        }
    }
}

impl UsenetSpec {
    pub fn target(&self) -> TargetOverride {
        TargetOverride {
            host: self.host.clone(),
            port: self.port,
            url_base: self.url_base.clone(),
        }
    }
}

impl Desired {
    /// Parse the file. Unknown keys are errors (a typo must not silently mean "default").
    /// Tables merge into the defaults key by key (`[root_folders] sonarr = "…"` keeps Radarr's
    /// and Lidarr's); the values are then validated, each error naming its key. Errors give the
    /// line and column, never the text (the file may hold a password).
    pub fn from_toml(text: &str) -> Result<Desired, String> {
        let user: toml::Table = toml::from_str(text)
            .map_err(|e| format!("integration file: {}", crate::bounds::toml_error(&e, text)))?;
        let toml::Value::Table(mut merged) = toml::Value::try_from(Desired::default())
            .map_err(|e| format!("integration file: defaults: {e}"))?
        else {
            return Err("integration file: defaults are not a table".into());
        };
        let table = |k: &str| user.get(k).and_then(toml::Value::as_table);
        let api_keys_set = table("api_keys")
            .is_some_and(|t| t.contains_key("namespace") || t.contains_key("name"));
        let password_set = table("download_client").is_some_and(|t| t.contains_key("password"));
        merge(&mut merged, user);
        let mut d: Desired =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    format!("integration file: {}", crate::bounds::toml_error(&e, ""))
                })?;
        d.validate().map_err(|e| format!("integration file: {e}"))?;
        // A value equal to the default counts as unset (the shipped file spells the defaults
        // out): evidence decides then.
        let dflt = Desired::default();
        d.api_keys_set = api_keys_set
            && (d.api_keys.namespace != dflt.api_keys.namespace
                || d.api_keys.name != dflt.api_keys.name);
        d.password_set =
            password_set && d.download_client.password != dflt.download_client.password;
        Ok(d)
    }

    /// Values that parse but cannot be meant.
    pub fn validate(&self) -> Result<(), String> {
        const LEVELS: &[&str] = &["fullSync", "addOnly", "disabled"];
        if !LEVELS.contains(&self.prowlarr.sync_level.as_str()) {
            return Err(format!(
                "prowlarr.sync_level: {:?} is not one of {}",
                crate::bounds::sanitize(&self.prowlarr.sync_level),
                LEVELS.join(", ")
            ));
        }
        for (k, p) in &self.root_folders {
            if !p.starts_with('/') {
                return Err(format!("root_folders.{}: not an absolute path", k.id()));
            }
        }
        for (table, cats) in [
            (
                "download_client.categories",
                &self.download_client.categories,
            ),
            ("usenet.categories", &self.usenet.categories),
        ] {
            for (k, c) in cats {
                if c.trim().is_empty() {
                    return Err(format!("{table}.{}: empty category", k.id()));
                }
            }
        }
        for (key, port) in [
            ("download_client.port", self.download_client.port),
            ("usenet.port", self.usenet.port),
        ] {
            if port == Some(0) {
                return Err(format!("{key}: 0 is not a port"));
            }
        }
        Ok(())
    }
}

/// Merge `user` into `base`: tables key by key (recursively), anything else replaces.
fn merge(base: &mut toml::Table, user: toml::Table) {
    for (k, v) in user {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn a_partial_table_merges_into_the_defaults() {
        let d = Desired::from_toml("[root_folders]\nsonarr = \"/data/media/series\"\n").unwrap();
        assert_eq!(d.root_folders[&AppKind::Sonarr], "/data/media/series");
        assert_eq!(d.root_folders[&AppKind::Radarr], "/data/media/movies");
        assert_eq!(d.root_folders[&AppKind::Lidarr], "/data/media/music");
        let d = Desired::from_toml("[usenet.categories]\nlidarr = \"music\"\n").unwrap();
        assert_eq!(d.usenet.categories[&AppKind::Sonarr], "tv");
        assert_eq!(d.usenet.categories[&AppKind::Lidarr], "music");
        assert_eq!(Desired::from_toml("").unwrap(), Desired::default());
    }

    #[test]
    fn bad_values_name_their_key_and_errors_show_no_text() {
        let e = Desired::from_toml("[prowlarr]\nsync_level = \"everything\"\n").unwrap_err();
        assert!(e.contains("prowlarr.sync_level"), "{e}");
        let e = Desired::from_toml("[root_folders]\nradarr = \"movies\"\n").unwrap_err();
        assert!(e.contains("root_folders.radarr"), "{e}");
        let e = Desired::from_toml("[usenet.categories]\nsonarr = \" \"\n").unwrap_err();
        assert!(e.contains("usenet.categories.sonarr"), "{e}");
        let e = Desired::from_toml("[usenet]\nport = 0\n").unwrap_err();
        assert!(e.contains("usenet.port"), "{e}");
        let e = Desired::from_toml("[download_client]\npassword = \"hunter2-secret\n").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }
}
