//! The credentials the console uses to call apps: API keys from the cluster Secret
//! (`media/starr-secrets` by default), the qBittorrent WebUI password from its Secret, and
//! anything given in the config file (which wins). Values stay in [`Secret`].

use crate::cluster::ClusterConn;
use crate::config::Config;
use crate::model::{AppKind, Secret, ServiceInfo};
use k8s_openapi::api::core::v1::Secret as KSecret;
use kube::Api;
use std::borrow::Borrow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Key per kind, from the cluster Secret.
    pub api_keys: BTreeMap<AppKind, Secret>,
    pub qbittorrent_password: Option<Secret>,
    /// Jellyfin administrator (username, password), from the optional admin Secret.
    pub jellyfin_admin: Option<(String, Secret)>,
    /// What could not be read, for the user.
    pub warnings: Vec<String>,
}

/// What one app call needs.
#[derive(Debug, Clone, Default)]
pub struct AppCreds {
    pub api_key: Option<Secret>,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

impl Credentials {
    /// Resolve the credentials for one service: config (by id, then kind) over the cluster Secret.
    pub fn for_service(&self, svc: &ServiceInfo, cfg: &Config) -> AppCreds {
        let sc = cfg.service(svc.id.as_str(), svc.kind.id());
        AppCreds {
            api_key: sc
                .and_then(|s| s.api_key.clone())
                .or_else(|| self.api_keys.get(&svc.kind).cloned())
                .filter(|k| !k.is_empty()),
            username: sc
                .and_then(|s| s.username.clone())
                .or_else(|| match svc.kind {
                    AppKind::Qbittorrent => Some("admin".to_string()),
                    AppKind::Jellyfin => self.jellyfin_admin.as_ref().map(|(u, _)| u.clone()),
                    _ => None,
                }),
            password: sc
                .and_then(|s| s.password.clone())
                .or_else(|| match svc.kind {
                    AppKind::Qbittorrent => self.qbittorrent_password.clone(),
                    AppKind::Jellyfin => self.jellyfin_admin.as_ref().map(|(_, p)| p.clone()),
                    _ => None,
                }),
        }
    }
}

/// Decode a Secret's `data` (base64 is already decoded by k8s-openapi into bytes).
pub fn secret_data(s: &KSecret) -> BTreeMap<String, Secret> {
    let mut out = BTreeMap::new();
    if let Some(d) = &s.data {
        for (k, v) in d {
            out.insert(
                k.clone(),
                Secret::new(String::from_utf8_lossy(&v.0).trim().to_string()),
            );
        }
    }
    if let Some(d) = &s.string_data {
        for (k, v) in d {
            out.insert(k.clone(), Secret::new(v.trim().to_string()));
        }
    }
    out
}

/// The Secrets the console reads credentials from, as `(namespace, name)`: the API key Secret,
/// the qBittorrent password Secret and the optional Jellyfin administrator Secret (config).
pub fn wanted_secrets(cfg: &Config) -> Vec<(String, String)> {
    let mut v = vec![
        Config::split_ref(&cfg.api_key_secret),
        Config::split_ref(&cfg.qbittorrent_password_secret),
        Config::split_ref(&cfg.jellyfin_admin_secret),
    ];
    v.dedup();
    v
}

fn find<'a, S: Borrow<KSecret>>(secrets: &'a [S], ns: &str, name: &str) -> Option<&'a KSecret> {
    secrets.iter().map(Borrow::borrow).find(|s: &&KSecret| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name)
    })
}

impl Credentials {
    /// Derive the credentials from Secrets already at hand (the watch store, or a listing): no
    /// network. A missing key Secret or qBittorrent Secret becomes a warning; a missing Jellyfin
    /// administrator Secret is normal and silent. `unreadable` names Secrets that could not be
    /// read at all (e.g. 403), so the warning can say why.
    pub fn from_secrets<S: Borrow<KSecret>>(
        secrets: &[S],
        cfg: &Config,
        unreadable: &BTreeMap<(String, String), String>,
    ) -> Credentials {
        let mut c = Credentials::default();
        let why = |ns: &str, name: &str| {
            unreadable
                .get(&(ns.to_string(), name.to_string()))
                .cloned()
                .unwrap_or_else(|| "not found".to_string())
        };
        let (ns, name) = Config::split_ref(&cfg.api_key_secret);
        match find(secrets, &ns, &name) {
            Some(s) => {
                let data = secret_data(s);
                for kind in AppKind::ALL {
                    if let Some(key) = kind.secret_key_name().and_then(|k| data.get(k)) {
                        c.api_keys.insert(kind, key.clone());
                    }
                }
            }
            None => c.warnings.push(format!(
                "API key Secret {ns}/{name} not readable: {}",
                why(&ns, &name)
            )),
        }
        let (ns, name) = Config::split_ref(&cfg.qbittorrent_password_secret);
        match find(secrets, &ns, &name) {
            Some(s) => {
                c.qbittorrent_password = secret_data(s).remove(&cfg.qbittorrent_password_key)
            }
            None => c.warnings.push(format!(
                "qBittorrent Secret {ns}/{name} not readable: {}",
                why(&ns, &name)
            )),
        }
        let (ns, name) = Config::split_ref(&cfg.jellyfin_admin_secret);
        if let Some(s) = find(secrets, &ns, &name) {
            let mut d = secret_data(s);
            if let (Some(u), Some(p)) = (d.remove("username"), d.remove("password")) {
                c.jellyfin_admin = Some((u.expose().to_string(), p));
            }
        }
        c
    }

    /// [`Credentials::from_secrets`] over a listing or watch snapshot (the Secrets the
    /// watchers hold, and why the others could not be read).
    pub fn from_listing(l: &crate::cluster::list::Listing, cfg: &Config) -> Credentials {
        Credentials::from_secrets(&l.secrets, cfg, &l.unreadable_secrets)
    }
}

/// GET the Secrets of [`wanted_secrets`]: those found, and why the others could not be read.
pub async fn fetch_secrets(
    conn: &ClusterConn,
    cfg: &Config,
) -> (Vec<KSecret>, BTreeMap<(String, String), String>) {
    let mut found = Vec::new();
    let mut unreadable = BTreeMap::new();
    for (ns, name) in wanted_secrets(cfg) {
        match Api::<KSecret>::namespaced(conn.client.clone(), &ns)
            .get_opt(&name)
            .await
        {
            Ok(Some(s)) => found.push(s),
            Ok(None) => {
                unreadable.insert((ns, name), "404 Not Found".to_string());
            }
            Err(e) => {
                unreadable.insert((ns, name), crate::cluster::explain(&e));
            }
        }
    }
    (found, unreadable)
}

/// Read the key Secret and the qBittorrent Secret (headless commands; the TUI derives the same
/// from its watch store with [`Credentials::from_secrets`]). Missing Secrets become warnings.
pub async fn load(conn: &ClusterConn, cfg: &Config) -> Credentials {
    let (found, unreadable) = fetch_secrets(conn, cfg).await;
    Credentials::from_secrets(&found, cfg, &unreadable)
}
