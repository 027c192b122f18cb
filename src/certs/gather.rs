//! The served certificates: one TLS handshake with SNI per Ingress host, all concurrently, each
//! bounded by the timeout.

use super::{from_listing, CertFacts, ServedCert};
use crate::clients::tls::{handshake, Roots, Target};
use crate::cluster::list::Listing;
use std::collections::BTreeMap;
use std::time::Duration;

/// Where and how to reach the Ingress hosts.
#[derive(Debug, Clone, PartialEq)]
pub struct HandshakeOptions {
    /// `ip:port` of the ingress controller (`ingress_address`); `None` resolves each host.
    pub address: Option<String>,
    /// `ip:port` of the ingress controller's plain-HTTP listener (`ingress_http_address`);
    /// `None` resolves each host, port 80.
    pub http_address: Option<String>,
    pub timeout: Duration,
    pub roots: Roots,
}

/// One Ingress host with TLS: the host, the Ingresses routing it, the Secret they name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTls {
    pub host: String,
    pub ingresses: Vec<String>,
    pub secret: Option<String>,
}

/// Every host named in an Ingress's `spec.tls` (or its rules, when the TLS entry lists no
/// hosts), once.
pub fn tls_hosts(l: &Listing) -> Vec<HostTls> {
    let mut out: BTreeMap<String, HostTls> = BTreeMap::new();
    for ing in &l.objects.ingresses {
        let ns = ing.metadata.namespace.clone().unwrap_or_default();
        let id = format!("{ns}/{}", ing.metadata.name.clone().unwrap_or_default());
        let spec = ing.spec.clone().unwrap_or_default();
        let rule_hosts: Vec<String> = spec
            .rules
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.host)
            .collect();
        for t in spec.tls.unwrap_or_default() {
            let hosts = t
                .hosts
                .filter(|h| !h.is_empty())
                .unwrap_or(rule_hosts.clone());
            for host in hosts {
                let e = out.entry(host.clone()).or_insert_with(|| HostTls {
                    host,
                    ingresses: Vec::new(),
                    secret: t.secret_name.as_ref().map(|s| format!("{ns}/{s}")),
                });
                if !e.ingresses.contains(&id) {
                    e.ingresses.push(id.clone());
                }
            }
        }
    }
    out.into_values().collect()
}

/// Handshake with one host.
pub async fn serve_one(h: &HostTls, opts: &HandshakeOptions) -> ServedCert {
    let target = Target {
        host: h.host.clone(),
        port: 443,
        address: opts.address.clone(),
        timeout: opts.timeout,
        roots: opts.roots.clone(),
    };
    let (tls, http) = tokio::join!(
        handshake(&target),
        super::redirect::check(&h.host, "/", opts.http_address.as_deref(), opts.timeout)
    );
    let (served, error) = match tls {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e.to_string())),
    };
    ServedCert {
        host: h.host.clone(),
        ingresses: h.ingresses.clone(),
        secret: h.secret.clone(),
        served,
        error,
        http: Some(http),
    }
}

/// The listing's certificate facts plus one handshake per Ingress host.
pub async fn gather(l: &Listing, opts: &HandshakeOptions) -> CertFacts {
    let mut facts = from_listing(l);
    let hosts = tls_hosts(l);
    facts.served = futures::future::join_all(hosts.iter().map(|h| serve_one(h, opts))).await;
    facts
}
