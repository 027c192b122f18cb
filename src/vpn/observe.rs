//! Reading one VPN pod: targets from the watched objects (pure), then the reads (async), all
//! through the API server (pod proxy for gluetun, the app's endpoint for qBittorrent).

use super::{Binding, Got, HomeIp, VpnObservation};
use crate::clients::gluetun::{self, ControlAuth, GluetunClient};
use crate::clients::qbittorrent::QbitClient;
use crate::clients::transport::AppEndpoint;
use crate::cluster::ClusterConn;
use crate::collect::credentials::Credentials;
use crate::config::Config;
use crate::discover::ClusterObjects;
use crate::model::{AppError, AppErrorKind, AppKind, Inventory, Secret, ServiceId, ServiceInfo};
use k8s_openapi::api::core::v1::{Container, Pod};
use std::sync::Arc;
use std::time::Duration;

/// gluetun's defaults (`HTTP_CONTROL_SERVER_ADDRESS`, `HEALTH_SERVER_ADDRESS`).
const DEFAULT_CONTROL: &str = ":8000";
const DEFAULT_HEALTH: &str = "127.0.0.1:9999";

/// Is this a gluetun image (`qmcgaw/gluetun:latest`, `ghcr.io/qdm12/gluetun@sha256:…`)?
pub fn is_gluetun(c: &Container) -> bool {
    c.image.as_deref().is_some_and(|i| {
        let no_digest = i.split('@').next().unwrap_or(i);
        let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
        last.split(':').next() == Some("gluetun")
    })
}

/// Every gluetun container of a pod spec: app containers and init containers (native sidecars).
pub fn gluetun_containers(spec: &k8s_openapi::api::core::v1::PodSpec) -> Vec<&Container> {
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .filter(|c| is_gluetun(c))
        .collect()
}

/// A container's env value (literal values only; `valueFrom` is not resolved).
pub fn env(c: &Container, key: &str) -> Option<String> {
    c.env
        .iter()
        .flatten()
        .find(|e| e.name == key)
        .and_then(|e| e.value.clone())
}

/// The port of a gluetun listen address reachable from outside the pod (`:8000`,
/// `0.0.0.0:9999`); `None` when it listens on loopback only.
pub fn reachable_port(addr: &str) -> Option<u16> {
    let (host, port) = addr.rsplit_once(':')?;
    let host = host.trim_matches(['[', ']']);
    if host.starts_with("127.") || host == "localhost" || host == "::1" {
        return None;
    }
    port.parse().ok()
}

/// Where the home IP comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum HomeSource {
    Config(String),
    /// The IP-echo URL fetched from the console's machine.
    Echo(String),
    /// The IP-echo URL fetched inside a pod without a VPN sidecar.
    PodEcho(String, super::home_pod::EchoPod),
    /// `ip_echo_from_pod` names no usable pod: why.
    PodMissing(String, String),
    None,
}

impl HomeSource {
    pub fn from_config(cfg: &Config) -> Self {
        match (&cfg.vpn.home_ip, &cfg.vpn.ip_echo_url) {
            (Some(ip), _) if !ip.trim().is_empty() => HomeSource::Config(ip.trim().into()),
            (_, Some(url)) if !url.trim().is_empty() => HomeSource::Echo(url.trim().into()),
            _ => HomeSource::None,
        }
    }

    /// With `ip_echo_from_pod`: the echo URL fetched in that pod (or why there is none).
    pub fn from_cluster(cfg: &Config, inventory: &Inventory, objects: &ClusterObjects) -> Self {
        match (Self::from_config(cfg), cfg.vpn.ip_echo_from_pod.as_deref()) {
            (HomeSource::Echo(url), Some(choice)) if !choice.trim().is_empty() => {
                match super::home_pod::pick(choice, inventory, objects) {
                    Ok(p) => HomeSource::PodEcho(url, p),
                    Err(why) => HomeSource::PodMissing(url, why),
                }
            }
            (other, _) => other,
        }
    }

    /// Learn the home IP (an IP-echo answer is plain text or `{"ip": …}`).
    pub async fn resolve(&self, client: &kube::Client, timeout: Duration) -> HomeIp {
        match self {
            HomeSource::None => HomeIp::not_configured(),
            HomeSource::PodEcho(url, p) => HomeIp {
                source: format!("{url} from pod {}/{}", p.namespace, p.pod),
                ip: Got::from(super::home_pod::fetch(client, p, url, timeout).await),
            },
            HomeSource::PodMissing(url, why) => HomeIp {
                source: format!("{url} from a pod"),
                ip: Got::Error(AppError::new(AppErrorKind::Config, why.clone())),
            },
            HomeSource::Config(ip) => HomeIp {
                source: "config".into(),
                ip: Got::Ok(ip.clone()),
            },
            HomeSource::Echo(url) => HomeIp {
                source: url.clone(),
                ip: Got::from(echo(url, timeout).await),
            },
        }
    }
}

