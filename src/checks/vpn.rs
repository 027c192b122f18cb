//! VPN findings (pure): the leak verdict of each VPN pod, the client's port and connection
//! state, and the isolation audit's findings.

use super::catalog;
use crate::model::Finding;
use crate::vpn::{audit::AuditRow, Got, Verdict, VpnReport};

/// What the VPN check knows: the reports of the VPN pods and the audit of every workload.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VpnFacts {
    pub reports: Vec<VpnReport>,
    pub audit: Vec<AuditRow>,
}

impl VpnFacts {
    /// What `check` (and so the console's findings) takes from the VPN check: the verdicts,
    /// once the config says how to learn the home IP (`[vpn] home_ip` or `ip_echo_url`) —
    /// without it no verdict can be SECURE. The isolation audit is `vpn`'s and `:vpn`'s.
    pub fn for_check(&self, cfg: &crate::config::Config) -> Option<VpnFacts> {
        use crate::vpn::observe::HomeSource;
        if HomeSource::from_config(cfg) == HomeSource::None {
            return None;
        }
        Some(VpnFacts {
            reports: self.reports.clone(),
            audit: Vec::new(),
        })
    }
}

/// Every VPN finding.
pub fn evaluate(f: &VpnFacts) -> Vec<Finding> {
    let mut out: Vec<Finding> = f.reports.iter().flat_map(report_findings).collect();
    out.extend(f.audit.iter().flat_map(|a| a.findings.iter().cloned()));
    out
}

fn report_findings(r: &VpnReport) -> Vec<Finding> {
    let o = &r.obs;
    let id = &o.service;
    let workload = id
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let ns = id
        .as_str()
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let vars = [
        ("workload", workload.as_str()),
        ("namespace", ns.as_str()),
        ("container", o.container.as_str()),
    ];
    let name = o.kind.display();
    let mut out = Vec::new();
    let e = match r.verdict {
        Verdict::Secure => None,
        Verdict::Leak => Some(&catalog::VPN_LEAK),
        Verdict::Down => Some(&catalog::VPN_DOWN),
        Verdict::Unknown => Some(&catalog::VPN_UNKNOWN),
    };
    if let Some(e) = e {
        out.push(e.for_service(
            id,
            format!("{name}: {} — {}", r.verdict.label(), r.reason),
            &vars,
        ));
    }
    if let Some(Got::Ok(b)) = &o.binding {
        if b.connection_status == "firewalled" {
            out.push(catalog::VPN_FIREWALLED.for_service(
                id,
                format!("{name} is firewalled: peers cannot connect in"),
                &vars,
            ));
        }
        if let Some(Got::Ok(Some(port))) = &o.forwarded_port {
            if b.listen_port != i64::from(*port) {
                out.push(catalog::VPN_PORT_MISMATCH.for_service(
                    id,
                    format!(
                        "{name} listens on {} but gluetun forwards {port}",
                        b.listen_port
                    ),
                    &vars,
                ));
            }
        }
    }
    out
}
