//! A tiny controller manager: Deployments (via a derived ReplicaSet) and StatefulSets get pods
//! matching `spec.replicas`, their status follows the pods, Services get Endpoints and
//! EndpointSlices derived from Ready pods. Runs synchronously after every store mutation, so a
//! scale request's response already reflects the new pods.

use super::registry::{self, ResourceDef};
use super::select::LabelSelector;
use super::store::{name_of, new_uid, now_rfc3339, random_suffix, Store, UpdateMode};
use serde_json::{json, Value};

fn def(group: &str, plural: &str) -> &'static ResourceDef {
    let version = match group {
        "argoproj.io" => "v1alpha1",
        _ => "v1",
    };
    match registry::find(group, version, plural) {
        Some(d) => d,
        None => &registry::RESOURCES[0],
    }
}

/// Run every reconciler for one namespace.
pub fn reconcile(store: &mut Store, ns: &str) {
    if ns.is_empty() {
        return;
    }
    reconcile_deployments(store, ns);
    reconcile_statefulsets(store, ns);
    reconcile_endpoints(store, ns);
}

/// A stable 10-character hash of a pod template (`pod-template-hash`).
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

fn owner_ref(owner: &Value, controller: bool) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": true
    })
}

fn owned_by(obj: &Value, kind: &str, name: &str) -> bool {
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
fn pod_started_events(store: &mut Store, pod: &Value) {
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
fn new_pod(
    store: &mut Store,
    ns: &str,
    name: &str,
    template: &Value,
    owner: Value,
    extra_labels: &[(&str, String)],
) -> Value {
    store.serial += 1;
    let serial = store.serial;
    let node = store
        .list(def("", "nodes"), None)
        .first()
        .map(|n| name_of(n).to_string())
        .unwrap_or_else(|| "nas".into());
    let now = now_rfc3339();
    let mut labels = template["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    for (k, v) in extra_labels {
        labels[*k] = json!(v);
    }
    let mut spec = template["spec"].clone();
    if !spec.is_object() {
        spec = json!({});
    }
    spec["nodeName"] = json!(node);
    default_pod_spec(&mut spec);
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
    let cond = |t: &str| json!({"type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": now});
    let mut annotations = template["metadata"]["annotations"].clone();
    if !annotations.is_object() {
        annotations = json!({});
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name, "namespace": ns, "labels": labels, "annotations": annotations,
            "ownerReferences": [owner],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
            "hostIP": "192.168.1.10",
            "podIP": format!("10.42.{}.{}", (serial / 250) % 250, serial % 250 + 2),
            "podIPs": [{"ip": format!("10.42.{}.{}", (serial / 250) % 250, serial % 250 + 2)}],
            "startTime": now,
            "qosClass": "BestEffort",
            "containerStatuses": statuses,
        }
    })
}

