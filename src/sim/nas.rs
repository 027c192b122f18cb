//! The whole simulated NAS: the fake API server loaded with the target world, one app simulator
//! per backend Service (registered with the API server's service proxy and with [`SimDns`]), and
//! the scenario's faults.

use super::apps::{spawn_app, RunningApp, SimDns};
use super::kube::KubeSim;
use super::scenario::Scenario;
use super::world::{self, World, WorldOptions};
use crate::model::AppKind;
use std::net::SocketAddr;

pub struct SimNas {
    pub kube: KubeSim,
    pub apps: Vec<(world::Backend, RunningApp)>,
    pub dns: SimDns,
    pub world: World,
    pub scenario: Scenario,
}

impl SimNas {
    /// Build the target world, apply the scenario, start everything on loopback.
    pub async fn start(
        scenario: Scenario,
        kube_bind: Option<SocketAddr>,
    ) -> anyhow::Result<SimNas> {
        let opts = WorldOptions {
            seed: 7,
            extra_pods: 0,
            now: jiff::Timestamp::now(),
        };
        Self::start_world(world::target_cluster(&opts), scenario, kube_bind).await
    }

    pub async fn start_world(
        mut world: World,
        scenario: Scenario,
        kube_bind: Option<SocketAddr>,
    ) -> anyhow::Result<SimNas> {
        scenario.edit_world(&mut world);
        let dns = SimDns::new();
        let mut apps = Vec::new();
        let configs = world.sim_configs();
        // What an admin prepares for the console: the Jellyfin administrator, in a Secret.
        if let Some((b, c)) = configs.iter().find(|(b, _)| b.kind == AppKind::Jellyfin) {
            world.objects.push(jellyfin_admin_secret(
                &b.namespace,
                &c.username,
                &c.password,
            ));
        }
        for (b, mut cfg) in configs {
            cfg.peer_keys = world.app_keys.clone();
            cfg.peer_keys
                .insert(AppKind::Qbittorrent, world.qbittorrent_password.clone());
            scenario.configure(&mut cfg);
            let app = spawn_app(cfg, dns.clone(), None).await?;
            dns.register(&b.namespace, &b.service, b.port, app.addr);
            apps.push((b, app));
        }
        let kube = KubeSim::start(world.objects.clone(), kube_bind).await?;
        for (b, app) in &apps {
            kube.register_backend(&b.namespace, &b.service, b.port, app.addr);
        }
        Ok(SimNas {
            kube,
            apps,
            dns,
            world,
            scenario,
        })
    }

    /// The running simulator of the first backend of `kind`.
    pub fn app(&self, kind: AppKind) -> Option<&RunningApp> {
        self.apps
            .iter()
            .find(|(b, _)| b.kind == kind)
            .map(|(_, a)| a)
    }
}

fn jellyfin_admin_secret(namespace: &str, user: &str, password: &str) -> serde_json::Value {
    use base64::Engine;
    let enc = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
    serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "jellyfin-admin", "namespace": namespace},
        "data": {"username": enc(user), "password": enc(password)},
    })
}
