//! Where each credential lives, found by evidence (issue 7): the Secret and key that the
//! workloads reference — `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef` and mounted
//! Secret volumes — always in the workload's own namespace. Explicit config wins; a Secret of
//! the configured default name is used only when no workload names one. One resolution
//! ([`locate`]) serves `check`, `keys`, `integrate` and the console (credentials, the watched
//! Secrets, the key sync's target). Pure: no I/O, no values (locations only).

use crate::config::Config;
use crate::discover::ClusterObjects;
use crate::model::{AppKind, Inventory, ServiceId, ServiceInfo};
use k8s_openapi::api::core::v1::PodSpec;
use std::collections::BTreeMap;

/// How a workload reaches a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// `env[].valueFrom.secretKeyRef`: the env var's name and the Secret's key.
    Env { var: String, key: String },
    /// `envFrom[].secretRef` (every key becomes an env var).
    EnvFrom,
    /// A Secret volume mounted at this path (items → only these keys, when listed).
    Volume { mount: String, keys: Vec<String> },
}

/// One Secret a container references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUse {
    pub container: String,
    pub secret: String,
    pub via: Via,
}

/// Every Secret the containers (init containers too) of a pod spec reference.
pub fn secret_uses(spec: &PodSpec) -> Vec<SecretUse> {
    let mut out = Vec::new();
    let containers = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten());
    for c in containers {
        for e in c.env.iter().flatten() {
            let Some(r) = e
                .value_from
                .as_ref()
                .and_then(|v| v.secret_key_ref.as_ref())
            else {
                continue;
            };
            out.push(SecretUse {
                container: c.name.clone(),
                secret: r.name.clone(),
                via: Via::Env {
                    var: e.name.clone(),
                    key: r.key.clone(),
                },
            });
        }
        for f in c.env_from.iter().flatten() {
            if let Some(r) = &f.secret_ref {
                out.push(SecretUse {
                    container: c.name.clone(),
                    secret: r.name.clone(),
                    via: Via::EnvFrom,
                });
            }
        }
        for m in c.volume_mounts.iter().flatten() {
            let vol = spec.volumes.iter().flatten().find(|v| v.name == m.name);
            let Some(s) = vol.and_then(|v| v.secret.as_ref()) else {
                continue;
            };
            let Some(name) = &s.secret_name else { continue };
            out.push(SecretUse {
                container: c.name.clone(),
                secret: name.clone(),
                via: Via::Volume {
                    mount: m.mount_path.clone(),
                    keys: s.items.iter().flatten().map(|i| i.key.clone()).collect(),
                },
            });
        }
    }
    out
}

/// The pod template of a discovered service's workload, from the listing (the one lookup the
/// VPN audit and the manifest audit use too).
pub fn pod_spec<'a>(objs: &'a ClusterObjects, svc: &ServiceInfo) -> Option<&'a PodSpec> {
    crate::vpn::audit::template(svc, objs).map(|(spec, _)| spec)
}

/// `deployment media/sonarr`.
pub fn workload_label(svc: &ServiceInfo) -> String {
    format!(
        "{} {}/{}",
        svc.workload.kind.to_lowercase(),
        svc.namespace,
        svc.workload.name
    )
}

/// Letters and digits only, upper case: `SONARR__AUTH__APIKEY` → `SONARRAUTHAPIKEY`.
pub(super) fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Why the console believes a Secret key holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `api_key_secret` / `qbittorrent_password_secret` / `jellyfin_admin_secret` in the config
    /// file.
    Config,
    /// The integration file's `[api_keys]` namespace/name or `[download_client] password`.
    IntegrationFile,
    /// Referenced by a workload: `deployment media/sonarr`, and how (`env SONARR__AUTH__APIKEY`).
    Workload { workload: String, how: String },
    /// Not referenced by the app itself: the Secret the other apps' keys are in, under the
    /// conventional key name.
    Shared,
    /// No workload references a key Secret; a Secret of the configured default name exists.
    DefaultName,
    /// Not referenced by any workload: the usual name in the app's namespace (`looked`: where
    /// the console looked before).
    UsualName { looked: String },
}

