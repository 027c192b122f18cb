use super::*;
use crate::checks;
use serde_json::json;
use std::collections::BTreeMap;

fn obj(v: serde_json::Value) -> DynamicObject {
    serde_json::from_value(v).unwrap()
}

fn app(name: &str, status: serde_json::Value, extra: serde_json::Value) -> DynamicObject {
    let mut v = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": "apps", "destination": {"namespace": "media"},
            "syncPolicy": {"automated": {"prune": true}}},
        "status": status});
    if let serde_json::Value::Object(m) = extra {
        for (k, x) in m {
            v[k] = x;
        }
    }
    obj(v)
}

#[test]
fn application_fields_are_read_and_unknown_stays_unknown() {
    let a = app_state(&app(
        "media-services",
        json!({"sync": {"status": "OutOfSync", "revision": "abc"},
            "health": {"status": "Degraded"},
            "operationState": {"phase": "Failed", "message": "boom", "finishedAt": "2026-12-01T10:00:00Z"},
            "conditions": [{"type": "SyncError", "message": "x"}],
            "resources": [
                {"kind": "Deployment", "namespace": "media", "name": "sonarr", "status": "OutOfSync", "health": {"status": "Degraded"}},
                {"kind": "Service", "namespace": "media", "name": "sonarr", "status": "Synced", "health": {"status": "Healthy"}}]}),
        json!({}),
    ));
    assert_eq!(
        (a.sync.as_str(), a.health.as_str()),
        ("OutOfSync", "Degraded")
    );
    assert_eq!(a.phase.as_deref(), Some("Failed"));
    assert_eq!(a.out_of_sync, ["Deployment media/sonarr"]);
    assert_eq!(a.unhealthy, ["Deployment media/sonarr (Degraded)"]);
    assert_eq!(a.revision.as_deref(), Some("abc"));
    assert!(a.auto_sync && a.last_sync.is_some() && !a.operation_running());
    let bare = app_state(&app("x", json!({}), json!({})));
    assert_eq!(
        (bare.sync.as_str(), bare.health.as_str()),
        ("unknown", "unknown")
    );
}

#[test]
fn sync_is_refused_while_an_operation_is_requested_or_running() {
    let running = app(
        "a",
        json!({"operationState": {"phase": "Running"}}),
        json!({}),
    );
    assert!(actions::sync_refusal(&running)
        .unwrap()
        .contains("already in progress"));
    assert!(app_state(&running).operation_running());
    let requested = app("a", json!({}), json!({"operation": {"sync": {}}}));
    assert!(actions::sync_refusal(&requested).is_some());
    let done = app(
        "a",
        json!({"operationState": {"phase": "Succeeded"}}),
        json!({}),
    );
    assert_eq!(actions::sync_refusal(&done), None);
}

#[test]
fn health_overrides_that_force_healthy_are_found_in_both_formats() {
    let force = "hs = {}\nhs.status = \"Healthy\"\nreturn hs";
    let real = "hs = {}\nif obj.status ~= nil then hs.status = \"Healthy\" else hs.status = \"Degraded\" end\nreturn hs";
    let data: BTreeMap<String, String> = [
        ("resource.customizations.health.cert-manager.io_Certificate", force),
        ("resource.customizations.health.batch_Job", real),
        (
            "resource.customizations",
            "batch/CronJob:\n  health.lua: |\n    hs = {}\n    hs.status = \"Healthy\"\n    return hs\n",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let kinds: Vec<String> = health_overrides("argocd/argocd-cm", &data)
        .into_iter()
        .map(|o| o.kind)
        .collect();
    assert_eq!(kinds, ["batch/CronJob", "cert-manager.io/Certificate"]);
}

#[test]
fn findings_name_each_fault_with_its_fix() {
    let g = GitopsFacts {
        present: true,
        note: None,
        apps: vec![
            app_state(&app(
                "jellyfin",
                json!({"sync": {"status": "Synced"}, "health": {"status": "Degraded"},
                    "operationState": {"phase": "Failed", "message": "invalid image"}}),
                json!({}),
            )),
            app_state(&app(
                "media-services",
                json!({"sync": {"status": "OutOfSync"}, "health": {"status": "Healthy"}}),
                json!({"spec": {"project": "apps"}}),
            )),
            app_state(&app(
                "ok",
                json!({"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}),
                json!({}),
            )),
        ],
        sets: vec![],
        overrides: vec![HealthOverride {
            configmap: "argocd/argocd-cm".into(),
            kind: "batch/Job".into(),
        }],
    };
    let f = checks::gitops::evaluate(&g);
    let codes: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (f.code.as_str(), f.subject.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("gitops.degraded", "argocd/jellyfin"),
            ("gitops.operation_failed", "argocd/jellyfin"),
            ("gitops.out_of_sync", "argocd/media-services"),
            ("gitops.auto_sync_off", "argocd/media-services"),
            ("gitops.health_override", "argocd/argocd-cm batch/Job"),
        ]
    );
    assert!(f[1].message.contains("invalid image"));
    assert!(
        f[4].remediation.contains("batch/Job") && f[4].remediation.contains("argocd/argocd-cm")
    );
    assert!(f.iter().all(|x| x.runbook.is_some()));
}
