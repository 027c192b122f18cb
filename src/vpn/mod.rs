//! The VPN check (issue 9): does the download traffic stay in the tunnel?
//!
//! For every pod with a gluetun sidecar (found by image, not by name) [`observe`] reads the
//! tunnel (control server `/v1/vpn/status`, health server), the exit IP (`/v1/publicip/ip`),
//! the forwarded port and, for qBittorrent, the client binding (`current_network_interface`,
//! `listen_port`, `connection_status`). [`verdict`] is pure: SECURE only when the exit IP is
//! known, differs from the home IP and the client is bound to the tunnel; LEAK when they are
//! equal or the client is bound elsewhere; DOWN when the tunnel is not running; UNKNOWN with the
//! reason otherwise. [`audit`] checks the manifests of every discovered workload.

pub mod audit;
pub mod control_auth;
pub mod home_pod;
pub mod observe;

use crate::clients::gluetun::PublicIp;
use crate::model::{AppError, AppErrorKind, AppKind, ServiceId};
use serde::Serialize;

/// The leak verdict of one VPN pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Secure,
    Down,
    Unknown,
    Leak,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Secure => "SECURE",
            Verdict::Leak => "LEAK",
            Verdict::Down => "DOWN",
            Verdict::Unknown => "UNKNOWN",
        }
    }
}

/// One reading: its value, or why it could not be had.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Got<T> {
    Ok(T),
    Error(AppError),
}

impl<T> Got<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Got::Ok(t) => Some(t),
            Got::Error(_) => None,
        }
    }
    pub fn from(r: Result<T, AppError>) -> Self {
        match r {
            Ok(t) => Got::Ok(t),
            Err(e) => Got::Error(e),
        }
    }
}

/// How qBittorrent is bound (`app/preferences`, `transfer/info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// `current_network_interface`; `""` = any interface.
    pub interface: String,
    pub listen_port: i64,
    /// `connected`, `firewalled` or `disconnected` (empty when not read).
    pub connection_status: String,
}

/// The home IP (egress outside the VPN) and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeIp {
    /// `config`, or the IP-echo URL.
    pub source: String,
    pub ip: Got<String>,
}

impl HomeIp {
    pub fn not_configured() -> Self {
        HomeIp {
            source: "none".into(),
            ip: Got::Error(AppError::new(
                AppErrorKind::Config,
                "no home IP: set vpn.home_ip or vpn.ip_echo_url in the config",
            )),
        }
    }
}

/// What was observed of one VPN pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VpnObservation {
    pub service: ServiceId,
    pub kind: AppKind,
    /// The running pod read (none: no pod runs, e.g. 0 replicas).
    pub pod: Option<String>,
    pub container: String,
    pub provider: Option<String>,
    pub vpn_type: Option<String>,
    /// Restarts of the sidecar container.
    pub restarts: Option<u32>,
    /// When the sidecar container started (its uptime), when it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar_started: Option<jiff::Timestamp>,
    /// gluetun containers in the pod (more than one is an error in the manifest).
    pub sidecars: usize,
    /// Loop status (`running`, `stopped` …).
    pub tunnel: Option<Got<String>>,
    /// Health server: `Ok` on 200; `None` when it is not reachable from outside the pod (it
    /// listens on 127.0.0.1, gluetun's default).
    pub health: Option<Got<()>>,
    /// `HEALTH_SERVER_ADDRESS` when it listens on loopback only (gluetun's default
    /// `127.0.0.1:9999`): not probed, reported as "health server loopback-only", never DOWN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_loopback: Option<String>,
    /// Where the control server's credentials came from (`config`, `Secret ns/name key k`,
    /// `none`), or why the referenced Secret gave none. Never a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_auth: Option<String>,
    /// SABnzbd: did its WebUI answer through the sidecar's network (the pod's network
    /// namespace, reached through the pod proxy)? The port, or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_reach: Option<Got<u16>>,
    pub exit: Option<Got<PublicIp>>,
    /// Forwarded port (`None` inside: not forwarding).
    pub forwarded_port: Option<Got<Option<u16>>>,
    /// qBittorrent's binding (other clients: `None`).
    pub binding: Option<Got<Binding>>,
    pub home: HomeIp,
    pub fetched_at: jiff::Timestamp,
}

/// The verdict and its one-line reason, with the data that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VpnReport {
    pub verdict: Verdict,
    pub reason: String,
    #[serde(flatten)]
    pub obs: VpnObservation,
}

impl VpnReport {
    pub fn new(obs: VpnObservation) -> Self {
        let (verdict, reason) = verdict(&obs);
        VpnReport {
            verdict,
            reason,
            obs,
        }
    }

    /// `203.0.113.20 Canada`, or `—`.
    pub fn exit_label(&self) -> String {
        match self.obs.exit.as_ref().and_then(Got::ok) {
            Some(p) if !p.public_ip.is_empty() => {
                format!("{} {}", p.public_ip, p.country).trim().to_string()
            }
            _ => "—".into(),
        }
    }

    /// The health server in words: `health server ok`, `health server loopback-only
    /// (127.0.0.1:9999)`, the error, or `—`.
    pub fn health_label(&self) -> String {
        match (&self.obs.health, &self.obs.health_loopback) {
            (Some(Got::Ok(())), _) => "health server ok".into(),
            (Some(Got::Error(e)), _) => format!("health server: {}", e.detail),
            (None, Some(a)) => format!("health server loopback-only ({a})"),
            (None, None) => "—".into(),
        }
    }

