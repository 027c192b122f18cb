//! What the engine derives from one watch snapshot for the screen: events per service and the
//! describe text (pure, from the listing at hand — no request).

use crate::bus::EventRow;
use crate::cluster::{describe, list::Listing};
use crate::model::{Inventory, PodStatus, ServiceId};
use std::collections::BTreeMap;

/// The describe text of a workload and its pods, from the listing.
pub fn describe_workload(
    listing: Option<&Listing>,
    inventory: &Inventory,
    pods: &BTreeMap<ServiceId, Vec<PodStatus>>,
    namespace: &str,
    kind: &str,
    name: &str,
) -> String {
    let Some(listing) = listing else {
        return "no cluster data yet".into();
    };
    let objs = &listing.objects;
    if kind == "Pod" {
        // One pod (the generic `:pods` view), with its and its owners' events.
        let Some(pod) = objs.pods.iter().find(|x| {
            x.metadata.name.as_deref() == Some(name)
                && x.metadata.namespace.as_deref() == Some(namespace)
        }) else {
            return format!("Pod: {namespace}/{name}\nnot found (deleted?)\n");
        };
        let mut objects: Vec<(&str, &str)> = vec![("Pod", name)];
        for o in pod.metadata.owner_references.iter().flatten() {
            objects.push((o.kind.as_str(), o.name.as_str()));
        }
        let evs = describe::aggregate(&listing.events, namespace, &objects);
        return describe::pod(pod, &evs, jiff::Timestamp::now());
    }
    let svc = inventory
        .services
        .iter()
        .find(|s| s.namespace == namespace && s.workload.name == name && s.workload.kind == kind);
    let mut out = format!("{kind}: {namespace}/{name}\n");
    let Some(svc) = svc else {
        return out + "not found in the current inventory\n";
    };
    for p in pods.get(&svc.id).map(Vec::as_slice).unwrap_or_default() {
        if let Some(pod) = objs.pods.iter().find(|x| {
            x.metadata.name.as_deref() == Some(&p.name)
                && x.metadata.namespace.as_deref() == Some(namespace)
        }) {
            // The pod's events and its owners' (ReplicaSet, the workload), like kubectl.
            let mut objects: Vec<(&str, &str)> = vec![("Pod", p.name.as_str())];
            for o in pod.metadata.owner_references.iter().flatten() {
                objects.push((o.kind.as_str(), o.name.as_str()));
            }
            if !objects.iter().any(|(k, n)| *k == kind && *n == name) {
                objects.push((kind, name));
            }
            let evs = describe::aggregate(&listing.events, namespace, &objects);
            out.push('\n');
            out.push_str(&describe::pod(pod, &evs, jiff::Timestamp::now()));
        }
    }
    out
}

/// Kubernetes events about each service's workload and pods, newest first.
pub fn events_by_service(
    inv: &Inventory,
    pods: &BTreeMap<ServiceId, Vec<PodStatus>>,
    events: &[std::sync::Arc<k8s_openapi::api::core::v1::Event>],
) -> BTreeMap<ServiceId, Vec<EventRow>> {
    inv.services
        .iter()
        .map(|s| {
            let names: Vec<&str> = pods
                .get(&s.id)
                .map(|v| v.iter().map(|p| p.name.as_str()).collect())
                .unwrap_or_default();
            let mut rows: Vec<EventRow> = events
                .iter()
                .filter(|e| {
                    let o = &e.involved_object;
                    o.namespace.as_deref() == Some(s.namespace.as_str())
                        && o.name
                            .as_deref()
                            .is_some_and(|n| n == s.workload.name || names.contains(&n))
                })
                .map(|e| EventRow {
                    type_: e.type_.clone().unwrap_or_default(),
                    reason: e.reason.clone().unwrap_or_default(),
                    object: format!(
                        "{}/{}",
                        e.involved_object.kind.as_deref().unwrap_or(""),
                        e.involved_object.name.as_deref().unwrap_or("")
                    ),
                    message: e.message.clone().unwrap_or_default(),
                    count: e.count.unwrap_or(1).max(0) as u32,
                    last_seen: e
                        .last_timestamp
                        .as_ref()
                        .map(|t| t.0)
                        .or_else(|| e.event_time.as_ref().map(|t| t.0)),
                })
                .collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen));
            (s.id.clone(), rows)
        })
        .collect()
}
