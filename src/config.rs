//! Configuration file and paths (XDG via `directories`).
//!
//! Precedence: command-line flag > environment > config file > built-in default.
//! The config directory is `$K8S_NAS_CONFIG_DIR` or the platform's config dir
//! (`~/.config/k8s-nas` on Linux). It holds `config.toml`, `themes/` and `integrations.toml`.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How the console reaches applications (architecture.md §3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AccessMode {
    /// Through the Kubernetes API server's service proxy (works wherever kubeconfig works).
    #[default]
    Proxy,
    /// Straight to the in-cluster DNS name (on the node, or in a CronJob).
    Direct,
}

/// Per-service settings, keyed by service id (`media/sonarr`) or app kind (`sonarr`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// A URL to use instead of discovery's access path (e.g. an ingress URL), URL base included.
    pub url: Option<String>,
    /// Override the discovered URL base.
    pub url_base: Option<String>,
    /// Treat the workload as this app (under a service-id key, for images discovery misses).
    pub kind: Option<crate::model::AppKind>,
    /// The app's container, when the evidence picks the wrong one.
    pub container: Option<String>,
    /// Kubernetes Service name and port to use.
    pub service: Option<String>,
    pub port: Option<u16>,
    /// Drop this service from the inventory.
    #[serde(default)]
    pub ignore: bool,
    /// API key given by hand (else read from the cluster Secret). Masked everywhere.
    pub api_key: Option<crate::model::Secret>,
    /// Username for apps with a login (qBittorrent, Jellyfin admin).
    pub username: Option<String>,
    pub password: Option<crate::model::Secret>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    /// Namespaces to watch; empty = all namespaces the user may list.
    pub namespaces: Vec<String>,
    /// Namespaces never searched for apps.
    pub exclude_namespaces: Vec<String>,
    pub read_only: bool,
    pub theme: String,
    pub access: AccessMode,
    /// Seconds between health polls of one app (jittered).
    pub refresh_seconds: u64,
    /// Per-request timeout for app calls, milliseconds.
    pub timeout_ms: u64,
    /// The latency budget: slower answers are findings (ms).
    pub latency_budget_ms: u64,
    /// `namespace/name` of the Secret holding the apps' API keys.
    pub api_key_secret: String,
    /// `namespace/name` and key of the qBittorrent WebUI password.
    pub qbittorrent_password_secret: String,
    pub qbittorrent_password_key: String,
    /// `namespace/name` of an optional Secret with keys `username` and `password` of a Jellyfin
    /// administrator (lets `integrate` do Jellyseerr's first sign-in and create Jellyfin keys).
    pub jellyfin_admin_secret: String,
    /// `ip:port` of the ingress controller's TLS listener: every Ingress host is reached there
    /// with SNI (default: each host resolved, port 443). `demo` sets it to the simulator's.
    pub ingress_address: Option<String>,
    /// `ip:port` of the ingress controller's plain-HTTP listener, for the HTTP → HTTPS
    /// redirect check (default: each host resolved, port 80).
    pub ingress_http_address: Option<String>,
    /// A PEM CA bundle to judge served chains against, instead of the system roots.
    pub tls_ca_file: Option<PathBuf>,
    /// Namespace of the writers' Lease (`k8s-nas-writer`); default: where the apps are.
    pub lock_namespace: Option<String>,
    /// Overall deadline of a headless command (`check`, `keys`, `integrate`, …), seconds.
    pub deadline_seconds: u64,
    /// Alertmanager's URL (`http://alertmanager.monitoring:9093`), instead of finding its
    /// Service (issue 12).
    pub alertmanager_url: Option<String>,
    pub services: BTreeMap<String, ServiceConfig>,
    /// The VPN check (`:vpn`, `k8s-nas vpn`).
    pub vpn: VpnConfig,
    /// The certificate check (`:certs`, `k8s-nas certs`).
    pub certs: CertsConfig,
    /// Backups and restore (`:backups`, `k8s-nas backup`, `k8s-nas restore`).
    pub backup: BackupConfig,
    /// The credential places `integrations.toml` names (never read from this file): set by
    /// [`crate::engine::live::honour_file`], read by the one credential resolution.
    #[serde(skip)]
    pub file_credentials: FileCredentials,
}

/// What `integrations.toml` says about where credentials live (`[api_keys]` namespace/name
/// with its key names, `[download_client] password`); it wins over the config and evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCredentials {
    /// `(namespace, name)` of the key Secret, and the key name per app kind.
    pub key_secret: Option<(String, String, BTreeMap<crate::model::AppKind, String>)>,
    /// `(namespace, name, key)` of the qBittorrent WebUI password.
    pub password: Option<(String, String, String)>,
}

/// `[certs]`: what the certificate check handshakes besides the Ingress hosts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CertsConfig {
    /// More `https://host[:port]/` URLs to handshake like Ingress hosts (reached by resolving
    /// their host, not through `ingress_address`).
    pub extra_urls: Vec<String>,
}

