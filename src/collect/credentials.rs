//! The credentials the console uses to call apps: API keys and the qBittorrent WebUI password
//! from the Secrets the workloads reference ([`super::secret_refs::locate`]: the one
//! resolution), and anything given in the config file (which wins). Values stay in [`Secret`].

use super::secret_refs::{self, Locations};
use crate::cluster::ClusterConn;
use crate::config::Config;
use crate::model::{AppKind, Inventory, Secret, ServiceId, ServiceInfo};
use k8s_openapi::api::core::v1::Secret as KSecret;
use kube::Api;
use std::borrow::Borrow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Key per kind, from the cluster Secret (the first service of the kind).
    pub api_keys: BTreeMap<AppKind, Secret>,
    /// Key per service, from the Secret its workload references.
    pub by_service: BTreeMap<ServiceId, Secret>,
    /// Why a service has no key from a Secret (`no key Secret referenced by deployment …`).
    pub missing: BTreeMap<ServiceId, String>,
    pub qbittorrent_password: Option<Secret>,
    /// Jellyfin administrator (username, password), from the admin Secret where
    /// [`Locations::jellyfin_admin`] says it is.
    pub jellyfin_admin: Option<(String, Secret)>,
    /// Why there is no Jellyfin administrator: where the console looked.
    pub jellyfin_admin_unknown: Option<String>,
    /// What could not be read, for the user.
    pub warnings: Vec<String>,
}

/// What one app call needs.
#[derive(Debug, Clone, Default)]
pub struct AppCreds {
    pub api_key: Option<Secret>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Why there is no API key, when the resolution knows (shown instead of "no key").
    pub why_no_key: Option<String>,
    /// Why there is no username and password (Jellyfin: where the console looked for its
    /// administrator).
    pub why_no_login: Option<String>,
}

