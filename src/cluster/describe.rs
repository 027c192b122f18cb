//! `d` describe: a kubectl-describe-like text for a pod and its events, and for any other
//! watched object ([`object`]: header, YAML, events; a Secret's key names and sizes only).
//! Pure formatting.

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Event, Pod};
use std::fmt::Write;

mod generic;
pub use generic::object;

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

/// Events of several objects merged like kubectl's describe: one row per (object, type,
/// reason, message) with the summed count and the first and last time seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    /// `Pod/bazarr-…`, `ReplicaSet/…`, `Deployment/…`.
    pub object: String,
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub count: u32,
    pub first: Option<jiff::Timestamp>,
    pub last: Option<jiff::Timestamp>,
}

/// The events of `objects` (`(kind, name)` in `namespace`), aggregated, newest first.
pub fn aggregate(
    events: &[std::sync::Arc<Event>],
    namespace: &str,
    objects: &[(&str, &str)],
) -> Vec<EventLine> {
    let mut out: Vec<EventLine> = Vec::new();
    for (kind, name) in objects {
        for e in events_for(events, kind, namespace, name) {
            let last = e
                .last_timestamp
                .as_ref()
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0));
            let first = e.first_timestamp.as_ref().map(|t| t.0).or(last);
            let line = EventLine {
                object: format!("{kind}/{name}"),
                type_: e.type_.clone().unwrap_or_default(),
                reason: e.reason.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
                count: u32::try_from(e.count.unwrap_or(1).max(1)).unwrap_or(1),
                first,
                last,
            };
            match out.iter_mut().find(|o| {
                o.object == line.object
                    && o.type_ == line.type_
                    && o.reason == line.reason
                    && o.message == line.message
            }) {
                Some(o) => {
                    o.count += line.count;
                    o.first = o.first.min(line.first).or(o.first).or(line.first);
                    o.last = o.last.max(line.last);
                }
                None => out.push(line),
            }
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.last));
    out
}

/// `3m (x14 over 2h)`, as kubectl shows an event's age.
fn event_age(e: &EventLine, now: jiff::Timestamp) -> String {
    let age = |t: Option<jiff::Timestamp>| match t {
        Some(t) => crate::bus::rows::age(Some(t), now),
        None => "<unknown>".to_string(),
    };
    if e.count > 1 {
        format!("{} (x{} over {})", age(e.last), e.count, age(e.first))
    } else {
        age(e.last)
    }
}

/// The `Events:` section, newest first.
pub fn events_section(s: &mut String, events: &[EventLine], now: jiff::Timestamp) {
    let _ = writeln!(s, "Events:");
    if events.is_empty() {
        let _ = writeln!(s, "  <none>");
        return;
    }
    let _ = writeln!(
        s,
        "  {:<8} {:<18} {:<22} {:<36} Message",
        "Type", "Reason", "Age", "Object"
    );
    for e in events {
        let _ = writeln!(
            s,
            "  {:<8} {:<18} {:<22} {:<36} {}",
            e.type_,
            e.reason,
            event_age(e, now),
            e.object,
            e.message
        );
    }
}

/// Describe a pod. Secret values never appear: env from Secrets shows only the reference.
pub fn pod(p: &Pod, events: &[EventLine], now: jiff::Timestamp) -> String {
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
    events_section(&mut s, events, now);
    s
}

