//! The whole simulated NAS: the fake API server loaded with the target world, one app simulator
//! per backend Service (registered with the API server's service proxy and with [`SimDns`]), and
//! the scenario's faults.

use super::apps::gluetun::{spawn_gluetun, spawn_ip_echo, GluetunSimConfig, RunningGluetun};
use super::apps::{spawn_app, AppSimConfig, RunningApp, SimDns};
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
    /// One simulated gluetun per VPN sidecar (control server + health server), by workload.
    pub vpn: Vec<(VpnSidecarSim, RunningGluetun)>,
    /// The ingress controller's TLS listener (each Ingress host's certificate by SNI).
    pub ingress: super::ingress_tls::IngressTls,
    /// The simulated internet's IP-echo service (answers with [`HOME_IP`]).
    pub ip_echo: SocketAddr,
    _ip_echo_stop: tokio::sync::oneshot::Sender<()>,
    /// Each app simulator's settings as started (the node tree lays their config files).
    pub app_configs: Vec<(world::Backend, AppSimConfig)>,
    /// The simulated Prometheus behind each Service of a `prom/prometheus` pod (issue 12).
    _prometheus_stop: Vec<tokio::sync::oneshot::Sender<()>>,
}

/// The simulated NAS's own egress IP (outside any tunnel).
pub const HOME_IP: &str = "198.51.100.23";

