//! Rows of the generic resource views (issue 8: `:pods`, `:deploy`, `:events`, `:pvc`, `:ing`)
//! from the watch's latest listing: pure, no request. Built only when a view asks.

use crate::bus::ResourceRow;
use crate::cluster::list::Listing;
use crate::discover::pod_status;
use crate::discover::ClusterObjects;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The kinds the views list.
pub const KINDS: [&str; 6] = [
    "pods",
    "deployments",
    "events",
    "pvcs",
    "ingresses",
    "namespaces",
];

fn base(md: &ObjectMeta) -> ResourceRow {
    ResourceRow {
        namespace: md.namespace.clone().unwrap_or_default(),
        name: md.name.clone().unwrap_or_default(),
        since: md.creation_timestamp.as_ref().map(|t| t.0),
        ..ResourceRow::default()
    }
}

/// The pod whose logs a Pod, Deployment, StatefulSet or DaemonSet `name` shows: the pod
/// itself, or the workload's most interesting pod (not ready first).
fn logs_pod<'a>(o: &'a ClusterObjects, ns: &str, kind: &str, name: &str) -> Option<&'a Pod> {
    let in_ns = o
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns));
    if kind == "Pod" {
        return in_ns
            .into_iter()
            .find(|p| p.metadata.name.as_deref() == Some(name))
            .map(|p| p.as_ref());
    }
    let owned = |p: &&std::sync::Arc<Pod>| {
        p.metadata
            .owner_references
            .iter()
            .flatten()
            .any(|r| match kind {
                "Deployment" => {
                    r.kind == "ReplicaSet"
                        && r.name
                            .strip_prefix(name)
                            .is_some_and(|rest| rest.starts_with('-'))
                }
                "StatefulSet" | "DaemonSet" => r.kind == kind && r.name == name,
                _ => false,
            })
    };
    in_ns
        .filter(owned)
        .min_by_key(|p| {
            let st = pod_status(p);
            (st.is_ready(), st.reason.is_none(), st.name)
        })
        .map(|p| p.as_ref())
}

/// Fill a row's logs pod and its containers.
fn with_logs(mut row: ResourceRow, pod: Option<&Pod>) -> ResourceRow {
    if let Some(p) = pod {
        let spec = p.spec.as_ref();
        row.containers = spec
            .iter()
            .flat_map(|s| &s.containers)
            .map(|c| c.name.clone())
            .collect();
        row.init_containers = spec
            .iter()
            .flat_map(|s| s.init_containers.iter().flatten())
            .map(|c| c.name.clone())
            .collect();
        row.logs = Some((
            p.metadata.name.clone().unwrap_or_default(),
            pod_status(p).restarts,
        ));
    }
    row
}