/// `[backup]`: where backups go, what they contain, how long they stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// The backup root (default: `<data dir>/backups`).
    pub root: Option<PathBuf>,
    /// Prefixed to every node path (the node's filesystem mounted elsewhere, e.g. over NFS, or
    /// `/host` in the CronJob; `demo` sets it to the simulated node's directory).
    pub node_root: Option<PathBuf>,
    /// Config directories by service name (`sonarr = "/srv/sonarr/config"`), node paths;
    /// these win over what discovery resolves from hostPath or PVC → PV.
    pub paths: BTreeMap<String, PathBuf>,
    /// Patterns left out besides the defaults (logs, caches, MediaCover, Backups).
    pub exclude: Vec<String>,
    /// Patterns kept even when excluded.
    pub include: Vec<String>,
    pub keep_daily: u32,
    pub keep_weekly: u32,
    pub keep_monthly: u32,
    /// restic repository for the off-machine copy (any restic backend), optional.
    pub restic_repository: Option<String>,
    /// A file holding the restic password (e.g. a mounted Secret). Never printed.
    pub restic_password_file: Option<PathBuf>,
    /// `namespace/name` of a Secret with keys `RESTIC_REPOSITORY` and `RESTIC_PASSWORD`.
    pub restic_secret: Option<String>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            root: None,
            node_root: None,
            paths: BTreeMap::new(),
            exclude: Vec::new(),
            include: Vec::new(),
            keep_daily: 7,
            keep_weekly: 4,
            keep_monthly: 6,
            restic_repository: None,
            restic_password_file: None,
            restic_secret: None,
        }
    }
}

impl BackupConfig {
    /// The root to use: `--root`, else `backup.root`, else `<data dir>/backups`.
    pub fn root_or(&self, flag: Option<&Path>, paths: &Paths) -> PathBuf {
        flag.map(Path::to_path_buf)
            .or_else(|| self.root.clone())
            .unwrap_or_else(|| paths.data_dir.join("backups"))
    }

    /// A node path as seen from here (`node_root` prefixed).
    pub fn on_node(&self, node_path: &Path) -> PathBuf {
        match &self.node_root {
            Some(r) => r.join(
                node_path
                    .components()
                    .filter(|c| !matches!(c, std::path::Component::RootDir))
                    .collect::<PathBuf>(),
            ),
            None => node_path.to_path_buf(),
        }
    }
}

/// `[vpn]`: how the VPN check learns the home IP and reaches gluetun's control server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VpnConfig {
    /// The home (non-VPN) egress IP, when known; wins over `ip_echo_url`.
    pub home_ip: Option<String>,
    /// An IP-echo URL answering the caller's IP as text or `{"ip": …}` (e.g.
    /// `https://api.ipify.org`), fetched from the machine the console runs on. Without it and
    /// without `home_ip` the home IP is unknown, and no VPN is ever called SECURE.
    pub ip_echo_url: Option<String>,
    /// Fetch `ip_echo_url` inside a pod without a VPN sidecar instead (`pods/exec`: `wget`,
    /// else `curl`): a service id (`media/sonarr`) or `auto`. Default: from the console's
    /// machine.
    pub ip_echo_from_pod: Option<String>,
    /// gluetun control server API key (`X-API-Key`). Masked everywhere.
    pub control_api_key: Option<crate::model::Secret>,
    /// gluetun control server basic credentials.
    pub control_username: Option<String>,
    pub control_password: Option<crate::model::Secret>,
    /// `namespace/name` of a Secret with the control server's credentials (a gluetun role as
    /// JSON, an auth config TOML, or keys `apikey` / `username` + `password`). Without it (and
    /// without the two above) the Secret the gluetun container references is used.
    pub control_secret: Option<String>,
    /// The torrent the test download adds (a magnet or a .torrent URL; legal content).
    pub test_torrent: Option<String>,
    /// How long the test download may take, seconds (default 120).
    pub test_timeout_seconds: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            kubeconfig: None,
            context: None,
            namespaces: Vec::new(),
            exclude_namespaces: Vec::new(),
            read_only: false,
            theme: "default".into(),
            access: AccessMode::Proxy,
            refresh_seconds: 15,
            timeout_ms: 5_000,
            latency_budget_ms: 2_000,
            api_key_secret: "media/starr-secrets".into(),
            qbittorrent_password_secret: "qbittorrent/qbittorrent-secrets".into(),
            qbittorrent_password_key: "WEBUI_PASSWORD".into(),
            jellyfin_admin_secret: "media/jellyfin-admin".into(),
            ingress_address: None,
            ingress_http_address: None,
            tls_ca_file: None,
            lock_namespace: None,
            deadline_seconds: 30,
            alertmanager_url: None,
            services: BTreeMap::new(),
            vpn: VpnConfig::default(),
            certs: CertsConfig::default(),
            backup: BackupConfig::default(),
            file_credentials: FileCredentials::default(),
        }
    }
}