async fn echo(url: &str, timeout: Duration) -> Result<String, AppError> {
    let ep = AppEndpoint::direct(url.to_string(), "").with_timeout(timeout);
    let r = ep
        .get("", http::HeaderMap::new())
        .await
        .map_err(|e| AppError::new(e.kind, format!("IP-echo service {url}: {}", e.detail)))?
        .error_for_status("")?;
    parse_echo(&String::from_utf8_lossy(&r.body)).ok_or_else(|| {
        AppError::new(
            AppErrorKind::BadBody,
            format!("IP-echo service {url} did not answer an IP"),
        )
    })
}

/// An IP-echo answer: the IP as plain text or `{"ip": …}`.
pub fn parse_echo(body: &str) -> Option<String> {
    let text = body.trim().to_string();
    let ip = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["ip"].as_str().map(str::to_string))
        .unwrap_or(text);
    ip.parse::<std::net::IpAddr>().is_ok().then_some(ip)
}

/// The API clients of a target: the main one (credentials Secrets) and the one for `exec`
/// (the home IP fetched inside a pod).
#[derive(Clone)]
pub struct KubeHandle(pub kube::Client, pub kube::Client);

impl std::fmt::Debug for KubeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("kube::Client")
    }
}

impl VpnTarget {
    /// The control server client with its credentials resolved (a Secret read now), and what to
    /// say about where they came from (`None`: no credentials asked for).
    pub async fn control_client(&self) -> (Option<GluetunClient>, Option<String>) {
        use super::control_auth::{resolve, AuthSource};
        let Some(c) = &self.control else {
            return (None, None);
        };
        let (auth, note) = match resolve(&self.kube.0, &self.auth).await {
            Ok(a) => (
                a,
                (self.auth != AuthSource::None).then(|| self.auth.describe()),
            ),
            Err(why) => (ControlAuth::None, Some(why)),
        };
        (Some(GluetunClient::new(c.endpoint().clone(), auth)), note)
    }
}

/// One VPN pod to read.
#[derive(Debug, Clone)]
pub struct VpnTarget {
    pub svc: Arc<ServiceInfo>,
    pub pod: Option<String>,
    pub restarts: Option<u32>,
    pub sidecar_started: Option<jiff::Timestamp>,
    pub sidecars: usize,
    pub control: Option<GluetunClient>,
    /// Where the control server's credentials come from (read when observing).
    pub auth: super::control_auth::AuthSource,
    pub kube: KubeHandle,
    pub health: Option<AppEndpoint>,
    /// The health server's address when it listens on loopback only (not probed).
    pub health_loopback: Option<String>,
    /// SABnzbd's WebUI in the pod (its container port through the pod proxy).
    pub app: Option<(AppEndpoint, u16)>,
    /// qBittorrent's endpoint and WebUI credentials.
    pub qbit: Option<(AppEndpoint, String, Secret)>,
    pub home: HomeSource,
    pub timeout: Duration,
}

impl PartialEq for VpnTarget {
    fn eq(&self, o: &Self) -> bool {
        self.svc == o.svc
            && self.pod == o.pod
            && self.restarts == o.restarts
            && self.sidecar_started == o.sidecar_started
            && self.sidecars == o.sidecars
            && self.control.as_ref().map(|c| c.endpoint().describe())
                == o.control.as_ref().map(|c| c.endpoint().describe())
            && self.health.as_ref().map(AppEndpoint::describe)
                == o.health.as_ref().map(AppEndpoint::describe)
            && self.qbit.as_ref().map(|(e, u, p)| (e.describe(), u, p))
                == o.qbit.as_ref().map(|(e, u, p)| (e.describe(), u, p))
            && self.home == o.home
            && self.auth == o.auth
            && self.health_loopback == o.health_loopback
            && self.app.as_ref().map(|(e, p)| (e.describe(), p))
                == o.app.as_ref().map(|(e, p)| (e.describe(), p))
    }
}

