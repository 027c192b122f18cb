//! The served certificates: one TLS handshake with SNI per Ingress host (at `ingress_address`
//! when configured, else the host resolved), judged against `tls_ca_file` or the system roots.

use super::{Observed, Source, SourceFacts};
use crate::bus::Msg;
use crate::certs::gather::{all_hosts, serve_one, HandshakeOptions, HostTls};
use crate::certs::ServedCert;
use crate::clients::tls::Roots;
use crate::config::Config;
use std::time::Duration;

pub struct ServedCerts;

/// The roots once per config (the CA file is read when the targets are built).
fn options(cfg: &Config) -> HandshakeOptions {
    let roots = match &cfg.tls_ca_file {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(pem) => Roots::Pem(pem),
            Err(e) => {
                tracing::warn!("tls_ca_file {}: {e}", p.display());
                Roots::Pem(String::new())
            }
        },
        None => Roots::System,
    };
    HandshakeOptions {
        address: cfg.ingress_address.clone(),
        http_address: cfg.ingress_http_address.clone(),
        timeout: Duration::from_millis(cfg.timeout_ms),
        roots,
    }
}

impl Source for ServedCerts {
    type Key = String;
    type Target = (HostTls, HandshakeOptions);
    type Obs = ServedCert;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<(String, Self::Target)> {
        let opts = options(f.cfg);
        all_hosts(f.listing, &f.cfg.certs.extra_urls)
            .into_iter()
            .map(|h| (h.url.clone().unwrap_or(h.host.clone()), (h, opts.clone())))
            .collect()
    }

    async fn observe(&self, (host, opts): Self::Target) -> (ServedCert, bool) {
        let s = serve_one(&host, &opts).await;
        let ok = s.served.is_some();
        (s, ok)
    }

    fn record(key: String, obs: ServedCert, into: &mut Observed) -> Vec<Msg> {
        into.served_certs.insert(key, obs);
        Vec::new()
    }

    fn forget(key: &String, into: &mut Observed) {
        into.served_certs.remove(key);
    }

    fn interval(&self, cfg: &Config) -> Duration {
        // Certificates change rarely: a handshake per host every few refreshes is plenty.
        Duration::from_secs(cfg.refresh_seconds.max(2) * 4)
    }
}
