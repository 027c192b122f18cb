//! Certificate rules (issue 10): expiry (each distinct certificate once, at the first place it
//! is seen), stale copies, served ≠ Secret, host not covered, chain invalid, Certificate not
//! Ready, Ingress without TLS, unreadable Secrets and failed handshakes.

use super::catalog;
use crate::certs::{CertFacts, SecretCert};
use crate::clients::tls::{CertInfo, ChainVerdict};
use crate::model::Finding;
use jiff::Timestamp;
use std::collections::BTreeSet;

/// Days before expiry at which a certificate is a warning / critical.
pub const WARN_DAYS: i64 = 30;
pub const CRITICAL_DAYS: i64 = 7;

/// The expiry finding of one certificate at `subject`, if it expires within [`WARN_DAYS`].
pub fn expiry(cert: &CertInfo, subject: &str, now: Timestamp) -> Option<Finding> {
    let days = cert.days_left(now);
    let date = cert.not_after.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let vars = [("subject", subject)];
    if cert.expired(now) {
        Some(catalog::CERT_EXPIRED.finding(
            subject,
            format!(
                "{subject}: certificate for {} expired on {date}",
                names(cert)
            ),
            &vars,
        ))
    } else if days < CRITICAL_DAYS {
        Some(catalog::CERT_EXPIRES_CRITICAL.finding(
            subject,
            format!(
                "{subject}: certificate for {} expires in {days} days ({date})",
                names(cert)
            ),
            &vars,
        ))
    } else if days < WARN_DAYS {
        Some(catalog::CERT_EXPIRES_SOON.finding(
            subject,
            format!(
                "{subject}: certificate for {} expires in {days} days ({date})",
                names(cert)
            ),
            &vars,
        ))
    } else {
        None
    }
}

fn names(c: &CertInfo) -> String {
    if c.sans.is_empty() {
        c.subject.clone()
    } else {
        c.sans.join(", ")
    }
}

