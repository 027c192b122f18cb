//! The VPN scenario layers (issue 9): each one fault of the tunnel or of the client's binding,
//! composable with the others (`--scenario degraded,vpn-leak`).

use super::apps::gluetun::GluetunSimConfig;
use super::apps::AppSimConfig;
use super::scenario::Layer;
use crate::model::AppKind;

/// The tunnel leaks: the exit IP gluetun finds is the NAS's own (home) IP.
pub struct VpnLeak;

impl Layer for VpnLeak {
    fn name(&self) -> &'static str {
        "vpn-leak"
    }
    fn about(&self) -> &'static str {
        "the VPN pods' exit IP is the home IP (traffic leaves outside the tunnel)"
    }
    fn configure_vpn(&self, cfg: &mut GluetunSimConfig) {
        cfg.public_ip = cfg.home_ip.clone();
        cfg.country = "(home)".into();
    }
}

/// The tunnel is down: gluetun's loop is stopped, the health server answers 500.
pub struct VpnDown;

impl Layer for VpnDown {
    fn name(&self) -> &'static str {
        "vpn-down"
    }
    fn about(&self) -> &'static str {
        "the VPN tunnels are stopped (health server 500, no exit IP)"
    }
    fn configure_vpn(&self, cfg: &mut GluetunSimConfig) {
        cfg.status = "stopped".into();
    }
}

/// qBittorrent bound to `eth0` (the pod's own interface), not to the tunnel.
pub struct VpnEth0;

impl Layer for VpnEth0 {
    fn name(&self) -> &'static str {
        "vpn-eth0"
    }
    fn about(&self) -> &'static str {
        "qBittorrent bound to eth0 instead of the tunnel"
    }
    fn configure_app(&self, cfg: &mut AppSimConfig) {
        if cfg.kind == AppKind::Qbittorrent {
            cfg.faults.bound_interface = Some("eth0".into());
        }
    }
}

/// qBittorrent reports `firewalled`: no incoming connections.
pub struct VpnFirewalled;

impl Layer for VpnFirewalled {
    fn name(&self) -> &'static str {
        "vpn-firewalled"
    }
    fn about(&self) -> &'static str {
        "qBittorrent firewalled (no port forwarded to it)"
    }
    fn configure_app(&self, cfg: &mut AppSimConfig) {
        if cfg.kind == AppKind::Qbittorrent {
            cfg.faults.connection_status = Some("firewalled".into());
        }
    }
}

/// The API key `vpn-auth`'s control servers require (a test can put it into a Secret the
/// gluetun container references).
pub const AUTH_API_KEY: &str = "sim-7a3f09c1";

/// gluetun's control server requires an API key the console does not have.
pub struct VpnAuth;

impl Layer for VpnAuth {
    fn name(&self) -> &'static str {
        "vpn-auth"
    }
    fn about(&self) -> &'static str {
        "gluetun's control server requires an API key (401 without it)"
    }
    fn configure_vpn(&self, cfg: &mut GluetunSimConfig) {
        cfg.api_key = Some(AUTH_API_KEY.into());
    }
}
