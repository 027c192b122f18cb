//! Resolution: the desired graph + the discovered inventory + known secrets → concrete edges.
//!
//! Every host, port and URL base comes from the [`Inventory`]; a wire whose apps are not
//! discovered is left out, one whose secret is unknown becomes an [`Unresolved`] (shown as `?`).

use super::desired::{Desired, SecretRef, TargetOverride};
use super::edge::{ChoicePrefs, Cmp, DesiredField, Edge, EdgeKind, SvcRef};
use crate::keys::SecretTarget;
use crate::model::{AppKind, Inventory, Secret, ServiceId, ServiceInfo};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// Secrets the resolver may use: Secret keys read from the cluster, and keys read from the apps.
#[derive(Debug, Clone, Default)]
pub struct KnownSecrets {
    pub refs: BTreeMap<SecretRef, Secret>,
    /// Keys found where the app keeps them (win over the Secret).
    pub app_keys: BTreeMap<ServiceId, Secret>,
    /// Services whose key in the Secret the app itself rejects: never wire that key elsewhere.
    pub rejected: BTreeMap<ServiceId, String>,
}

impl KnownSecrets {
    /// Add the keys read from the apps (they win over the Secret's values).
    pub fn with_app_keys<'a>(
        mut self,
        observed: impl IntoIterator<Item = &'a crate::keys::AppKeyObservation>,
    ) -> Self {
        for o in observed {
            if let Ok(k) = &o.key {
                if !k.is_empty() {
                    self.app_keys.insert(o.service.clone(), k.clone());
                }
            }
        }
        self
    }

    /// Add every key of a Kubernetes Secret (decoded by [`crate::keys::decode_secret`]).
    pub fn with_secret(
        mut self,
        namespace: &str,
        name: &str,
        values: &BTreeMap<String, Secret>,
    ) -> Self {
        for (k, v) in values {
            self.refs
                .insert(SecretRef::new(namespace, name, k), v.clone());
        }
        self
    }

    pub fn get(&self, r: &SecretRef) -> Option<&Secret> {
        self.refs.get(r).filter(|s| !s.is_empty())
    }

    /// The app's API key: read from the app, else from the key Secret.
    pub fn app_key(&self, svc: &ServiceInfo, target: &SecretTarget) -> Result<Secret, String> {
        if let Some(k) = self.app_keys.get(&svc.id).filter(|k| !k.is_empty()) {
            return Ok(k.clone());
        }
        let name = target
            .key_name(svc.kind)
            .ok_or_else(|| format!("{} has no API key name configured", svc.kind))?;
        let r = SecretRef::new(&target.namespace, &target.name, name);
        if let Some(why) = self.rejected.get(&svc.id) {
            return Err(format!(
                "{} rejects the key in {} ({why}) and its own key could not be read: \
                 fix the Secret first (`k8s-nas keys`)",
                svc.kind,
                r.display()
            ));
        }
        self.get(&r).cloned().ok_or_else(|| {
            format!(
                "{}'s API key is unknown (not read from the app, {} is missing or empty)",
                svc.kind,
                r.display()
            )
        })
    }
}

/// An edge that the file asks for but that cannot be made concrete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    pub id: String,
    pub kind: EdgeKind,
    pub from: ServiceId,
    pub to: ServiceId,
    pub label: String,
    pub why: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resolution {
    pub edges: Vec<Edge>,
    pub unresolved: Vec<Unresolved>,
}

fn svc_ref(to: &ServiceInfo, caller: &ServiceInfo, ov: &TargetOverride) -> SvcRef {
    SvcRef {
        app: to.kind,
        service: to
            .service
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| to.workload.name.clone()),
        namespace: to.namespace.clone(),
        url_base: ov
            .url_base
            .as_deref()
            .map(super::edge::norm_base)
            .unwrap_or_else(|| to.url_base.clone()),
        caller_ns: caller.namespace.clone(),
    }
}

/// Host, port and URL base the `caller` should use to reach `to`.
fn endpoint(to: &ServiceInfo, ov: &TargetOverride) -> Result<(String, u16, String), String> {
    let host = match &ov.host {
        Some(h) => h.clone(),
        None => to
            .cluster_host()
            .ok_or_else(|| format!("{} has no Kubernetes Service", to.id))?,
    };
    let port = ov
        .port
        .or(to.service.as_ref().map(|s| s.port))
        .ok_or_else(|| format!("{} has no Service port", to.id))?;
    let base = ov
        .url_base
        .as_deref()
        .map(super::edge::norm_base)
        .unwrap_or_else(|| to.url_base.clone());
    Ok((host, port, base))
}

fn category_field(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Radarr => "movieCategory",
        AppKind::Lidarr => "musicCategory",
        _ => "tvCategory",
    }
}

