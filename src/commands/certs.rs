//! `k8s-nas certs`: every certificate users see — cert-manager Certificates, TLS Secrets (and
//! their copies), the certificate each Ingress host serves — and the `cert.*` findings.
//! Exit 0 nothing of warning or worse, 1 findings, 2 could not run.

use crate::certs::gather::{gather, HandshakeOptions};
use crate::certs::CertFacts;
use crate::cli::Output;
use crate::clients::tls::ChainVerdict;
use crate::config::Config;
use crate::engine::facts::ClusterFacts;
use crate::model::{finding::worst, Finding};
use jiff::Timestamp;

/// How to reach and judge the served certificates, from the config.
pub fn handshake_options(cfg: &Config) -> anyhow::Result<HandshakeOptions> {
    HandshakeOptions::from_config(cfg)
}

pub async fn run(cfg: &Config, output: Output) -> anyhow::Result<u8> {
    let opts = handshake_options(cfg)?;
    let facts = ClusterFacts::connect(cfg).await?;
    let certs = gather(&facts.listing, &opts, &cfg.certs.extra_urls).await;
    let now = Timestamp::now();
    let findings = crate::checks::certs::evaluate(&certs, now);
    match output {
        Output::Json => crate::out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "schema": "k8s-nas/certs/v1",
                "context": facts.conn.context,
                "generated_at": now,
                "certs": certs,
                "findings": findings,
            }))?
        ),
        Output::Table => print_table(&certs, &findings, now),
    }
    Ok(if worst(&findings).is_problem() { 1 } else { 0 })
}

fn days(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map(|t| {
        (t.as_second() - now.as_second())
            .div_euclid(86_400)
            .to_string()
    })
    .unwrap_or_else(|| "?".into())
}

fn print_table(c: &CertFacts, findings: &[Finding], now: Timestamp) {
    match c.cert_manager {
        Some(true) => {
            crate::out_table!(
                "{:<40} {:<8} {:<10} {:>5} {:>4} {:<28} ISSUER",
                "CERTIFICATE",
                "READY",
                "ISSUING",
                "DAYS",
                "REV",
                "SECRET"
            );
            for x in &c.certificates {
                let st = |c: &Option<crate::certs::Condition>| {
                    c.as_ref().map(|c| c.status.clone()).unwrap_or("-".into())
                };
                crate::out_table!(
                    "{:<40} {:<8} {:<10} {:>5} {:>4} {:<28} {}",
                    x.id(),
                    st(&x.ready),
                    st(&x.issuing),
                    days(x.not_after, now),
                    x.revision.map(|r| r.to_string()).unwrap_or("-".into()),
                    x.secret_name,
                    x.issuer
                );
            }
        }
        Some(false) => crate::out_table!("cert-manager: not installed (no Certificate kind)"),
        None => crate::out_table!("cert-manager: unknown"),
    }
    crate::out_table!();
    crate::out_table!(
        "{:<40} {:>5} {:<24} {:<40} SOURCE",
        "SECRET",
        "DAYS",
        "SERIAL",
        "SANS"
    );
    for s in &c.secrets {
        let (d, serial, sans) = match s.leaf() {
            Some(l) => (
                l.days_left(now).to_string(),
                short(&l.serial, 24),
                short(&l.sans.join(","), 40),
            ),
            None => (
                "?".into(),
                s.error.clone().unwrap_or_default(),
                String::new(),
            ),
        };
        let src = match (&s.source, s.equals_source, s.stale) {
            (None, _, _) => "-".into(),
            (Some(x), _, true) => format!("{x} (STALE)"),
            (Some(x), Some(true), _) => format!("{x} (same)"),
            (Some(x), Some(false), _) => format!("{x} (differs)"),
            (Some(x), None, _) => format!("{x} (unknown)"),
        };
        crate::out_table!(
            "{:<40} {:>5} {:<24} {:<40} {}",
            s.id(),
            d,
            serial,
            sans,
            src
        );
    }
    crate::out_table!();
    crate::out_table!(
        "{:<36} {:>5} {:<8} {:<10} {:<24} SHA-256",
        "HOST",
        "DAYS",
        "COVERED",
        "CHAIN",
        "SERIAL"
    );
    for s in &c.served {
        match &s.served {
            Some(v) => {
                let l = v.leaf();
                let chain = match &v.chain_verdict {
                    ChainVerdict::Valid => "valid",
                    ChainVerdict::Invalid(_) => "invalid",
                    ChainVerdict::Unknown(_) => "unknown",
                };
                crate::out_table!(
                    "{:<36} {:>5} {:<8} {:<10} {:<24} {}",
                    s.host,
                    l.days_left(now),
                    if l.covers(&s.host) { "yes" } else { "NO" },
                    chain,
                    short(&l.serial, 24),
                    short(&l.sha256, 23)
                );
            }
            None => crate::out_table!(
                "{:<36} {:>5} {}",
                s.host,
                "?",
                s.error.clone().unwrap_or_default()
            ),
        }
    }
    crate::out_table!();
    if findings.is_empty() {
        crate::out_table!("no certificate findings");
        return;
    }
    for f in findings {
        crate::out_table!("{:<9} {:<22} {}", f.severity.label(), f.code, f.message);
        crate::out_table!("{:<32} → {}", "", f.remediation);
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