/// Exit code, signal, message, started and finished of a terminated state.
fn terminated(s: &mut String, t: &k8s_openapi::api::core::v1::ContainerStateTerminated) {
    let _ = writeln!(s, "      Exit Code:    {}", t.exit_code);
    if let Some(sig) = t.signal {
        let _ = writeln!(s, "      Signal:       {sig}");
    }
    if let Some(m) = &t.message {
        let _ = writeln!(s, "      Message:      {m}");
    }
    if let Some(at) = &t.started_at {
        let _ = writeln!(s, "      Started:      {}", at.0);
    }
    if let Some(at) = &t.finished_at {
        let _ = writeln!(s, "      Finished:     {}", at.0);
    }
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
        if let Some(t) = state.and_then(|s| s.running.as_ref()) {
            if let Some(at) = &t.started_at {
                let _ = writeln!(s, "      Started:  {}", at.0);
            }
        }
        if let Some(w) = state.and_then(|s| s.waiting.as_ref()) {
            if let Some(m) = &w.message {
                let _ = writeln!(s, "      Message:  {m}");
            }
        }
        if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            terminated(s, t);
        }
        match cs.last_state.as_ref().and_then(|l| l.terminated.as_ref()) {
            Some(t) => {
                let _ = writeln!(s, "    Last State: Terminated");
                let _ = writeln!(s, "      Reason:   {}", t.reason.as_deref().unwrap_or(""));
                terminated(s, t);
            }
            None => {
                let _ = writeln!(s, "    Last State: <none>");
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ev(kind: &str, name: &str, reason: &str, count: i32, first: &str, last: &str) -> Arc<Event> {
        Arc::new(
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": format!("{name}.{reason}"), "namespace": "media"},
                "involvedObject": {"kind": kind, "name": name, "namespace": "media"},
                "type": "Warning", "reason": reason, "message": format!("{reason} happened"),
                "count": count, "firstTimestamp": first, "lastTimestamp": last,
            }))
            .unwrap(),
        )
    }

    #[test]
    fn events_of_pod_and_owners_aggregate_newest_first() {
        let events = vec![
            ev(
                "Pod",
                "bazarr-1",
                "BackOff",
                10,
                "2026-01-01T10:00:00Z",
                "2026-01-01T11:00:00Z",
            ),
            ev(
                "Pod",
                "bazarr-1",
                "BackOff",
                4,
                "2026-01-01T09:00:00Z",
                "2026-01-01T11:30:00Z",
            ),
            ev(
                "ReplicaSet",
                "bazarr-rs",
                "SuccessfulCreate",
                1,
                "2026-01-01T08:00:00Z",
                "2026-01-01T08:00:00Z",
            ),
            ev(
                "Pod",
                "other",
                "Killing",
                1,
                "2026-01-01T12:00:00Z",
                "2026-01-01T12:00:00Z",
            ),
        ];
        let agg = aggregate(
            &events,
            "media",
            &[("Pod", "bazarr-1"), ("ReplicaSet", "bazarr-rs")],
        );
        assert_eq!(agg.len(), 2);
        assert_eq!(agg[0].reason, "BackOff");
        assert_eq!(agg[0].count, 14);
        assert_eq!(agg[0].first.unwrap().to_string(), "2026-01-01T09:00:00Z");
        assert_eq!(agg[0].last.unwrap().to_string(), "2026-01-01T11:30:00Z");
        assert_eq!(agg[1].object, "ReplicaSet/bazarr-rs");
        let mut s = String::new();
        events_section(&mut s, &agg, "2026-01-01T12:00:00Z".parse().unwrap());
        assert!(s.contains("30m0s (x14 over 3h0m)"), "{s}");
    }

    #[test]
    fn pod_shows_last_state_with_exit_code() {
        let p: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "bazarr-1", "namespace": "media"},
            "spec": {"containers": [{"name": "bazarr", "image": "bazarr"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "bazarr", "image": "bazarr", "imageID": "", "ready": false, "restartCount": 14,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "signal": 9,
                    "startedAt": "2026-01-01T10:00:00Z", "finishedAt": "2026-01-01T10:00:05Z"}}}]}
        }))
        .unwrap();
        let s = pod(&p, &[], "2026-01-01T12:00:00Z".parse().unwrap());
        for want in [
            "State:      Waiting (CrashLoopBackOff)",
            "Message:  back-off 5m0s",
            "Last State: Terminated",
            "Reason:   Error",
            "Exit Code:    1",
            "Signal:       9",
            "Finished:     2026-01-01T10:00:05Z",
            "Restarts:   14",
            "<none>",
        ] {
            assert!(s.contains(want), "{want} missing:\n{s}");
        }
    }
}