struct Builder<'a> {
    inv: &'a Inventory,
    out: Resolution,
}

impl Builder<'_> {
    fn push(
        &mut self,
        kind: EdgeKind,
        from: &ServiceInfo,
        to: &ServiceInfo,
        build: impl FnOnce() -> Result<EdgeParts, String>,
    ) {
        let id = Edge::make_id(kind, &from.id, &to.id);
        match build() {
            Ok(p) => self.out.edges.push(Edge {
                id,
                from: from.id.clone(),
                from_kind: from.kind,
                to: to.id.clone(),
                to_kind: to.kind,
                kind,
                name: p.name,
                implementation: p.implementation,
                top: p.top,
                fields: p.fields,
                choices: p.choices,
            }),
            Err(why) => {
                let label = if kind == EdgeKind::RootFolder {
                    format!("{} root folder", from.kind)
                } else {
                    format!("{} → {}", from.kind, to.kind)
                };
                self.out.unresolved.push(Unresolved {
                    id,
                    kind,
                    from: from.id.clone(),
                    to: to.id.clone(),
                    label,
                    why,
                })
            }
        }
    }
}

#[derive(Default)]
struct EdgeParts {
    name: String,
    implementation: String,
    top: Vec<DesiredField>,
    fields: Vec<DesiredField>,
    choices: ChoicePrefs,
}

