//! The worlds are well-formed Kubernetes objects and agree with their own keys and backends.

use super::*;
use crate::discover::ClusterObjects;
use base64::Engine;

fn opts(seed: u64) -> WorldOptions {
    WorldOptions {
        seed,
        extra_pods: 0,
        now: "2026-11-28T11:00:00Z".parse().expect("timestamp"),
    }
}

fn count(w: &World, kinds: &[&str]) -> usize {
    w.objects
        .iter()
        .filter(|o| kinds.contains(&o["kind"].as_str().unwrap_or("")))
        .count()
}

#[test]
fn every_object_parses_as_k8s_openapi() {
    for w in [target_cluster(&opts(1)), variant_cluster(&opts(1))] {
        let o = ClusterObjects::from_values(&w.objects);
        let typed = o.pods.len()
            + o.deployments.len()
            + o.statefulsets.len()
            + o.daemonsets.len()
            + o.services.len()
            + o.ingresses.len()
            + o.pvcs.len()
            + o.pvs.len()
            + o.configmaps.len();
        let kinds = [
            "Pod",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Service",
            "Ingress",
            "PersistentVolumeClaim",
            "PersistentVolume",
            "ConfigMap",
        ];
        assert_eq!(typed, count(&w, &kinds));
        for o in &w.objects {
            assert!(
                o["apiVersion"].is_string() && o["metadata"]["name"].is_string(),
                "{o}"
            );
        }
        for v in w.of_kind("Secret") {
            serde_json::from_value::<k8s_openapi::api::core::v1::Secret>(v.clone())
                .expect("secret");
        }
        for v in w.of_kind("Event") {
            serde_json::from_value::<k8s_openapi::api::core::v1::Event>(v.clone()).expect("event");
        }
        for v in w.of_kind("Node") {
            serde_json::from_value::<k8s_openapi::api::core::v1::Node>(v.clone()).expect("node");
        }
    }
}

#[test]
fn target_shape() {
    let w = target_cluster(&opts(42));
    for ns in [
        "media",
        "qbittorrent",
        "kube-system",
        "argocd",
        "monitoring",
        "cert-manager",
        "ingress-nginx",
    ] {
        assert!(w.get("Namespace", "", ns).is_some(), "{ns}");
    }
    assert!(w.get("Node", "", "home-server").is_some());
    assert_eq!(w.of_kind("Application").count(), 8);
    let cert = w
        .get("Certificate", "kube-system", "home-brettswift-com-dns")
        .expect("cert");
    assert_eq!(cert["spec"]["secretName"], "home-brettswift-com-tls");
    let cj = w
        .get("CronJob", "monitoring", "sabnzbd-vpn-check")
        .expect("vpn check");
    assert_eq!(cj["spec"]["concurrencyPolicy"], "Forbid");
    // starr-secrets holds the 7 keys, equal to what the apps have.
    let s = w
        .get("Secret", "media", "starr-secrets")
        .expect("starr-secrets");
    let data = s["data"].as_object().expect("data");
    assert_eq!(data.len(), 7);
    for (kind, key) in &w.app_keys {
        assert_eq!(key.len(), 32);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        if let Some(name) = kind.secret_key_name() {
            let b64 = data[name].as_str().expect("b64");
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("decode");
            assert_eq!(std::str::from_utf8(&raw).expect("utf8"), key);
        }
    }
    assert!(w
        .get("Secret", "qbittorrent", "qbittorrent-secrets")
        .is_some_and(|s| s["data"]["WEBUI_PASSWORD"].is_string()));
    assert!(w.get("ConfigMap", "media", "starr-common-config").is_some());
    // Probes as in §1.2.
    let lidarr = w.get("Deployment", "media", "lidarr").expect("lidarr");
    let c = &lidarr["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/lidarr/ping");
    assert_eq!(c["livenessProbe"]["initialDelaySeconds"], 30);
    assert_eq!(c["readinessProbe"]["periodSeconds"], 10);
    // Clean by the manifest audit: a slow starter's startup probe (five minutes), Recreate
    // over its RWO config claim, a pinned image.
    assert_eq!(c["startupProbe"]["httpGet"]["path"], "/lidarr/ping");
    assert_eq!(c["startupProbe"]["failureThreshold"], 30);
    assert_eq!(lidarr["spec"]["strategy"]["type"], "Recreate");
    assert_eq!(c["image"], "docker.io/linuxserver/lidarr:2.13.1");
    let sab = w.get("Deployment", "media", "sabnzbd").expect("sab");
    assert_eq!(sab["spec"]["strategy"]["type"], "Recreate");
    let cs = &sab["spec"]["template"]["spec"]["containers"];
    assert_eq!(cs[0]["name"], "vpn");
    assert!(cs[0]["livenessProbe"]["exec"].is_object());
    assert!(cs[1]["readinessProbe"]["tcpSocket"].is_object());
    // Backends: nine, Jellyfin on Service port 80, URL bases as served.
    assert_eq!(w.backends.len(), 9);
    let jf = w
        .backends
        .iter()
        .find(|b| b.kind == AppKind::Jellyfin)
        .expect("jf");
    assert_eq!((jf.port, jf.url_base.as_str()), (80, "/jellyfin"));
    let qb = w
        .backends
        .iter()
        .find(|b| b.kind == AppKind::Qbittorrent)
        .expect("qb");
    assert_eq!(
        (qb.namespace.as_str(), qb.service.as_str()),
        ("qbittorrent", "qbittorrent")
    );
}