/// Where a simulated gluetun sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpnSidecarSim {
    pub namespace: String,
    pub workload: String,
    pub kind: AppKind,
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
        let mut key_files = Vec::new();
        let configs = world.sim_configs();
        // What an admin prepares for the console: the Jellyfin administrator, in a Secret.
        if let Some((b, c)) = configs.iter().find(|(b, _)| b.kind == AppKind::Jellyfin) {
            let creds = [
                ("username", c.username.clone()),
                ("password", c.password.clone()),
            ];
            world
                .objects
                .push(world::secret(&b.namespace, "jellyfin-admin", &creds));
        }
        for (b, mut cfg) in configs {
            cfg.peer_keys = world.app_keys.clone();
            cfg.peer_keys
                .insert(AppKind::Qbittorrent, world.qbittorrent_password.clone());
            scenario.configure(&mut cfg);
            key_files.push((b.clone(), cfg.clone()));
            let app = spawn_app(cfg, dns.clone(), None).await?;
            dns.register(&b.namespace, &b.service, b.port, app.addr);
            apps.push((b, app));
        }
        let kube = KubeSim::start(world.objects.clone(), kube_bind).await?;
        for (b, app) in &apps {
            kube.register_backend(&b.namespace, &b.service, b.port, app.addr);
        }
        lay_key_files(&kube, &world, &key_files);
        let vpn = start_gluetuns(&kube, &world, &scenario).await?;
        let (ip_echo, _ip_echo_stop) = spawn_ip_echo(HOME_IP.to_string()).await?;
        // A pod without a VPN sidecar reaching the IP-echo service leaves from home.
        kube.put_web(&format!("http://{ip_echo}/"), format!("{HOME_IP}\n"));
        let ingress = super::ingress_tls::IngressTls::start(kube.clone()).await?;
        let _prometheus_stop = start_prometheus(&kube, &world).await?;
        Ok(SimNas {
            _prometheus_stop,
            ingress,
            kube,
            apps,
            dns,
            world,
            scenario,
            vpn,
            ip_echo,
            _ip_echo_stop,
            app_configs: key_files,
        })
    }

    /// The IP-echo URL a console on this NAS uses to learn its home IP.
    pub fn ip_echo_url(&self) -> String {
        format!("http://{}/", self.ip_echo)
    }

    /// The simulated gluetun in the pods of `kind`.
    pub fn gluetun(&self, kind: AppKind) -> Option<&RunningGluetun> {
        self.vpn
            .iter()
            .find(|(s, _)| s.kind == kind)
            .map(|(_, g)| g)
    }

    /// The `ca.crt` of the world's TLS Secrets (the simulated issuer's root), if any.
    pub fn tls_ca_pem(&self) -> Option<String> {
        use base64::Engine;
        self.world.objects.iter().find_map(|o| {
            (o["type"] == "kubernetes.io/tls")
                .then(|| o["data"]["ca.crt"].as_str())
                .flatten()
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
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

/// gluetun's control server and health server ports (`HTTP_CONTROL_SERVER_ADDRESS`,
/// `HEALTH_SERVER_ADDRESS` defaults).
pub const GLUETUN_CONTROL_PORT: u16 = 8000;
pub const GLUETUN_HEALTH_PORT: u16 = 9999;

/// One gluetun simulator per discovered VPN sidecar, registered as a pod backend of its
/// workload's pods (control server and health server ports), set up from the sidecar's env and
/// the scenario.
async fn start_gluetuns(
    kube: &KubeSim,
    world: &World,
    scenario: &Scenario,
) -> anyhow::Result<Vec<(VpnSidecarSim, RunningGluetun)>> {
    use crate::discover::{discover, ClusterObjects};
    let inv = discover(
        &ClusterObjects::from_values(&world.objects),
        &Default::default(),
    );
    let mut out = Vec::new();
    for (i, svc) in inv.services.iter().enumerate() {
        let Some(v) = &svc.vpn else { continue };
        let country = world_env(
            world,
            &svc.namespace,
            &svc.workload.name,
            "SERVER_COUNTRIES",
        )
        .and_then(|c| c.split(',').next().map(|s| s.trim().to_string()))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "Netherlands".into());
        let mut cfg = GluetunSimConfig::new(
            v.vpn_type.as_deref().unwrap_or("openvpn"),
            &format!("203.0.113.{}", 20 + i),
            &country,
        );
        cfg.organization = v.provider.clone().unwrap_or_default();
        cfg.home_ip = HOME_IP.into();
        scenario.configure_vpn(&mut cfg);
        let g = spawn_gluetun(cfg).await?;
        let (ns, wl) = (&svc.namespace, &svc.workload.name);
        kube.register_pod_backend(ns, wl, GLUETUN_CONTROL_PORT, g.control);
        kube.register_pod_backend(ns, wl, GLUETUN_HEALTH_PORT, g.health);
        out.push((
            VpnSidecarSim {
                namespace: ns.clone(),
                workload: wl.clone(),
                kind: svc.kind,
            },
            g,
        ));
    }
    Ok(out)
}

/// An env value of the gluetun container of a workload's pod template, from the world.
fn world_env(world: &World, ns: &str, workload: &str, key: &str) -> Option<String> {
    let o = world.objects.iter().find(|o| {
        o["kind"] == "Deployment"
            && o["metadata"]["namespace"] == ns
            && o["metadata"]["name"] == workload
    })?;
    let spec = &o["spec"]["template"]["spec"];
    ["containers", "initContainers"]
        .iter()
        .flat_map(|k| spec[k].as_array().cloned().unwrap_or_default())
        .filter(|c| c["image"].as_str().is_some_and(|i| i.contains("gluetun")))
        .flat_map(|c| c["env"].as_array().cloned().unwrap_or_default())
        .find(|e| e["name"] == key)
        .and_then(|e| e["value"].as_str().map(str::to_string))
}

/// Put each app's real config file (holding the key the app really uses) into its pods, where
/// `pods/exec cat <config mount>/<key file>` finds it. Pods are found the way the console finds
/// them: by discovery over the world's objects.
fn lay_key_files(kube: &KubeSim, world: &World, apps: &[(world::Backend, AppSimConfig)]) {
    use crate::discover::{discover, ClusterObjects};
    let inv = discover(
        &ClusterObjects::from_values(&world.objects),
        &Default::default(),
    );
    for (b, cfg) in apps {
        let Some(file) = crate::keys::key_file(b.kind) else {
            continue;
        };
        let svc = inv.services.iter().find(|s| {
            s.namespace == b.namespace
                && s.kind == b.kind
                && s.service.as_ref().is_some_and(|p| p.name == b.service)
        });
        let Some(svc) = svc else {
            tracing::warn!("no discovered service for {}/{}", b.namespace, b.service);
            continue;
        };
        let Some(vol) = &svc.config_volume else {
            continue;
        };
        let port = svc.service.as_ref().map_or(b.port, |p| p.target_port);
        let path = format!("{}/{}", vol.mount_path.trim_end_matches('/'), file.rel_path);
        kube.put_file(
            &b.namespace,
            &svc.workload.name,
            &svc.container,
            &path,
            key_file_text(b.kind, cfg, port),
        );
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A different 32-hex key derived from `key` (SABnzbd's `nzb_key` is never its `api_key`).
fn other_key(key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::new();
    for round in 0..2u64 {
        for b in key.bytes().chain(round.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    if out == key {
        out = out.chars().rev().collect();
    }
    out
}

/// The app's key file in its real format (what [`crate::keys::parse_key`] reads).
pub fn key_file_text(kind: AppKind, cfg: &AppSimConfig, port: u16) -> String {
    let key = cfg.api_key.as_str();
    let base = cfg.url_base.as_str();
    match kind {
        k if k.is_servarr() => format!(
            "<Config>\n  <BindAddress>*</BindAddress>\n  <Port>{port}</Port>\n  <SslPort>{}</SslPort>\n  <EnableSsl>False</EnableSsl>\n  <LaunchBrowser>True</LaunchBrowser>\n  <ApiKey>{}</ApiKey>\n  <AuthenticationMethod>Forms</AuthenticationMethod>\n  <AuthenticationRequired>Enabled</AuthenticationRequired>\n  <Branch>master</Branch>\n  <LogLevel>info</LogLevel>\n  <UrlBase>{}</UrlBase>\n  <InstanceName>{}</InstanceName>\n  <UpdateMechanism>Docker</UpdateMechanism>\n</Config>\n",
            u32::from(port) + 1,
            xml_escape(key),
            xml_escape(base),
            kind.display()
        ),
        AppKind::Sabnzbd => format!(
            "__version__ = 19\n__encoding__ = utf-8\n[misc]\nhost = 0.0.0.0\nport = {port}\nurl_base = {base}\napi_key = {key}\nnzb_key = {}\ndownload_dir = /incomplete-downloads\ncomplete_dir = /downloads\n[servers]\n[categories]\n[[*]]\nname = *\n",
            other_key(key)
        ),
        AppKind::Bazarr => format!(
            "general:\n  base_url: '{}'\n  port: {port}\n  ip: '*'\nauth:\n  apikey: '{}'\n  type: null\n",
            base.replace('\'', "''"),
            key.replace('\'', "''")
        ),
        AppKind::Jellyseerr => serde_json::to_string_pretty(&serde_json::json!({
            "clientId": other_key(key),
            "main": {"apiKey": key, "applicationTitle": "Jellyseerr", "applicationUrl": ""},
            "public": {"initialized": true},
        }))
        .unwrap_or_default(),
        _ => String::new(),
    }
}

/// One simulated Prometheus per Service selecting a `prom/prometheus` pod, serving the alerts
/// listed in the Service's [`super::apps::prometheus::FIRING`] annotation; likewise one
/// simulated Alertmanager per Service selecting an `alertmanager` pod (its firing alerts,
/// silences kept for the run).
async fn start_prometheus(
    kube: &KubeSim,
    world: &World,
) -> anyhow::Result<Vec<tokio::sync::oneshot::Sender<()>>> {
    use super::apps::alertmanager::spawn_alertmanager;
    use super::apps::prometheus::{spawn_prometheus, FIRING};
    let mut stops = Vec::new();
    for svc in world.of_kind("Service") {
        let ns = svc["metadata"]["namespace"].as_str().unwrap_or_default();
        let Some(sel) = svc["spec"]["selector"].as_object() else {
            continue;
        };
        let runs = |image: &str| {
            world.of_kind("Pod").any(|p| {
                p["metadata"]["namespace"] == ns
                    && sel.iter().all(|(k, v)| p["metadata"]["labels"][k] == *v)
                    && p["spec"]["containers"].as_array().is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c["image"].as_str().is_some_and(|i| i.contains(image)))
                    })
            })
        };
        let (prometheus, alertmanager) = (runs("prom/prometheus"), runs("/alertmanager"));
        if !prometheus && !alertmanager {
            continue;
        }
        let alerts: Vec<serde_json::Value> = svc["metadata"]["annotations"][FIRING]
            .as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let (addr, stop) = if prometheus {
            spawn_prometheus(alerts).await?
        } else {
            spawn_alertmanager(alerts).await?
        };
        let name = svc["metadata"]["name"].as_str().unwrap_or_default();
        for p in svc["spec"]["ports"].as_array().into_iter().flatten() {
            if let Some(port) = p["port"].as_u64().and_then(|x| u16::try_from(x).ok()) {
                kube.register_backend(ns, name, port, addr);
            }
        }
        stops.push(stop);
    }
    Ok(stops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_file_parses_back_to_the_key() {
        for kind in [
            AppKind::Sonarr,
            AppKind::Radarr,
            AppKind::Lidarr,
            AppKind::Prowlarr,
            AppKind::Sabnzbd,
            AppKind::Bazarr,
            AppKind::Jellyseerr,
        ] {
            let key = format!("{:032x}", 0xfeed_0000_u128 + kind as u128);
            let cfg = AppSimConfig::new(kind, "/base", &key);
            let text = key_file_text(kind, &cfg, 1234);
            let parsed = crate::keys::parse_key(kind, &text)
                .unwrap_or_else(|e| panic!("{kind:?}: {e}\n{text}"));
            assert_eq!(parsed.expose(), key, "{kind:?}");
        }
        let sab = key_file_text(
            AppKind::Sabnzbd,
            &AppSimConfig::new(AppKind::Sabnzbd, "", "k1"),
            8080,
        );
        assert!(sab.contains("api_key = k1\n") && !sab.contains("nzb_key = k1\n"));
        let radarr = key_file_text(
            AppKind::Radarr,
            &AppSimConfig::new(AppKind::Radarr, "/radarr", "k2"),
            7878,
        );
        assert!(
            radarr.contains("<Port>7878</Port>") && radarr.contains("<UrlBase>/radarr</UrlBase>")
        );
    }
}