/// Make the desired graph concrete for this cluster.
pub fn resolve(desired: &Desired, inv: &Inventory, secrets: &KnownSecrets) -> Resolution {
    let mut b = Builder {
        inv,
        out: Resolution::default(),
    };
    let keys = &desired.api_keys;
    let arr_kinds = [AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr];

    // Sonarr/Radarr/Lidarr → qBittorrent.
    let dc = &desired.download_client;
    let dc_target = dc.target();
    if let (true, Some(qbt)) = (dc.enabled, inv.first(AppKind::Qbittorrent)) {
        for from in arr_kinds.iter().filter(|k| dc.apps.contains(k)) {
            for app in b.inv.by_kind(*from).collect::<Vec<_>>() {
                b.push(EdgeKind::DownloadClient, app, qbt, || {
                    let (host, port, base) = endpoint(qbt, &dc_target)?;
                    let target = svc_ref(qbt, app, &dc_target);
                    let password = secrets.get(&dc.password).cloned().ok_or_else(|| {
                        format!(
                            "qBittorrent password unknown ({} is missing or empty)",
                            dc.password.display()
                        )
                    })?;
                    let category = dc.categories.get(&app.kind).cloned().unwrap_or_default();
                    Ok(EdgeParts {
                        name: dc.name.clone(),
                        implementation: "QBittorrent".into(),
                        top: provider_top(
                            "QBittorrent",
                            "qBittorrent",
                            "QBittorrentSettings",
                            json!({"enable": true, "protocol": "torrent", "priority": dc.priority,
                                "removeCompletedDownloads": dc.remove_completed,
                                "removeFailedDownloads": dc.remove_failed}),
                        ),
                        fields: vec![
                            DesiredField::plain("host", host).cmp(Cmp::Host {
                                target: target.clone(),
                            }),
                            DesiredField::plain("port", port),
                            DesiredField::plain("useSsl", false),
                            DesiredField::plain("urlBase", base).cmp(Cmp::UrlBase { target }),
                            DesiredField::plain("username", dc.username.clone()),
                            DesiredField::secret("password", password),
                            DesiredField::plain(category_field(app.kind), category),
                        ],
                        choices: ChoicePrefs::default(),
                    })
                });
            }
        }
    }

    // Sonarr/Radarr/Lidarr → SABnzbd.
    let us = &desired.usenet;
    let us_target = us.target();
    let sab = inv.first(AppKind::Sabnzbd);
    if us.enabled != Some(false) {
        if let Some(sab) = sab {
            for from in arr_kinds.iter().filter(|k| us.apps.contains(k)) {
                for app in b.inv.by_kind(*from).collect::<Vec<_>>() {
                    b.push(EdgeKind::UsenetClient, app, sab, || {
                        let (host, port, base) = endpoint(sab, &us_target)?;
                        let target = svc_ref(sab, app, &us_target);
                        let key = secrets.app_key(sab, keys)?;
                        let category = us.categories.get(&app.kind).cloned().unwrap_or_default();
                        Ok(EdgeParts {
                            name: us.name.clone(),
                            implementation: "Sabnzbd".into(),
                            top: provider_top(
                                "Sabnzbd",
                                "SABnzbd",
                                "SabnzbdSettings",
                                json!({"enable": true, "protocol": "usenet",
                                    "priority": us.priority,
                                    "removeCompletedDownloads": true,
                                    "removeFailedDownloads": true}),
                            ),
                            fields: vec![
                                DesiredField::plain("host", host).cmp(Cmp::Host {
                                    target: target.clone(),
                                }),
                                DesiredField::plain("port", port),
                                DesiredField::plain("useSsl", false),
                                DesiredField::plain("urlBase", base).cmp(Cmp::UrlBase { target }),
                                DesiredField::secret("apiKey", key),
                                DesiredField::plain(category_field(app.kind), category),
                            ],
                            choices: ChoicePrefs::default(),
                        })
                    });
                }
            }
        }
    }

    // Root folders.
    let defaults = Desired::default().root_folders;
    for (kind, path) in &desired.root_folders {
        let follow_existing = defaults.get(kind) == Some(path);
        for app in b.inv.by_kind(*kind).collect::<Vec<_>>() {
            b.push(EdgeKind::RootFolder, app, app, || {
                let mut top = vec![DesiredField::plain("path", path.clone())];
                if app.kind == AppKind::Lidarr {
                    top.push(DesiredField::plain("name", "Music").create_only());
                    top.push(DesiredField::plain("defaultMonitorOption", "all").create_only());
                    top.push(
                        DesiredField::plain("defaultNewItemMonitorOption", "all").create_only(),
                    );
                    top.push(DesiredField::plain("defaultTags", json!([])).create_only());
                }
                Ok(EdgeParts {
                    name: path.clone(),
                    top,
                    choices: ChoicePrefs {
                        follow_existing,
                        ..Default::default()
                    },
                    ..Default::default()
                })
            });
        }
    }

    // Prowlarr → Sonarr/Radarr/Lidarr.
    let pr = &desired.prowlarr;
    if let (true, Some(prowlarr)) = (pr.enabled, inv.first(AppKind::Prowlarr)) {
        for kind in arr_kinds.iter().filter(|k| pr.apps.contains(k)) {
            for app in b.inv.by_kind(*kind).collect::<Vec<_>>() {
                b.push(EdgeKind::ProwlarrApp, prowlarr, app, || {
                    let none = TargetOverride::default();
                    let app_url = app
                        .cluster_url()
                        .ok_or_else(|| format!("{} has no Kubernetes Service", app.id))?;
                    let prowlarr_url = prowlarr
                        .cluster_url()
                        .ok_or_else(|| format!("{} has no Kubernetes Service", prowlarr.id))?;
                    let key = secrets.app_key(app, keys)?;
                    let imp = kind.display();
                    Ok(EdgeParts {
                        name: imp.to_string(),
                        implementation: imp.to_string(),
                        top: {
                            let mut t =
                                provider_top(imp, imp, &format!("{imp}Settings"), json!({}));
                            t.push(DesiredField::plain("syncLevel", pr.sync_level.clone()));
                            t
                        },
                        fields: vec![
                            // Sonarr calls Prowlarr back at prowlarrUrl.
                            DesiredField::plain("prowlarrUrl", prowlarr_url).cmp(Cmp::Url {
                                target: svc_ref(prowlarr, app, &none),
                            }),
                            DesiredField::plain("baseUrl", app_url).cmp(Cmp::Url {
                                target: svc_ref(app, prowlarr, &none),
                            }),
                            DesiredField::secret("apiKey", key),
                        ],
                        choices: ChoicePrefs::default(),
                    })
                });
            }
        }
    }

    // Jellyseerr → Jellyfin / Sonarr / Radarr.
    let se = &desired.jellyseerr;
    if let Some(seerr) = inv.first(AppKind::Jellyseerr) {
        let none = TargetOverride::default();
        if let (true, Some(jf)) = (se.jellyfin, inv.first(AppKind::Jellyfin)) {
            b.push(EdgeKind::SeerrJellyfin, seerr, jf, || {
                let (host, port, base) = endpoint(jf, &none)?;
                let target = svc_ref(jf, seerr, &none);
                Ok(EdgeParts {
                    name: "Jellyfin".into(),
                    fields: vec![
                        DesiredField::plain("ip", host).cmp(Cmp::Host {
                            target: target.clone(),
                        }),
                        DesiredField::plain("port", port),
                        DesiredField::plain("useSsl", false),
                        DesiredField::plain("urlBase", base).cmp(Cmp::UrlBase { target }),
                    ],
                    ..Default::default()
                })
            });
        }
        for (on, kind, ek) in [
            (se.sonarr, AppKind::Sonarr, EdgeKind::SeerrSonarr),
            (se.radarr, AppKind::Radarr, EdgeKind::SeerrRadarr),
        ] {
            let Some(app) = inv.first(kind).filter(|_| on) else {
                continue;
            };
            b.push(ek, seerr, app, || {
                let (host, port, base) = endpoint(app, &none)?;
                let target = svc_ref(app, seerr, &none);
                let key = secrets.app_key(app, keys)?;
                let mut fields = vec![
                    DesiredField::plain("name", kind.display()).create_only(),
                    DesiredField::plain("hostname", host).cmp(Cmp::Host {
                        target: target.clone(),
                    }),
                    DesiredField::plain("port", port),
                    DesiredField::secret("apiKey", key),
                    DesiredField::plain("useSsl", false),
                    DesiredField::plain("baseUrl", base).cmp(Cmp::UrlBase { target }),
                    DesiredField::plain("is4k", false).create_only(),
                    DesiredField::plain("isDefault", true).create_only(),
                    DesiredField::plain("syncEnabled", true).create_only(),
                ];
                if kind == AppKind::Sonarr {
                    fields.push(DesiredField::plain("enableSeasonFolders", true).create_only());
                } else {
                    fields
                        .push(DesiredField::plain("minimumAvailability", "released").create_only());
                }
                Ok(EdgeParts {
                    name: kind.display().into(),
                    fields,
                    choices: ChoicePrefs {
                        quality_profile: se.quality_profile.clone(),
                        metadata_profile: None,
                        root_folder: desired.root_folders.get(&kind).cloned(),
                        follow_existing: false,
                    },
                    ..Default::default()
                })
            });
        }
    }

    // Bazarr → Sonarr / Radarr.
    let bz = &desired.bazarr;
    if let Some(bazarr) = inv.first(AppKind::Bazarr) {
        for (on, kind, ek) in [
            (bz.sonarr, AppKind::Sonarr, EdgeKind::BazarrSonarr),
            (bz.radarr, AppKind::Radarr, EdgeKind::BazarrRadarr),
        ] {
            let Some(app) = inv.first(kind).filter(|_| on) else {
                continue;
            };
            b.push(ek, bazarr, app, || {
                let none = TargetOverride::default();
                let (host, port, base) = endpoint(app, &none)?;
                let target = svc_ref(app, bazarr, &none);
                let key = secrets.app_key(app, keys)?;
                let s = kind.id();
                Ok(EdgeParts {
                    name: kind.display().into(),
                    fields: vec![
                        DesiredField::plain(&format!("general.use_{s}"), true),
                        DesiredField::plain(&format!("{s}.ip"), host).cmp(Cmp::Host {
                            target: target.clone(),
                        }),
                        DesiredField::plain(&format!("{s}.port"), port),
                        DesiredField::plain(&format!("{s}.base_url"), base)
                            .cmp(Cmp::UrlBase { target }),
                        DesiredField::plain(&format!("{s}.ssl"), false),
                        DesiredField::secret(&format!("{s}.apikey"), key),
                    ],
                    ..Default::default()
                })
            });
        }
    }
    if us.enabled == Some(true) && sab.is_none() {
        b.out.unresolved.push(Unresolved {
            id: "usenet-client:*".into(),
            kind: EdgeKind::UsenetClient,
            from: ServiceId("*".into()),
            to: ServiceId("*".into()),
            label: "Sonarr/Radarr/Lidarr → SABnzbd".into(),
            why: "usenet.enabled = true but no SABnzbd was discovered".into(),
        });
    }
    b.out
}