#[test]
fn debug_masks_keys() {
    let w = target_cluster(&opts(9));
    let d = format!("{w:?}");
    for k in w.app_keys.values() {
        assert!(!d.contains(k.as_str()));
    }
    assert!(!d.contains(&w.qbittorrent_password));
    assert!(d.contains("Sonarr"));
}

#[test]
fn deterministic_by_seed() {
    let a = target_cluster(&opts(3));
    let b = target_cluster(&opts(3));
    let c = target_cluster(&opts(4));
    assert_eq!(a.objects, b.objects);
    assert_eq!(a.app_keys, b.app_keys);
    assert_ne!(a.app_keys, c.app_keys);
    let keys: std::collections::BTreeSet<_> = a.app_keys.values().collect();
    assert_eq!(keys.len(), 9, "keys are distinct");
}

#[test]
fn extra_pods_and_variant_backends() {
    let w = target_cluster(&WorldOptions {
        extra_pods: 2_000,
        ..opts(1)
    });
    assert_eq!(
        w.of_kind("Pod")
            .filter(|p| p["metadata"]["namespace"] == "batch")
            .count(),
        2_000
    );
    let names: std::collections::BTreeSet<_> = w
        .of_kind("Pod")
        .map(|p| p["metadata"]["name"].to_string())
        .collect();
    assert_eq!(names.len(), w.of_kind("Pod").count(), "pod names unique");
    let v = variant_cluster(&opts(1));
    let tv = v
        .backends
        .iter()
        .find(|b| b.kind == AppKind::Sonarr)
        .expect("tv");
    assert_eq!(
        (
            tv.namespace.as_str(),
            tv.service.as_str(),
            tv.port,
            tv.url_base.as_str()
        ),
        ("arr", "tv", 80, "/tv")
    );
    assert_eq!(v.backends.len(), 9);
}

