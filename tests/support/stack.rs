//! The simulated target cluster's apps on loopback, wired to each other through [`SimDns`],
//! and a [`Live`] context built the way the engine builds it (discovery over the world's
//! objects, Secrets decoded, keys read "from the apps"), with `Direct` endpoints to the sims.

use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::collect::credentials::AppCreds;
use k8s_nas::discover::{discover, ClusterObjects, Overrides};
use k8s_nas::integrate::live::Live;
use k8s_nas::integrate::{Desired, KnownSecrets};
use k8s_nas::keys::decode_secret;
use k8s_nas::model::{AppKind, Inventory, Secret, ServiceId};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, RunningApp, Seed, SimDns};
use k8s_nas::sim::world::{target_cluster, Backend, World, WorldOptions};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Stack {
    pub world: World,
    pub apps: Vec<(Backend, RunningApp)>,
    pub dns: SimDns,
    pub inventory: Inventory,
}

/// Start every backend of the target world with `seed`; `tweak` may edit each sim's config.
pub async fn start(seed: Seed, mut tweak: impl FnMut(&mut AppSimConfig)) -> Stack {
    let world = target_cluster(&WorldOptions::default());
    let dns = SimDns::new();
    let mut apps = Vec::new();
    for (b, mut cfg) in world.sim_configs() {
        cfg.peer_keys = world.app_keys.clone();
        cfg.peer_keys
            .insert(AppKind::Qbittorrent, world.qbittorrent_password.clone());
        cfg.seed = seed;
        tweak(&mut cfg);
        let app = spawn_app(cfg, dns.clone(), None).await.expect("spawn sim");
        dns.register(&b.namespace, &b.service, b.port, app.addr);
        apps.push((b, app));
    }
    let inventory = discover(
        &ClusterObjects::from_values(&world.objects),
        &Overrides::default(),
    );
    Stack {
        world,
        apps,
        dns,
        inventory,
    }
}

impl Stack {
    pub fn app(&self, kind: AppKind) -> &RunningApp {
        &self
            .apps
            .iter()
            .find(|(b, _)| b.kind == kind)
            .expect("app of kind")
            .1
    }

    pub fn id(&self, kind: AppKind) -> ServiceId {
        self.inventory.first(kind).expect("discovered").id.clone()
    }

    /// Secrets as the cluster has them (`starr-secrets`, `qbittorrent-secrets`), plus the
    /// keys the apps really use (as read from their config files on the node).
    pub fn secrets(&self) -> KnownSecrets {
        let mut s = KnownSecrets::default();
        for o in self.world.of_kind("Secret") {
            let Ok(sec) = serde_json::from_value::<k8s_openapi::api::core::v1::Secret>(o.clone())
            else {
                continue;
            };
            let ns = sec.metadata.namespace.clone().unwrap_or_default();
            let name = sec.metadata.name.clone().unwrap_or_default();
            s = s.with_secret(&ns, &name, &decode_secret(&sec));
        }
        for svc in &self.inventory.services {
            if let Some(k) = self.world.app_keys.get(&svc.kind) {
                if svc.kind != AppKind::Jellyfin && svc.kind != AppKind::Qbittorrent {
                    s.app_keys.insert(svc.id.clone(), Secret::new(k.clone()));
                }
            }
        }
        s
    }

    pub fn endpoints(&self) -> BTreeMap<ServiceId, AppEndpoint> {
        let mut out = BTreeMap::new();
        for svc in &self.inventory.services {
            let Some(port) = &svc.service else { continue };
            if let Some((_, app)) = self
                .apps
                .iter()
                .find(|(b, _)| b.namespace == svc.namespace && b.service == port.name)
            {
                out.insert(
                    svc.id.clone(),
                    AppEndpoint::direct(app.url(), svc.url_base.clone())
                        .with_timeout(Duration::from_secs(3)),
                );
            }
        }
        out
    }

    pub fn live(&self) -> Live {
        let mut creds = BTreeMap::new();
        if let Some(jf) = self.inventory.first(AppKind::Jellyfin) {
            creds.insert(
                jf.id.clone(),
                AppCreds {
                    api_key: None,
                    username: Some("admin".into()),
                    password: Some(Secret::new("adminadmin")),
                    ..AppCreds::default()
                },
            );
        }
        Live {
            inventory: self.inventory.clone(),
            endpoints: self.endpoints(),
            creds,
            secrets: self.secrets(),
            desired: Desired::default(),
            prune: false,
        }
    }
}