fn provider_top(
    imp: &str,
    imp_name: &str,
    contract: &str,
    extra: serde_json::Value,
) -> Vec<DesiredField> {
    let mut v = vec![
        DesiredField::plain("implementation", imp),
        DesiredField::plain("implementationName", imp_name).create_only(),
        DesiredField::plain("configContract", contract),
    ];
    if let serde_json::Value::Object(m) = extra {
        for (k, val) in m {
            // Only `enable` and `syncLevel` are enforced; the rest are creation defaults the
            // user may change.
            let f = DesiredField::plain(&k, val);
            v.push(if k == "enable" { f } else { f.create_only() });
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrate::fixtures::target_inventory;

    #[test]
    fn a_secret_key_its_app_rejects_is_never_wired_elsewhere() {
        let inv = target_inventory();
        let radarr = inv.first(crate::model::AppKind::Radarr).unwrap().clone();
        let target = SecretTarget::default();
        let mut values = BTreeMap::new();
        values.insert("RADARR_API_KEY".to_string(), Secret::new("stale"));
        let mut s = KnownSecrets::default().with_secret(&target.namespace, &target.name, &values);
        assert_eq!(s.app_key(&radarr, &target).unwrap().expose(), "stale");
        s.rejected.insert(radarr.id.clone(), "401".into());
        let err = s.app_key(&radarr, &target).unwrap_err();
        assert!(err.contains("rejects the key"), "{err}");
        // the app's own key still wins
        s.app_keys.insert(radarr.id.clone(), Secret::new("real"));
        assert_eq!(s.app_key(&radarr, &target).unwrap().expose(), "real");
    }
}
