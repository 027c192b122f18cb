//! Object builders shared by the rows: the build context (clock, seed, IPs), PVC + PV pairs,
//! pod status, Ingress, Event, ConfigMap, Secret, Namespace and Node values.

use super::build::IngSpec;
use serde_json::{json, Map, Value};

/// Everything the builders need that is not in the row: clock, seed, counters.
pub(crate) struct Ctx {
    pub seed: u64,
    pub now: jiff::Timestamp,
    pub node: &'static str,
    next_ip: u32,
}

impl Ctx {
    pub fn new(seed: u64, now: jiff::Timestamp, node: &'static str) -> Self {
        Ctx {
            seed,
            now,
            node,
            next_ip: 10,
        }
    }

    /// RFC 3339 time `secs_ago` seconds before `now`, whole seconds.
    pub fn ago(&self, secs_ago: i64) -> String {
        let s = self.now.as_second().saturating_sub(secs_ago);
        jiff::Timestamp::from_second(s)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_string()
    }

    /// Next pod IP in 10.42.0.0/16 (k3s default pod CIDR).
    pub fn pod_ip(&mut self) -> String {
        let n = self.next_ip;
        self.next_ip += 1;
        format!("10.42.{}.{}", n / 250, n % 250 + 2)
    }

    /// Deterministic pseudo-random 64 bits for a label.
    pub fn hash(&self, label: &str) -> u64 {
        mix(self.seed, label)
    }

    /// A UUID-shaped deterministic id for `label`.
    pub fn uid(&self, label: &str) -> String {
        let a = self.hash(label);
        let b = mix(a, label);
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }

    /// Kubernetes-style random suffix of `len` characters, derived from `label`.
    pub fn suffix(&self, label: &str, len: usize) -> String {
        const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut h = self.hash(label);
        (0..len)
            .map(|i| {
                if i % 12 == 11 {
                    h = mix(h, label);
                }
                let c = ALPHA[(h % ALPHA.len() as u64) as usize] as char;
                h /= ALPHA.len() as u64;
                c
            })
            .collect()
    }
}

/// splitmix64 over the seed and the bytes of `label`.
pub(crate) fn mix(seed: u64, label: &str) -> u64 {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    for b in label.bytes() {
        x = x
            .wrapping_add(u64::from(b))
            .wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 31;
    }
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// PVC + bound local-path PV for `claim` in `ns`.
pub(crate) fn pvc_pair(ctx: &Ctx, ns: &str, claim: &str, size: &str) -> [Value; 2] {
    let h = ctx.hash(&format!("pv/{ns}/{claim}"));
    let pv_name = format!(
        "pvc-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xffff,
        (h >> 48) & 0xffff,
        mix(h, claim) & 0xffff_ffff_ffff
    );
    let dir = format!("/var/lib/rancher/k3s/storage/{pv_name}_{ns}_{claim}");
    let created = ctx.ago(86_400 * 40);
    let pvc = json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim, "namespace": ns, "creationTimestamp": created,
            "annotations": {"volume.kubernetes.io/selected-node": ctx.node,
                "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local-path",
            "volumeMode": "Filesystem", "volumeName": pv_name,
            "resources": {"requests": {"storage": size}}},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}},
    });
    let pv = json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "creationTimestamp": created,
            "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "name": claim, "namespace": ns},
            "hostPath": {"path": dir, "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [ctx.node]}]}]}},
            "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "local-path",
            "volumeMode": "Filesystem"},
        "status": {"phase": "Bound"},
    });
    [pvc, pv]
}

/// Pod status for a healthy running pod of `template` started `age` seconds ago.
pub(crate) fn running_status(ctx: &mut Ctx, spec: &Value, age: i64, restarts: u32) -> Value {
    let started = ctx.ago(age);
    let ready_at = ctx.ago(age - 40);
    let cond = |t: &str, at: &str| json!({"type": t, "status": "True", "lastTransitionTime": at});
    let statuses: Vec<Value> = spec["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .enumerate()
                .map(|(i, c)| {
                    let is_app = i + 1 == cs.len();
                    json!({
                        "name": c["name"], "image": c["image"],
                        "imageID": format!("{}@sha256:{:016x}", c["image"].as_str().unwrap_or(""),
                            ctx.hash(c["image"].as_str().unwrap_or(""))),
                        "containerID": format!("containerd://{:016x}", ctx.hash(&format!("{started}{i}"))),
                        "ready": true, "started": true,
                        "restartCount": if is_app { restarts } else { 0 },
                        "state": {"running": {"startedAt": ready_at}},
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let init: Vec<Value> = spec["initContainers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let image = c["image"].as_str().unwrap_or("");
                    json!({"name": c["name"], "image": image, "ready": true, "restartCount": 0,
                    "imageID": format!("{image}@sha256:{:016x}", ctx.hash(image)),
                    "containerID": format!("containerd://{:016x}",
                        ctx.hash(&format!("{started}{}", c["name"]))),
                    "started": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                        "startedAt": started, "finishedAt": started}}})
                })
                .collect()
        })
        .unwrap_or_default();
    let ip = ctx.pod_ip();
    json!({
        "phase": "Running",
        "conditions": [cond("PodReadyToStartContainers", &started), cond("Initialized", &started),
            cond("Ready", &ready_at), cond("ContainersReady", &ready_at), cond("PodScheduled", &started)],
        "containerStatuses": statuses,
        "initContainerStatuses": init,
        "hostIP": "10.1.0.20", "hostIPs": [{"ip": "10.1.0.20"}],
        "podIP": ip, "podIPs": [{"ip": ip}],
        "qosClass": "Burstable",
        "startTime": started,
    })
}

