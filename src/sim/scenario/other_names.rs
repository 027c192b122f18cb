//! `other-names` (issue 7): the same stack where nothing is where the defaults say. The apps of
//! `media` run in `arr`, qBittorrent in `torrent`; the key Secret is `arr-api-keys` and the
//! qBittorrent Secret `torrent-login` (no `media/starr-secrets`, no
//! `qbittorrent/qbittorrent-secrets`). The workloads reference them as before, so the console
//! must find every credential by evidence. Put it last (`degraded,other-names`): the other layers
//! edit objects by their default names.

use super::Layer;
use crate::sim::world::World;
use serde_json::Value;

/// Old → new namespace.
const NAMESPACES: &[(&str, &str)] = &[("media", "arr"), ("qbittorrent", "torrent")];
/// Old → new Secret name.
const SECRETS: &[(&str, &str)] = &[
    ("starr-secrets", "arr-api-keys"),
    ("qbittorrent-secrets", "torrent-login"),
];

pub struct OtherNames;

fn lookup(table: &[(&str, &str)], v: &str) -> Option<String> {
    table
        .iter()
        .find(|(old, _)| *old == v)
        .map(|(_, new)| new.to_string())
}

/// Rename namespaces (every `namespace` field, cluster DNS names) and the two Secrets (their
/// objects and every reference: `name` fields of refs, `secretName`).
fn edit(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                edit(child, Some(k.as_str()));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| edit(c, key)),
        Value::String(s) => {
            let exact = match key {
                Some("namespace") => lookup(NAMESPACES, s),
                Some("name" | "secretName") => lookup(SECRETS, s),
                _ => None,
            };
            if let Some(new) = exact {
                *s = new;
                return;
            }
            for (old, new) in NAMESPACES {
                if s.contains(&format!(".{old}.svc")) {
                    *s = s.replace(&format!(".{old}.svc"), &format!(".{new}.svc"));
                }
            }
        }
        _ => {}
    }
}

impl Layer for OtherNames {
    fn name(&self) -> &'static str {
        "other-names"
    }

    fn about(&self) -> &'static str {
        "apps in namespaces arr/torrent with Secrets arr-api-keys/torrent-login (found by evidence; the apps still name the old hosts)"
    }

    fn edit_world(&self, world: &mut World) {
        for o in &mut world.objects {
            if o["kind"] == "Namespace" {
                if let Some(new) = o["metadata"]["name"]
                    .as_str()
                    .and_then(|n| lookup(NAMESPACES, n))
                {
                    o["metadata"]["name"] = Value::String(new);
                }
            }
            edit(o, None);
        }
        for b in &mut world.backends {
            if let Some(new) = lookup(NAMESPACES, &b.namespace) {
                b.namespace = new;
            }
        }
    }
}
