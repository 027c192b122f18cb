//! Scenarios: what the simulated NAS looks like and which faults it injects. A scenario is a
//! stack of [`Layer`]s (`--scenario degraded,miswired`), each a small edit of the target world
//! and of the app simulators' settings, so every fault travels the real code paths.
//!
//! Adding a scenario: a unit struct implementing [`Layer`] (only the hooks it needs) and one line
//! in [`LAYERS`]. Nothing else names scenarios.

use super::apps::{AppSimConfig, Faults, Seed};
use super::world::World;
use crate::model::AppKind;
use base64::Engine;
use serde_json::Value;
use std::borrow::Cow;
use std::time::Duration;

/// One layer of a scenario. Every hook has a do-nothing default.
pub trait Layer: Sync {
    /// The name `--scenario` takes.
    fn name(&self) -> &'static str;
    /// One line for help and the README.
    fn about(&self) -> &'static str;
    /// The apps' starting state, when this layer decides it. Layers that set different seeds do
    /// not compose (`fresh,miswired` is an error); without one the apps start wired.
    fn seed(&self) -> Option<Seed> {
        None
    }
    /// Edit the world (pods, Secrets, custom resources …) before it is served.
    fn edit_world(&self, _world: &mut World) {}
    /// Adjust one app simulator (faults …) before it starts.
    fn configure_app(&self, _cfg: &mut AppSimConfig) {}
    /// Adjust one simulated gluetun sidecar (tunnel state, exit IP, auth) before it starts.
    fn configure_vpn(&self, _cfg: &mut super::apps::gluetun::GluetunSimConfig) {}
    /// Edit the simulated node's files (config directories by app) once they are laid out.
    fn edit_node(&self, _apps: &[(AppKind, std::path::PathBuf)]) {}
}

/// Every layer `--scenario` knows, in the order help lists them.
pub static LAYERS: &[&dyn Layer] = &[
    &Healthy,
    &Degraded,
    &Fresh,
    &Miswired,
    &super::scenario_vpn::VpnLeak,
    &super::scenario_vpn::VpnDown,
    &super::scenario_vpn::VpnEth0,
    &super::scenario_vpn::VpnFirewalled,
    &super::scenario_vpn::VpnAuth,
    &certs::CertStale,
    &certs::CertFailing,
    &super::node::ConfigCorrupted,
    &ops::OpsFaults,
    &other_names::OtherNames,
];

/// The layers of one run of the simulated NAS, applied in order.
#[derive(Clone)]
pub struct Scenario {
    layers: Cow<'static, [&'static dyn Layer]>,
}

#[allow(non_upper_case_globals)]
impl Scenario {
    /// Everything up, wired and healthy.
    pub const Healthy: Scenario = Scenario::of(&[&Healthy]);
    /// Crash-looping pod, slow app, app health errors, wrong API key, hung app.
    pub const Degraded: Scenario = Scenario::of(&[&Degraded]);
    /// Freshly installed apps: nothing wired.
    pub const Fresh: Scenario = Scenario::of(&[&Fresh]);
    /// Wired with the target cluster's real mistakes.
    pub const Miswired: Scenario = Scenario::of(&[&Miswired]);