pub(crate) fn ingress(ns: &str, i: &IngSpec, svc: &str, port: u16, created: &str) -> Value {
    let ann: Map<String, Value> = i
        .annotations
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let mut spec = json!({
        "ingressClassName": "nginx",
        "rules": [{"host": i.host, "http": {"paths": [{"path": i.path, "pathType": i.path_type,
            "backend": {"service": {"name": svc, "port": {"number": port}}}}]}}],
    });
    if let Some(t) = i.tls_secret {
        spec["tls"] = json!([{"hosts": [i.host], "secretName": t}]);
    }
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": i.name, "namespace": ns, "annotations": ann, "creationTimestamp": created},
        "spec": spec,
        "status": {"loadBalancer": {"ingress": [{"ip": "10.1.0.20"}]}},
    })
}

/// A core/v1 Event about a pod.
pub(crate) fn event(
    ctx: &Ctx,
    ns: &str,
    pod: &str,
    ty: &str,
    reason: &str,
    message: &str,
    secs_ago: i64,
) -> Value {
    let name = format!("{pod}.{:016x}", ctx.hash(&format!("ev/{pod}/{reason}")));
    let at = ctx.ago(secs_ago);
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": at},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ns},
        "reason": reason, "message": message, "type": ty, "count": 1,
        "firstTimestamp": at, "lastTimestamp": at,
        "source": {"component": "kubelet", "host": ctx.node},
        "reportingComponent": "kubelet", "reportingInstance": ctx.node,
    })
}

/// A ConfigMap with string data.
pub(crate) fn configmap(ns: &str, name: &str, data: &[(&str, String)]) -> Value {
    let d: Map<String, Value> = data
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns}, "data": d})
}

/// An Opaque Secret; values are base64-encoded into `data`.
pub(crate) fn secret(ns: &str, name: &str, data: &[(&str, String)]) -> Value {
    use base64::Engine;
    let d: Map<String, Value> = data
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                json!(base64::engine::general_purpose::STANDARD.encode(v)),
            )
        })
        .collect();
    json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": name, "namespace": ns}, "data": d})
}

pub(crate) fn namespace(name: &str, created: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name},
            "creationTimestamp": created},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
}

pub(crate) fn node(ctx: &Ctx) -> Value {
    json!({"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": ctx.node, "creationTimestamp": ctx.ago(86_400 * 200),
            "labels": {"kubernetes.io/hostname": ctx.node, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "node-role.kubernetes.io/control-plane": "true",
                "node.kubernetes.io/instance-type": "k3s"}},
        "spec": {"podCIDR": "10.42.0.0/24", "podCIDRs": ["10.42.0.0/24"]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "10.1.0.20"},
                          {"type": "Hostname", "address": ctx.node}],
            "capacity": {"cpu": "8", "memory": "32734220Ki", "pods": "110"},
            "allocatable": {"cpu": "8", "memory": "32734220Ki", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                "lastTransitionTime": ctx.ago(86_400 * 3)},
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure"},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID"}],
            "nodeInfo": {"kubeletVersion": "v1.33.6+k3s1", "osImage": "Pop!_OS 24.04 LTS",
                "containerRuntimeVersion": "containerd://2.1.5-k3s1", "architecture": "amd64",
                "operatingSystem": "linux", "kernelVersion": "6.16.3-76061603-generic",
                "kubeProxyVersion": "v1.33.6+k3s1",
                "bootID": format!("{:032x}", u128::from(ctx.hash("boot"))),
                "machineID": format!("{:032x}", u128::from(ctx.hash("machine"))),
                "systemUUID": format!("{:032x}", u128::from(ctx.hash("uuid")))}}})
}
