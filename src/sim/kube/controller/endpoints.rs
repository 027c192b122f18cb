//! Endpoints and EndpointSlices derived from Services and the pods their selectors match.

use super::def;
use super::pods::is_pod_ready;
use crate::sim::kube::select::LabelSelector;
use crate::sim::kube::store::{name_of, new_uid, Store, UpdateMode};
use serde_json::{json, Value};

/// Resolve a Service port's targetPort against a pod's container ports.
fn target_port(port: &Value, pod: &Value) -> Option<i64> {
    match &port["targetPort"] {
        Value::Number(n) => n.as_i64(),
        Value::String(name) => pod["spec"]["containers"].as_array().and_then(|cs| {
            cs.iter()
                .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
                .find(|p| p["name"] == name.as_str())
                .and_then(|p| p["containerPort"].as_i64())
        }),
        _ => port["port"].as_i64(),
    }
}

pub(super) fn reconcile_endpoints(store: &mut Store, ns: &str) {
    let ep_def = def("", "endpoints");
    let slice_def = def("discovery.k8s.io", "endpointslices");
    let services: Vec<Value> = store
        .list(def("", "services"), Some(ns))
        .into_iter()
        .cloned()
        .collect();
    for svc in services {
        let Some(selector) = svc["spec"]["selector"]
            .as_object()
            .filter(|m| !m.is_empty())
        else {
            continue;
        };
        let sel = LabelSelector::from_map(&Value::Object(selector.clone()));
        let name = name_of(&svc).to_string();
        let pods: Vec<Value> = store
            .list(def("", "pods"), Some(ns))
            .into_iter()
            .filter(|p| sel.matches(p) && p["status"]["podIP"].is_string())
            .cloned()
            .collect();
        let svc_ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
        let addr = |p: &Value| {
            json!({"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
            "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
        };
        let ready: Vec<Value> = pods.iter().filter(|p| is_pod_ready(p)).map(addr).collect();
        let not_ready: Vec<Value> = pods.iter().filter(|p| !is_pod_ready(p)).map(addr).collect();
        let ports: Vec<Value> = svc_ports
            .iter()
            .map(|sp| {
                let port = pods
                    .first()
                    .and_then(|p| target_port(sp, p))
                    .or(sp["port"].as_i64());
                let mut v =
                    json!({"port": port, "protocol": sp["protocol"].as_str().unwrap_or("TCP")});
                if let Some(n) = sp["name"].as_str() {
                    v["name"] = json!(n);
                }
                v
            })
            .collect();
        let mut subset = json!({"ports": ports});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        let subsets = if pods.is_empty() {
            json!([])
        } else {
            json!([subset])
        };
        let existing = store.get(ep_def, ns, &name).cloned();
        let current = existing
            .as_ref()
            .map(|e| e["subsets"].clone())
            .unwrap_or(Value::Null);
        let current = if current.is_null() {
            json!([])
        } else {
            current
        };
        if existing.is_none() || current != subsets {
            let mut ep = json!({"metadata": {"name": name, "namespace": ns, "labels": svc["metadata"]["labels"].clone()}});
            if let Some(e) = &existing {
                ep["metadata"] = e["metadata"].clone();
            }
            if !pods.is_empty() {
                ep["subsets"] = subsets;
            }
            store.put_raw(ep_def, ep, UpdateMode::Full);
        }
        // The matching EndpointSlice.
        let endpoints: Vec<Value> = pods
            .iter()
            .map(|p| {
                let r = is_pod_ready(p);
                json!({"addresses": [p["status"]["podIP"]], "conditions": {"ready": r, "serving": r, "terminating": false},
                       "nodeName": p["spec"]["nodeName"],
                       "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
            })
            .collect();
        let slice_name = format!("{name}-sim");
        let existing = store.get(slice_def, ns, &slice_name).cloned();
        let changed = existing
            .as_ref()
            .is_none_or(|e| e["endpoints"] != json!(endpoints) || e["ports"] != json!(ports));
        if changed {
            let uid = svc["metadata"]["uid"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(new_uid);
            let mut slice = json!({
                "metadata": {"name": slice_name, "namespace": ns,
                    "labels": {"kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                    "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
                "addressType": "IPv4", "endpoints": endpoints, "ports": ports,
            });
            if let Some(e) = existing {
                slice["metadata"]["uid"] = e["metadata"]["uid"].clone();
            }
            store.put_raw(slice_def, slice, UpdateMode::Full);
        }
    }
}