    const fn of(layers: &'static [&'static dyn Layer]) -> Scenario {
        Scenario {
            layers: Cow::Borrowed(layers),
        }
    }

    /// `degraded` or `degraded,miswired`: registered names joined by commas, applied in order.
    /// Unknown or repeated names and layers whose seeds conflict are errors that say why.
    pub fn parse(s: &str) -> anyhow::Result<Scenario> {
        let mut layers = Vec::new();
        for name in s.split(',').map(str::trim) {
            let layer = LAYERS.iter().find(|l| l.name() == name).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown scenario {name:?}; choose one or more (joined by commas) of: {}",
                    names()
                )
            })?;
            layers.push(*layer);
        }
        Scenario::compose(layers)
    }

    /// Stack layers (also ones not in [`LAYERS`], for tests).
    pub fn compose(layers: Vec<&'static dyn Layer>) -> anyhow::Result<Scenario> {
        if layers.is_empty() {
            anyhow::bail!("no scenario given; choose from: {}", names());
        }
        for (i, l) in layers.iter().enumerate() {
            if layers[..i].iter().any(|p| p.name() == l.name()) {
                anyhow::bail!("scenario {:?} is named twice", l.name());
            }
        }
        let seeded: Vec<_> = layers
            .iter()
            .filter_map(|l| l.seed().map(|s| (l.name(), s)))
            .collect();
        if let Some((a, sa)) = seeded.first() {
            if let Some((b, sb)) = seeded.iter().find(|(_, s)| s != sa) {
                anyhow::bail!(
                    "scenarios {a:?} and {b:?} do not compose: both decide how the apps start \
                     ({sa:?} vs {sb:?}); pick one of them"
                );
            }
        }
        Ok(Scenario {
            layers: Cow::Owned(layers),
        })
    }

    /// `degraded,miswired`.
    pub fn name(&self) -> String {
        self.layers
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn layers(&self) -> &[&'static dyn Layer] {
        &self.layers
    }

    /// How the apps start: the one seed a layer decides, else wired.
    pub fn seed(&self) -> Seed {
        self.layers
            .iter()
            .find_map(|l| l.seed())
            .unwrap_or(Seed::Wired)
    }

    /// Adjust one app simulator's settings: the seed, then each layer's faults in order.
    pub fn configure(&self, cfg: &mut AppSimConfig) {
        cfg.seed = self.seed();
        cfg.faults = Faults::default();
        for l in self.layers.iter() {
            l.configure_app(cfg);
        }
    }

    /// Adjust one simulated gluetun sidecar: each layer in order.
    pub fn configure_vpn(&self, cfg: &mut super::apps::gluetun::GluetunSimConfig) {
        for l in self.layers.iter() {
            l.configure_vpn(cfg);
        }
    }

    /// Edit the world: each layer in order.
    pub fn edit_world(&self, world: &mut World) {
        for l in self.layers.iter() {
            l.edit_world(world);
        }
    }

    /// Edit the simulated node's config directories: each layer in order.
    pub fn edit_node(&self, apps: &[(AppKind, std::path::PathBuf)]) {
        for l in self.layers.iter() {
            l.edit_node(apps);
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::Healthy
    }
}

impl PartialEq for Scenario {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Scenario {}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scenario({})", self.name())
    }
}

/// `healthy, degraded, fresh, miswired`.
pub fn names() -> String {
    LAYERS
        .iter()
        .map(|l| l.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct Healthy;

impl Layer for Healthy {
    fn name(&self) -> &'static str {
        "healthy"
    }
    fn about(&self) -> &'static str {
        "everything up, wired, healthy"
    }
}

pub struct Degraded;

impl Layer for Degraded {
    fn name(&self) -> &'static str {
        "degraded"
    }
    fn about(&self) -> &'static str {
        "Bazarr crash-looping, Radarr slow, Lidarr health errors, stale Prowlarr key, Jellyseerr hanging"
    }
    fn edit_world(&self, world: &mut World) {
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
    fn configure_app(&self, cfg: &mut AppSimConfig) {
        match cfg.kind {
            AppKind::Radarr => cfg.faults.latency = Duration::from_millis(2_400),
            AppKind::Lidarr => cfg.faults.health_errors = true,
            AppKind::Jellyseerr => cfg.faults.hang = true,
            _ => {}
        }
    }
}

pub struct Fresh;

impl Layer for Fresh {
    fn name(&self) -> &'static str {
        "fresh"
    }
    fn about(&self) -> &'static str {
        "apps freshly installed: nothing wired"
    }
    fn seed(&self) -> Option<Seed> {
        Some(Seed::Fresh)
    }
}

pub struct Miswired;

impl Layer for Miswired {
    fn name(&self) -> &'static str {
        "miswired"
    }
    fn about(&self) -> &'static str {
        "the target cluster's real mistakes: URL bases missing, wrong category, stale key in the Secret"
    }
    fn seed(&self) -> Option<Seed> {
        Some(Seed::Miswired)
    }
    fn edit_world(&self, world: &mut World) {
        edit_secret(world, "RADARR_API_KEY", "0123456789abcdef0123456789abcdef");
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

mod certs;
mod ops;
mod other_names;

#[cfg(test)]
mod tests;
