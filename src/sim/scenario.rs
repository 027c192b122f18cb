//! Scenarios: which faults the simulated NAS injects. Each is a small edit of the target world
//! and of the app simulators' settings, so every fault travels the real code paths.

use super::apps::{AppSimConfig, Faults, Seed};
use super::world::World;
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

    /// Edit the world: pod states and Secret contents.
    pub fn edit_world(self, world: &mut World) {
        match self {
            Scenario::Degraded => {
                let bazarr = world
                    .backends
                    .iter()
                    .find(|b| b.kind == AppKind::Bazarr)
                    .cloned();
                if let Some(b) = bazarr {
                    world.crashloop(&b.namespace, &b.service, 14);
                }
                edit_secret(
                    world,
                    "PROWLARR_API_KEY",
                    "00000000000000000000000000000000",
                );
            }
            Scenario::Miswired => {
                edit_secret(world, "RADARR_API_KEY", "0123456789abcdef0123456789abcdef");
            }
            Scenario::Healthy | Scenario::Fresh => {}
        }
    }
}

/// Put a stale value for `key` into the API-key Secret (`starr-secrets`).
fn edit_secret(world: &mut World, key: &str, value: &str) {
    for o in world.objects.iter_mut() {
        if is(o, "Secret") && name(o) == Some("starr-secrets") {
            set_secret_key(o, key, value);
        }
    }
}

fn is(o: &Value, kind: &str) -> bool {
    o.get("kind").and_then(Value::as_str) == Some(kind)
}

fn name(o: &Value) -> Option<&str> {
    o.pointer("/metadata/name").and_then(Value::as_str)
}

fn set_secret_key(secret: &mut Value, key: &str, value: &str) {
    let enc = base64::engine::general_purpose::STANDARD.encode(value);
    if !secret.get("data").is_some_and(Value::is_object) {
        secret["data"] = serde_json::json!({});
    }
    secret["data"][key] = Value::from(enc);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read one key of a Secret object (base64 `data` or plain `stringData`).
    fn secret_value(objects: &[Value], namespace: &str, secret: &str, key: &str) -> Option<String> {
        let o = objects.iter().find(|o| {
            is(o, "Secret")
                && name(o) == Some(secret)
                && o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
        })?;
        if let Some(v) = o
            .pointer(&format!("/stringData/{key}"))
            .and_then(Value::as_str)
        {
            return Some(v.to_string());
        }
        let b = o.pointer(&format!("/data/{key}")).and_then(Value::as_str)?;
        let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
        String::from_utf8(raw).ok()
    }

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
        let mut w = crate::sim::world::target_cluster(&Default::default());
        Scenario::Degraded.edit_world(&mut w);
        let bazarr = w
            .objects
            .iter()
            .find(|o| is(o, "Pod") && name(o).is_some_and(|n| n.starts_with("bazarr-")))
            .unwrap();
        assert_eq!(
            bazarr["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
            "CrashLoopBackOff"
        );
        assert_eq!(
            secret_value(&w.objects, "media", "starr-secrets", "PROWLARR_API_KEY").as_deref(),
            Some("00000000000000000000000000000000")
        );
    }
}