fn pod_endpoint(conn: &ClusterConn, ns: &str, pod: &str, port: u16, t: Duration) -> AppEndpoint {
    AppEndpoint::pod_proxy(conn.client.clone(), ns, pod, &port.to_string(), "").with_timeout(t)
}

/// The VPN pods of the inventory, each with what to read.
pub fn targets(
    cfg: &Config,
    conn: &ClusterConn,
    objects: &ClusterObjects,
    inventory: &Inventory,
    creds: &Credentials,
) -> Vec<(ServiceId, VpnTarget)> {
    let timeout = Duration::from_millis(cfg.timeout_ms.max(100));
    let home = HomeSource::from_cluster(cfg, inventory, objects);
    inventory
        .services
        .iter()
        .filter(|s| s.vpn.is_some())
        .map(|svc| {
            let ns = svc.namespace.as_str();
            let pods = crate::discover::pod_statuses(svc, objects);
            let running = pods
                .iter()
                .find(|p| p.phase == crate::model::PodPhase::Running && !p.terminating);
            let pod_obj: Option<&Pod> = running.and_then(|r| {
                objects
                    .pods
                    .iter()
                    .find(|p| {
                        p.metadata.namespace.as_deref() == Some(ns)
                            && p.metadata.name.as_deref() == Some(r.name.as_str())
                    })
                    .map(|p| p.as_ref())
            });
            let glu: Vec<&Container> = pod_obj
                .and_then(|p| p.spec.as_ref())
                .map(gluetun_containers)
                .unwrap_or_default();
            let first = glu.first().copied();
            let status = pod_obj.and_then(|p| {
                let name = first?.name.as_str();
                let st = p.status.as_ref()?;
                st.container_statuses
                    .iter()
                    .flatten()
                    .chain(st.init_container_statuses.iter().flatten())
                    .find(|c| c.name == name)
            });
            let restarts = status.map(|c| u32::try_from(c.restart_count).unwrap_or(0));
            let sidecar_started = status
                .and_then(|c| c.state.as_ref()?.running.as_ref()?.started_at.as_ref())
                .map(|t| t.0);
            let pod = running.map(|r| r.name.clone());
            let health_loopback = first.and_then(|c| {
                let hl = env(c, "HEALTH_SERVER_ADDRESS").unwrap_or_else(|| DEFAULT_HEALTH.into());
                reachable_port(&hl).is_none().then_some(hl)
            });
            let app = match (&pod, svc.kind, &svc.service) {
                (Some(pod), AppKind::Sabnzbd, Some(port)) => Some((
                    pod_endpoint(conn, ns, pod, port.target_port, timeout),
                    port.target_port,
                )),
                _ => None,
            };
            let (control, health) = match (&pod, first) {
                (Some(pod), Some(c)) => {
                    let ctl = env(c, "HTTP_CONTROL_SERVER_ADDRESS")
                        .unwrap_or_else(|| DEFAULT_CONTROL.into());
                    let hl =
                        env(c, "HEALTH_SERVER_ADDRESS").unwrap_or_else(|| DEFAULT_HEALTH.into());
                    (
                        reachable_port(&ctl).map(|port| {
                            GluetunClient::new(
                                pod_endpoint(conn, ns, pod, port, timeout),
                                ControlAuth::None,
                            )
                        }),
                        reachable_port(&hl).map(|port| pod_endpoint(conn, ns, pod, port, timeout)),
                    )
                }
                _ => (None, None),
            };
            let qbit = (svc.kind == AppKind::Qbittorrent)
                .then(|| {
                    let ep = crate::engine::endpoint_for(svc, cfg, conn)?;
                    let c = creds.for_service(svc, cfg);
                    Some((
                        ep.with_timeout(timeout),
                        c.username.unwrap_or_else(|| "admin".into()),
                        c.password.unwrap_or_default(),
                    ))
                })
                .flatten();
            let t = VpnTarget {
                svc: Arc::new(svc.clone()),
                pod,
                restarts,
                sidecar_started,
                sidecars: glu.len(),
                control,
                auth: super::control_auth::source(
                    cfg,
                    ns,
                    pod_obj.and_then(|p| p.spec.as_ref()),
                    first,
                ),
                kube: KubeHandle(conn.client.clone(), conn.exec.clone()),
                health,
                health_loopback,
                app,
                qbit,
                home: home.clone(),
                timeout,
            };
            (svc.id.clone(), t)
        })
        .collect()
}

