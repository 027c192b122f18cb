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

impl HandshakeOptions {
    /// From the config: `ingress_address`, `ingress_http_address`, `timeout_ms` and the roots
    /// (`tls_ca_file`, else the system roots). Fails when the CA file cannot be read.
    pub fn from_config(cfg: &crate::config::Config) -> anyhow::Result<Self> {
        use anyhow::Context;
        let roots = match &cfg.tls_ca_file {
            Some(p) => Roots::Pem(
                std::fs::read_to_string(p)
                    .with_context(|| format!("tls_ca_file {}", p.display()))?,
            ),
            None => Roots::System,
        };
        Ok(HandshakeOptions {
            address: cfg.ingress_address.clone(),
            http_address: cfg.ingress_http_address.clone(),
            timeout: Duration::from_millis(cfg.timeout_ms),
            roots,
        })
    }
}

/// One host to handshake with: an Ingress host with TLS (the Ingresses routing it, the Secret
/// they name), or a configured extra URL (`[certs] extra_urls`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTls {
    pub host: String,
    pub ingresses: Vec<String>,
    pub secret: Option<String>,
    /// The configured URL this host comes from (`None`: an Ingress host).
    pub url: Option<String>,
    pub port: u16,
}

/// The configured extra URLs as hosts to handshake with (`https://host[:port][/…]`); a URL
/// that cannot be parsed is returned as its error.
pub fn extra_hosts(urls: &[String]) -> Vec<Result<HostTls, String>> {
    urls.iter()
        .map(|raw| {
            let u = url::Url::parse(raw.trim())
                .map_err(|e| format!("[certs] extra_urls: {raw}: {e}"))?;
            if u.scheme() != "https" {
                return Err(format!("[certs] extra_urls: {raw}: not an https:// URL"));
            }
            let host = u
                .host_str()
                .ok_or_else(|| format!("[certs] extra_urls: {raw}: no host"))?
                .trim_matches(['[', ']'])
                .to_string();
            Ok(HostTls {
                host,
                ingresses: Vec::new(),
                secret: None,
                url: Some(raw.trim().to_string()),
                port: u.port().unwrap_or(443),
            })
        })
        .collect()
}

/// Every host to handshake with: the Ingress hosts, then the configured extra URLs (one that
/// is an Ingress host already is not handshaked twice).
pub fn all_hosts(l: &Listing, extra_urls: &[String]) -> Vec<HostTls> {
    let mut out = tls_hosts(l);
    for h in extra_hosts(extra_urls).into_iter().flatten() {
        if !out.iter().any(|x| x.host == h.host && x.port == h.port) {
            out.push(h);
        }
    }
    out
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
                    url: None,
                    port: 443,
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
    // A configured URL is reached at its own host and port; Ingress hosts at the ingress
    // address (when configured), with the plain-HTTP redirect check (FR017).
    let target = Target {
        host: h.host.clone(),
        port: h.port,
        address: if h.url.is_some() {
            None
        } else {
            opts.address.clone()
        },
        timeout: opts.timeout,
        roots: opts.roots.clone(),
    };
    let redirect = async {
        match h.url {
            Some(_) => None,
            None => Some(
                super::redirect::check(&h.host, "/", opts.http_address.as_deref(), opts.timeout)
                    .await,
            ),
        }
    };
    let (tls, http) = tokio::join!(handshake(&target), redirect);
    let (served, error) = match tls {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e.to_string())),
    };
    ServedCert {
        host: h.host.clone(),
        ingresses: h.ingresses.clone(),
        secret: h.secret.clone(),
        url: h.url.clone(),
        served,
        error,
        http,
    }
}

/// The listing's certificate facts plus one handshake per Ingress host and extra URL.
pub async fn gather(l: &Listing, opts: &HandshakeOptions, extra_urls: &[String]) -> CertFacts {
    let mut facts = from_listing(l);
    let hosts = all_hosts(l, extra_urls);
    facts.served = futures::future::join_all(hosts.iter().map(|h| serve_one(h, opts))).await;
    facts
}
