//! The first source: each discovered app's health — the plain probe and the app's own health
//! report — through its endpoint, with the credentials from the Secrets at hand. A rotated key
//! (e.g. after `keys --sync`) changes the target, so the next poll already uses it.

use super::{Observed, Source, SourceFacts};
use crate::bus::Msg;
use crate::clients::transport::AppEndpoint;
use crate::collect::credentials::AppCreds;
use crate::engine::{endpoint_for, observe::observe};
use crate::model::{ServiceId, ServiceInfo, ServiceObservation};
use std::sync::Arc;

pub struct AppHealth;

/// One app to poll.
#[derive(Clone)]
pub struct HealthTarget {
    pub svc: Arc<ServiceInfo>,
    pub endpoint: AppEndpoint,
    pub creds: AppCreds,
}

impl PartialEq for HealthTarget {
    fn eq(&self, o: &Self) -> bool {
        self.svc == o.svc
            && self.endpoint.describe() == o.endpoint.describe()
            && self.endpoint.timeout == o.endpoint.timeout
            && self.creds.api_key == o.creds.api_key
            && self.creds.username == o.creds.username
            && self.creds.password == o.creds.password
    }
}

impl Source for AppHealth {
    type Key = ServiceId;
    type Target = HealthTarget;
    type Obs = ServiceObservation;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<(ServiceId, HealthTarget)> {
        let Some(creds) = f.creds else {
            return Vec::new();
        };
        f.inventory
            .services
            .iter()
            .filter_map(|svc| {
                let endpoint = endpoint_for(svc, f.cfg, f.conn)?;
                let target = HealthTarget {
                    creds: creds.for_service(svc, f.cfg),
                    svc: Arc::new(svc.clone()),
                    endpoint,
                };
                Some((svc.id.clone(), target))
            })
            .collect()
    }

    async fn observe(&self, t: HealthTarget) -> (ServiceObservation, bool) {
        let o = observe(&t.svc, &t.endpoint, &t.creds).await;
        let ok = o.health.is_ok();
        (o, ok)
    }

    fn record(id: ServiceId, o: ServiceObservation, into: &mut Observed) -> Vec<Msg> {
        into.health.insert(id.clone(), o.clone());
        vec![Msg::Observation(id, o)]
    }

    fn forget(id: &ServiceId, into: &mut Observed) {
        into.health.remove(id);
    }
}
