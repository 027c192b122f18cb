//! Per-kind cells of the Table rows: kubectl's printers (`printPod`, `printDeployment` …)
//! re-expressed over JSON objects.

use super::human_duration;
use crate::sim::kube::controller::is_pod_ready;
use serde_json::Value;

fn ts(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second())
}

fn age(v: &Value, now: i64) -> String {
    ts(v)
        .map(|t| human_duration(now - t))
        .unwrap_or_else(|| "<unknown>".into())
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn or_none(x: String) -> String {
    if x.is_empty() {
        "<none>".into()
    } else {
        x
    }
}

fn arr(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

fn join(v: impl IntoIterator<Item = String>) -> String {
    v.into_iter().collect::<Vec<_>>().join(",")
}

fn labels_selector(v: &Value) -> String {
    let map = if v.get("matchLabels").is_some() {
        &v["matchLabels"]
    } else {
        v
    };
    let mut parts: Vec<String> = map
        .as_object()
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect())
        .unwrap_or_default();
    for e in arr(&v["matchExpressions"]) {
        let vals: Vec<String> = arr(&e["values"]).iter().map(s).collect();
        parts.push(match e["operator"].as_str() {
            Some("In") => format!("{} in ({})", s(&e["key"]), vals.join(",")),
            Some("NotIn") => format!("{} notin ({})", s(&e["key"]), vals.join(",")),
            Some("DoesNotExist") => format!("!{}", s(&e["key"])),
            _ => s(&e["key"]),
        });
    }
    or_none(parts.join(","))
}

fn containers_images(spec: &Value) -> (String, String) {
    let cs = arr(&spec["containers"]);
    (
        join(cs.iter().map(|c| s(&c["name"]))),
        join(cs.iter().map(|c| s(&c["image"]))),
    )
}

fn pod_cells(o: &Value, now: i64) -> Vec<String> {
    let st = &o["status"];
    let cs = arr(&st["containerStatuses"]);
    let total = arr(&o["spec"]["containers"]).len().max(cs.len());
    let ready = cs.iter().filter(|c| c["ready"] == true).count();
    let mut reason = s(&st["phase"]);
    if let Some(r) = st["reason"].as_str() {
        reason = r.into();
    }
    let mut restarts = 0i64;
    let mut last_restart: Option<i64> = None;
    let mut has_running = false;
    let init = arr(&st["initContainerStatuses"]);
    let init_total = arr(&o["spec"]["initContainers"]).len().max(init.len());
    let mut initializing = false;
    for (i, c) in init.iter().enumerate() {
        restarts += c["restartCount"].as_i64().unwrap_or(0);
        let state = &c["state"];
        let term = &state["terminated"];
        if term.is_object() && term["exitCode"].as_i64() == Some(0) {
            continue;
        }
        initializing = true;
        let waiting = state["waiting"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty() && *r != "PodInitializing");
        reason = if term.is_object() {
            match term["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => format!("Init:ExitCode:{}", term["exitCode"].as_i64().unwrap_or(0)),
            }
        } else if let Some(w) = waiting {
            format!("Init:{w}")
        } else {
            format!("Init:{i}/{init_total}")
        };
        break;
    }
    for c in cs.iter().rev().filter(|_| !initializing) {
        restarts += c["restartCount"].as_i64().unwrap_or(0);
        if let Some(t) = ts(&c["lastState"]["terminated"]["finishedAt"]) {
            last_restart = Some(last_restart.map_or(t, |l: i64| l.max(t)));
        }
        let state = &c["state"];
        if let Some(r) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty())
        {
            reason = r.into();
        } else if state["terminated"].is_object() {
            reason = match state["terminated"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                Some(r) => r.into(),
                None => match state["terminated"]["signal"].as_i64().filter(|x| *x != 0) {
                    Some(sig) => format!("Signal:{sig}"),
                    None => format!(
                        "ExitCode:{}",
                        state["terminated"]["exitCode"].as_i64().unwrap_or(0)
                    ),
                },
            };
        } else if c["ready"] == true && state["running"].is_object() {
            has_running = true;
        }
    }
    if reason == "Completed" && has_running {
        reason = if is_pod_ready(o) {
            "Running".into()
        } else {
            "NotReady".into()
        };
    }
    if o["metadata"]["deletionTimestamp"].is_string() {
        reason = "Terminating".into();
    }
    let restarts = match last_restart {
        Some(t) => format!("{restarts} ({} ago)", human_duration(now - t)),
        None => restarts.to_string(),
    };
    vec![
        format!("{ready}/{total}"),
        reason,
        restarts,
        age(&o["metadata"]["creationTimestamp"], now),
        or_none(s(&st["podIP"])),
        or_none(s(&o["spec"]["nodeName"])),
        or_none(s(&st["nominatedNodeName"])),
        "<none>".into(),
    ]
}

fn service_ports(o: &Value) -> String {
    let ports: Vec<String> = arr(&o["spec"]["ports"])
        .iter()
        .map(|p| {
            let proto = p["protocol"].as_str().unwrap_or("TCP");
            match p["nodePort"].as_i64() {
                Some(np) => format!("{}:{np}/{proto}", s(&p["port"])),
                None => format!("{}/{proto}", s(&p["port"])),
            }
        })
        .collect();
    or_none(ports.join(","))
}

