//! The served certificates: one TLS handshake with SNI per Ingress host (at `ingress_address`
//! when configured, else the host resolved), judged against `tls_ca_file` or the system roots.

use super::{Observed, Source, SourceFacts};
use crate::bus::Msg;
use crate::certs::gather::{all_hosts, serve_one, HandshakeOptions, HostTls};
use crate::certs::ServedCert;
use crate::config::Config;
use std::time::Duration;

/// The handshake options are built once (the config does not change while the console runs):
/// the same `HandshakeOptions::from_config` as `check`, so an unreadable `tls_ca_file` leaves the
/// served certificates unchecked (one warning) rather than judging them against no roots.
#[derive(Default)]
pub struct ServedCerts {
    opts: std::sync::OnceLock<Option<HandshakeOptions>>,
}

impl Source for ServedCerts {
    type Key = String;
    type Target = (HostTls, HandshakeOptions);
    type Obs = ServedCert;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<(String, Self::Target)> {
        let opts = self.opts.get_or_init(|| {
            HandshakeOptions::from_config(f.cfg)
                .inspect_err(|e| tracing::warn!("served certificates not checked: {e:#}"))
                .ok()
        });
        let Some(opts) = opts else {
            return Vec::new();
        };
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
