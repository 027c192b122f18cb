//! The rows of the certificates pane (pure): Certificates, Issuers, CertificateRequests, TLS
//! Secrets and served certificates, each with its inspect lines (fields) and full inspect text
//! (fields and the PEM of every chain certificate; certificates are public, keys never shown).

use super::CertRow;
use crate::bus::CertsView;
use crate::clients::tls::{CertInfo, ChainVerdict};
use crate::model::{Finding, Severity};
use crate::tui::msg::TaskRequest;
use crate::tui::widgets::table::haystack;
use jiff::Timestamp;

fn cert_lines(c: &CertInfo, now: Timestamp) -> Vec<String> {
    vec![
        format!("Subject: {}", c.subject),
        format!("Issuer: {}", c.issuer),
        format!("SANs: {}", c.sans.join(", ")),
        format!("Not Before: {}", c.not_before),
        format!(
            "Not After: {} ({} days left)",
            c.not_after,
            c.days_left(now)
        ),
        format!("Serial Number: {}", c.serial),
        format!("SHA-256 Fingerprint: {}", c.sha256),
    ]
}

/// The full inspect text of a row holding `chain` (leaf first): each certificate's fields and
/// its PEM, as `openssl x509 -text` and `openssl s_client -showcerts` show them.
fn with_chain(mut r: CertRow, chain: &[CertInfo], now: Timestamp) -> CertRow {
    for (i, c) in chain.iter().enumerate() {
        r.full.push(String::new());
        r.full.push(format!(
            "Certificate {i} of {} ({})",
            chain.len(),
            if i == 0 { "leaf" } else { "chain" }
        ));
        if i > 0 {
            r.full.extend(cert_lines(c, now));
        }
        if c.pem.is_empty() {
            r.full.push("(PEM not available)".into());
        } else {
            r.full.extend(c.pem.lines().map(str::to_string));
        }
    }
    r
}

