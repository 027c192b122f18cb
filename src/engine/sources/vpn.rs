//! The VPN source: each pod with a gluetun sidecar, read through the pod proxy (tunnel, exit
//! IP, forwarded port), with qBittorrent's binding and the home IP; recorded as a
//! [`VpnReport`] with its verdict.

use super::{Observed, Source, SourceFacts};
use crate::bus::Msg;
use crate::model::ServiceId;
use crate::vpn::observe::{observe, targets, VpnTarget};
use crate::vpn::{VpnObservation, VpnReport};

pub struct Vpn;

impl Source for Vpn {
    type Key = ServiceId;
    type Target = VpnTarget;
    type Obs = VpnObservation;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<(ServiceId, VpnTarget)> {
        let Some(creds) = f.creds else {
            return Vec::new();
        };
        targets(f.cfg, f.conn, &f.listing.objects, f.inventory, creds)
    }

    async fn observe(&self, t: VpnTarget) -> (VpnObservation, bool) {
        let o = observe(&t).await;
        let ok = o.pod.is_none() || o.tunnel.as_ref().is_some_and(|t| t.ok().is_some());
        (o, ok)
    }

    fn record(id: ServiceId, o: VpnObservation, into: &mut Observed) -> Vec<Msg> {
        let r = VpnReport::new(o);
        let reports = &mut into.vpn.reports;
        match reports.iter_mut().find(|x| x.obs.service == id) {
            Some(slot) => *slot = r,
            None => {
                reports.push(r);
                reports.sort_by(|a, b| a.obs.service.cmp(&b.obs.service));
            }
        }
        vec![Msg::Vpn(Box::new(into.vpn.clone()))]
    }

    fn forget(id: &ServiceId, into: &mut Observed) {
        into.vpn.reports.retain(|r| &r.obs.service != id);
    }
}