/// Does the app answer on `port` inside the pod (its network namespace is the sidecar's)? Any
/// HTTP answer of the app counts (a login page, 401, a redirect); the API server's own 502/503
/// ("connection refused", pod not running) and transport errors do not.
pub async fn reach(ep: &AppEndpoint, port: u16) -> Result<u16, AppError> {
    let r = ep.get("/", http::HeaderMap::new()).await?;
    match r.status.as_u16() {
        502..=504 => {
            let body = String::from_utf8_lossy(&r.body);
            let body: String = body.trim().chars().take(120).collect();
            Err(AppError::new(
                AppErrorKind::Http {
                    status: r.status.as_u16(),
                },
                format!(
                    "port {port} through the sidecar's network: {} {body}",
                    r.status
                ),
            ))
        }
        _ => Ok(port),
    }
}

/// qBittorrent's binding: `current_network_interface`, `listen_port`, `connection_status`.
pub async fn binding(ep: &AppEndpoint, user: &str, pw: &Secret) -> Result<Binding, AppError> {
    let c = QbitClient::new(ep.clone(), user.to_string(), pw.clone());
    let prefs = c.preferences().await?;
    let info = c.transfer_info().await?;
    Ok(Binding {
        interface: prefs.current_network_interface,
        listen_port: prefs.listen_port,
        connection_status: info.connection_status,
    })
}

/// Read one VPN pod: control server, health server, qBittorrent and the home IP concurrently.
pub async fn observe(t: &VpnTarget) -> VpnObservation {
    let not_exposed = || {
        Got::Error(AppError::new(
            AppErrorKind::Config,
            "the control server listens on loopback only (HTTP_CONTROL_SERVER_ADDRESS)",
        ))
    };
    let (control, auth_note) = match t.pod {
        Some(_) => t.control_client().await,
        None => (None, None),
    };
    let control = async {
        match (&t.pod, &control) {
            (None, _) => (None, None, None),
            (Some(_), None) => (Some(not_exposed()), None, None),
            (Some(_), Some(c)) => {
                let (s, ip, port) =
                    tokio::join!(c.vpn_status_route(), c.public_ip(), c.forwarded_port());
                let wireguard =
                    t.svc.vpn.as_ref().and_then(|v| v.vpn_type.as_deref()) == Some("wireguard");
                let s = match s {
                    Ok((_, "/v1/openvpn/status")) if wireguard => Err(AppError::new(
                        AppErrorKind::Config,
                        "old gluetun without /v1/vpn/status: /v1/openvpn/status says nothing \
                         about a WireGuard tunnel (update gluetun)",
                    )),
                    other => other.map(|(s, _)| s),
                };
                (
                    Some(Got::from(s)),
                    Some(Got::from(ip)),
                    Some(Got::from(port)),
                )
            }
        }
    };
    let health = async {
        match &t.health {
            Some(ep) if t.pod.is_some() => Some(Got::from(gluetun::health(ep).await)),
            _ => None,
        }
    };
    let qbit = async {
        match (&t.qbit, t.svc.kind) {
            (Some((ep, u, p)), _) => Some(Got::from(binding(ep, u, p).await)),
            (None, AppKind::Qbittorrent) => Some(Got::Error(AppError::new(
                AppErrorKind::Config,
                "qBittorrent has no reachable endpoint",
            ))),
            _ => None,
        }
    };
    let reach = async {
        match (&t.app, &t.pod) {
            (Some((ep, port)), Some(_)) => Some(Got::from(reach(ep, *port).await)),
            _ => None,
        }
    };
    let ((tunnel, exit, forwarded_port), health, binding, home, app_reach) = tokio::join!(
        control,
        health,
        qbit,
        t.home.resolve(&t.kube.1, t.timeout),
        reach
    );
    let v = t.svc.vpn.as_ref();
    VpnObservation {
        service: t.svc.id.clone(),
        kind: t.svc.kind,
        pod: t.pod.clone(),
        container: v.map(|v| v.container.clone()).unwrap_or_default(),
        provider: v.and_then(|v| v.provider.clone()),
        vpn_type: v.and_then(|v| v.vpn_type.clone()),
        restarts: t.restarts,
        sidecar_started: t.sidecar_started,
        sidecars: t.sidecars,
        tunnel,
        health,
        health_loopback: if t.pod.is_some() {
            t.health_loopback.clone()
        } else {
            None
        },
        app_reach,
        control_auth: auth_note,
        exit,
        forwarded_port,
        binding,
        home,
        fetched_at: jiff::Timestamp::now(),
    }
}