fn row(
    kind: &'static str,
    name: String,
    subject: &str,
    all: &[Finding],
    leaf: Option<(&CertInfo, Timestamp)>,
    (note, mut detail): (String, Vec<String>),
    unknown: Option<&str>,
) -> CertRow {
    let mut findings: Vec<Finding> = all.iter().filter(|f| f.subject == subject).cloned().collect();
    // A certificate's expiry is reported once (where it is issued); every row holding it still
    // shows it.
    if let Some((c, now)) = leaf {
        if !findings.iter().any(|f| f.code.starts_with("cert.expire")) {
            findings.extend(crate::checks::certs::expiry(c, subject, now));
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Ok);
    let state = match (unknown, findings.is_empty()) {
        (Some(why), true) => format!("unknown: {why}"),
        (_, true) => "ok".into(),
        (_, false) => {
            let codes: Vec<&str> = findings
                .iter()
                .map(|f| f.code.trim_start_matches("cert."))
                .collect();
            codes.join(",")
        }
    };
    if let Some((c, now)) = leaf {
        detail.extend(cert_lines(c, now));
    }
    let full = detail.clone();
    CertRow {
        id: format!("{kind} {name}"),
        haystack: haystack([kind, &name, &state, &note]),
        kind,
        days: leaf.map(|(c, now)| c.days_left(now)),
        not_after: leaf.map(|(c, _)| c.not_after),
        name,
        state,
        severity,
        note,
        detail,
        full,
        findings,
        task: None,
    }
}

/// The rows of a view: Certificates, Secrets, served certificates.
pub fn rows(v: &CertsView) -> Vec<CertRow> {
    let (c, all, now) = (&v.facts, &v.findings, v.fetched_at);
    let mut out = Vec::new();
    for x in &c.certificates {
        let cond = |c: &Option<crate::certs::Condition>| {
            c.as_ref()
                .map(|c| format!("{} ({}: {})", c.status, c.reason, c.message))
                .unwrap_or_else(|| "-".into())
        };
        // The certificate its Secret holds: expiry and fields come from there.
        let held = c
            .secrets
            .iter()
            .find(|s| s.namespace == x.namespace && s.name == x.secret_name)
            .and_then(|s| s.leaf());
        let mut r = row(
            "Certificate",
            x.id(),
            &format!("Certificate {}", x.id()),
            all,
            held.map(|l| (l, now)),
            (
                x.issuer.clone(),
                vec![
                format!("Ready: {}", cond(&x.ready)),
                format!("Issuing: {}", cond(&x.issuing)),
                format!("Secret: {}", x.secret_name),
                format!("Issuer: {}", x.issuer),
                format!(
                    "Revision: {}  Failed issuance attempts: {}",
                    x.revision.map_or("-".into(), |r| r.to_string()),
                    x.failed_issuance_attempts.unwrap_or(0)
                ),
                format!(
                    "Renewal Time: {}",
                    x.renewal_time.map_or("<none>".into(), |t| t.to_string())
                ),
            ],
            ),
            None,
        );
        r.task = Some(TaskRequest::RenewCertificate {
            namespace: x.namespace.clone(),
            name: x.name.clone(),
        });
        let held_chain = c
            .secrets
            .iter()
            .find(|s| s.namespace == x.namespace && s.name == x.secret_name)
            .map(|s| s.chain.as_slice())
            .unwrap_or_default();
        r = with_chain(r, held_chain, now);
        if held.is_none() {
            r.not_after = x.not_after;
            r.days = x
                .not_after
                .map(|t| (t.as_second() - now.as_second()).div_euclid(86_400));
        }
        out.push(r);
    }
    cert_manager_rows(v, &mut out);
    for s in &c.secrets {
        let note = match (&s.source, s.equals_source, s.stale) {
            (None, _, _) => s
                .leaf()
                .map(|l| l.issuer.clone())
                .unwrap_or_else(|| "-".into()),
            (Some(x), _, true) => format!("stale copy of {x}"),
            (Some(x), Some(true), _) => format!("copy of {x} (same)"),
            (Some(x), _, _) => format!("copy of {x} (differs)"),
        };
        let mut detail = vec![format!(
            "Used by: {}",
            if s.ingresses.is_empty() {
                "no Ingress".to_string()
            } else {
                s.ingresses.join(", ")
            }
        )];
        detail.extend(s.error.iter().map(|e| format!("Error: {e}")));
        let task = s.source.as_ref().and_then(|src| {
            let (sns, sname) = src.split_once('/')?;
            Some(TaskRequest::ResyncSecret {
                namespace: s.namespace.clone(),
                name: s.name.clone(),
                source_namespace: sns.to_string(),
                source: sname.to_string(),
            })
        });
        let mut r = row(
            "Secret",
            s.id(),
            &format!("Secret {}", s.id()),
            all,
            s.leaf().map(|l| (l, now)),
            (note, detail),
            s.error.as_deref(),
        );
        r = with_chain(r, &s.chain, now);
        r.task = task;
        out.push(r);
    }
    for s in &c.served {
        let (note, unknown) = match &s.served {
            Some(v) => (
                match &v.chain_verdict {
                    ChainVerdict::Valid => "chain valid".to_string(),
                    ChainVerdict::Invalid(w) => format!("chain invalid: {w}"),
                    ChainVerdict::Unknown(w) => format!("chain unknown: {w}"),
                },
                None,
            ),
            None => (
                "-".to_string(),
                Some(s.error.as_deref().unwrap_or("no handshake")),
            ),
        };
        let mut detail = vec![format!(
            "Ingress: {}  Secret: {}",
            s.ingresses.join(", "),
            s.secret.as_deref().unwrap_or("-")
        )];
        if let Some(h) = &s.http {
            detail.push(match (h.status, &h.error) {
                (Some(st), _) => format!(
                    "{} → {st}{}",
                    h.url,
                    h.location
                        .as_deref()
                        .map(|l| format!(" {l}"))
                        .unwrap_or_default()
                ),
                (None, e) => format!("{} → unknown: {}", h.url, e.as_deref().unwrap_or("-")),
            });
        }
        if let Some(v) = &s.served {
            detail.push(format!(
                "Connected to {} ({}), chain of {}",
                v.address,
                v.protocol,
                v.chain.len()
            ));
            for (i, c) in v.chain.iter().enumerate().skip(1) {
                detail.push(format!(
                    "Chain[{i}]: {} (issuer {}, not after {})",
                    c.subject,
                    c.issuer,
                    c.not_after.strftime("%Y-%m-%d")
                ));
            }
        }
        let r = row(
            "Served",
            s.url.clone().unwrap_or_else(|| s.host.clone()),
            &s.subject(),
            all,
            s.served.as_ref().map(|v| (v.leaf(), now)),
            (note, detail),
            unknown,
        );
        let chain = s.served.as_ref().map(|v| v.chain.as_slice());
        out.push(with_chain(r, chain.unwrap_or_default(), now));
    }
    out
}

/// Issuer / ClusterIssuer rows (Ready condition) and CertificateRequest rows (approved /
/// denied / ready, failure reason); without cert-manager one row saying so.
fn cert_manager_rows(v: &CertsView, out: &mut Vec<CertRow>) {
    let (c, all) = (&v.facts, &v.findings);
    if c.cert_manager == Some(false) {
        let mut r = row(
            "Certificate",
            "-".into(),
            "",
            &[],
            None,
            (
                "cert-manager not installed".into(),
                vec![
                    "cert-manager's CRDs are not served by this cluster: no Certificate, \
                     Issuer or CertificateRequest rows. TLS Secrets and served certificates \
                     are still checked."
                        .into(),
                ],
            ),
            Some("cert-manager not installed"),
        );
        r.state = "cert-manager not installed".into();
        out.push(r);
        return;
    }
    let cond = |c: &Option<crate::certs::Condition>| {
        c.as_ref()
            .map(|c| format!("{} ({}: {})", c.status, c.reason, c.message))
            .unwrap_or_else(|| "-".into())
    };
    for i in &c.issuers {
        let id = i.id();
        let name = id.split_once('/').map(|(_, n)| n.to_string()).unwrap_or_default();
        let mut r = row(
            if i.namespace.is_empty() {
                "ClusterIssuer"
            } else {
                "Issuer"
            },
            name,
            &id,
            all,
            None,
            (
                i.issuer_type.clone().unwrap_or_else(|| "-".into()),
                vec![
                    format!("Ready: {}", cond(&i.ready)),
                    format!("Type: {}", i.issuer_type.as_deref().unwrap_or("-")),
                ],
            ),
            None,
        );
        if r.findings.is_empty() && !i.is_ready() {
            r.state = "not ready".into();
        }
        out.push(r);
    }
    for q in &c.requests {
        let mut r = row(
            "Request",
            q.id(),
            &format!("CertificateRequest {}", q.id()),
            all,
            None,
            (
                format!(
                    "{}{}",
                    q.certificate
                        .as_deref()
                        .map(|c| format!("{c} "))
                        .unwrap_or_default(),
                    q.revision.map(|r| format!("rev {r}")).unwrap_or_default()
                ),
                vec![
                    format!("State: {}", q.state()),
                    format!("Approved: {}", cond(&q.approved)),
                    format!("Denied: {}", cond(&q.denied)),
                    format!("Ready: {}", cond(&q.ready)),
                    format!("Issuer: {}", q.issuer),
                    format!(
                        "Certificate: {}  Revision: {}",
                        q.certificate.as_deref().unwrap_or("-"),
                        q.revision.map_or("-".into(), |r| r.to_string())
                    ),
                ],
            ),
            None,
        );
        if r.findings.is_empty() {
            r.state = q.state().into();
        }
        out.push(r);
    }
}

