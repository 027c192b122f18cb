//! The generic describe (issue 8 leftovers): `d` on any object of the watch stores — a Service,
//! a PVC, a Secret (key names and sizes only), a custom resource — from the engine's listing,
//! and on the `:pvc` rows and `:events` rows of any kind.

use crate::tui_common::*;
use k8s_nas::cluster::list::Listing;
use k8s_nas::tui::{Effect, Msg};
use std::sync::Arc;

/// The degraded target world's listing with its Secrets and Certificates as the watch holds
/// them (the Certificates and CronJobs without `apiVersion`/`kind`, as list items come).
fn full_listing() -> Listing {
    let world = target_world(true);
    let mut listing = world_listing();
    for o in world.objects.iter() {
        match o["kind"].as_str() {
            Some("Secret") => {
                listing
                    .secrets
                    .push(Arc::new(serde_json::from_value(o.clone()).unwrap()));
            }
            Some(kind @ ("Certificate" | "CronJob")) => {
                let row = match kind {
                    "Certificate" => "certificates.cert-manager.io",
                    _ => "cronjobs.batch",
                };
                let mut o = o.clone();
                let m = o.as_object_mut().unwrap();
                m.remove("kind");
                m.remove("apiVersion");
                listing
                    .custom
                    .entry(row)
                    .or_default()
                    .push(Arc::new(serde_json::from_value(o).unwrap()));
            }
            _ => {}
        }
    }
    listing
}

fn describe(listing: &Listing, ns: &str, kind: &str, name: &str) -> String {
    k8s_nas::engine::view::describe_workload(
        Some(listing),
        &Default::default(),
        &Default::default(),
        ns,
        kind,
        name,
    )
}

/// The first object of `kind` in the world: (namespace, name).
fn first(kind: &str) -> (String, String) {
    let world = target_world(true);
    let o = world
        .objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in the world"));
    let md = &o["metadata"];
    (
        md["namespace"].as_str().unwrap_or("").to_string(),
        md["name"].as_str().unwrap().to_string(),
    )
}

#[test]
fn engine_describes_services_pvcs_deployments_outside_the_apps_and_custom_resources() {
    let listing = full_listing();
    for kind in [
        "Service",
        "PersistentVolumeClaim",
        "Ingress",
        "Certificate",
        "CronJob",
    ] {
        let (ns, name) = first(kind);
        let text = describe(&listing, &ns, kind, &name);
        for want in [
            format!("Name:         {name}\n"),
            format!("Kind:         {kind}"),
            "Labels:".to_string(),
            "Spec:\n".to_string(),
            "Events:".to_string(),
        ] {
            assert!(text.contains(&want), "{kind}: {want:?} missing:\n{text}");
        }
        assert!(!text.contains("managedFields"), "{text}");
    }
    // A Deployment outside the discovered apps (empty inventory here) is described generically.
    let text = describe(&listing, "media", "Deployment", "bazarr");
    assert!(
        text.contains("Kind:         Deployment (apps/v1)"),
        "{text}"
    );
    assert!(text.contains("replicas:"), "{text}");
    let text = describe(&listing, "media", "Certificate", "no-such-cert");
    assert!(text.contains("not in the console's watch stores"), "{text}");
}

#[test]
fn engine_describes_a_secret_by_key_names_and_sizes_only() {
    let listing = full_listing();
    let secret = listing.secrets.first().expect("a Secret in the world");
    let (ns, name) = (
        secret.metadata.namespace.clone().unwrap(),
        secret.metadata.name.clone().unwrap(),
    );
    let text = describe(&listing, &ns, "Secret", &name);
    assert!(text.contains("Data\n===="), "{text}");
    let data = secret.data.as_ref().expect("data");
    assert!(!data.is_empty());
    for (key, value) in data {
        let line = format!("{key}:  {} bytes", value.0.len());
        assert!(text.contains(&line), "{line:?} missing:\n{text}");
        let plain = String::from_utf8_lossy(&value.0).to_string();
        if plain.len() >= 4 {
            assert!(!text.contains(&plain), "value of {key} leaked:\n{text}");
        }
    }
}

#[test]
fn pvc_row_describes_its_claim_and_the_answer_shows() {
    let listing = full_listing();
    let (ns, name) = first("PersistentVolumeClaim");
    let mut h = Harness::degraded();
    h.press(":pvc<enter>");
    h.feed(Msg::Resources {
        kind: "pvcs".into(),
        rows: k8s_nas::engine::resources::rows(&listing, "pvcs"),
    });
    h.press(&format!("/^{name}$<enter>"));
    let fx = h.press("d");
    let want = Effect::Describe {
        namespace: ns.clone(),
        kind: "PersistentVolumeClaim".into(),
        name: name.clone(),
    };
    assert!(fx.contains(&want), "{fx:?}");
    h.feed(Msg::Describe {
        title: k8s_nas::tui::describe_title("PersistentVolumeClaim", &ns, &name),
        text: describe(&listing, &ns, "PersistentVolumeClaim", &name),
    });
    h.resize(80, 24);
    insta::assert_snapshot!("describe_pvc_80x24", h.frame());
}