    /// SABnzbd's reachability through the sidecar's network: `reachable :8080`,
    /// `unreachable: …`, or `None` (not probed).
    pub fn reach_label(&self) -> Option<String> {
        match self.obs.app_reach.as_ref()? {
            Got::Ok(port) => Some(format!("reachable :{port}")),
            Got::Error(e) => Some(format!("unreachable: {}", e.detail)),
        }
    }

    /// `SECURE Canada`, `LEAK`, …: the Services pane's VPN cell.
    pub fn badge(&self) -> String {
        let country = self
            .obs
            .exit
            .as_ref()
            .and_then(Got::ok)
            .map(|p| p.country.clone())
            .unwrap_or_default();
        match self.verdict {
            Verdict::Secure if !country.is_empty() => format!("SECURE {country}"),
            v => v.label().to_string(),
        }
    }
}

/// Is `iface` a tunnel interface (`tun0`, `wg0`, `tun1` …)?
pub fn is_tunnel_interface(iface: &str) -> bool {
    let i = iface.trim();
    ["tun", "wg", "tap"].iter().any(|p| {
        i.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.chars().all(|c| c.is_ascii_digit()))
    })
}

fn why(e: &AppError) -> String {
    match e.kind {
        AppErrorKind::Unauthorized => {
            "control server needs credentials (401): set [vpn] control_api_key or control_secret"
                .into()
        }
        _ => e.detail.clone(),
    }
}

/// The leak verdict (pure). Never SECURE on missing data.
pub fn verdict(o: &VpnObservation) -> (Verdict, String) {
    let Some(pod) = &o.pod else {
        return (
            Verdict::Down,
            "no running pod (0 replicas or not started): nothing is downloading".into(),
        );
    };
    if o.sidecars > 1 {
        return (
            Verdict::Unknown,
            format!(
                "{} gluetun sidecars in pod {pod}: which one routes is undefined",
                o.sidecars
            ),
        );
    }
    match &o.tunnel {
        None => return (Verdict::Unknown, "tunnel status not read".into()),
        Some(Got::Error(e)) if e.kind == AppErrorKind::Unauthorized => {
            return (Verdict::Unknown, why(e))
        }
        Some(Got::Error(e)) if e.kind == AppErrorKind::Config => {
            return (Verdict::Unknown, e.detail.clone())
        }
        Some(Got::Error(e)) => {
            return (
                Verdict::Unknown,
                format!("control server not reachable: {}", why(e)),
            )
        }
        Some(Got::Ok(s)) if s != "running" => {
            return (Verdict::Down, format!("tunnel is {s}"));
        }
        Some(Got::Ok(_)) => {}
    }
    if let Some(Got::Error(e)) = &o.health {
        if matches!(e.kind, AppErrorKind::ServerError { .. }) {
            return (Verdict::Down, format!("health server: {}", e.detail));
        }
    }
    let exit = match &o.exit {
        Some(Got::Ok(p)) if !p.public_ip.is_empty() => p.public_ip.clone(),
        Some(Got::Ok(_)) => {
            return (
                Verdict::Unknown,
                "exit IP not known yet (public IP lookup empty)".into(),
            )
        }
        Some(Got::Error(e)) => return (Verdict::Unknown, format!("exit IP unknown: {}", why(e))),
        None => return (Verdict::Unknown, "exit IP not read".into()),
    };
    if let Some(Got::Ok(b)) = &o.binding {
        if !b.interface.is_empty() && !is_tunnel_interface(&b.interface) {
            return (
                Verdict::Leak,
                format!("qBittorrent is bound to {}, not to the tunnel", b.interface),
            );
        }
    }
    let home = match &o.home.ip {
        Got::Ok(h) => h.clone(),
        Got::Error(e) => return (Verdict::Unknown, format!("home IP unknown: {}", e.detail)),
    };
    if home == exit {
        return (
            Verdict::Leak,
            format!("exit IP {exit} equals the home IP: traffic leaves outside the tunnel"),
        );
    }
    match &o.binding {
        Some(Got::Ok(b)) if b.interface.is_empty() => (
            Verdict::Unknown,
            "qBittorrent is not bound to an interface (any): bind it to the tunnel".into(),
        ),
        Some(Got::Error(e)) => (
            Verdict::Unknown,
            format!("qBittorrent binding unknown: {}", e.detail),
        ),
        Some(Got::Ok(b)) => (
            Verdict::Secure,
            format!("exit {exit} ≠ home {home}; bound to {}", b.interface),
        ),
        None => (Verdict::Secure, format!("exit {exit} ≠ home {home}")),
    }
}

#[cfg(test)]
mod tests;

/// One full VPN check over the facts at hand: every VPN pod read concurrently, and the audit.
pub async fn check(
    cfg: &crate::config::Config,
    facts: &crate::engine::facts::ClusterFacts,
) -> crate::checks::vpn::VpnFacts {
    let inventory = facts.inventory(cfg);
    let creds = facts.credentials(cfg);
    let objects = &facts.listing.objects;
    let targets = observe::targets(cfg, &facts.conn, objects, &inventory, &creds);
    let reports = futures::future::join_all(
        targets
            .iter()
            .map(|(_, t)| async move { VpnReport::new(observe::observe(t).await) }),
    )
    .await;
    crate::checks::vpn::VpnFacts {
        reports,
        audit: audit::audit(&inventory.services, objects),
    }
}
