//! The metrics API (`metrics.k8s.io/v1beta1`, metrics-server; k3s ships it): CPU and memory
//! per pod, read with one list; quantities parsed like Kubernetes writes them.

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use std::collections::BTreeMap;

/// Usage of one pod: millicores and bytes, summed over its containers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_milli: u64,
    pub mem_bytes: u64,
}

/// `250m`, `1`, `123456789n`, `1500u` → millicores.
pub fn cpu_milli(q: &str) -> Option<u64> {
    let q = q.trim();
    let (num, div): (&str, f64) = if let Some(n) = q.strip_suffix('n') {
        (n, 1e6)
    } else if let Some(n) = q.strip_suffix('u') {
        (n, 1e3)
    } else if let Some(n) = q.strip_suffix('m') {
        (n, 1.0)
    } else {
        (q, 1e-3)
    };
    let v: f64 = num.parse().ok()?;
    Some((v / div).round() as u64)
}

/// `128Mi`, `1Gi`, `500M`, `1048576`, `123456Ki` → bytes.
pub fn bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    let units: [(&str, f64); 10] = [
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("Ti", 1024.0_f64.powi(4)),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("", 1.0),
    ];
    for (suffix, mult) in units {
        if let Some(n) = q.strip_suffix(suffix) {
            if let Ok(v) = n.parse::<f64>() {
                return Some((v * mult).round() as u64);
            }
        }
    }
    None
}

/// Every object of one metrics API kind; `Ok(None)` when the cluster has no metrics API (404,
/// or 503 while metrics-server starts).
async fn metrics_list(
    client: &kube::Client,
    kind: &str,
    plural: &str,
) -> anyhow::Result<Option<kube::core::ObjectList<DynamicObject>>> {
    let ar = ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: kind.into(),
        plural: plural.into(),
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    match api.list(&ListParams::default()).await {
        Ok(l) => Ok(Some(l)),
        Err(kube::Error::Api(e)) if e.code == 404 || e.code == 503 => Ok(None),
        Err(e) => anyhow::bail!("metrics API: {}", super::explain(&e)),
    }
}

/// Usage of every pod the metrics API reports, by `namespace/pod`; `Ok(None)` when the cluster
/// has no metrics API (404).
pub async fn pod_usage(client: &kube::Client) -> anyhow::Result<Option<BTreeMap<String, Usage>>> {
    let Some(list) = metrics_list(client, "PodMetrics", "pods").await? else {
        return Ok(None);
    };
    let mut out = BTreeMap::new();
    for pm in list.items {
        let key = format!(
            "{}/{}",
            pm.metadata.namespace.as_deref().unwrap_or(""),
            pm.metadata.name.as_deref().unwrap_or("")
        );
        let mut u = Usage::default();
        for c in pm.data["containers"].as_array().into_iter().flatten() {
            u.cpu_milli += c["usage"]["cpu"].as_str().and_then(cpu_milli).unwrap_or(0);
            u.mem_bytes += c["usage"]["memory"].as_str().and_then(bytes).unwrap_or(0);
        }
        out.insert(key, u);
    }
    Ok(Some(out))
}

/// Usage of every node the metrics API reports, by node name; `Ok(None)` without the API.
pub async fn node_usage(client: &kube::Client) -> anyhow::Result<Option<BTreeMap<String, Usage>>> {
    let Some(list) = metrics_list(client, "NodeMetrics", "nodes").await? else {
        return Ok(None);
    };
    let mut out = BTreeMap::new();
    for nm in list.items {
        let u = Usage {
            cpu_milli: nm.data["usage"]["cpu"]
                .as_str()
                .and_then(cpu_milli)
                .unwrap_or(0),
            mem_bytes: nm.data["usage"]["memory"]
                .as_str()
                .and_then(bytes)
                .unwrap_or(0),
        };
        out.insert(nm.metadata.name.unwrap_or_default(), u);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_like_kubernetes_writes_them() {
        assert_eq!(cpu_milli("250m"), Some(250));
        assert_eq!(cpu_milli("1"), Some(1000));
        assert_eq!(cpu_milli("0.5"), Some(500));
        assert_eq!(cpu_milli("35000000n"), Some(35));
        assert_eq!(bytes("128Mi"), Some(128 * 1024 * 1024));
        assert_eq!(bytes("1Gi"), Some(1 << 30));
        assert_eq!(bytes("500M"), Some(500_000_000));
        assert_eq!(bytes("2048"), Some(2048));
        assert_eq!(bytes("x"), None);
    }
}
