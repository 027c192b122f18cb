//! The isolation audit (pure): over every discovered workload, download services carry the VPN
//! and media services do not; a VPN sidecar is a native sidecar, probes target its health
//! server, and the WebUI port is in `FIREWALL_INPUT_PORTS`. (`Recreate` over a RWO volume is
//! the manifest audit's `manifest.strategy`, for every app.)

use super::observe::{env, gluetun_containers};
use crate::checks::catalog;
use crate::discover::ClusterObjects;
use crate::model::{AppKind, Finding, ServiceId, ServiceInfo};
use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};
use serde::Serialize;

/// The audit of one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub service: ServiceId,
    pub kind: AppKind,
    pub workload: String,
    /// Should this service be in the tunnel?
    pub wants_vpn: bool,
    /// Does its pod carry a gluetun container?
    pub has_vpn: bool,
    /// What is wrong (empty: fine).
    pub findings: Vec<Finding>,
}

impl AuditRow {
    /// `ok`, or the worst problem's code.
    pub fn verdict(&self) -> String {
        self.findings
            .iter()
            .rev()
            .max_by_key(|f| f.severity)
            .map_or_else(|| "ok".to_string(), |f| f.code.clone())
    }
}

/// Download clients belong in the tunnel; everything else does not.
pub fn wants_vpn(kind: AppKind) -> bool {
    matches!(kind, AppKind::Qbittorrent | AppKind::Sabnzbd)
}

/// The workload's pod template spec and (for Deployments) its strategy type.
pub(crate) fn template<'a>(
    svc: &ServiceInfo,
    objs: &'a ClusterObjects,
) -> Option<(&'a PodSpec, Option<String>)> {
    let ns = Some(svc.namespace.as_str());
    let name = Some(svc.workload.name.as_str());
    match svc.workload.kind.as_str() {
        "Deployment" => objs
            .deployments
            .iter()
            .find(|d| d.metadata.namespace.as_deref() == ns && d.metadata.name.as_deref() == name)
            .and_then(|d| {
                let spec = d.spec.as_ref()?;
                let strategy = spec
                    .strategy
                    .as_ref()
                    .and_then(|s| s.type_.clone())
                    .or_else(|| Some("RollingUpdate".into()));
                Some((spec.template.spec.as_ref()?, strategy))
            }),
        "StatefulSet" => objs
            .statefulsets
            .iter()
            .find(|d| d.metadata.namespace.as_deref() == ns && d.metadata.name.as_deref() == name)
            .and_then(|d| Some((d.spec.as_ref()?.template.spec.as_ref()?, None))),
        "DaemonSet" => objs
            .daemonsets
            .iter()
            .find(|d| d.metadata.namespace.as_deref() == ns && d.metadata.name.as_deref() == name)
            .and_then(|d| Some((d.spec.as_ref()?.template.spec.as_ref()?, None))),
        _ => objs
            .pods
            .iter()
            .find(|d| d.metadata.namespace.as_deref() == ns && d.metadata.name.as_deref() == name)
            .and_then(|p| Some((p.spec.as_ref()?, None))),
    }
}

/// Does a probe target the health server's port (httpGet/tcpSocket on it, or an exec calling it)?
fn probes_health(p: Option<&Probe>, port: u16) -> bool {
    let Some(p) = p else { return false };
    let num = |v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match v {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => *n == i32::from(port),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
            s == &port.to_string()
        }
    };
    p.http_get.as_ref().is_some_and(|h| num(&h.port))
        || p.tcp_socket.as_ref().is_some_and(|t| num(&t.port))
        || p.exec.as_ref().is_some_and(|e| {
            e.command
                .iter()
                .flatten()
                .any(|a| a.contains(&format!(":{port}")))
        })
}

fn is_native_sidecar(spec: &PodSpec, c: &Container) -> bool {
    spec.init_containers
        .iter()
        .flatten()
        .any(|i| i.name == c.name && i.restart_policy.as_deref() == Some("Always"))
}

