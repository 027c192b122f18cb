//! The credentials the console uses to call apps: API keys from the cluster Secret
//! (`media/starr-secrets` by default), the qBittorrent WebUI password from its Secret, and
//! anything given in the config file (which wins). Values stay in [`Secret`].

use crate::cluster::ClusterConn;
use crate::config::Config;
use crate::model::{AppKind, Secret, ServiceInfo};
use k8s_openapi::api::core::v1::Secret as KSecret;
use kube::Api;
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

/// Read the key Secret and the qBittorrent Secret. Missing Secrets or keys become warnings.
pub async fn load(conn: &ClusterConn, cfg: &Config) -> Credentials {
    let mut c = Credentials::default();
    let (ns, name) = Config::split_ref(&cfg.api_key_secret);
    match Api::<KSecret>::namespaced(conn.client.clone(), &ns)
        .get(&name)
        .await
    {
        Ok(s) => {
            let data = secret_data(&s);
            for kind in AppKind::ALL {
                if let Some(key) = kind.secret_key_name().and_then(|k| data.get(k)) {
                    c.api_keys.insert(kind, key.clone());
                }
            }
        }
        Err(e) => c.warnings.push(format!(
            "API key Secret {ns}/{name} not readable: {}",
            crate::cluster::explain(&e)
        )),
    }
    let (ns, name) = Config::split_ref(&cfg.qbittorrent_password_secret);
    match Api::<KSecret>::namespaced(conn.client.clone(), &ns)
        .get(&name)
        .await
    {
        Ok(s) => c.qbittorrent_password = secret_data(&s).remove(&cfg.qbittorrent_password_key),
        Err(e) => c.warnings.push(format!(
            "qBittorrent Secret {ns}/{name} not readable: {}",
            crate::cluster::explain(&e)
        )),
    }
    // Optional: absent is normal, so it is not a warning.
    let (ns, name) = Config::split_ref(&cfg.jellyfin_admin_secret);
    if let Ok(s) = Api::<KSecret>::namespaced(conn.client.clone(), &ns)
        .get(&name)
        .await
    {
        let mut d = secret_data(&s);
        if let (Some(u), Some(p)) = (d.remove("username"), d.remove("password")) {
            c.jellyfin_admin = Some((u.expose().to_string(), p));
        }
    }
    c
}
