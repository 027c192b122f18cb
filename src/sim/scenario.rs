//! Scenarios: which faults the simulated NAS injects. Each is a small edit of the target world
//! and of the app simulators' settings, so every fault travels the real code paths.

use super::apps::{AppSimConfig, Faults, Seed};
use crate::model::AppKind;
use base64::Engine;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Everything up, wired and healthy.
    Healthy,
    /// Crash-looping pod, slow app, app health errors, wrong API key, hung app.
    Degraded,
    /// Freshly installed apps: nothing wired.
    Fresh,
    /// Wired with the target cluster's real mistakes.
    Miswired,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::Healthy,
        Scenario::Degraded,
        Scenario::Fresh,
        Scenario::Miswired,
    ];

    pub fn parse(s: &str) -> anyhow::Result<Scenario> {
        Scenario::ALL
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown scenario {s:?}; choose one of: {}",
                    Scenario::ALL.map(|x| x.name()).join(", ")
                )
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Healthy => "healthy",
            Scenario::Degraded => "degraded",
            Scenario::Fresh => "fresh",
            Scenario::Miswired => "miswired",
        }
    }

    pub fn seed(self) -> Seed {
        match self {
            Scenario::Healthy | Scenario::Degraded => Seed::Wired,
            Scenario::Fresh => Seed::Fresh,
            Scenario::Miswired => Seed::Miswired,
        }
    }

    /// Faults for one app simulator.
    pub fn faults(self, kind: AppKind) -> Faults {
        let mut f = Faults::default();
        if self == Scenario::Degraded {
            match kind {
                AppKind::Radarr => f.latency = Duration::from_millis(2_400),
                AppKind::Lidarr => f.health_errors = true,
                AppKind::Jellyseerr => f.hang = true,
                _ => {}
            }
        }
        f
    }

    /// Adjust one app simulator's settings.
    pub fn configure(self, cfg: &mut AppSimConfig) {
        cfg.seed = self.seed();
        cfg.faults = self.faults(cfg.kind);
    }

    /// Edit the world's objects: pod states and Secret contents.
    pub fn edit_objects(self, objects: &mut [Value]) {
        match self {
            Scenario::Degraded => {
                for o in objects.iter_mut() {
                    if is(o, "Pod") && app_label(o).as_deref() == Some("bazarr") {
                        crashloop(o, 14);
                    }
                    if is(o, "Secret") && name(o) == Some("starr-secrets") {
                        set_secret_key(o, "PROWLARR_API_KEY", "00000000000000000000000000000000");
                    }
                }
            }
            Scenario::Miswired => {
                for o in objects.iter_mut() {
                    if is(o, "Secret") && name(o) == Some("starr-secrets") {
                        set_secret_key(o, "RADARR_API_KEY", "0123456789abcdef0123456789abcdef");
                    }
                }
            }
            Scenario::Healthy | Scenario::Fresh => {}
        }
    }
}

fn is(o: &Value, kind: &str) -> bool {
    o.get("kind").and_then(Value::as_str) == Some(kind)
}

fn name(o: &Value) -> Option<&str> {
    o.pointer("/metadata/name").and_then(Value::as_str)
}

/// The pod's app: `app` or `app.kubernetes.io/name` label.
fn app_label(o: &Value) -> Option<String> {
    let labels = o.pointer("/metadata/labels")?;
    labels
        .get("app")
        .or_else(|| labels.get("app.kubernetes.io/name"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn crashloop(pod: &mut Value, restarts: i64) {
    if let Some(statuses) = pod
        .pointer_mut("/status/containerStatuses")
        .and_then(Value::as_array_mut)
    {
        for cs in statuses {
            cs["ready"] = Value::Bool(false);
            cs["started"] = Value::Bool(false);
            cs["restartCount"] = Value::from(restarts);
            cs["state"] = serde_json::json!({"waiting": {"reason": "CrashLoopBackOff",
                "message": "back-off 5m0s restarting failed container"}});
            cs["lastState"] = serde_json::json!({"terminated": {"reason": "Error", "exitCode": 1}});
        }
    }
    if let Some(conds) = pod.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
        for c in conds {
            if matches!(c["type"].as_str(), Some("Ready" | "ContainersReady")) {
                c["status"] = Value::from("False");
            }
        }
    }
}

fn set_secret_key(secret: &mut Value, key: &str, value: &str) {
    let enc = base64::engine::general_purpose::STANDARD.encode(value);
    if !secret.get("data").is_some_and(Value::is_object) {
        secret["data"] = serde_json::json!({});
    }
    secret["data"][key] = Value::from(enc);
}

/// Read one key of a Secret object (base64 `data` or plain `stringData`).
pub fn secret_value(objects: &[Value], namespace: &str, secret: &str, key: &str) -> Option<String> {
    let o = objects.iter().find(|o| {
        is(o, "Secret")
            && name(o) == Some(secret)
            && o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
    })?;
    if let Some(v) = o.pointer(&format!("/stringData/{key}")).and_then(Value::as_str) {
        return Some(v.to_string());
    }
    let b = o.pointer(&format!("/data/{key}")).and_then(Value::as_str)?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
    String::from_utf8(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_bad_names_explain() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.name()).unwrap(), s);
        }
        let e = Scenario::parse("nope").unwrap_err().to_string();
        assert!(e.contains("healthy, degraded, fresh, miswired"));
    }

    #[test]
    fn degraded_edits_pod_and_secret() {
        let mut objs = vec![
            serde_json::json!({"kind":"Pod","metadata":{"name":"bazarr-1","labels":{"app":"bazarr"}},
                "status":{"containerStatuses":[{"name":"bazarr","ready":true,"restartCount":0,"state":{"running":{}}}],
                "conditions":[{"type":"Ready","status":"True"}]}}),
            serde_json::json!({"kind":"Secret","metadata":{"name":"starr-secrets","namespace":"media"},
                "data":{"PROWLARR_API_KEY":"YWJj"}}),
        ];
        Scenario::Degraded.edit_objects(&mut objs);
        assert_eq!(objs[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert_eq!(objs[0]["status"]["conditions"][0]["status"], "False");
        assert_eq!(
            secret_value(&objs, "media", "starr-secrets", "PROWLARR_API_KEY").as_deref(),
            Some("00000000000000000000000000000000")
        );
    }
}