/// Every certificate finding for the facts.
pub fn evaluate(facts: &CertFacts, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // Sources before copies, so a certificate is reported where it is issued.
    let mut secrets: Vec<&SecretCert> = facts.secrets.iter().collect();
    secrets.sort_by_key(|s| s.source.is_some());
    for s in &secrets {
        let id = s.id();
        let subject = format!("Secret {id}");
        if let Some(e) = &s.error {
            out.push(catalog::CERT_UNREADABLE.finding(
                &subject,
                format!("Secret {id}: {e}"),
                &[("namespace", &s.namespace), ("secret", &s.name)],
            ));
        }
        if let Some(leaf) = s.leaf() {
            if seen.insert(leaf.sha256.clone()) {
                out.extend(expiry(leaf, &subject, now));
            }
        }
        if s.stale {
            let src = s.source.clone().unwrap_or_default();
            let (ns, name) = src.split_once('/').unwrap_or(("", ""));
            let when = |c: Option<&CertInfo>| {
                c.map(|c| c.not_after.strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            };
            let src_leaf = facts
                .secrets
                .iter()
                .find(|x| x.id() == src)
                .and_then(SecretCert::leaf);
            out.push(catalog::CERT_STALE_COPY.finding(
                &subject,
                format!(
                    "Secret {id} is a stale copy of {src}: it expires {}, the source {}",
                    when(s.leaf()),
                    when(src_leaf)
                ),
                &[
                    ("namespace", &s.namespace),
                    ("secret", &s.name),
                    ("source_namespace", ns),
                    ("source", name),
                ],
            ));
        }
    }
    for c in &facts.certificates {
        let id = c.id();
        let ready = c.ready.as_ref();
        if ready.is_none_or(|r| r.status != "True") {
            let why = ready
                .map(|r| format!("{}: {}", r.reason, r.message))
                .unwrap_or_else(|| "no Ready condition".into());
            let failing = c
                .failed_issuance_attempts
                .filter(|n| *n > 0)
                .map(|n| format!(", {n} failed issuance attempts"))
                .unwrap_or_default();
            out.push(catalog::CERT_NOT_READY.finding(
                format!("Certificate {id}"),
                format!("Certificate {id} is not Ready ({why}){failing}"),
                &[("namespace", &c.namespace), ("certificate", &c.name)],
            ));
        }
        // Expiry from the status only when its Secret is not readable here.
        let has_secret = facts
            .secrets
            .iter()
            .any(|s| s.namespace == c.namespace && s.name == c.secret_name && s.leaf().is_some());
        if let (false, Some(na)) = (has_secret, c.not_after) {
            let days = (na.as_second() - now.as_second()).div_euclid(86_400);
            if days < WARN_DAYS {
                out.push(catalog::CERT_EXPIRES_SOON.finding(
                    format!("Certificate {id}"),
                    format!("Certificate {id}: status.notAfter is in {days} days"),
                    &[("subject", &format!("Certificate {id}"))],
                ));
            }
        }
    }
    for sv in &facts.served {
        let subject = sv.subject();
        if let Some(h) = sv.http.as_ref().filter(|h| h.redirects() == Some(false)) {
            let to = h
                .location
                .as_deref()
                .map(|l| format!(" to {l}"))
                .unwrap_or_default();
            out.push(catalog::CERT_NO_HTTPS_REDIRECT.finding(
                &subject,
                format!(
                    "{} answers {}{to}, not a redirect to https://",
                    h.url,
                    h.status.unwrap_or(0)
                ),
                &[("host", &sv.host)],
            ));
        }
        let Some(served) = &sv.served else {
            out.push(
                catalog::CERT_HANDSHAKE.finding(
                    &subject,
                    sv.error
                        .clone()
                        .unwrap_or_else(|| format!("{}: no handshake", sv.host)),
                    &[("host", &sv.host)],
                ),
            );
            continue;
        };
        let leaf = served.leaf();
        if seen.insert(leaf.sha256.clone()) {
            out.extend(expiry(leaf, &subject, now));
        }
        if !leaf.covers(&sv.host) {
            out.push(catalog::CERT_HOST_NOT_COVERED.finding(
                &subject,
                format!("{} is served a certificate for {}", sv.host, names(leaf)),
                &[("host", &sv.host)],
            ));
        }
        if let ChainVerdict::Invalid(why) = &served.chain_verdict {
            out.push(catalog::CERT_CHAIN_INVALID.finding(
                &subject,
                format!("{}: chain invalid ({why})", sv.host),
                &[("host", &sv.host)],
            ));
        }
        let secret = sv
            .secret
            .as_ref()
            .and_then(|id| facts.secrets.iter().find(|s| &s.id() == id));
        if let Some(secret_leaf) = secret.and_then(SecretCert::leaf) {
            if secret_leaf.sha256 != leaf.sha256 {
                let sid = secret.map(SecretCert::id).unwrap_or_default();
                out.push(catalog::CERT_SERVED_DIFFERS.finding(
                    &subject,
                    format!(
                        "{} serves {} (serial {}), not the certificate in {sid} (serial {})",
                        sv.host,
                        names(leaf),
                        leaf.serial,
                        secret_leaf.serial
                    ),
                    &[("host", &sv.host), ("secret", &sid)],
                ));
            }
        }
    }
    for i in facts.issuers.iter().filter(|i| !i.is_ready()) {
        let id = i.id();
        let why = i
            .ready
            .as_ref()
            .map(|r| format!("{}: {}", r.reason, r.message))
            .unwrap_or_else(|| "no Ready condition".into());
        let what = if i.namespace.is_empty() {
            format!("{} {}", i.kind.to_lowercase(), i.name)
        } else {
            format!("-n {} {} {}", i.namespace, i.kind.to_lowercase(), i.name)
        };
        out.push(catalog::CERT_ISSUER_NOT_READY.finding(
            &id,
            format!("{id} is not Ready ({why})"),
            &[("issuer", &what)],
        ));
    }
    for r in facts
        .requests
        .iter()
        .filter(|r| matches!(r.state(), "denied" | "failed"))
    {
        let id = r.id();
        let of = r
            .certificate
            .as_deref()
            .map(|c| format!(" for Certificate {}/{c}", r.namespace))
            .unwrap_or_default();
        out.push(catalog::CERT_REQUEST_FAILED.finding(
            format!("CertificateRequest {id}"),
            format!(
                "CertificateRequest {id}{of} {} ({})",
                r.state(),
                r.failure_reason()
            ),
            &[("namespace", &r.namespace), ("request", &r.name)],
        ));
    }
    for ing in &facts.ingresses_without_tls {
        out.push(catalog::CERT_INGRESS_NO_TLS.finding(
            format!("Ingress {ing}"),
            format!("Ingress {ing} has no TLS section: its hosts are served over plain HTTP"),
            &[("ingress", ing)],
        ));
    }
    out
}
