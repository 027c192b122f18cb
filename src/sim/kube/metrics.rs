//! `metrics.k8s.io/v1beta1` as metrics-server (which k3s ships) serves it: `PodMetrics` per
//! running pod (usage per container) and `NodeMetrics`, computed from the pods in the store —
//! a steady, deterministic load per container image, within the container's limits. `KubeSim::set_metrics(false)` takes the
//! API away (404), as on a cluster without metrics-server.

use super::error::ApiError;
use super::store::Store;
use serde_json::{json, Value};

/// `(millicores, MiB)` a container of `image` uses, derived from its name (stable per pod).
pub fn usage(image: &str, pod: &str, container: &str) -> (u64, u64) {
    let img = image.to_ascii_lowercase();
    let (cpu, mem) = if img.contains("jellyfin") {
        (180, 380)
    } else if ["sonarr", "radarr", "lidarr", "prowlarr"]
        .iter()
        .any(|a| img.contains(a))
    {
        (35, 240)
    } else if img.contains("qbittorrent") || img.contains("sabnzbd") {
        (60, 310)
    } else if img.contains("gluetun") {
        (8, 40)
    } else {
        (12, 90)
    };
    let h = pod
        .bytes()
        .chain(container.bytes())
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (cpu + h % 20, mem + (h / 20) % 40)
}

/// What a running container can use under its `limits`: its CPU is throttled at the limit, and
/// memory over the limit would have it OOM-killed, so a running one stays below (at most 95%).
pub fn within_limits(limits: &Value, cpu: u64, mem: u64) -> (u64, u64) {
    use crate::cluster::metrics::{bytes, cpu_milli};
    let cpu = limits["cpu"]
        .as_str()
        .and_then(cpu_milli)
        .map_or(cpu, |l| cpu.min(l));
    let mem = limits["memory"]
        .as_str()
        .and_then(bytes)
        .map_or(mem, |l| mem.min(l / (1024 * 1024) * 95 / 100));
    (cpu, mem)
}

fn pod_metrics(pod: &Value, now: &str) -> Option<Value> {
    if pod["status"]["phase"] != "Running" {
        return None;
    }
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    let running: Vec<&str> = pod["status"]["containerStatuses"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["state"]["running"].is_object())
                .filter_map(|c| c["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["name"].as_str().is_some_and(|n| running.contains(&n)))
        .map(|c| {
            let cname = c["name"].as_str().unwrap_or("");
            let (cpu, mem) = usage(c["image"].as_str().unwrap_or(""), name, cname);
            let (cpu, mem) = within_limits(&c["resources"]["limits"], cpu, mem);
            json!({"name": cname, "usage": {"cpu": format!("{}n", cpu * 1_000_000), "memory": format!("{}Ki", mem * 1024)}})
        })
        .collect();
    if containers.is_empty() {
        return None;
    }
    Some(json!({
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": name, "namespace": pod["metadata"]["namespace"], "labels": pod["metadata"]["labels"], "creationTimestamp": now},
        "timestamp": now,
        "window": "15s",
        "containers": containers,
    }))
}

/// Answer a GET under `metrics.k8s.io`: `pods` (list in a namespace or all, or one) or
/// `nodes`.
pub fn serve(
    store: &Store,
    plural: &str,
    ns: Option<&str>,
    name: Option<&str>,
) -> Result<Value, ApiError> {
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let catalog = store.catalog();
    let of = |kind: &str, ns: Option<&str>| -> Vec<&Value> {
        catalog
            .find_kind("v1", kind)
            .map(|res| store.list(&res, ns))
            .unwrap_or_default()
    };
    let pods = of("Pod", ns);
    let items: Vec<Value> = match plural {
        "pods" => pods.iter().filter_map(|p| pod_metrics(p, &now)).collect(),
        _ => {
            let (mut cpu, mut mem) = (0u64, 0u64);
            for m in pods.iter().filter_map(|p| pod_metrics(p, &now)) {
                for c in m["containers"].as_array().into_iter().flatten() {
                    let n = c["usage"]["cpu"].as_str().unwrap_or("0n");
                    cpu += n.trim_end_matches('n').parse::<u64>().unwrap_or(0) / 1_000_000;
                    let k = c["usage"]["memory"].as_str().unwrap_or("0Ki");
                    mem += k.trim_end_matches("Ki").parse::<u64>().unwrap_or(0) / 1024;
                }
            }
            of("Node", None)
                .into_iter()
                .map(|n| {
                    json!({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                        "metadata": {"name": n["metadata"]["name"], "creationTimestamp": now},
                        "timestamp": now, "window": "15s",
                        "usage": {"cpu": format!("{}n", (cpu + 250) * 1_000_000), "memory": format!("{}Ki", (mem + 900) * 1024)}})
                })
                .collect()
        }
    };
    let kind = if plural == "pods" {
        "PodMetrics"
    } else {
        "NodeMetrics"
    };
    match name {
        Some(n) => items
            .into_iter()
            .find(|i| i["metadata"]["name"] == n)
            .ok_or_else(|| ApiError::not_found(&format!("{plural}.metrics.k8s.io"), n)),
        None => Ok(json!({
            "kind": format!("{kind}List"),
            "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {},
            "items": items,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_container_stays_within_its_limits() {
        let limits = json!({"cpu": "500m", "memory": "512Mi"});
        assert_eq!(within_limits(&limits, 180, 400), (180, 400));
        assert_eq!(within_limits(&limits, 900, 650), (500, 486));
        assert_eq!(within_limits(&json!(null), 900, 650), (900, 650));
        let (_, jellyfin) = usage("jellyfin/jellyfin:10.10.7", "jellyfin-abc12", "jellyfin");
        assert!(jellyfin < 486, "{jellyfin} MiB");
    }
}
