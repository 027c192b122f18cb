//! Builders: one [`AppSpec`] row → the Kubernetes objects of that workload (Deployment or
//! StatefulSet, its Pod with a realistic status, Service, Ingresses, PVC + PV), as JSON values.

use super::objects::{ingress, pvc_pair, running_status, Ctx};
use crate::model::AppKind;
use serde_json::{json, Map, Value};

pub(crate) use super::objects::{configmap, event, mix, namespace, node, secret};

/// How a workload is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkloadKind {
    Deployment,
    StatefulSet,
}

/// A container probe as the manifest declares it.
#[derive(Debug, Clone)]
pub(crate) enum Probe {
    None,
    /// `httpGet` path on the app port.
    Http(&'static str),
    /// `tcpSocket` on the app port.
    Tcp,
    /// `exec` command (gluetun health server check).
    Exec(&'static str),
}

/// Where the `/config` (or `/app/config`) volume comes from.
#[derive(Debug, Clone)]
pub(crate) enum ConfigSrc {
    HostPath(&'static str),
    /// A PVC of the given size on `local-path`, bound to a PV under the k3s storage dir.
    Pvc {
        claim: &'static str,
        size: &'static str,
    },
    /// StatefulSet `volumeClaimTemplates` entry named `template`.
    ClaimTemplate {
        template: &'static str,
        size: &'static str,
    },
    None,
}

#[derive(Debug, Clone)]
pub(crate) struct InitSpec {
    pub name: &'static str,
    pub image: &'static str,
    pub script: String,
    /// Extra ConfigMap mounts of the init container: (configmap, mount path).
    pub configmaps: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone)]
pub(crate) struct VpnSpec {
    pub container: &'static str,
    pub image: &'static str,
    pub env: Vec<(&'static str, &'static str)>,
    /// Ports declared on the VPN container: (port, protocol, name).
    pub ports: Vec<(u16, &'static str, &'static str)>,
    /// Liveness/readiness `exec` command (gluetun health server), if any.
    pub exec_probe: Option<&'static str>,
}

/// How a Service port targets the container: by number or by the container port's name.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Number,
    Name,
}

#[derive(Debug, Clone)]
pub(crate) struct SvcSpec {
    pub name: &'static str,
    pub port: u16,
    pub port_name: Option<&'static str>,
    pub target: Target,
    /// Extra (port, protocol, name) entries, targeting the same number.
    pub extra: Vec<(u16, &'static str, &'static str)>,
}

#[derive(Debug, Clone)]
pub(crate) struct IngSpec {
    pub name: &'static str,
    pub host: &'static str,
    pub path: &'static str,
    pub path_type: &'static str,
    pub annotations: Vec<(&'static str, &'static str)>,
    pub tls_secret: Option<&'static str>,
}

/// One workload of the world. `kind: None` makes a noise workload that discovery must ignore.
#[derive(Debug, Clone)]
pub(crate) struct AppSpec {
    pub kind: Option<AppKind>,
    pub namespace: &'static str,
    pub workload: &'static str,
    pub workload_kind: WorkloadKind,
    pub labels: Vec<(&'static str, &'static str)>,
    pub container: &'static str,
    pub image: &'static str,
    /// Container port (0 = none) and its optional name.
    pub port: u16,
    pub port_name: Option<&'static str>,
    pub extra_ports: Vec<(u16, &'static str, &'static str)>,
    pub env: Vec<(&'static str, String)>,
    /// Secrets the app container takes every key of as env vars (`envFrom.secretRef`).
    pub env_from: Vec<&'static str>,
    pub probe: Probe,
    pub init: Option<InitSpec>,
    pub config_mount: &'static str,
    pub config: ConfigSrc,
    /// hostPath data mounts: (volume name, host path, mount path).
    pub data_mounts: Vec<(&'static str, &'static str, &'static str)>,
    /// ConfigMap mounts on the app container: (configmap, mount path).
    pub configmap_mounts: Vec<(&'static str, &'static str)>,
    pub vpn: Option<VpnSpec>,
    pub service: Option<SvcSpec>,
    pub ingresses: Vec<IngSpec>,
    /// The URL base the app really serves under (what its simulator uses).
    pub url_base: &'static str,
    pub recreate: bool,
    /// Also declare the probe as a startup probe (10 s × 30: five minutes to come up), as a slow
    /// starter (Servarr migrations, Jellyfin's library database) should.
    pub startup: bool,
    /// Start the workload with zero pods (a Service without pods, like FlareSolverr).
    pub no_pods: bool,
    /// Restart count reported for the app container.
    pub restarts: u32,
}

impl AppSpec {
    /// A plain row with defaults; tables override fields with struct update syntax.
    pub fn new(
        kind: Option<AppKind>,
        namespace: &'static str,
        workload: &'static str,
        image: &'static str,
        port: u16,
    ) -> Self {
        AppSpec {
            kind,
            namespace,
            workload,
            workload_kind: WorkloadKind::Deployment,
            labels: vec![("app", workload)],
            container: workload,
            image,
            port,
            port_name: None,
            extra_ports: vec![],
            env: vec![],
            env_from: vec![],
            probe: Probe::None,
            init: None,
            config_mount: "/config",
            config: ConfigSrc::None,
            data_mounts: vec![],
            configmap_mounts: vec![],
            vpn: None,
            service: None,
            ingresses: vec![],
            url_base: "",
            recreate: false,
            startup: false,
            no_pods: false,
            restarts: 0,
        }
    }
}

fn labels(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect::<Map<_, _>>(),
    )
}

/// Env entries; a value `secret:<name>/<key>` becomes a `secretKeyRef`.
fn env_list<K: AsRef<str>, V: AsRef<str>>(env: &[(K, V)]) -> Vec<Value> {
    env.iter()
        .map(|(k, v)| {
            match v
                .as_ref()
                .strip_prefix("secret:")
                .and_then(|r| r.split_once('/'))
            {
                Some((name, key)) => json!({"name": k.as_ref(),
                "valueFrom": {"secretKeyRef": {"name": name, "key": key}}}),
                None => json!({"name": k.as_ref(), "value": v.as_ref()}),
            }
        })
        .collect()
}

fn ports(list: &[(u16, &str, &str)]) -> Vec<Value> {
    list.iter()
        .map(|(p, proto, name)| {
            let mut v = json!({"containerPort": p, "protocol": proto});
            if !name.is_empty() {
                v["name"] = json!(name);
            }
            v
        })
        .collect()
}

fn probe_json(p: &Probe, port: u16, initial: u32, period: u32, timeout: u32) -> Option<Value> {
    let timing = json!({"initialDelaySeconds": initial, "periodSeconds": period,
        "timeoutSeconds": timeout, "failureThreshold": 3, "successThreshold": 1});
    let mut v = match p {
        Probe::None => return None,
        Probe::Http(path) => json!({"httpGet": {"path": path, "port": port, "scheme": "HTTP"}}),
        Probe::Tcp => json!({"tcpSocket": {"port": port}}),
        Probe::Exec(cmd) => json!({"exec": {"command": ["sh", "-c", cmd]}}),
    };
    if let (Some(o), Some(t)) = (v.as_object_mut(), timing.as_object()) {
        o.extend(t.clone());
    }
    Some(v)
}

/// The pod template (`spec.template`) of a row.
fn pod_template(s: &AppSpec) -> Value {
    let mut volumes = vec![];
    let mut mounts = vec![];
    match &s.config {
        ConfigSrc::HostPath(p) => {
            volumes.push(json!({"name": "config", "hostPath": {"path": p, "type": "Directory"}}));
            mounts.push(json!({"name": "config", "mountPath": s.config_mount}));
        }
        ConfigSrc::Pvc { claim, .. } => {
            volumes.push(json!({"name": "config", "persistentVolumeClaim": {"claimName": claim}}));
            mounts.push(json!({"name": "config", "mountPath": s.config_mount}));
        }
        ConfigSrc::ClaimTemplate { template, .. } => {
            mounts.push(json!({"name": template, "mountPath": s.config_mount}));
        }
        ConfigSrc::None => {}
    }
    for (name, host, path) in &s.data_mounts {
        volumes.push(json!({"name": name, "hostPath": {"path": host}}));
        mounts.push(json!({"name": name, "mountPath": path}));
    }
    for (cm, path) in &s.configmap_mounts {
        volumes.push(json!({"name": cm, "configMap": {"name": cm}}));
        mounts.push(json!({"name": cm, "mountPath": path, "readOnly": true}));
    }
    let mut container_ports = vec![];
    if s.port != 0 {
        container_ports.push((s.port, "TCP", s.port_name.unwrap_or("")));
    }
    container_ports.extend(s.extra_ports.iter().cloned());
    let mut app = json!({
        "name": s.container,
        "image": s.image,
        "imagePullPolicy": if s.image.ends_with(":latest") { "Always" } else { "IfNotPresent" },
        "ports": ports(&container_ports),
        "env": env_list(&s.env),
        "volumeMounts": mounts.clone(),
        "resources": {"requests": {"cpu": "35m", "memory": "256Mi"},
                      "limits": {"cpu": "500m", "memory": "512Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    });
    if !s.env_from.is_empty() {
        app["envFrom"] = Value::Array(
            s.env_from
                .iter()
                .map(|n| json!({"secretRef": {"name": n}}))
                .collect(),
        );
    }
    if let Some(p) = probe_json(&s.probe, s.port, 30, 30, 10) {
        app["livenessProbe"] = p;
    }
    if let Some(p) = probe_json(&s.probe, s.port, 10, 10, 5) {
        app["readinessProbe"] = p;
    }
    if let Some(mut p) = probe_json(&s.probe, s.port, 0, 10, 5).filter(|_| s.startup) {
        p["failureThreshold"] = json!(30);
        app["startupProbe"] = p;
    }
    let mut containers = vec![];
    if let Some(v) = &s.vpn {
        let config_mount: Vec<Value> = mounts.iter().take(1).cloned().collect();
        containers.push(json!({
            "name": v.container,
            "image": v.image,
            "env": env_list(&v.env),
            "ports": ports(&v.ports),
            "securityContext": {"privileged": true,
                "capabilities": {"add": ["NET_ADMIN", "SYS_MODULE"]}},
            "volumeMounts": config_mount,
        }));
        if let Some(cmd) = v.exec_probe {
            let last = containers.len() - 1;
            containers[last]["livenessProbe"] =
                probe_json(&Probe::Exec(cmd), 0, 30, 30, 10).unwrap_or(Value::Null);
            containers[last]["readinessProbe"] =
                probe_json(&Probe::Exec(cmd), 0, 15, 10, 5).unwrap_or(Value::Null);
        }
    }
    containers.push(app);
    let mut init_containers = vec![];
    if let Some(i) = &s.init {
        let mut init_mounts: Vec<Value> = mounts.iter().take(1).cloned().collect();
        for (cm, path) in &i.configmaps {
            volumes.push(json!({"name": cm, "configMap": {"name": cm}}));
            init_mounts.push(json!({"name": cm, "mountPath": path, "readOnly": true}));
        }
        init_containers.push(json!({
            "name": i.name,
            "image": i.image,
            "command": ["sh", "-c"],
            "args": [i.script],
            "volumeMounts": init_mounts,
        }));
    }
    let mut spec = json!({
        "containers": containers,
        "volumes": volumes,
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "securityContext": {},
    });
    if !init_containers.is_empty() {
        spec["initContainers"] = json!(init_containers);
    }
    json!({"metadata": {"labels": labels(&s.labels)}, "spec": spec})
}

/// All objects of one row.
pub(crate) fn build(ctx: &mut Ctx, s: &AppSpec) -> Vec<Value> {
    let mut out = vec![];
    let ns = s.namespace;
    let age = 3_600 * (20 + (ctx.hash(s.workload) % 200) as i64);
    let template = pod_template(s);
    let replicas = if s.no_pods { 0 } else { 1 };
    let created = ctx.ago(86_400 * 60);
    let sel = labels(&s.labels);
    let mut wl_spec = json!({
        "replicas": replicas,
        "selector": {"matchLabels": sel},
        "template": template,
        "revisionHistoryLimit": 10,
    });
    let wl_kind = match s.workload_kind {
        WorkloadKind::Deployment => {
            wl_spec["strategy"] = if s.recreate {
                json!({"type": "Recreate"})
            } else {
                json!({"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
            };
            "Deployment"
        }
        WorkloadKind::StatefulSet => {
            wl_spec["serviceName"] =
                json!(s.service.as_ref().map(|v| v.name).unwrap_or(s.workload));
            if let ConfigSrc::ClaimTemplate { template, size } = &s.config {
                wl_spec["volumeClaimTemplates"] = json!([{
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": template},
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local-path",
                        "resources": {"requests": {"storage": size}}}}]);
                if !s.no_pods {
                    let claim = format!("{template}-{}-0", s.workload);
                    out.extend(pvc_pair(ctx, ns, &claim, size));
                }
            }
            "StatefulSet"
        }
    };
    let ready = if s.no_pods { 0 } else { 1 };
    let mut wl = json!({
        "apiVersion": "apps/v1", "kind": wl_kind,
        "metadata": {"name": s.workload, "namespace": ns, "labels": sel,
            "creationTimestamp": created, "generation": 1,
            "annotations": {"argocd.argoproj.io/tracking-id": format!("{ns}:apps/{wl_kind}:{ns}/{}", s.workload)}},
        "spec": wl_spec,
        "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": ready,
            "availableReplicas": ready, "updatedReplicas": replicas},
    });
    if wl_kind == "Deployment" {
        wl["status"]["conditions"] = json!([
            {"type": "Available", "status": if ready == 1 { "True" } else { "False" },
             "reason": "MinimumReplicasAvailable", "lastTransitionTime": ctx.ago(age)},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "lastTransitionTime": created}]);
    } else {
        wl["status"]["currentReplicas"] = json!(replicas);
    }
    out.push(wl);
    if let ConfigSrc::Pvc { claim, size } = &s.config {
        out.extend(pvc_pair(ctx, ns, claim, size));
    }
    if !s.no_pods {
        let (pod_name, owner) = match s.workload_kind {
            WorkloadKind::Deployment => {
                let rs = format!(
                    "{}-{}",
                    s.workload,
                    ctx.suffix(&format!("rs/{ns}/{}", s.workload), 10)
                );
                let pod = format!(
                    "{rs}-{}",
                    ctx.suffix(&format!("pod/{ns}/{}", s.workload), 5)
                );
                (
                    pod,
                    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs,
                    "uid": ctx.uid(&format!("ReplicaSet/{ns}/{rs}")), "controller": true, "blockOwnerDeletion": true}),
                )
            }
            WorkloadKind::StatefulSet => (
                format!("{}-0", s.workload),
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "name": s.workload,
                    "uid": ctx.uid(&format!("StatefulSet/{ns}/{}", s.workload)),
                    "controller": true, "blockOwnerDeletion": true}),
            ),
        };
        let hash_label = ctx.suffix(&format!("rs/{ns}/{}", s.workload), 10);
        let mut pod_labels: Vec<(&str, &str)> = s.labels.clone();
        if s.workload_kind == WorkloadKind::Deployment {
            pod_labels.push(("pod-template-hash", &hash_label));
        }
        let mut spec = template["spec"].clone();
        spec["nodeName"] = json!(ctx.node);
        if let ConfigSrc::ClaimTemplate { template: t, .. } = &s.config {
            if let Some(vols) = spec["volumes"].as_array_mut() {
                vols.push(json!({"name": t,
                    "persistentVolumeClaim": {"claimName": format!("{t}-{}-0", s.workload)}}));
            }
        }
        let status = running_status(ctx, &spec, age, s.restarts);
        out.push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod_name, "namespace": ns, "labels": labels(&pod_labels),
                "creationTimestamp": ctx.ago(age + 5), "ownerReferences": [owner]},
            "spec": spec,
            "status": status,
        }));
        out.push(event(
            ctx,
            ns,
            &pod_name,
            "Normal",
            "Started",
            &format!("Started container {}", s.container),
            age,
        ));
    }
    if let Some(svc) = &s.service {
        let target = match (&svc.target, s.port_name) {
            (Target::Name, Some(n)) => json!(n),
            _ => json!(s.port),
        };
        let mut port = json!({"port": svc.port, "targetPort": target, "protocol": "TCP"});
        if let Some(n) = svc.port_name {
            port["name"] = json!(n);
        }
        let mut svc_ports = vec![port];
        for (p, proto, name) in &svc.extra {
            svc_ports.push(json!({"name": name, "port": p, "targetPort": p, "protocol": proto}));
        }
        let h = ctx.hash(&format!("svc/{ns}/{}", svc.name));
        let ip = format!("10.43.{}.{}", (h >> 8) % 250, h % 250 + 2);
        out.push(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": svc.name, "namespace": ns, "labels": sel, "creationTimestamp": created},
            "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "selector": sel,
                "ports": svc_ports, "sessionAffinity": "None", "ipFamilies": ["IPv4"]},
            "status": {"loadBalancer": {}},
        }));
        for ing in &s.ingresses {
            out.push(ingress(ns, ing, svc.name, svc.port, &created));
        }
    }
    out
}