/// Every field we write survives a k8s-openapi round trip: no misspelt or misplaced fields.
#[test]
fn objects_round_trip_without_losing_fields() {
    use k8s_openapi::api::{apps::v1 as apps, core::v1 as core, networking::v1 as net};
    fn rt<T: serde::de::DeserializeOwned + serde::Serialize>(
        v: &serde_json::Value,
    ) -> serde_json::Value {
        let t: T = serde_json::from_value(v.clone()).expect("parse");
        serde_json::to_value(t).expect("serialize")
    }
    for w in [
        target_cluster(&opts(5)),
        variant_cluster(&WorldOptions {
            extra_pods: 3,
            ..opts(5)
        }),
    ] {
        for o in &w.objects {
            let back = match o["kind"].as_str().unwrap_or("") {
                "Pod" => rt::<core::Pod>(o),
                "Deployment" => rt::<apps::Deployment>(o),
                "StatefulSet" => rt::<apps::StatefulSet>(o),
                "Service" => rt::<core::Service>(o),
                "Ingress" => rt::<net::Ingress>(o),
                "PersistentVolumeClaim" => rt::<core::PersistentVolumeClaim>(o),
                "PersistentVolume" => rt::<core::PersistentVolume>(o),
                "ConfigMap" => rt::<core::ConfigMap>(o),
                "Secret" => rt::<core::Secret>(o),
                "Event" => rt::<core::Event>(o),
                "Node" => rt::<core::Node>(o),
                "Namespace" => rt::<core::Namespace>(o),
                "CronJob" => rt::<k8s_openapi::api::batch::v1::CronJob>(o),
                "CustomResourceDefinition" => rt::<
                    k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
                >(o),
                "Application" | "Certificate" | "ClusterIssuer" | "CertificateRequest" => {
                    assert!(o["apiVersion"].as_str().is_some_and(|v| v.contains('/')));
                    assert!(o["spec"].is_object() && o["status"].is_object());
                    continue;
                }
                "ApplicationSet" | "AppProject" => {
                    assert_eq!(o["apiVersion"], "argoproj.io/v1alpha1");
                    assert!(o["spec"].is_object());
                    continue;
                }
                k => panic!("unexpected kind {k}"),
            };
            let d = first_diff("", &back, o);
            assert!(
                d.is_none(),
                "{} {}: {d:?}",
                o["kind"],
                o["metadata"]["name"]
            );
        }
    }
}

/// Path of the first difference between two JSON values, with both sides.
fn first_diff(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let null = Value::Null;
                first_diff(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_diff(&format!("{path}[{i}]"), p, q)),
        _ => (a != b).then(|| format!("{path}: round trip {a} vs written {b}")),
    }
}

/// Every custom resource of the target cluster has its CRD in the world; TLS Secrets sit in
/// kube-system and next to each Ingress that uses them; the variant without CRDs has none.
#[test]
fn custom_resources_come_with_their_crds() {
    let mut w = target_cluster(&opts(2));
    let served: Vec<(String, String)> = w
        .of_kind("CustomResourceDefinition")
        .map(|c| {
            let spec = &c["spec"];
            (
                format!(
                    "{}/{}",
                    spec["group"].as_str().unwrap(),
                    spec["versions"][0]["name"].as_str().unwrap()
                ),
                spec["names"]["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(served.len(), 7);
    let custom: Vec<&serde_json::Value> = w
        .objects
        .iter()
        .filter(|o| {
            o["apiVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with("cert-manager.io/") || v.starts_with("argoproj.io/"))
        })
        .collect();
    for o in &custom {
        let gvk = (
            o["apiVersion"].as_str().unwrap().to_string(),
            o["kind"].as_str().unwrap().to_string(),
        );
        assert!(served.contains(&gvk), "{gvk:?} has no CRD");
    }
    assert_eq!(w.of_kind("ApplicationSet").count(), 1);
    assert_eq!(w.of_kind("AppProject").count(), 5);
    assert_eq!(w.of_kind("CertificateRequest").count(), 2);
    let tls: Vec<(String, String)> = w
        .of_kind("Secret")
        .filter(|s| s["type"] == "kubernetes.io/tls")
        .map(|s| {
            (
                s["metadata"]["namespace"].as_str().unwrap().to_string(),
                s["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(tls.contains(&("kube-system".into(), "home-brettswift-com-tls".into())));
    assert!(tls.contains(&("kube-system".into(), "brettswift-com-tls".into())));
    for ing in w.of_kind("Ingress") {
        for t in ing["spec"]["tls"].as_array().into_iter().flatten() {
            let key = (
                ing["metadata"]["namespace"].as_str().unwrap().to_string(),
                t["secretName"].as_str().unwrap().to_string(),
            );
            assert!(tls.contains(&key), "{key:?} missing");
        }
    }
    let n_custom = custom.len();
    let removed = w.without_custom_resources();
    assert_eq!(removed, 7 + n_custom);
    assert_eq!(w.of_kind("CustomResourceDefinition").count(), 0);
    assert_eq!(w.of_kind("Certificate").count(), 0);
    // Everything else stays, including the TLS Secrets (they are core objects).
    assert!(w
        .get("Secret", "kube-system", "home-brettswift-com-tls")
        .is_some());
}