/// Audit every discovered service.
pub fn audit(services: &[ServiceInfo], objs: &ClusterObjects) -> Vec<AuditRow> {
    services.iter().map(|s| audit_one(s, objs)).collect()
}

fn audit_one(svc: &ServiceInfo, objs: &ClusterObjects) -> AuditRow {
    let wl = format!(
        "{} {}/{}",
        svc.workload.kind, svc.namespace, svc.workload.name
    );
    let tpl = template(svc, objs);
    let glu: Vec<&Container> = tpl
        .as_ref()
        .map(|(s, _)| gluetun_containers(s))
        .unwrap_or_default();
    let has_vpn = !glu.is_empty() || svc.vpn.is_some();
    let wants = wants_vpn(svc.kind);
    let mut f = Vec::new();
    let vars = |c: &str| -> Vec<(&'static str, String)> {
        vec![
            ("workload", wl.clone()),
            ("namespace", svc.namespace.clone()),
            ("container", c.to_string()),
        ]
    };
    let mk = |e: &catalog::Entry, msg: String, v: Vec<(&'static str, String)>| {
        let v: Vec<(&str, &str)> = v.iter().map(|(k, s)| (*k, s.as_str())).collect();
        e.for_service(&svc.id, msg, &v)
    };
    let name = svc.kind.display();
    if wants && !has_vpn {
        f.push(mk(
            &catalog::VPN_MISSING,
            format!("{name} ({wl}) has no VPN sidecar: its traffic uses the home connection"),
            vars(""),
        ));
    }
    if !wants && has_vpn {
        f.push(mk(
            &catalog::VPN_UNEXPECTED,
            format!("{name} ({wl}) runs behind the VPN; only download clients should"),
            vars(""),
        ));
    }
    if let (Some((spec, _)), Some(c)) = (tpl, glu.first()) {
        if glu.len() > 1 {
            f.push(mk(
                &catalog::VPN_SIDECARS,
                format!("{wl} has {} gluetun containers", glu.len()),
                vars(&c.name),
            ));
        }
        if !is_native_sidecar(spec, c) {
            f.push(mk(
                &catalog::VPN_NOT_NATIVE,
                format!(
                    "{wl}: gluetun `{}` is an ordinary container, so {name} can send traffic before the VPN firewall is up (start-up leak window)",
                    c.name
                ),
                vars(&c.name),
            ));
        }
        let health_port = env(c, "HEALTH_SERVER_ADDRESS")
            .and_then(|a| a.rsplit_once(':').and_then(|(_, p)| p.parse().ok()))
            .unwrap_or(9999u16);
        let probed = [
            c.liveness_probe.as_ref(),
            c.readiness_probe.as_ref(),
            c.startup_probe.as_ref(),
        ]
        .iter()
        .any(|p| probes_health(*p, health_port));
        if !probed {
            f.push(mk(
                &catalog::VPN_PROBES,
                format!(
                    "{wl}: no probe of `{}` targets the health server (:{health_port})",
                    c.name
                ),
                vars(&c.name),
            ));
        }
        if let Some(port) = svc.service.as_ref().map(|p| p.target_port) {
            let listed = env(c, "FIREWALL_INPUT_PORTS").unwrap_or_default();
            if !listed.split(',').any(|p| p.trim() == port.to_string()) {
                let mut v = vars(&c.name);
                v.push(("port", port.to_string()));
                f.push(mk(
                    &catalog::VPN_INPUT_PORTS,
                    format!(
                        "{wl}: WebUI port {port} is not in FIREWALL_INPUT_PORTS ({})",
                        if listed.is_empty() {
                            "unset"
                        } else {
                            listed.as_str()
                        }
                    ),
                    v,
                ));
            }
        }
    }
    AuditRow {
        service: svc.id.clone(),
        kind: svc.kind,
        workload: wl,
        wants_vpn: wants,
        has_vpn,
        findings: f,
    }
}