impl Config {
    /// Load `path`, or the default location when `None`. A missing default file is not an error.
    pub fn load(path: Option<&Path>) -> anyhow::Result<(Config, PathBuf)> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (Paths::resolve().config_file, false),
        };
        match crate::bounds::read_local_blocking(&path, crate::bounds::MAX_CONFIG_FILE) {
            Ok(text) => {
                // the error names line and column, never the text (it may be an `api_key`)
                let cfg: Config = toml::from_str(&text).map_err(|e| {
                    anyhow::anyhow!(
                        "config file {} is not valid: {}",
                        path.display(),
                        crate::bounds::toml_error(&e, &text)
                    )
                })?;
                cfg.validate()
                    .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
                Ok((cfg, path))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                Ok((Config::default(), path))
            }
            Err(e) => Err(e).with_context(|| format!("cannot read config file {}", path.display())),
        }
    }

    /// Values that parse but cannot work (issue 13, point 9): each error names its key.
    pub fn validate(&self) -> Result<(), String> {
        let range = |key: &str, v: u64, lo: u64, hi: u64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{key} = {v}: must be between {lo} and {hi}"))
            }
        };
        range("refresh_seconds", self.refresh_seconds, 1, 86_400)?;
        range("timeout_ms", self.timeout_ms, 1, 600_000)?;
        range("latency_budget_ms", self.latency_budget_ms, 1, 600_000)?;
        range("deadline_seconds", self.deadline_seconds, 1, 86_400)?;
        for (id, s) in &self.services {
            let key = format!("services.\"{}\"", crate::bounds::sanitize(id));
            if let Some(u) = &s.url {
                match url::Url::parse(u) {
                    Ok(p) if matches!(p.scheme(), "http" | "https") && p.host().is_some() => {}
                    _ => return Err(format!("{key}.url: not an http(s) URL")),
                }
            }
            if s.port == Some(0) {
                return Err(format!("{key}.port: 0 is not a port"));
            }
        }
        Ok(())
    }

    /// Settings for one service: by id first, then by kind.
    pub fn service(&self, id: &str, kind: &str) -> Option<&ServiceConfig> {
        self.services.get(id).or_else(|| self.services.get(kind))
    }

    /// The discovery part of the config (per-service overrides, namespace scope).
    pub fn discovery_overrides(&self) -> crate::discover::Overrides {
        crate::discover::Overrides {
            namespaces: self.namespaces.clone(),
            exclude_namespaces: self.exclude_namespaces.clone(),
            services: self
                .services
                .iter()
                .map(|(k, s)| {
                    let o = crate::discover::ServiceOverride {
                        kind: s.kind,
                        container: s.container.clone(),
                        url_base: s.url_base.clone(),
                        url: s.url.clone(),
                        service: s.service.clone(),
                        port: s.port,
                        ignore: s.ignore,
                    };
                    (k.clone(), o)
                })
                .collect(),
        }
    }

    /// Split `namespace/name`.
    pub fn split_ref(s: &str) -> (String, String) {
        match s.split_once('/') {
            Some((ns, name)) => (ns.to_string(), name.to_string()),
            None => ("default".to_string(), s.to_string()),
        }
    }
}

/// Every path the program uses; `k8s-nas info` prints them.
#[derive(Debug, Clone, Serialize)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub config_file: PathBuf,
    pub themes_dir: PathBuf,
    pub integrations_file: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub log_file: PathBuf,
}

impl Paths {
    pub fn resolve() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "k8s-nas");
        let fallback = std::env::temp_dir().join("k8s-nas");
        let config_dir = std::env::var_os("K8S_NAS_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()))
            .unwrap_or_else(|| fallback.join("config"));
        let data_dir = std::env::var_os("K8S_NAS_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.data_local_dir().to_path_buf()))
            .unwrap_or_else(|| fallback.join("data"));
        let state_dir = dirs
            .as_ref()
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| data_dir.join("state"));
        Paths {
            config_file: config_dir.join("config.toml"),
            themes_dir: config_dir.join("themes"),
            integrations_file: config_dir.join("integrations.toml"),
            log_file: state_dir.join("k8s-nas.log"),
            config_dir,
            data_dir,
            state_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file_and_rejects_typos() {
        let text = r#"
            namespaces = ["media", "qbittorrent"]
            read_only = true
            theme = "light"
            access = "direct"
            [services."media/sonarr"]
            url_base = "/sonarr"
            api_key = "abc"
        "#;
        let cfg: Config = toml::from_str(text).unwrap();
        assert!(cfg.read_only);
        assert_eq!(cfg.access, AccessMode::Direct);
        let s = cfg.service("media/sonarr", "sonarr").unwrap();
        assert_eq!(s.url_base.as_deref(), Some("/sonarr"));
        assert_eq!(format!("{:?}", s.api_key), "Some(Secret(••••••••))");
        assert!(toml::from_str::<Config>("namespacez = []").is_err());
    }

    #[test]
    fn explicit_missing_file_is_an_error_default_is_not() {
        assert!(Config::load(Some(Path::new("/nonexistent/k8s-nas.toml"))).is_err());
    }
}
