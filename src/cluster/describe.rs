//! `d` describe: a kubectl-describe-like text for a pod and its events. Pure formatting.

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Event, Pod};
use std::fmt::Write;

/// Events that concern the object `kind`/`name` in `namespace`, oldest first.
pub fn events_for<'a>(
    events: &'a [std::sync::Arc<Event>],
    kind: &str,
    namespace: &str,
    name: &str,
) -> Vec<&'a Event> {
    let mut v: Vec<&Event> = events
        .iter()
        .map(|e| &**e)
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some(kind)
                && e.involved_object.name.as_deref() == Some(name)
                && e.involved_object.namespace.as_deref().unwrap_or(namespace) == namespace
        })
        .collect();
    v.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    v
}

/// Describe a pod. Secret values never appear: env from Secrets shows only the reference.
pub fn pod(p: &Pod, events: &[&Event]) -> String {
    let mut s = String::new();
    let md = &p.metadata;
    let spec = p.spec.as_ref();
    let st = p.status.as_ref();
    let _ = writeln!(s, "Name:         {}", md.name.as_deref().unwrap_or(""));
    let _ = writeln!(s, "Namespace:    {}", md.namespace.as_deref().unwrap_or(""));
    let _ = writeln!(
        s,
        "Node:         {}",
        spec.and_then(|s| s.node_name.as_deref())
            .unwrap_or("<none>")
    );
    if let Some(t) = st.and_then(|s| s.start_time.as_ref()) {
        let _ = writeln!(s, "Start Time:   {}", t.0);
    }
    let labels = md
        .labels
        .as_ref()
        .map(|l| {
            l.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let _ = writeln!(s, "Labels:       {labels}");
    let _ = writeln!(
        s,
        "Status:       {}",
        st.and_then(|s| s.phase.as_deref()).unwrap_or("Unknown")
    );
    let _ = writeln!(
        s,
        "IP:           {}",
        st.and_then(|s| s.pod_ip.as_deref()).unwrap_or("")
    );
    if let Some(owner) = md.owner_references.as_ref().and_then(|o| o.first()) {
        let _ = writeln!(s, "Controlled By: {}/{}", owner.kind, owner.name);
    }
    let statuses = st
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let init_statuses = st
        .and_then(|s| s.init_container_statuses.clone())
        .unwrap_or_default();
    if let Some(init) = spec
        .and_then(|s| s.init_containers.as_ref())
        .filter(|v| !v.is_empty())
    {
        let _ = writeln!(s, "Init Containers:");
        for c in init {
            container(&mut s, c, init_statuses.iter().find(|cs| cs.name == c.name));
        }
    }
    let _ = writeln!(s, "Containers:");
    for c in spec.map(|s| s.containers.as_slice()).unwrap_or_default() {
        container(&mut s, c, statuses.iter().find(|cs| cs.name == c.name));
    }
    if let Some(conds) = st.and_then(|s| s.conditions.as_ref()) {
        let _ = writeln!(s, "Conditions:\n  Type              Status");
        for c in conds {
            let _ = writeln!(s, "  {:<17} {}", c.type_, c.status);
        }
    }
    if let Some(vols) = spec.and_then(|s| s.volumes.as_ref()) {
        let _ = writeln!(s, "Volumes:");
        for v in vols {
            let what = if let Some(h) = &v.host_path {
                format!("HostPath {}", h.path)
            } else if let Some(c) = &v.persistent_volume_claim {
                format!("PersistentVolumeClaim {}", c.claim_name)
            } else if let Some(c) = &v.config_map {
                format!("ConfigMap {}", c.name)
            } else if let Some(sec) = &v.secret {
                format!("Secret {}", sec.secret_name.as_deref().unwrap_or(""))
            } else {
                "other".to_string()
            };
            let _ = writeln!(s, "  {}: {what}", v.name);
        }
    }
    let _ = writeln!(s, "Events:");
    if events.is_empty() {
        let _ = writeln!(s, "  <none>");
    }
    for e in events {
        let _ = writeln!(
            s,
            "  {:<8} {:<18} {}  {}",
            e.type_.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            e.last_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
                .unwrap_or_default(),
            e.message.as_deref().unwrap_or("")
        );
    }
    s
}

fn container(s: &mut String, c: &Container, cs: Option<&ContainerStatus>) {
    let _ = writeln!(s, "  {}:", c.name);
    let _ = writeln!(s, "    Image:      {}", c.image.as_deref().unwrap_or(""));
    if let Some(ports) = &c.ports {
        let p: Vec<String> = ports
            .iter()
            .map(|p| {
                format!(
                    "{}/{}",
                    p.container_port,
                    p.protocol.as_deref().unwrap_or("TCP")
                )
            })
            .collect();
        let _ = writeln!(s, "    Ports:      {}", p.join(", "));
    }
    if let Some(cs) = cs {
        let state = cs.state.as_ref();
        let st = if let Some(w) = state.and_then(|s| s.waiting.as_ref()) {
            format!("Waiting ({})", w.reason.as_deref().unwrap_or(""))
        } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            format!(
                "Terminated ({}, exit {})",
                t.reason.as_deref().unwrap_or(""),
                t.exit_code
            )
        } else if state.and_then(|s| s.running.as_ref()).is_some() {
            "Running".to_string()
        } else {
            "Unknown".to_string()
        };
        let _ = writeln!(s, "    State:      {st}");
        let _ = writeln!(s, "    Ready:      {}", cs.ready);
        let _ = writeln!(s, "    Restarts:   {}", cs.restart_count);
    }
    for (label, probe) in [
        ("Liveness", &c.liveness_probe),
        ("Readiness", &c.readiness_probe),
    ] {
        if let Some(p) = probe {
            let what = if let Some(h) = &p.http_get {
                let port = match &h.port {
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => {
                        i.to_string()
                    }
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
                        s.clone()
                    }
                };
                format!("http-get :{port}{}", h.path.as_deref().unwrap_or("/"))
            } else if p.tcp_socket.is_some() {
                "tcp-socket".to_string()
            } else if p.exec.is_some() {
                "exec".to_string()
            } else {
                "other".to_string()
            };
            let _ = writeln!(
                s,
                "    {label}:{} {what} delay={}s timeout={}s period={}s #failure={}",
                " ".repeat(11 - label.len()),
                p.initial_delay_seconds.unwrap_or(0),
                p.timeout_seconds.unwrap_or(1),
                p.period_seconds.unwrap_or(10),
                p.failure_threshold.unwrap_or(3)
            );
        }
    }
    if let Some(env) = &c.env {
        let _ = writeln!(s, "    Environment:");
        for e in env {
            let v = if let Some(src) = &e.value_from {
                if let Some(r) = &src.secret_key_ref {
                    format!("<set to the key '{}' in secret '{}'>", r.key, r.name)
                } else if let Some(r) = &src.config_map_key_ref {
                    format!("<set to the key '{}' of config map '{}'>", r.key, r.name)
                } else {
                    "<from field>".to_string()
                }
            } else {
                e.value.clone().unwrap_or_default()
            };
            let _ = writeln!(s, "      {}: {v}", e.name);
        }
    }
    if let Some(mounts) = &c.volume_mounts {
        let _ = writeln!(s, "    Mounts:");
        for m in mounts {
            let _ = writeln!(s, "      {} from {}", m.mount_path, m.name);
        }
    }
}