impl Origin {
    /// For the user: `config`, `env SONARR__AUTH__APIKEY of deployment media/sonarr` …
    pub fn describe(&self) -> String {
        match self {
            Origin::Config => "set in the config".into(),
            Origin::IntegrationFile => "set in integrations.toml".into(),
            Origin::Workload { workload, how } => format!("{how} of {workload}"),
            Origin::Shared => "the key Secret the other apps reference".into(),
            Origin::DefaultName => "default name (no workload references a key Secret)".into(),
            Origin::UsualName { looked } => format!("the usual name ({looked})"),
        }
    }
}

/// One credential's place: Secret `namespace/name`, key `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLoc {
    pub namespace: String,
    pub name: String,
    pub key: String,
    pub origin: Origin,
}

impl KeyLoc {
    pub fn secret(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }
}

/// Where every credential of the discovered apps lives, or why that is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    /// API key per keyed service (`Err`: "no key Secret referenced by deployment …").
    pub api_keys: BTreeMap<ServiceId, Result<KeyLoc, String>>,
    /// The qBittorrent WebUI password per qBittorrent service.
    pub passwords: BTreeMap<ServiceId, Result<KeyLoc, String>>,
    /// The Secret most keyed apps' keys are in (the key sync's target), if any.
    pub key_secret: Option<(String, String)>,
    /// The kind of each located service.
    pub kinds: BTreeMap<ServiceId, AppKind>,
    /// The Jellyfin administrator Secret ([`super::admin_secret`]), or where the console looked.
    pub jellyfin_admin: Result<KeyLoc, String>,
}

impl Default for Locations {
    fn default() -> Self {
        Locations {
            api_keys: BTreeMap::new(),
            passwords: BTreeMap::new(),
            key_secret: None,
            kinds: BTreeMap::new(),
            jellyfin_admin: Err("Jellyfin administrator unknown: not looked for".into()),
        }
    }
}

impl Locations {
    /// Every Secret a credential is read from, without repeats.
    pub fn secrets(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .api_keys
            .values()
            .chain(self.passwords.values())
            .chain(std::iter::once(&self.jellyfin_admin))
            .filter_map(|l| l.as_ref().ok().map(KeyLoc::secret))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// What the user set explicitly (it wins over evidence).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explicit {
    /// `(namespace, name)` of the key Secret (and who named it), and the key name per kind.
    pub key_secret: Option<(String, String, Origin)>,
    pub key_names: BTreeMap<AppKind, String>,
    /// `(namespace, name, key)` of the qBittorrent password, and who named it.
    pub password: Option<(String, String, String, Origin)>,
    /// `(namespace, name)` of the Jellyfin administrator Secret.
    pub jellyfin_admin: Option<(String, String)>,
}

impl Explicit {
    /// From the user's files: what `integrations.toml` names ([`Config::file_credentials`])
    /// wins; else a config value other than the built-in default counts as set.
    pub fn from_config(cfg: &Config) -> Explicit {
        let d = Config::default();
        let file = &cfg.file_credentials;
        let mut key_names = default_key_names();
        let key_secret = match &file.key_secret {
            Some((ns, name, names)) => {
                key_names.extend(names.iter().map(|(k, n)| (*k, n.clone())));
                Some((ns.clone(), name.clone(), Origin::IntegrationFile))
            }
            None => (cfg.api_key_secret != d.api_key_secret).then(|| {
                let (ns, name) = Config::split_ref(&cfg.api_key_secret);
                (ns, name, Origin::Config)
            }),
        };
        let password = match &file.password {
            Some((ns, name, key)) => Some((
                ns.clone(),
                name.clone(),
                key.clone(),
                Origin::IntegrationFile,
            )),
            None => (cfg.qbittorrent_password_secret != d.qbittorrent_password_secret
                || cfg.qbittorrent_password_key != d.qbittorrent_password_key)
                .then(|| {
                    let (ns, name) = Config::split_ref(&cfg.qbittorrent_password_secret);
                    (
                        ns,
                        name,
                        cfg.qbittorrent_password_key.clone(),
                        Origin::Config,
                    )
                }),
        };
        let jellyfin_admin = (cfg.jellyfin_admin_secret != d.jellyfin_admin_secret)
            .then(|| Config::split_ref(&cfg.jellyfin_admin_secret));
        Explicit {
            key_secret,
            key_names,
            password,
            jellyfin_admin,
        }
    }

