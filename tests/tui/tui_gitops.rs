//! The `:gitops` pane: Argo CD Applications (Degraded with a failed sync, OutOfSync with
//! auto-sync off, a sync running), an ApplicationSet and the argocd-cm health override, each
//! row coloured by its worst `gitops.*` finding; the box shows the row's operation, resources
//! and findings with fix and runbook. Refresh and sync ask first, a sync while an operation runs
//! is refused, read-only mode has neither, and without Argo CD the command is refused.

use crate::tui_common;

use k8s_nas::bus::GitopsView;
use k8s_nas::cluster::kinds::KindStatus;
use k8s_nas::gitops::{app_state, GitopsFacts, HealthOverride};
use k8s_nas::tui::{Msg, TaskRequest};
use serde_json::json;
use tui_common::*;

fn app(name: &str, status: serde_json::Value, auto: bool) -> k8s_nas::gitops::AppState {
    let policy = if auto {
        json!({"automated": {"prune": true, "selfHeal": true}})
    } else {
        json!({})
    };
    let o: kube::api::DynamicObject = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": "apps", "destination": {"namespace": "media"}, "syncPolicy": policy},
        "status": status}))
    .unwrap();
    app_state(&o)
}

fn view() -> GitopsView {
    let rev = "4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a4f1c2a9e";
    let done = ago(1_800).to_string();
    let facts = GitopsFacts {
        present: true,
        note: None,
        apps: vec![
            app(
                "jellyfin",
                json!({"sync": {"status": "Synced", "revision": rev},
                    "health": {"status": "Degraded"},
                    "operationState": {"phase": "Failed", "finishedAt": ago(660).to_string(),
                        "message": "one or more objects failed to apply: spec.template.spec.containers[0].image: Required value"},
                    "resources": [{"kind": "Deployment", "namespace": "media", "name": "jellyfin",
                        "status": "Synced", "health": {"status": "Degraded"}}]}),
                true,
            ),
            app(
                "media-services",
                json!({"sync": {"status": "OutOfSync", "revision": rev},
                    "health": {"status": "Healthy"},
                    "operationState": {"phase": "Succeeded", "finishedAt": done},
                    "resources": [{"kind": "Deployment", "namespace": "media", "name": "bazarr",
                        "status": "OutOfSync", "health": {"status": "Healthy"}}]}),
                false,
            ),
            app(
                "qbittorrent",
                json!({"sync": {"status": "Synced", "revision": rev},
                    "health": {"status": "Healthy"},
                    "operationState": {"phase": "Running", "message": "waiting for healthy state"}}),
                true,
            ),
            app(
                "monitoring",
                json!({"sync": {"status": "Synced", "revision": rev},
                    "health": {"status": "Healthy"},
                    "operationState": {"phase": "Succeeded", "finishedAt": done}}),
                true,
            ),
        ],
        sets: vec![k8s_nas::gitops::AppSetState {
            namespace: "argocd".into(),
            name: "homeautomation".into(),
            generated: vec!["homeassistant".into(), "matter-server".into()],
            errors: vec![],
        }],
        overrides: vec![HealthOverride {
            configmap: "argocd/argocd-cm".into(),
            kind: "batch/Job".into(),
        }],
    };
    let findings = k8s_nas::checks::gitops::evaluate(&facts);
    GitopsView {
        facts,
        findings,
        fetched_at: now(),
    }
}

fn opened(w: u16, h: u16) -> Harness {
    let msgs = [Msg::Gitops(Box::new(view())), Msg::Tick(now())];
    Harness::opened(w, h, msgs, ":gitops<enter>")
}

#[test]
fn gitops_pane_shows_the_faults_with_fix_and_runbook_160x45() {
    let mut h = opened(160, 45);
    let frame = h.frame();
    for needle in [
        "argocd/jellyfin",
        "Degraded",
        "OutOfSync",
        "Running",
        "homeautomation",
        "forced Healthy",
        "manual",
        "gitops.operation_failed",
        "fix: ",
        "see: https://argo-cd.readthedocs.io",
        "containers[0].image: Required value",
    ] {
        assert!(frame.contains(needle), "{needle} missing:\n{frame}");
    }
    insta::assert_snapshot!("gitops_pane_160x45", frame);
}

#[test]
fn gitops_pane_at_80x24() {
    let mut h = opened(80, 24);
    let frame = h.frame();
    assert!(frame.contains("argocd/jellyfin"), "{frame}");
    insta::assert_snapshot!("gitops_pane_80x24", frame);
}

#[test]
fn refresh_and_sync_ask_first_and_a_running_operation_refuses_sync() {
    let mut h = opened(160, 45);
    // The cursor starts on the worst row (jellyfin). Sync asks first; `n` cancels.
    assert!(tasks(&h.press("s")).is_empty());
    assert!(h.frame().contains("Request a sync of argocd/jellyfin"));
    assert!(tasks(&h.press("n")).is_empty());
    h.press("s");
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::ArgoSync {
            namespace: "argocd".into(),
            name: "jellyfin".into()
        }]
    );
    h.press("r");
    assert!(h.frame().contains("argocd.argoproj.io/refresh=normal"));
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::ArgoRefresh {
            namespace: "argocd".into(),
            name: "jellyfin".into()
        }]
    );
    // qbittorrent's sync is still running: refused with the reason, no dialog.
    h.press("/qbittorrent<enter>");
    assert!(tasks(&h.press("s")).is_empty());
    let frame = h.frame();
    assert!(frame.contains("sync refused"), "{frame}");
    assert!(!frame.contains("Request a sync"), "{frame}");
}

#[test]
fn refresh_of_an_applicationset_asks_first() {
    let mut h = opened(160, 45);
    h.press("/homeautomation<enter>");
    assert!(tasks(&h.press("r")).is_empty());
    assert!(
        h.frame().contains("application-set-refresh=true"),
        "{}",
        h.frame()
    );
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::AppSetRefresh {
            namespace: "argocd".into(),
            name: "homeautomation".into()
        }]
    );
    // An ApplicationSet is not synced.
    assert!(tasks(&h.press("s")).is_empty());
}

#[test]
fn readonly_has_no_refresh_or_sync() {
    let mut h = Harness::new(true);
    h.load_healthy();
    h.feed(Msg::Gitops(Box::new(view())));
    h.press(":gitops<enter>");
    assert!(tasks(&h.press("s")).is_empty());
    assert!(tasks(&h.press("r")).is_empty());
    assert!(!h.frame().contains("Request a sync"));
}

#[test]
fn without_argo_cd_the_command_is_refused_with_the_note() {
    let mut h = Harness::new(false);
    let mut cv = healthy_view();
    cv.kinds = vec![KindStatus {
        name: "applications.argoproj.io",
        present: false,
        note: Some("Argo CD is not installed (no applications.argoproj.io CRD)".into()),
    }];
    h.feed(Msg::Cluster(Box::new(cv)));
    h.press(":gitops<enter>");
    let frame = h.frame();
    assert!(frame.contains("Argo CD is not installed"), "{frame}");
    assert!(!frame.contains("argocd/jellyfin"), "{frame}");
}