pub(super) fn cells(kind: &str, o: &Value, now: i64) -> Vec<String> {
    let sp = &o["spec"];
    let st = &o["status"];
    let created = age(&o["metadata"]["creationTimestamp"], now);
    match kind {
        "Pod" => pod_cells(o, now),
        "Deployment" => {
            let (c, i) = containers_images(&sp["template"]["spec"]);
            vec![
                format!(
                    "{}/{}",
                    st["readyReplicas"].as_i64().unwrap_or(0),
                    sp["replicas"].as_i64().unwrap_or(1)
                ),
                st["updatedReplicas"].as_i64().unwrap_or(0).to_string(),
                st["availableReplicas"].as_i64().unwrap_or(0).to_string(),
                created,
                c,
                i,
                labels_selector(&sp["selector"]),
            ]
        }
        "ReplicaSet" => {
            let (c, i) = containers_images(&sp["template"]["spec"]);
            vec![
                sp["replicas"].as_i64().unwrap_or(1).to_string(),
                st["replicas"].as_i64().unwrap_or(0).to_string(),
                st["readyReplicas"].as_i64().unwrap_or(0).to_string(),
                created,
                c,
                i,
                labels_selector(&sp["selector"]),
            ]
        }
        "StatefulSet" => {
            let (c, i) = containers_images(&sp["template"]["spec"]);
            vec![
                format!(
                    "{}/{}",
                    st["readyReplicas"].as_i64().unwrap_or(0),
                    sp["replicas"].as_i64().unwrap_or(1)
                ),
                created,
                c,
                i,
            ]
        }
        "Service" => {
            let ext = arr(&st["loadBalancer"]["ingress"])
                .iter()
                .map(|i| {
                    s(if i["ip"].is_string() {
                        &i["ip"]
                    } else {
                        &i["hostname"]
                    })
                })
                .chain(arr(&sp["externalIPs"]).iter().map(s))
                .collect::<Vec<_>>();
            let ext = if ext.is_empty() {
                if sp["type"] == "LoadBalancer" {
                    "<pending>".into()
                } else {
                    "<none>".into()
                }
            } else {
                ext.join(",")
            };
            let sel = if sp["selector"].is_object() {
                labels_selector(&sp["selector"])
            } else {
                "<none>".into()
            };
            vec![
                s(&sp["type"]).pipe_or("ClusterIP"),
                or_none(s(&sp["clusterIP"])),
                ext,
                service_ports(o),
                created,
                sel,
            ]
        }
        "Ingress" => {
            let hosts: Vec<String> = arr(&sp["rules"])
                .iter()
                .filter_map(|r| r["host"].as_str().map(String::from))
                .collect();
            let addr: Vec<String> = arr(&st["loadBalancer"]["ingress"])
                .iter()
                .map(|i| {
                    s(if i["ip"].is_string() {
                        &i["ip"]
                    } else {
                        &i["hostname"]
                    })
                })
                .collect();
            let ports = if arr(&sp["tls"]).is_empty() {
                "80"
            } else {
                "80, 443"
            };
            vec![
                or_none(s(&sp["ingressClassName"])),
                if hosts.is_empty() {
                    "*".into()
                } else {
                    hosts.join(",")
                },
                addr.join(","),
                ports.into(),
                created,
            ]
        }
        "Node" => {
            let ready = arr(&st["conditions"])
                .iter()
                .find(|c| c["type"] == "Ready")
                .map(|c| c["status"] == "True");
            let mut status = match ready {
                Some(true) => "Ready".to_string(),
                Some(false) => "NotReady".into(),
                None => "Unknown".into(),
            };
            if sp["unschedulable"] == true {
                status.push_str(",SchedulingDisabled");
            }
            let roles: Vec<String> = o["metadata"]["labels"]
                .as_object()
                .map(|m| {
                    m.keys()
                        .filter_map(|k| {
                            k.strip_prefix("node-role.kubernetes.io/").map(String::from)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let addr = |t: &str| {
                or_none(
                    arr(&st["addresses"])
                        .iter()
                        .find(|a| a["type"] == t)
                        .map(|a| s(&a["address"]))
                        .unwrap_or_default(),
                )
            };
            let ni = &st["nodeInfo"];
            vec![
                status,
                or_none(roles.join(",")),
                created,
                s(&ni["kubeletVersion"]),
                addr("InternalIP"),
                addr("ExternalIP"),
                or_none(s(&ni["osImage"])),
                or_none(s(&ni["kernelVersion"])),
                or_none(s(&ni["containerRuntimeVersion"])),
            ]
        }
        "Namespace" => vec![
            if st["phase"].is_string() {
                s(&st["phase"])
            } else {
                "Active".into()
            },
            created,
        ],
        "PersistentVolumeClaim" => {
            let modes = arr(&st["accessModes"])
                .iter()
                .map(|m| access_mode(&s(m)))
                .collect::<Vec<_>>()
                .join(",");
            vec![
                s(&st["phase"]),
                s(&sp["volumeName"]),
                s(&st["capacity"]["storage"]),
                modes,
                or_none(s(&sp["storageClassName"])),
                "<unset>".into(),
                created,
                s(&sp["volumeMode"]),
            ]
        }
        "PersistentVolume" => {
            let modes = arr(&sp["accessModes"])
                .iter()
                .map(|m| access_mode(&s(m)))
                .collect::<Vec<_>>()
                .join(",");
            let claim = if sp["claimRef"].is_object() {
                format!(
                    "{}/{}",
                    s(&sp["claimRef"]["namespace"]),
                    s(&sp["claimRef"]["name"])
                )
            } else {
                String::new()
            };
            vec![
                s(&sp["capacity"]["storage"]),
                modes,
                s(&sp["persistentVolumeReclaimPolicy"]),
                s(&st["phase"]),
                claim,
                s(&sp["storageClassName"]),
                "<unset>".into(),
                s(&st["reason"]),
                created,
                s(&sp["volumeMode"]),
            ]
        }
        "Event" => {
            let last = if o["lastTimestamp"].is_string() {
                &o["lastTimestamp"]
            } else {
                &o["eventTime"]
            };
            let first = if o["firstTimestamp"].is_string() {
                &o["firstTimestamp"]
            } else {
                &o["eventTime"]
            };
            let io = &o["involvedObject"];
            vec![
                age(last, now),
                s(&o["type"]),
                s(&o["reason"]),
                format!("{}/{}", s(&io["kind"]).to_lowercase(), s(&io["name"])),
                s(&io["fieldPath"]),
                s(&o["source"]["component"]),
                s(&o["message"]),
                age(first, now),
                o["count"].as_i64().unwrap_or(1).to_string(),
                s(&o["metadata"]["name"]),
            ]
        }
        "Secret" => vec![
            s(&o["type"]),
            (o["data"].as_object().map_or(0, |m| m.len())).to_string(),
            created,
        ],
        "ConfigMap" => vec![
            (o["data"].as_object().map_or(0, |m| m.len())
                + o["binaryData"].as_object().map_or(0, |m| m.len()))
            .to_string(),
            created,
        ],
        "Endpoints" => {
            let mut eps = Vec::new();
            for sub in arr(&o["subsets"]) {
                for a in arr(&sub["addresses"]) {
                    for p in arr(&sub["ports"]) {
                        eps.push(format!("{}:{}", s(&a["ip"]), s(&p["port"])));
                    }
                }
            }
            let text = if eps.len() > 3 {
                format!("{} + {} more...", eps[..3].join(","), eps.len() - 3)
            } else {
                or_none(eps.join(","))
            };
            vec![text, created]
        }
        "CronJob" => {
            let (c, i) = containers_images(&sp["jobTemplate"]["spec"]["template"]["spec"]);
            let last = if st["lastScheduleTime"].is_string() {
                age(&st["lastScheduleTime"], now)
            } else {
                "<none>".into()
            };
            vec![
                s(&sp["schedule"]),
                or_none(s(&sp["timeZone"])),
                (sp["suspend"] == true).to_string().to_title(),
                arr(&st["active"]).len().to_string(),
                last,
                created,
                c,
                i,
                labels_selector(&sp["jobTemplate"]["spec"]["selector"]),
            ]
        }
        "Job" => {
            let (c, i) = containers_images(&sp["template"]["spec"]);
            let conds = arr(&st["conditions"]);
            let has = |t: &str| {
                conds
                    .iter()
                    .any(|c| c["type"] == t && c["status"] == "True")
            };
            let status = if has("Complete") {
                "Complete"
            } else if has("Failed") {
                "Failed"
            } else if o["metadata"]["deletionTimestamp"].is_string() {
                "Terminating"
            } else if has("Suspended") {
                "Suspended"
            } else {
                "Running"
            };
            let completions = format!(
                "{}/{}",
                st["succeeded"].as_i64().unwrap_or(0),
                sp["completions"].as_i64().unwrap_or(1)
            );
            let duration = match (ts(&st["startTime"]), ts(&st["completionTime"])) {
                (Some(a), Some(b)) => human_duration(b - a),
                (Some(a), None) => human_duration(now - a),
                _ => String::new(),
            };
            vec![
                status.into(),
                completions,
                duration,
                created,
                c,
                i,
                labels_selector(&sp["selector"]),
            ]
        }
        "CustomResourceDefinition" => vec![s(&o["metadata"]["creationTimestamp"])],
        _ => vec![created],
    }
}

trait PipeOr {
    fn pipe_or(self, default: &str) -> String;
}
impl PipeOr for String {
    fn pipe_or(self, default: &str) -> String {
        if self.is_empty() {
            default.into()
        } else {
            self
        }
    }
}

trait Title {
    fn to_title(&self) -> String;
}
impl Title for String {
    fn to_title(&self) -> String {
        let mut c = self.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    }
}

fn access_mode(m: &str) -> String {
    match m {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        other => other,
    }
    .into()
}