/// Pods matching a workload's selector, oldest first; terminating pods excluded.
fn selected_pods(store: &Store, ns: &str, selector: &Value) -> Vec<Value> {
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

fn set_status_if_changed(store: &mut Store, res: &'static ResourceDef, obj: &Value, status: Value) {
    let mut merged = obj["status"].clone();
    if !merged.is_object() {
        merged = json!({});
    }
    json_patch::merge(&mut merged, &status);
    if merged != obj["status"] {
        let mut next = obj.clone();
        next["status"] = merged;
        store.put_raw(res, next, UpdateMode::Full);
    }
}

fn desired_replicas(obj: &Value) -> usize {
    obj["spec"]["replicas"].as_u64().unwrap_or(1) as usize
}

fn reconcile_deployments(store: &mut Store, ns: &str) {
    let deploy_def = def("apps", "deployments");
    let rs_def = def("apps", "replicasets");
    let deployments: Vec<Value> = store
        .list(deploy_def, Some(ns))
        .into_iter()
        .cloned()
        .collect();
    for d in deployments {
        let dname = name_of(&d).to_string();
        let desired = desired_replicas(&d);
        let template = d["spec"]["template"].clone();
        let hash = template_hash(&template);
        // The ReplicaSet: an existing one owned by the Deployment, else a derived one.
        let owned: Vec<Value> = store
            .list(rs_def, Some(ns))
            .into_iter()
            .filter(|rs| owned_by(rs, "Deployment", &dname))
            .cloned()
            .collect();
        let rs = match owned
            .iter()
            .find(|rs| rs["metadata"]["labels"]["pod-template-hash"] == hash.as_str())
            .or(owned.last())
        {
            Some(rs) => rs.clone(),
            None => {
                let mut labels = template["metadata"]["labels"].clone();
                if !labels.is_object() {
                    labels = json!({});
                }
                labels["pod-template-hash"] = json!(hash);
                let mut selector = d["spec"]["selector"].clone();
                selector["matchLabels"]["pod-template-hash"] = json!(hash);
                let mut tpl = template.clone();
                tpl["metadata"]["labels"] = labels.clone();
                let rs = json!({
                    "metadata": {
                        "name": format!("{dname}-{hash}"), "namespace": ns, "labels": labels,
                        "annotations": {"deployment.kubernetes.io/revision": "1",
                                        "deployment.kubernetes.io/desired-replicas": desired.to_string()},
                        "ownerReferences": [owner_ref(&d, true)],
                    },
                    "spec": {"replicas": desired, "selector": selector, "template": tpl},
                });
                store.put_raw(rs_def, rs, UpdateMode::Full)
            }
        };
        let rs_name = name_of(&rs).to_string();
        let rs_hash = rs["metadata"]["labels"]["pod-template-hash"]
            .as_str()
            .unwrap_or(&hash)
            .to_string();
        let mut pods = selected_pods(store, ns, &d["spec"]["selector"]);
        let before = pods.len();
        if before != desired {
            let msg = format!(
                "Scaled {} replica set {rs_name} from {before} to {desired}",
                if desired > before { "up" } else { "down" }
            );
            record_event(
                store,
                &d,
                "ScalingReplicaSet",
                &msg,
                "deployment-controller",
            );
            if rs["spec"]["replicas"].as_u64() != Some(desired as u64) {
                let mut next = rs.clone();
                next["spec"]["replicas"] = json!(desired);
                store.put_raw(rs_def, next, UpdateMode::Full);
            }
        }
        let rs = store.get(rs_def, ns, &rs_name).cloned().unwrap_or(rs);
        while pods.len() < desired {
            let name = format!("{rs_name}-{}", random_suffix(5));
            let pod = new_pod(
                store,
                ns,
                &name,
                &template,
                owner_ref(&rs, true),
                &[("pod-template-hash", rs_hash.clone())],
            );
            let pod = store.put_raw(def("", "pods"), pod, UpdateMode::Full);
            record_event(
                store,
                &rs,
                "SuccessfulCreate",
                &format!("Created pod: {name}"),
                "replicaset-controller",
            );
            pod_started_events(store, &pod);
            pods.push(pod);
        }
        while pods.len() > desired {
            // Remove not-ready pods first, then the newest.
            let i = pods
                .iter()
                .position(|p| !is_pod_ready(p))
                .unwrap_or(pods.len() - 1);
            let p = pods.remove(i);
            let name = name_of(&p).to_string();
            store.remove_raw(def("", "pods"), ns, &name);
            record_event(
                store,
                &rs,
                "SuccessfulDelete",
                &format!("Deleted pod: {name}"),
                "replicaset-controller",
            );
        }
        let ready = pods.iter().filter(|p| is_pod_ready(p)).count();
        let n = pods.len();
        set_status_if_changed(
            store,
            rs_def,
            &rs,
            json!({
                "replicas": n, "fullyLabeledReplicas": n, "readyReplicas": ready,
                "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"],
            }),
        );
        let available = if ready >= desired.min(1) && (desired == 0 || ready > 0) {
            "True"
        } else {
            "False"
        };
        let now = now_rfc3339();
        let prev_conditions = d["status"]["conditions"].clone();
        let cond = |t: &str, status: &str, reason: &str, message: String| {
            let since = prev_conditions
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == t && c["status"] == status))
                .map(|c| c["lastTransitionTime"].clone())
                .unwrap_or(json!(now));
            json!({"type": t, "status": status, "reason": reason, "message": message,
                   "lastUpdateTime": since, "lastTransitionTime": since})
        };
        let mut status = json!({
            "observedGeneration": d["metadata"]["generation"],
            "replicas": n, "updatedReplicas": n, "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [
                if available == "True" {
                    cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.".into())
                } else {
                    cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.".into())
                },
                cond("Progressing", "True", "NewReplicaSetAvailable", format!("ReplicaSet \"{rs_name}\" has successfully progressed.")),
            ],
        });
        if n > ready {
            status["unavailableReplicas"] = json!(n - ready);
        } else {
            status["unavailableReplicas"] = Value::Null;
        }
        if let Some(fresh) = store.get(deploy_def, ns, &dname).cloned() {
            set_status_if_changed(store, deploy_def, &fresh, status);
        }
    }
}