/// The rows of `kind` (one of [`KINDS`]), sorted by namespace and name (events: newest first).
pub fn rows(listing: &Listing, kind: &str) -> Vec<ResourceRow> {
    let o = &listing.objects;
    let mut out: Vec<ResourceRow> = match kind {
        "pods" => o
            .pods
            .iter()
            .map(|p| {
                let st = pod_status(p);
                let status = st.reason.clone().unwrap_or_else(|| st.phase.to_string());
                let row = ResourceRow {
                    ready: format!("{}/{}", st.ready_containers, st.total_containers),
                    bad: !st.is_ready() && st.phase.as_str() != "Succeeded",
                    status: if st.terminating {
                        "Terminating".into()
                    } else {
                        status
                    },
                    restarts: st.restarts,
                    since: st.started_at,
                    info: st.node.clone().unwrap_or_default(),
                    ..base(&p.metadata)
                };
                with_logs(row, Some(p))
            })
            .collect(),
        "deployments" => o
            .deployments
            .iter()
            .map(|d| {
                let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                let st = d.status.as_ref();
                let ready = st.and_then(|s| s.ready_replicas).unwrap_or(0);
                let up = st.and_then(|s| s.updated_replicas).unwrap_or(0);
                let avail = st.and_then(|s| s.available_replicas).unwrap_or(0);
                let md = &d.metadata;
                let ns = md.namespace.as_deref().unwrap_or_default();
                let pod = logs_pod(o, ns, "Deployment", md.name.as_deref().unwrap_or_default());
                let row = ResourceRow {
                    ready: format!("{ready}/{want}"),
                    status: format!("up-to-date {up} · available {avail}"),
                    bad: ready < want,
                    info: d
                        .spec
                        .as_ref()
                        .and_then(|s| s.template.spec.as_ref())
                        .map(|s| {
                            s.containers
                                .iter()
                                .filter_map(|c| c.image.clone())
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                    ..base(&d.metadata)
                };
                with_logs(row, pod)
            })
            .collect(),
        "events" => listing
            .events
            .iter()
            .map(|e| {
                let warn = e.type_.as_deref() == Some("Warning");
                let io = &e.involved_object;
                let pod = logs_pod(
                    o,
                    e.metadata.namespace.as_deref().unwrap_or_default(),
                    io.kind.as_deref().unwrap_or_default(),
                    io.name.as_deref().unwrap_or_default(),
                );
                let row = ResourceRow {
                    name: format!(
                        "{}/{}",
                        e.involved_object.kind.as_deref().unwrap_or(""),
                        e.involved_object.name.as_deref().unwrap_or("")
                    ),
                    ready: e.count.unwrap_or(1).to_string(),
                    status: e.type_.clone().unwrap_or_default(),
                    since: e
                        .last_timestamp
                        .as_ref()
                        .map(|t| t.0)
                        .or_else(|| e.event_time.as_ref().map(|t| t.0)),
                    info: format!(
                        "{}: {}",
                        e.reason.as_deref().unwrap_or(""),
                        e.message.as_deref().unwrap_or("")
                    ),
                    bad: warn,
                    involved: e
                        .involved_object
                        .kind
                        .clone()
                        .zip(e.involved_object.name.clone()),
                    ..base(&e.metadata)
                };
                with_logs(row, pod)
            })
            .collect(),
        "pvcs" => o
            .pvcs
            .iter()
            .map(|c| {
                let phase = c
                    .status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_else(|| "Unknown".into());
                let cap = c
                    .status
                    .as_ref()
                    .and_then(|s| s.capacity.as_ref())
                    .and_then(|m| m.get("storage"))
                    .map(|q| q.0.clone())
                    .unwrap_or_default();
                let spec = c.spec.as_ref();
                ResourceRow {
                    ready: cap,
                    bad: phase != "Bound",
                    status: phase,
                    info: format!(
                        "volume {} · class {}",
                        spec.and_then(|s| s.volume_name.as_deref()).unwrap_or("—"),
                        spec.and_then(|s| s.storage_class_name.as_deref())
                            .unwrap_or("—")
                    ),
                    ..base(&c.metadata)
                }
            })
            .collect(),
        "ingresses" => o
            .ingresses
            .iter()
            .map(|i| {
                let spec = i.spec.as_ref();
                let hosts: Vec<String> = spec
                    .and_then(|s| s.rules.as_ref())
                    .map(|r| r.iter().filter_map(|r| r.host.clone()).collect())
                    .unwrap_or_default();
                let tls = spec
                    .and_then(|s| s.tls.as_ref())
                    .is_some_and(|t| !t.is_empty());
                ResourceRow {
                    ready: spec
                        .and_then(|s| s.ingress_class_name.clone())
                        .unwrap_or_default(),
                    status: if tls { "TLS" } else { "no TLS" }.into(),
                    info: hosts.join(", "),
                    ..base(&i.metadata)
                }
            })
            .collect(),
        "namespaces" => {
            // Every namespace something lives in, with its pods and workloads counted.
            let mut count: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
            let ns = |md: &ObjectMeta| md.namespace.clone().unwrap_or_default();
            for p in &o.pods {
                count.entry(ns(&p.metadata)).or_default().0 += 1;
            }
            let workloads = o.deployments.iter().map(|d| &d.metadata);
            let workloads = workloads.chain(o.statefulsets.iter().map(|s| &s.metadata));
            for md in workloads.chain(o.daemonsets.iter().map(|d| &d.metadata)) {
                count.entry(ns(md)).or_default().1 += 1;
            }
            for md in o.services.iter().map(|s| &s.metadata) {
                count.entry(ns(md)).or_default();
            }
            count
                .into_iter()
                .filter(|(ns, _)| !ns.is_empty())
                .map(|(ns, (pods, workloads))| ResourceRow {
                    name: ns,
                    ready: format!("{pods} pods"),
                    status: "Active".into(),
                    info: format!("{workloads} workloads"),
                    ..ResourceRow::default()
                })
                .collect()
        }
        _ => Vec::new(),
    };
    if kind == "events" {
        out.sort_by_key(|r| std::cmp::Reverse(r.since));
    } else {
        out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    }
    out
}
