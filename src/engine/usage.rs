//! CPU and memory per service (issue 8): the metrics API's pod usage summed over each service's
//! pods, with the requests and limits of its pod template. Polled every
//! [`METRICS_EVERY`] by the engine loop — one list request, nothing cached besides the answer.

use crate::bus::{MetricsView, ServiceUsage};
use crate::cluster::list::Listing;
use crate::cluster::metrics::{bytes, cpu_milli, pod_usage, Usage};
use crate::model::{Inventory, PodStatus, ServiceId};
use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;
use std::time::Duration;

/// How often the metrics API is read (metrics-server's window is 15 s).
pub const METRICS_EVERY: Duration = Duration::from_secs(30);

/// Sum of one resource over a pod's containers; `None` when any container does not set it.
fn summed(pod: &Pod, kind: &str, what: &str) -> Option<u64> {
    let spec = pod.spec.as_ref()?;
    let mut total = 0;
    for c in &spec.containers {
        let q = c
            .resources
            .as_ref()
            .and_then(|r| {
                if kind == "limits" {
                    r.limits.as_ref()
                } else {
                    r.requests.as_ref()
                }
            })
            .and_then(|m| m.get(what))?;
        total += if what == "cpu" {
            cpu_milli(&q.0)?
        } else {
            bytes(&q.0)?
        };
    }
    Some(total)
}

/// Per service: usage of its pods (from `usage`, keyed `namespace/pod`) and its requests and
/// limits (of its first pod).
pub fn by_service(
    inventory: &Inventory,
    pods: &BTreeMap<ServiceId, Vec<PodStatus>>,
    listing: &Listing,
    usage: &BTreeMap<String, Usage>,
) -> BTreeMap<ServiceId, ServiceUsage> {
    let mut out = BTreeMap::new();
    for s in &inventory.services {
        let names: Vec<&str> = pods
            .get(&s.id)
            .map(|v| v.iter().map(|p| p.name.as_str()).collect())
            .unwrap_or_default();
        let measured: Vec<&Usage> = names
            .iter()
            .filter_map(|n| usage.get(&format!("{}/{n}", s.namespace)))
            .collect();
        if measured.is_empty() {
            continue;
        }
        let first = listing.objects.pods.iter().find(|p| {
            p.metadata.namespace.as_deref() == Some(s.namespace.as_str())
                && p.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| names.contains(&n))
        });
        let res = |kind, what| first.and_then(|p| summed(p, kind, what));
        out.insert(
            s.id.clone(),
            ServiceUsage {
                cpu_milli: measured.iter().map(|u| u.cpu_milli).sum(),
                mem_bytes: measured.iter().map(|u| u.mem_bytes).sum(),
                cpu_request: res("requests", "cpu"),
                cpu_limit: res("limits", "cpu"),
                mem_request: res("requests", "memory"),
                mem_limit: res("limits", "memory"),
            },
        );
    }
    out
}

/// Read the metrics API once and build the view.
pub async fn read(
    client: kube::Client,
    inventory: Inventory,
    pods: BTreeMap<ServiceId, Vec<PodStatus>>,
    listing: std::sync::Arc<Listing>,
) -> MetricsView {
    match pod_usage(&client).await {
        Ok(Some(usage)) => MetricsView {
            available: true,
            note: None,
            services: by_service(&inventory, &pods, &listing, &usage),
        },
        Ok(None) => MetricsView {
            available: false,
            note: Some("no metrics API (metrics.k8s.io): CPU/MEM hidden".into()),
            services: BTreeMap::new(),
        },
        Err(e) => MetricsView {
            available: false,
            note: Some(format!("CPU/MEM hidden: {e:#}")),
            services: BTreeMap::new(),
        },
    }
}
