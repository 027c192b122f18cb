//! Pods the controllers create: template → Running/Ready pod with defaults, owner references,
//! the events a scheduler and kubelet record, and the event recorder itself.

use super::def;
use crate::sim::kube::select::LabelSelector;
use crate::sim::kube::store::{name_of, now_rfc3339, Store, UpdateMode};
use serde_json::{json, Value};

pub fn template_hash(template: &Value) -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf29ce484222325;
    for b in template.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    (0..10)
        .map(|i| CHARS[((h >> (i * 6)) % CHARS.len() as u64) as usize] as char)
        .collect()
}

pub fn is_pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

pub(super) fn owner_ref(owner: &Value, controller: bool) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": true
    })
}

pub(super) fn owned_by(obj: &Value, kind: &str, name: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["kind"] == kind && r["name"] == name))
}

/// Record an Event about `obj`, like a controller's event recorder.
pub fn record_event(store: &mut Store, obj: &Value, reason: &str, message: &str, component: &str) {
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("default");
    let now = now_rfc3339();
    // Like the real recorder: `<object>.<hex nanoseconds>`, so names sort by time.
    store.serial += 1;
    let seq = (jiff::Timestamp::now().as_nanosecond() as u64).wrapping_add(store.serial);
    let ev = json!({
        "metadata": {
            "name": format!("{}.{:016x}", name_of(obj), seq),
            "namespace": ns,
        },
        "involvedObject": {
            "apiVersion": obj["apiVersion"],
            "kind": obj["kind"],
            "name": obj["metadata"]["name"],
            "namespace": ns,
            "uid": obj["metadata"]["uid"],
            "resourceVersion": obj["metadata"]["resourceVersion"],
        },
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": "Normal",
        "eventTime": null,
        "reportingComponent": component,
        "reportingInstance": "",
    });
    store.put_raw(def("", "events"), ev, UpdateMode::Full);
}

/// The events a scheduler and kubelet record for a pod that starts cleanly.
pub fn pod_started_events(store: &mut Store, pod: &Value) {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let node = pod["spec"]["nodeName"].as_str().unwrap_or("nas");
    let msg = format!("Successfully assigned {ns}/{} to {node}", name_of(pod));
    record_event(store, pod, "Scheduled", &msg, "default-scheduler");
    for c in pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let (name, image) = (
            c["name"].as_str().unwrap_or(""),
            c["image"].as_str().unwrap_or(""),
        );
        record_event(
            store,
            pod,
            "Pulled",
            &format!("Container image \"{image}\" already present on machine"),
            "kubelet",
        );
        record_event(
            store,
            pod,
            "Created",
            &format!("Created container: {name}"),
            "kubelet",
        );
        record_event(
            store,
            pod,
            "Started",
            &format!("Started container {name}"),
            "kubelet",
        );
    }
}

/// Fill the defaults the real API server writes into a pod spec.
pub fn default_pod_spec(spec: &mut Value) {
    for key in [
        "restartPolicy",
        "dnsPolicy",
        "schedulerName",
        "serviceAccountName",
    ] {
        if spec[key].is_null() {
            spec[key] = json!(match key {
                "restartPolicy" => "Always",
                "dnsPolicy" => "ClusterFirst",
                "schedulerName" => "default-scheduler",
                _ => "default",
            });
        }
    }
    if spec["terminationGracePeriodSeconds"].is_null() {
        spec["terminationGracePeriodSeconds"] = json!(30);
    }
    for list in ["containers", "initContainers"] {
        let Some(cs) = spec[list].as_array_mut() else {
            continue;
        };
        for c in cs {
            if c["imagePullPolicy"].is_null() {
                let latest = c["image"]
                    .as_str()
                    .is_none_or(|i| i.ends_with(":latest") || !i.contains(':'));
                c["imagePullPolicy"] = json!(if latest { "Always" } else { "IfNotPresent" });
            }
            if c["terminationMessagePath"].is_null() {
                c["terminationMessagePath"] = json!("/dev/termination-log");
                c["terminationMessagePolicy"] = json!("File");
            }
            if let Some(ports) = c["ports"].as_array_mut() {
                for p in ports {
                    if p["protocol"].is_null() {
                        p["protocol"] = json!("TCP");
                    }
                }
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                let p = &mut c[probe];
                if !p.is_object() {
                    continue;
                }
                for (k, v) in [
                    ("timeoutSeconds", 1),
                    ("periodSeconds", 10),
                    ("successThreshold", 1),
                    ("failureThreshold", 3),
                ] {
                    if p[k].is_null() {
                        p[k] = json!(v);
                    }
                }
                if p["httpGet"].is_object() && p["httpGet"]["scheme"].is_null() {
                    p["httpGet"]["scheme"] = json!("HTTP");
                }
            }
        }
    }
}

