//! Discovery over the simulated target and variant worlds.

mod target;
mod variant;

use super::*;
use crate::model::{AppKind, UrlBaseSource, VolumeSource};
use crate::sim::world::{target_cluster, variant_cluster, World, WorldOptions};

fn opts() -> WorldOptions {
    WorldOptions {
        seed: 7,
        extra_pods: 0,
        now: "2026-11-28T11:00:00Z".parse().expect("timestamp"),
    }
}

fn run(world: &World, ov: &Overrides) -> (ClusterObjects, Inventory) {
    let objs = ClusterObjects::from_values(&world.objects);
    let inv = discover(&objs, ov);
    (objs, inv)
}

fn one(inv: &Inventory, kind: AppKind) -> &ServiceInfo {
    let all: Vec<_> = inv.by_kind(kind).collect();
    assert_eq!(
        all.len(),
        1,
        "{kind}: {:?}",
        all.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    all[0]
}

/// (kind, namespace, workload, container, service, port, target port, url base, source)
type Row = (
    AppKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u16,
    u16,
    &'static str,
    UrlBaseSource,
);

fn check_rows(inv: &Inventory, rows: &[Row]) {
    assert_eq!(
        inv.services.len(),
        rows.len(),
        "{:#?}",
        inv.services.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    for &(kind, ns, wl, container, svc, port, target, base, source) in rows {
        let s = one(inv, kind);
        assert_eq!(s.namespace, ns, "{kind}");
        assert_eq!(s.workload.name, wl, "{kind}");
        assert_eq!(s.container, container, "{kind}");
        let sp = s
            .service
            .as_ref()
            .unwrap_or_else(|| panic!("{kind} has no service"));
        assert_eq!(
            (sp.name.as_str(), sp.port, sp.target_port),
            (svc, port, target),
            "{kind}"
        );
        assert_eq!(s.url_base, base, "{kind} url base ({:?})", s.evidence);
        assert_eq!(
            s.url_base_source, source,
            "{kind} url base source ({:?})",
            s.evidence
        );
        assert!(!s.evidence.is_empty());
    }
}