    fn key_name(&self, kind: AppKind) -> Option<String> {
        self.key_names
            .get(&kind)
            .cloned()
            .or_else(|| kind.secret_key_name().map(String::from))
    }
}

/// `SONARR_API_KEY` … per keyed kind.
pub fn default_key_names() -> BTreeMap<AppKind, String> {
    AppKind::ALL
        .into_iter()
        .filter_map(|k| k.secret_key_name().map(|n| (k, n.to_string())))
        .collect()
}

/// Does this env var / key name hold an API key (`API_KEY`, `SONARR__AUTH__APIKEY`)?
fn is_api_key_name(s: &str) -> bool {
    norm(s).contains("APIKEY")
}

/// Does it name the API key of `kind` in particular (`SONARR_API_KEY`)?
fn is_key_of(s: &str, kind: AppKind) -> bool {
    let n = norm(s);
    n.contains("APIKEY") && n.starts_with(&norm(kind.id()))
}

fn is_password_name(s: &str) -> bool {
    let n = norm(s);
    n.contains("PASSWORD") || n.ends_with("PASS")
}

/// The evidence in `svc`'s own workload for a credential: an env var whose name (or key)
/// says what it is, else an `envFrom` Secret or a mounted Secret volume (key by convention).
fn own_evidence(
    svc: &ServiceInfo,
    uses: &[SecretUse],
    wants: impl Fn(&str) -> bool,
    conventional: &str,
) -> Option<KeyLoc> {
    let at = |u: &SecretUse, key: &str, how: String| KeyLoc {
        namespace: svc.namespace.clone(),
        name: u.secret.clone(),
        key: key.to_string(),
        origin: Origin::Workload {
            workload: workload_label(svc),
            how,
        },
    };
    // The app's own container only: a sidecar's Secrets (the VPN's password) are not the app's.
    let sorted: Vec<&SecretUse> = uses
        .iter()
        .filter(|u| u.container == svc.container)
        .collect();
    if let Some((u, key)) = sorted.iter().find_map(|u| match &u.via {
        Via::Env { var, key } if wants(var) || wants(key) => Some((u, key)),
        _ => None,
    }) {
        let var = match &u.via {
            Via::Env { var, .. } => var.clone(),
            _ => String::new(),
        };
        return Some(at(u, key, format!("env {var}")));
    }
    if let Some(u) = sorted.iter().find(|u| u.via == Via::EnvFrom) {
        return Some(at(u, conventional, "envFrom".into()));
    }
    sorted.iter().find_map(|u| match &u.via {
        Via::Volume { mount, keys }
            if keys.is_empty() || keys.iter().any(|k| k == conventional) =>
        {
            Some(at(u, conventional, format!("volume at {mount}")))
        }
        Via::Volume { mount, keys } => keys
            .iter()
            .find(|k| wants(k))
            .map(|k| at(u, k, format!("volume at {mount}"))),
        _ => None,
    })
}

/// Resolve where every credential lives. `at_hand` says whether a Secret `(ns, name)` is known
/// to exist (for the default-name fallback only).
pub fn locate(
    explicit: &Explicit,
    inv: &Inventory,
    objs: &ClusterObjects,
    default_key_secret: (&str, &str),
    default_password: (&str, &str, &str),
    default_admin_name: &str,
    at_hand: &dyn Fn(&str, &str) -> bool,
) -> Locations {
    let mut out = Locations {
        kinds: inv
            .services
            .iter()
            .map(|s| (s.id.clone(), s.kind))
            .collect(),
        ..Locations::default()
    };
    let uses: BTreeMap<&ServiceId, Vec<SecretUse>> = inv
        .services
        .iter()
        .map(|s| {
            (
                &s.id,
                pod_spec(objs, s).map(secret_uses).unwrap_or_default(),
            )
        })
        .collect();
    let keyed: Vec<&ServiceInfo> = inv
        .services
        .iter()
        .filter(|s| explicit.key_name(s.kind).is_some() && s.kind != AppKind::Qbittorrent)
        .collect();
    // 1. config; 2. the app's own workload; 3. another app's env var named for this kind.
    for svc in &keyed {
        let conventional = explicit.key_name(svc.kind).unwrap_or_default();
        let loc = if let Some((ns, name, origin)) = &explicit.key_secret {
            Some(KeyLoc {
                namespace: ns.clone(),
                name: name.clone(),
                key: conventional,
                origin: origin.clone(),
            })
        } else {
            let own_key = |s: &str| {
                is_api_key_name(s)
                    && !AppKind::ALL
                        .into_iter()
                        .any(|k| k != svc.kind && is_key_of(s, k))
            };
            own_evidence(svc, &uses[&svc.id], own_key, &conventional).or_else(|| {
                inv.services.iter().find_map(|other| {
                    let found = uses[&other.id].iter().find_map(|u| match &u.via {
                        Via::Env { var, key }
                            if is_key_of(var, svc.kind) || is_key_of(key, svc.kind) =>
                        {
                            Some((u, var, key))
                        }
                        _ => None,
                    })?;
                    let (u, var, key) = found;
                    Some(KeyLoc {
                        namespace: other.namespace.clone(),
                        name: u.secret.clone(),
                        key: key.clone(),
                        origin: Origin::Workload {
                            workload: workload_label(other),
                            how: format!("env {var}"),
                        },
                    })
                })
            })
        };
        if let Some(l) = loc {
            out.api_keys.insert(svc.id.clone(), Ok(l));
        }
    }
    // The key Secret: the one most keys were found in.
    let mut count: BTreeMap<(String, String), usize> = BTreeMap::new();
    for l in out.api_keys.values().flatten() {
        *count.entry(l.secret()).or_default() += 1;
    }
    out.key_secret = count
        .iter()
        .max_by_key(|(s, n)| (**n, std::cmp::Reverse((*s).clone())))
        .map(|(s, _)| s.clone());
    let (dns, dname) = default_key_secret;
    let fallback = match &out.key_secret {
        Some((ns, name)) => Some((ns.clone(), name.clone(), Origin::Shared)),
        None if at_hand(dns, dname) => {
            Some((dns.to_string(), dname.to_string(), Origin::DefaultName))
        }
        None => None,
    };
    // 4. the shared key Secret (or the default name) under the conventional key name.
    for svc in &keyed {
        if out.api_keys.contains_key(&svc.id) {
            continue;
        }
        let loc = match &fallback {
            Some((ns, name, origin)) => Ok(KeyLoc {
                namespace: ns.clone(),
                name: name.clone(),
                key: explicit.key_name(svc.kind).unwrap_or_default(),
                origin: origin.clone(),
            }),
            None => Err(format!(
                "no key Secret referenced by {}",
                workload_label(svc)
            )),
        };
        out.api_keys.insert(svc.id.clone(), loc);
    }
    if out.key_secret.is_none() {
        out.key_secret = fallback.map(|(ns, name, _)| (ns, name));
    }
    // The qBittorrent password.
    for svc in inv
        .services
        .iter()
        .filter(|s| s.kind == AppKind::Qbittorrent)
    {
        let (pns, pname, pkey) = default_password;
        let loc = match &explicit.password {
            Some((ns, name, key, origin)) => Ok(KeyLoc {
                namespace: ns.clone(),
                name: name.clone(),
                key: key.clone(),
                origin: origin.clone(),
            }),
            None => match own_evidence(svc, &uses[&svc.id], is_password_name, pkey) {
                Some(l) => Ok(l),
                None if at_hand(pns, pname) => Ok(KeyLoc {
                    namespace: pns.into(),
                    name: pname.into(),
                    key: pkey.into(),
                    origin: Origin::DefaultName,
                }),
                None => Err(format!(
                    "no password Secret referenced by {}",
                    workload_label(svc)
                )),
            },
        };
        out.passwords.insert(svc.id.clone(), loc);
    }
    out.jellyfin_admin = super::admin_secret::locate(
        explicit.jellyfin_admin.as_ref(),
        default_admin_name,
        inv,
        &uses,
    );
    out
}

/// [`locate`] with the config's explicit values and default names.
pub fn locate_for(
    cfg: &Config,
    inv: &Inventory,
    objs: &ClusterObjects,
    at_hand: &dyn Fn(&str, &str) -> bool,
) -> Locations {
    let d = Config::default();
    let (kns, kname) = Config::split_ref(&d.api_key_secret);
    let (pns, pname) = Config::split_ref(&d.qbittorrent_password_secret);
    let (_, admin) = Config::split_ref(&d.jellyfin_admin_secret);
    locate(
        &Explicit::from_config(cfg),
        inv,
        objs,
        (&kns, &kname),
        (&pns, &pname, &d.qbittorrent_password_key),
        &admin,
        at_hand,
    )
}