/// A Running, Ready pod built from a template.
pub(super) fn new_pod(
    store: &mut Store,
    ns: &str,
    name: &str,
    template: &Value,
    owner: Value,
    extra_labels: &[(&str, String)],
) -> Value {
    let mut labels = template["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    for (k, v) in extra_labels {
        labels[*k] = json!(v);
    }
    let mut annotations = template["metadata"]["annotations"].clone();
    if !annotations.is_object() {
        annotations = json!({});
    }
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name, "namespace": ns, "labels": labels, "annotations": annotations,
            "ownerReferences": [owner],
        },
        "spec": template["spec"].clone(),
    });
    run_pod(store, &mut pod);
    pod
}

/// Schedule and "start" a pod: node, spec defaults, and a Running/Ready status with one running
/// container status per container (what scheduler and kubelet would produce).
pub fn run_pod(store: &mut Store, pod: &mut Value) {
    store.serial += 1;
    let serial = store.serial;
    let node = store
        .list(def("", "nodes"), None)
        .first()
        .map(|n| name_of(n).to_string())
        .unwrap_or_else(|| "nas".into());
    let now = now_rfc3339();
    if !pod["spec"].is_object() {
        pod["spec"] = json!({});
    }
    let spec = &mut pod["spec"];
    if spec["nodeName"].is_null() {
        spec["nodeName"] = json!(node);
    }
    default_pod_spec(spec);
    let statuses: Vec<Value> = spec["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    json!({
                        "name": c["name"], "image": c["image"], "imageID": "",
                        "containerID": format!("containerd://{:016x}", rand::random::<u64>()),
                        "ready": true, "started": true, "restartCount": 0,
                        "state": {"running": {"startedAt": now}}, "lastState": {}
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let init_statuses: Vec<Value> = spec["initContainers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    json!({
                        "name": c["name"], "image": c["image"], "imageID": "",
                        "containerID": format!("containerd://{:016x}", rand::random::<u64>()),
                        "ready": true, "started": false, "restartCount": 0,
                        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}},
                        "lastState": {}
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let cond = |t: &str| json!({"type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": now});
    let ip = format!("10.42.{}.{}", (serial / 250) % 250, serial % 250 + 2);
    pod["status"] = json!({
        "phase": "Running",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
        "hostIP": "192.168.1.10",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": now,
        "qosClass": "BestEffort",
        "containerStatuses": statuses,
    });
    if !init_statuses.is_empty() {
        pod["status"]["initContainerStatuses"] = json!(init_statuses);
    }
}

/// Pods matching a workload's selector, oldest first; terminating pods excluded.
pub(super) fn selected_pods(store: &Store, ns: &str, selector: &Value) -> Vec<Value> {
    let sel = LabelSelector::from_label_selector(selector);
    if sel.is_empty() {
        return Vec::new();
    }
    let mut pods: Vec<Value> = store
        .list(def("", "pods"), Some(ns))
        .into_iter()
        .filter(|p| sel.matches(p) && p["metadata"]["deletionTimestamp"].is_null())
        .cloned()
        .collect();
    pods.sort_by(|a, b| {
        a["metadata"]["creationTimestamp"]
            .as_str()
            .cmp(&b["metadata"]["creationTimestamp"].as_str())
            .then(name_of(a).cmp(name_of(b)))
    });
    pods
}
