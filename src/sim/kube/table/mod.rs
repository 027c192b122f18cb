//! `meta.k8s.io/v1 Table` rendering (server-side printing), with the columns `kubectl get` shows
//! for each kind. Pure: objects in, JSON out; `now` is passed in so tests can fix the clock.

mod cells;
mod columns;
mod custom;

use super::registry::ResourceDef;
use cells::cells;
use columns::columns;
use serde_json::{json, Value};

/// What each row carries besides its cells (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// Does the Accept header ask for a Table?
pub fn wants_table(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let p: Vec<&str> = part.split(';').map(str::trim).collect();
        p.contains(&"as=Table") && p.iter().any(|x| x.starts_with("g=meta.k8s.io"))
    })
}

/// `kubectl`'s human duration (`5s`, `3m20s`, `4h`, `12d`).
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    let (m, h) = (s / 60, s / 3600);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        }
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 192 {
        if h % 24 == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{}h", h / 24, h % 24)
        }
    } else if h < 24 * 365 * 2 {
        format!("{}d", h / 24)
    } else if h < 24 * 365 * 8 {
        let d = h / 24;
        if d % 365 == 0 {
            format!("{}y", d / 365)
        } else {
            format!("{}y{}d", d / 365, d % 365)
        }
    } else {
        format!("{}y", h / 24 / 365)
    }
}

fn row_object(o: &Value, include: IncludeObject) -> Value {
    match include {
        IncludeObject::None => Value::Null,
        IncludeObject::Object => o.clone(),
        IncludeObject::Metadata => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": o["metadata"],
        }),
    }
}

/// Render objects of one kind as a Table; `list_meta` is the list's `metadata`.
pub fn table(
    res: &ResourceDef,
    objects: &[&Value],
    include: IncludeObject,
    list_meta: Value,
    now: i64,
) -> Value {
    if res.custom {
        return custom_table(res, objects, include, list_meta, now);
    }
    let cols = columns(&res.kind);
    let defs: Vec<Value> = cols
        .iter()
        .map(|(name, ty, prio)| {
            let format = if *name == "Name" { "name" } else { "" };
            json!({"name": name, "type": ty, "format": format, "description": format!("{name} of the {}", res.kind), "priority": prio})
        })
        .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut cs: Vec<Value> = Vec::with_capacity(cols.len());
            let values = cells(&res.kind, o, now);
            if res.kind == "Event" {
                cs.extend(values.into_iter().map(Value::String));
            } else {
                cs.push(json!(o["metadata"]["name"]));
                cs.extend(values.into_iter().map(Value::String));
            }
            cs.resize(cols.len(), json!(""));
            let mut row = json!({"cells": cs});
            let obj = row_object(o, include);
            if !obj.is_null() {
                row["object"] = obj;
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": defs,
        "rows": rows,
    })
}

/// A custom resource's Table, from its CRD's printer columns.
fn custom_table(
    res: &ResourceDef,
    objects: &[&Value],
    include: IncludeObject,
    list_meta: Value,
    now: i64,
) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut row = json!({"cells": custom::cells(res, o, now)});
            let obj = row_object(o, include);
            if !obj.is_null() {
                row["object"] = obj;
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": custom::columns(res),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(3600 * 5 + 60 * 7), "5h7m");
        assert_eq!(human_duration(3600 * 30), "30h");
        assert_eq!(human_duration(86400 * 3 + 3600), "3d1h");
        assert_eq!(human_duration(86400 * 40), "40d");
    }

    #[test]
    fn pod_status_column_follows_kubectl() {
        let res = crate::sim::kube::registry::find("", "v1", "pods").unwrap();
        let pod = |status: Value| {
            json!({"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "init"}]}, "status": status})
        };
        let status_of = |p: &Value| {
            table(res, &[p], IncludeObject::None, json!({}), 0)["rows"][0]["cells"][2].clone()
        };
        let stuck = pod(
            json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "restartCount": 2,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}}}], "containerStatuses": [{"name": "a", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "PodInitializing"}}}]}),
        );
        assert_eq!(status_of(&stuck), "Init:CrashLoopBackOff");
        let waiting = pod(
            json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"running": {}}}]}),
        );
        assert_eq!(status_of(&waiting), "Init:0/1");
        let done = pod(
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
            "containerStatuses": [{"name": "a", "ready": true, "restartCount": 1, "state": {"running": {}}}]}),
        );
        assert_eq!(status_of(&done), "Running");
        let crashed = pod(
            json!({"phase": "Running", "containerStatuses": [{"name": "a", "ready": false, "restartCount": 3,
            "state": {"terminated": {"exitCode": 137}}}]}),
        );
        assert_eq!(status_of(&crashed), "ExitCode:137");
    }

    #[test]
    fn accept_header_detection() {
        assert!(wants_table("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"));
        assert!(!wants_table("application/json"));
    }
}