fn reconcile_statefulsets(store: &mut Store, ns: &str) {
    let sts_def = def("apps", "statefulsets");
    let pods_def = def("", "pods");
    let sets: Vec<Value> = store.list(sts_def, Some(ns)).into_iter().cloned().collect();
    for s in sets {
        let sname = name_of(&s).to_string();
        let desired = desired_replicas(&s);
        let existing = selected_pods(store, ns, &s["spec"]["selector"]);
        let ordinal = |p: &Value| -> Option<usize> {
            name_of(p)
                .strip_prefix(&format!("{sname}-"))
                .and_then(|o| o.parse().ok())
        };
        let before = existing.len();
        for p in &existing {
            if ordinal(p).is_some_and(|o| o >= desired) {
                let name = name_of(p).to_string();
                store.remove_raw(pods_def, ns, &name);
                record_event(
                    store,
                    &s,
                    "SuccessfulDelete",
                    &format!("delete Pod {name} in StatefulSet {sname} successful"),
                    "statefulset-controller",
                );
            }
        }
        for o in 0..desired {
            let name = format!("{sname}-{o}");
            if store.get(pods_def, ns, &name).is_none()
                && !(before >= desired && existing.iter().any(|p| ordinal(p).is_none()))
            {
                let pod = new_pod(
                    store,
                    ns,
                    &name,
                    &s["spec"]["template"],
                    owner_ref(&s, true),
                    &[
                        ("statefulset.kubernetes.io/pod-name", name.clone()),
                        ("apps.kubernetes.io/pod-index", o.to_string()),
                    ],
                );
                let pod = store.put_raw(pods_def, pod, UpdateMode::Full);
                pod_started_events(store, &pod);
                record_event(
                    store,
                    &s,
                    "SuccessfulCreate",
                    &format!("create Pod {name} in StatefulSet {sname} successful"),
                    "statefulset-controller",
                );
            }
        }
        let pods = selected_pods(store, ns, &s["spec"]["selector"]);
        let ready = pods.iter().filter(|p| is_pod_ready(p)).count();
        if let Some(fresh) = store.get(sts_def, ns, &sname).cloned() {
            set_status_if_changed(
                store,
                sts_def,
                &fresh,
                json!({
                    "observedGeneration": fresh["metadata"]["generation"], "replicas": pods.len(),
                    "readyReplicas": ready, "currentReplicas": pods.len(), "updatedReplicas": pods.len(),
                    "availableReplicas": ready,
                }),
            );
        }
    }
}

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

fn reconcile_endpoints(store: &mut Store, ns: &str) {
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
