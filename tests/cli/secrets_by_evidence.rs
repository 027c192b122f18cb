//! Issue 7: credentials are found by evidence. On `healthy,other-names` the apps run in `arr`
//! and `torrent` and the Secrets are `arr-api-keys` / `torrent-login` (no default name exists):
//! `check`, `keys` and `integrate plan` find every key through the workloads' references. With
//! no reference and no Secret, the reason names the workload.

use crate::common::{run, start};
use k8s_nas::sim::scenario::{Layer, Scenario};
use k8s_nas::sim::world::World;
use serde_json::Value;
use std::process::Output;

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_found_where_the_workloads_say_in_other_namespaces() {
    let s = Scenario::parse("healthy,other-names").unwrap();
    let (nas, _dir, kc) = start(s).await;
    assert!(nas.world.get("Secret", "media", "starr-secrets").is_none());
    assert!(nas.world.get("Secret", "arr", "arr-api-keys").is_some());

    let out = run(&kc, &["check", "--output", "json"]).await;
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let all = text(&out);
    assert!(!all.contains("no API key"), "{all}");
    assert!(!all.contains("starr-secrets"), "{all}");
    assert_eq!(v["summary"]["services"], 9, "{all}");
    for s in v["services"].as_array().unwrap() {
        assert!(
            s["namespace"] == "arr" || s["namespace"] == "torrent",
            "{s}"
        );
    }
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        // The apps' own settings still name the old hosts: that is integration drift, true.
        .filter(|c| !c.starts_with("cert.") && !c.starts_with("integration."))
        .collect();
    assert!(codes.is_empty(), "{codes:?}\n{all}");

    let out = run(&kc, &["keys", "--output", "json"]).await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["secret"], "arr/arr-api-keys", "{all}");
    assert_eq!(v["secret_exists"], true);
    let how = v["secret_found_by"].as_str().unwrap_or_default();
    assert!(how.starts_with("envFrom of deployment arr/"), "{how}");
    for k in v["keys"].as_array().unwrap() {
        assert_eq!(k["drift"]["state"], "inSync", "{k}");
        assert_eq!(k["secret_verdict"]["verdict"], "valid", "{k}");
    }

    let out = run(&kc, &["integrate", "plan"]).await;
    let all = text(&out);
    assert!(!all.contains("unknown"), "{all}");
    assert!(!all.contains("starr-secrets"), "{all}");
    assert!(!all.contains("qbittorrent-secrets"), "{all}");
}

/// Nothing references a key Secret, and none has the default name.
struct NoKeySecret;

impl Layer for NoKeySecret {
    fn name(&self) -> &'static str {
        "no-key-secret"
    }
    fn about(&self) -> &'static str {
        "test: no key Secret"
    }
    fn edit_world(&self, world: &mut World) {
        world
            .objects
            .retain(|o| !(o["kind"] == "Secret" && o["metadata"]["name"] == "arr-api-keys"));
        for o in &mut world.objects {
            strip_refs(o, "arr-api-keys");
        }
    }
}

fn strip_refs(v: &mut Value, secret: &str) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(env)) = m.get_mut("env") {
                env.retain(|e| e["valueFrom"]["secretKeyRef"]["name"] != secret);
            }
            if let Some(Value::Array(from)) = m.get_mut("envFrom") {
                from.retain(|e| e["secretRef"]["name"] != secret);
            }
            m.values_mut().for_each(|c| strip_refs(c, secret));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| strip_refs(c, secret)),
        _ => {}
    }
}

static NO_KEY_SECRET: NoKeySecret = NoKeySecret;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_referenced_secret_the_reason_names_the_workload() {
    let mut layers: Vec<&'static dyn Layer> = Scenario::parse("healthy,other-names")
        .unwrap()
        .layers()
        .to_vec();
    layers.push(&NO_KEY_SECRET);
    let (_nas, _dir, kc) = start(Scenario::compose(layers).unwrap()).await;
    let out = run(&kc, &["check", "--output", "json"]).await;
    let all = text(&out);
    assert!(
        all.contains("no key Secret referenced by deployment arr/sonarr"),
        "{all}"
    );
    assert!(!all.contains("media/starr-secrets"), "{all}");
    let out = run(&kc, &["keys"]).await;
    let all = text(&out);
    // The apps' own keys verify; the Secret side is not known: not a green result.
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("no key Secret referenced by deployment arr/radarr"),
        "{all}"
    );
}