impl Credentials {
    /// Resolve the credentials for one service: config (by id, then kind) over the cluster Secret.
    pub fn for_service(&self, svc: &ServiceInfo, cfg: &Config) -> AppCreds {
        let sc = cfg.service(svc.id.as_str(), svc.kind.id());
        let mut c = AppCreds {
            api_key: sc
                .and_then(|s| s.api_key.clone())
                .or_else(|| self.by_service.get(&svc.id).cloned())
                .or_else(|| self.api_keys.get(&svc.kind).cloned())
                .filter(|k| !k.is_empty()),
            why_no_key: self.missing.get(&svc.id).cloned(),
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
            why_no_login: None,
        };
        if svc.kind == AppKind::Jellyfin && (c.username.is_none() || c.password.is_none()) {
            c.why_no_login = self.jellyfin_admin_unknown.clone();
        }
        c
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

/// The Secrets the console reads credentials from by their configured names, as
/// `(namespace, name)`: the API key Secret, the qBittorrent password Secret and the Jellyfin
/// administrator Secret (the located ones come on top: [`wanted_with`]).
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
    /// network. Each credential is read where [`Locations`] says it lives; a Secret that is
    /// not there, or a service whose workload references none, becomes a warning that says so;
    /// a missing Jellyfin administrator Secret is normal and silent. `unreadable` names Secrets
    /// that could not be read at all (e.g. 403), so the warning can say why.
    pub fn from_secrets<S: Borrow<KSecret>>(
        secrets: &[S],
        cfg: &Config,
        locs: &Locations,
        unreadable: &BTreeMap<(String, String), String>,
    ) -> Credentials {
        let mut c = Credentials::default();
        let why = |ns: &str, name: &str| {
            unreadable
                .get(&(ns.to_string(), name.to_string()))
                .cloned()
                .unwrap_or_else(|| "not found".to_string())
        };
        let mut warned = std::collections::BTreeSet::new();
        let kind_of = |id: &ServiceId| locs.kinds.get(id).copied();
        for (id, loc) in locs.api_keys.iter().chain(&locs.passwords) {
            let password = locs.passwords.contains_key(id);
            let loc = match loc {
                Ok(l) => l,
                Err(e) => {
                    c.missing.insert(id.clone(), e.clone());
                    if warned.insert(e.clone()) {
                        c.warnings.push(e.clone());
                    }
                    continue;
                }
            };
            let what = if password {
                "qBittorrent Secret"
            } else {
                "API key Secret"
            };
            let Some(s) = find(secrets, &loc.namespace, &loc.name) else {
                let w = format!(
                    "{what} {}/{} not readable: {}",
                    loc.namespace,
                    loc.name,
                    why(&loc.namespace, &loc.name)
                );
                c.missing.insert(id.clone(), w.clone());
                if warned.insert(w.clone()) {
                    c.warnings.push(w);
                }
                continue;
            };
            match secret_data(s).remove(&loc.key) {
                Some(v) if password => c.qbittorrent_password = Some(v),
                Some(v) => {
                    if let Some(k) = kind_of(id) {
                        c.api_keys.entry(k).or_insert_with(|| v.clone());
                    }
                    c.by_service.insert(id.clone(), v);
                }
                None => {
                    c.missing.insert(
                        id.clone(),
                        format!(
                            "no {} in Secret {}/{} ({})",
                            loc.key,
                            loc.namespace,
                            loc.name,
                            loc.origin.describe()
                        ),
                    );
                }
            }
        }
        // No discovered workload yet (or none keyed): the configured key Secret, if at hand,
        // still gives each kind its conventional key (a located key always wins).
        let (ns, name) = Config::split_ref(&cfg.api_key_secret);
        if let Some(s) = find(secrets, &ns, &name) {
            let data = secret_data(s);
            for kind in AppKind::ALL {
                if let Some(v) = kind.secret_key_name().and_then(|k| data.get(k)) {
                    if !locs.kinds.values().any(|k| *k == kind) {
                        c.api_keys.entry(kind).or_insert_with(|| v.clone());
                    }
                }
            }
        }
        // The same for the qBittorrent password when no qBittorrent was discovered.
        if locs.passwords.is_empty() {
            let (ns, name) = Config::split_ref(&cfg.qbittorrent_password_secret);
            if let Some(s) = find(secrets, &ns, &name) {
                c.qbittorrent_password = secret_data(s).remove(&cfg.qbittorrent_password_key);
            }
        }
        // A configured Secret that exists but cannot be read (403) is worth saying even when
        // no discovered workload points at it (its namespace may be unreadable too).
        for (what, r) in [
            ("API key Secret", &cfg.api_key_secret),
            ("qBittorrent Secret", &cfg.qbittorrent_password_secret),
        ] {
            let (ns, name) = Config::split_ref(r);
            let e = unreadable.get(&(ns.clone(), name.clone()));
            // Absent is normal: no workload needs a Secret of that name.
            if let Some(e) = e.filter(|e| !e.starts_with("404")) {
                let w = format!("{what} {ns}/{name} not readable: {e}");
                if !c.warnings.contains(&w) {
                    c.warnings.push(w);
                }
            }
        }
        c.read_jellyfin_admin(secrets, locs, &why);
        c
    }

    /// The Jellyfin administrator from the Secret the locations name; otherwise why not, with
    /// where the console looked (a missing admin is normal: no warning).
    fn read_jellyfin_admin<S: Borrow<KSecret>>(
        &mut self,
        secrets: &[S],
        locs: &Locations,
        why: &dyn Fn(&str, &str) -> String,
    ) {
        use super::admin_secret::{PASSWORD_KEY, USERNAME_KEY};
        let l = match &locs.jellyfin_admin {
            Ok(l) => l,
            Err(e) => {
                self.jellyfin_admin_unknown = Some(e.clone());
                return;
            }
        };
        let (ns, name) = (&l.namespace, &l.name);
        let Some(s) = find(secrets, ns, name) else {
            self.jellyfin_admin_unknown = Some(format!(
                "Jellyfin administrator unknown: no Secret {ns}/{name} ({}); looked at {}",
                why(ns, name),
                l.origin.describe()
            ));
            return;
        };
        let mut d = secret_data(s);
        match (d.remove(USERNAME_KEY), d.remove(PASSWORD_KEY)) {
            (Some(u), Some(p)) => self.jellyfin_admin = Some((u.expose().to_string(), p)),
            _ => {
                self.jellyfin_admin_unknown = Some(format!(
                    "Jellyfin administrator unknown: Secret {ns}/{name} ({}) lacks the keys \
                     {USERNAME_KEY} and {PASSWORD_KEY}",
                    l.origin.describe()
                ));
            }
        }
    }

    /// [`Credentials::from_secrets`] over a listing or watch snapshot (the Secrets the
    /// watchers hold, and why the others could not be read), locations resolved from it.
    pub fn from_listing(l: &crate::cluster::list::Listing, cfg: &Config) -> Credentials {
        let inv = crate::discover::discover(&l.objects, &cfg.discovery_overrides());
        let locs = locate(cfg, &inv, l, &l.secrets);
        Credentials::from_secrets(&l.secrets, cfg, &locs, &l.unreadable_secrets)
    }
}

/// The one resolution of where credentials live, over a listing and the Secrets at hand.
pub fn locate<S: Borrow<KSecret>>(
    cfg: &Config,
    inv: &Inventory,
    l: &crate::cluster::list::Listing,
    secrets: &[S],
) -> Locations {
    secret_refs::locate_for(cfg, inv, &l.objects, &|ns, name| {
        find(secrets, ns, name).is_some()
    })
}

/// Every Secret the console reads credentials from: those the locations name (the Jellyfin
/// administrator's included) and the configured names (watched by name as the fallback).
pub fn wanted_with(cfg: &Config, locs: &Locations) -> Vec<(String, String)> {
    let mut v = wanted_secrets(cfg);
    v.extend(locs.secrets());
    v.sort();
    v.dedup();
    v
}

/// GET the Secrets `wanted` (`(namespace, name)`): those found, and why the others could not
/// be read.
pub async fn fetch_secrets(
    conn: &ClusterConn,
    wanted: Vec<(String, String)>,
) -> (Vec<KSecret>, BTreeMap<(String, String), String>) {
    let mut found = Vec::new();
    let mut unreadable = BTreeMap::new();
    for (ns, name) in wanted {
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

/// Headless, from a listing: resolve the locations, read the Secrets they name (and the
/// configured ones) by name, derive the credentials.
pub async fn load(
    conn: &ClusterConn,
    cfg: &Config,
    listing: &crate::cluster::list::Listing,
) -> Credentials {
    let inv = crate::discover::discover(&listing.objects, &cfg.discovery_overrides());
    let locs = locate(cfg, &inv, listing, &listing.secrets);
    let (found, unreadable) = fetch_secrets(conn, wanted_with(cfg, &locs)).await;
    Credentials::from_secrets(&found, cfg, &locs, &unreadable)
}
