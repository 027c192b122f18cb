//! Alerts from Alertmanager (or Prometheus as the fallback), found from its Service or
//! configured: one target at most, polled slowly (alerts change on Prometheus's evaluation
//! cycle; `ctrl-r` and the pane's `r` poll at once). No Alertmanager and no Prometheus: no
//! target, nothing runs.

use super::{Observed, Source, SourceFacts};
use crate::alerts::{discover, fetch, AlertSource, AlertsFacts};
use crate::bus::Msg;
use crate::clients::transport::AppEndpoint;
use crate::config::Config;
use std::time::Duration;

pub struct Alerts;

#[derive(Clone)]
pub struct AlertsTarget {
    pub source: AlertSource,
    pub endpoint: AppEndpoint,
}

impl PartialEq for AlertsTarget {
    fn eq(&self, o: &Self) -> bool {
        self.source == o.source && self.endpoint.timeout == o.endpoint.timeout
    }
}

impl Source for Alerts {
    type Key = ();
    type Target = AlertsTarget;
    type Obs = AlertsFacts;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<((), AlertsTarget)> {
        discover(f.listing, f.cfg)
            .map(|source| {
                let endpoint = source.endpoint(f.conn, Duration::from_millis(f.cfg.timeout_ms));
                ((), AlertsTarget { source, endpoint })
            })
            .into_iter()
            .collect()
    }

    async fn observe(&self, t: AlertsTarget) -> (AlertsFacts, bool) {
        let a = fetch(&t.source, &t.endpoint).await;
        let ok = a.error.is_none();
        (a, ok)
    }

    fn record(_: (), obs: AlertsFacts, into: &mut Observed) -> Vec<Msg> {
        into.alerts = Some(obs.clone());
        vec![Msg::Alerts(Box::new(obs))]
    }

    fn forget(_: &(), into: &mut Observed) {
        into.alerts = None;
    }

    fn interval(&self, cfg: &Config) -> Duration {
        Duration::from_secs(cfg.refresh_seconds.max(2) * 2)
    }
}
