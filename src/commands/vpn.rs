//! `k8s-nas vpn [--output json]`: the leak verdict of every VPN pod (tunnel, exit IP, home IP,
//! qBittorrent's binding) and the isolation audit of every workload.
//!
//! Exit 0 every VPN pod SECURE and the audit clean; 1 a LEAK, DOWN or UNKNOWN verdict or an
//! audit finding of warning or worse; 2 could not run.

use crate::checks::vpn::{evaluate, VpnFacts};
use crate::cli::Output;
use crate::config::Config;
use crate::model::Severity;
use crate::vpn::{Got, Verdict};
use serde_json::json;

pub async fn run(cfg: &Config, output: Output) -> anyhow::Result<u8> {
    let facts = crate::engine::facts::ClusterFacts::connect(cfg).await?;
    let v = crate::vpn::check(cfg, &facts).await;
    let findings = evaluate(&v);
    match output {
        Output::Json => crate::out!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "schema": "k8s-nas/vpn/v1",
                "context": facts.conn.context,
                "generated_at": jiff::Timestamp::now(),
                "pods": v.reports,
                "audit": v.audit,
                "findings": findings,
            }))?
        ),
        Output::Table => print_table(&v),
    }
    Ok(exit_code(&v))
}

/// 0 only when every VPN pod is SECURE and nothing in the audit is a warning or worse.
pub fn exit_code(v: &VpnFacts) -> u8 {
    let insecure = v.reports.iter().any(|r| r.verdict != Verdict::Secure);
    let audit_bad = v
        .audit
        .iter()
        .flat_map(|a| &a.findings)
        .any(|f| f.severity >= Severity::Warning);
    u8::from(insecure || audit_bad)
}

fn print_table(v: &VpnFacts) {
    if v.reports.is_empty() {
        crate::out_table!("no pod with a gluetun VPN sidecar found");
    }
    crate::out_table!(
        "{:<22} {:<8} {:<10} {:<26} {:<16} {:<8} REASON",
        "SERVICE",
        "VERDICT",
        "TUNNEL",
        "EXIT IP",
        "HOME IP",
        "BOUND"
    );
    for r in &v.reports {
        let o = &r.obs;
        let tunnel = match &o.tunnel {
            Some(Got::Ok(s)) => s.clone(),
            Some(Got::Error(e)) if e.kind == crate::model::AppErrorKind::Unauthorized => {
                "401".into()
            }
            Some(Got::Error(_)) => "error".into(),
            None => "—".into(),
        };
        let home = match &o.home.ip {
            Got::Ok(ip) => ip.clone(),
            Got::Error(_) => "unknown".into(),
        };
        let bound = match (&o.binding, &o.app_reach) {
            (Some(Got::Ok(b)), _) if b.interface.is_empty() => "any".into(),
            (Some(Got::Ok(b)), _) => b.interface.clone(),
            (Some(Got::Error(_)), _) => "unknown".into(),
            (None, Some(Got::Ok(_))) => "reachable".into(),
            (None, Some(Got::Error(_))) => "unreachable".into(),
            (None, None) => "—".into(),
        };
        crate::out_table!(
            "{:<22} {:<8} {:<10} {:<26} {:<16} {:<8} {}",
            o.service.as_str(),
            r.verdict.label(),
            tunnel,
            r.exit_label(),
            home,
            bound,
            r.reason
        );
        if o.pod.is_some() {
            let mut extra = vec![r.health_label()];
            extra.extend(r.reach_label().map(|l| format!("WebUI: {l}")));
            extra.push(format!("home IP from {}", o.home.source));
            crate::out!("{:<22} {}", "", extra.join(" · "));
        }
    }
    crate::out_table!("");
    crate::out_table!("isolation audit:");
    for a in &v.audit {
        crate::out_table!(
            "  {:<22} {:<12} vpn {:<3} want {:<3} {}",
            a.service.as_str(),
            a.kind.display(),
            if a.has_vpn { "yes" } else { "no" },
            if a.wants_vpn { "yes" } else { "no" },
            a.verdict()
        );
        for f in &a.findings {
            crate::out_table!("      {} {}: {}", f.severity.label(), f.code, f.message);
            crate::out_table!("        fix: {}", f.remediation);
        }
    }
}
