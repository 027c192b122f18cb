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
    let Some(svc) = svc else {
        // Any other watched object (a Service, a Job, a Certificate, a Deployment outside the
        // discovered apps …): header, YAML, its events.
        let Some(object) = find_object(listing, kind, namespace, name) else {
            return format!(
                "{kind}: {namespace}/{name}\nnot in the console's watch stores (deleted, or a kind \
                 the console does not watch)\n"
            );
        };
        let evs = describe::aggregate(&listing.events, namespace, &[(kind, name)]);
        return describe::object(kind, &object, &evs, jiff::Timestamp::now());
    };
    let mut out = format!("{kind}: {namespace}/{name}\n");
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

/// The watched object `kind`/`name` in `namespace` (empty: cluster-scoped), as JSON.
fn find_object(
    listing: &Listing,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Option<serde_json::Value> {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    let is = |md: &ObjectMeta| {
        md.name.as_deref() == Some(name) && md.namespace.as_deref().unwrap_or("") == namespace
    };
    fn json<T: serde::Serialize>(t: &T) -> Option<serde_json::Value> {
        serde_json::to_value(t).ok()
    }
    fn pick<T: kube::Resource + serde::Serialize>(
        items: &[std::sync::Arc<T>],
        is: impl Fn(&ObjectMeta) -> bool,
    ) -> Option<serde_json::Value> {
        items.iter().find(|x| is(x.meta())).and_then(|x| json(&**x))
    }
    let o = &listing.objects;
    let typed = match kind {
        "Pod" => pick(&o.pods, is),
        "Deployment" => pick(&o.deployments, is),
        "StatefulSet" => pick(&o.statefulsets, is),
        "DaemonSet" => pick(&o.daemonsets, is),
        "Service" => pick(&o.services, is),
        "Ingress" => pick(&o.ingresses, is),
        "PersistentVolumeClaim" => pick(&o.pvcs, is),
        "PersistentVolume" => pick(&o.pvs, is),
        "ConfigMap" => pick(&o.configmaps, is),
        // Formatting shows a Secret's key names and sizes only.
        "Secret" => listing
            .secrets
            .iter()
            .chain(&listing.tls_secrets)
            .find(|x| is(&x.metadata))
            .and_then(|x| json(&**x)),
        _ => None,
    };
    if typed.is_some() {
        return typed;
    }
    // Custom resources (and Jobs, CronJobs): the registry row whose objects say this kind, or
    // whose plural is the kind's guessed one (kubectl's `UnsafeGuessKindToResource` rule).
    let lower = kind.to_lowercase();
    let plural = if lower.ends_with('y') {
        format!("{}ies", &lower[..lower.len() - 1])
    } else if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    };
    listing
        .custom
        .iter()
        .flat_map(|(row, objs)| objs.iter().map(move |x| (*row, x)))
        .find(|(row, x)| {
            let says = x.types.as_ref().map(|t| t.kind.as_str());
            let row_plural = row.split_once('.').map_or(*row, |(p, _)| p);
            (says == Some(kind) || (says.is_none() && row_plural == plural)) && is(&x.metadata)
        })
        .and_then(|(_, x)| json(&**x))
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
