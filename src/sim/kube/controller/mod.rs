//! A tiny controller manager: Deployments (via a derived ReplicaSet) and StatefulSets get pods
//! matching `spec.replicas`, their status follows the pods, Services get Endpoints and
//! EndpointSlices derived from Ready pods. Runs synchronously after every store mutation, so a
//! scale request's response already reflects the new pods.

pub mod argocd;
pub mod certs;
mod endpoints;
mod jobs;
mod pods;

pub use pods::{
    default_pod_spec, is_pod_ready, pod_started_events, record_event, run_pod, template_hash,
};
use pods::{new_pod, owned_by, owner_ref, selected_pods};

use super::registry::{self, Res};
use super::store::{name_of, now_rfc3339, random_suffix, Store, UpdateMode};
use serde_json::{json, Value};

/// A built-in resource type the controllers manage (all of them are `v1` of their group).
fn def(group: &str, plural: &str) -> &'static Res {
    match registry::find(group, "v1", plural) {
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
    jobs::reconcile_jobs(store, ns);
    endpoints::reconcile_endpoints(store, ns);
    certs::reconcile_certificates(store, ns);
    argocd::reconcile_applications(store, ns);
}

/// Annotation the simulator puts on the ReplicaSet it treats as current: the template hash of
/// the Deployment it was adopted for. A Deployment whose template hash differs rolls out.
const ADOPTED: &str = "sim.k8s-nas/template-hash";

fn stamp(store: &mut Store, rs: &Value, hash: &str) -> Value {
    if rs["metadata"]["annotations"][ADOPTED] == hash {
        return rs.clone();
    }
    let mut next = rs.clone();
    if !next["metadata"]["annotations"].is_object() {
        next["metadata"]["annotations"] = json!({});
    }
    next["metadata"]["annotations"][ADOPTED] = json!(hash);
    store.put_raw(def("apps", "replicasets"), next, UpdateMode::Full)
}

fn new_replica_set(d: &Value, hash: &str, desired: usize, revision: u64) -> Value {
    let template = &d["spec"]["template"];
    let mut labels = template["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    labels["pod-template-hash"] = json!(hash);
    let mut selector = d["spec"]["selector"].clone();
    selector["matchLabels"]["pod-template-hash"] = json!(hash);
    let mut tpl = template.clone();
    tpl["metadata"]["labels"] = labels.clone();
    json!({
        "metadata": {
            "name": format!("{}-{hash}", name_of(d)), "namespace": d["metadata"]["namespace"], "labels": labels,
            "annotations": {"deployment.kubernetes.io/revision": revision.to_string(),
                            "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                            ADOPTED: hash},
            "ownerReferences": [owner_ref(d, true)],
        },
        "spec": {"replicas": desired, "selector": selector, "template": tpl},
    })
}

/// Replace every pod of the old template (recreate strategy, instantly): a new ReplicaSet,
/// the old one scaled to zero, its pods deleted. The caller then creates the new pods.
fn rollout(store: &mut Store, d: &Value, old: &Value, hash: &str, desired: usize) -> Value {
    let ns = d["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let revision = old["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        .as_str()
        .and_then(|r| r.parse::<u64>().ok())
        .unwrap_or(1);
    let rs_def = def("apps", "replicasets");
    let new_rs = store.put_raw(
        rs_def,
        new_replica_set(d, hash, desired, revision + 1),
        UpdateMode::Full,
    );
    let old_pods = selected_pods(store, &ns, &d["spec"]["selector"]);
    for p in &old_pods {
        let name = name_of(p).to_string();
        store.remove_raw(def("", "pods"), &ns, &name);
        record_event(
            store,
            old,
            "SuccessfulDelete",
            &format!("Deleted pod: {name}"),
            "replicaset-controller",
        );
    }
    let old_name = name_of(old).to_string();
    let msg = format!(
        "Scaled down replica set {old_name} from {} to 0",
        old_pods.len()
    );
    record_event(store, d, "ScalingReplicaSet", &msg, "deployment-controller");
    if let Some(mut current) = store.get(rs_def, &ns, &old_name).cloned() {
        current["spec"]["replicas"] = json!(0);
        current["status"] =
            json!({"replicas": 0, "observedGeneration": current["metadata"]["generation"]});
        store.put_raw(rs_def, current, UpdateMode::Full);
    }
    new_rs
}

fn set_status_if_changed(store: &mut Store, res: &Res, obj: &Value, status: Value) {
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
        let stamped = |rs: &Value| {
            rs["metadata"]["annotations"][ADOPTED]
                .as_str()
                .map(String::from)
        };
        let current = owned
            .iter()
            .find(|rs| stamped(rs).as_deref() == Some(hash.as_str()))
            .or_else(|| {
                owned.iter().find(|rs| {
                    stamped(rs).is_none()
                        && rs["metadata"]["labels"]["pod-template-hash"] == hash.as_str()
                })
            });
        let rs = match (current, owned.iter().rev().find(|rs| stamped(rs).is_some())) {
            (Some(rs), _) => stamp(store, rs, &hash),
            // The template changed since we adopted a ReplicaSet: roll out a new one.
            (None, Some(old)) => rollout(store, &d, old, &hash, desired),
            // First sight: adopt what the world brought, or derive a ReplicaSet.
            (None, None) => match owned.last() {
                Some(rs) => stamp(store, rs, &hash),
                None => store.put_raw(
                    rs_def,
                    new_replica_set(&d, &hash, desired, 1),
                    UpdateMode::Full,
                ),
            },
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
