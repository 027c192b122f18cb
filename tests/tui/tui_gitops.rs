//! The `:gitops` pane: Argo CD Applications (Degraded with a failed sync, OutOfSync with
//! auto-sync off, a sync running), an ApplicationSet and the argocd-cm health override, each
//! row coloured by its worst `gitops.*` finding; the box shows the row's operation, resources
//! and findings with fix and runbook. The AUDIT column counts the manifest audit's findings on
//! each Application's workloads (its `status.resources`, else its destination namespace) and
//! the box lists them. Refresh and sync ask first, a sync while an operation runs
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
    // The two media Applications deploy into `media`; the others into their own namespace.
    let dest = match name {
        "jellyfin" | "media-services" => "media",
        other => other,
    };
    let o: kube::api::DynamicObject = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": "apps", "destination": {"namespace": dest}, "syncPolicy": policy},
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
        audit: audit(),
        fetched_at: now(),
    }
}

/// The manifest audit over three apps: Bazarr probed at `/bazarr/ping` (media-services lists
/// its Deployment), Jellyfin without limits and startup probe (jellyfin lists its Deployment),
/// qBittorrent on `:latest` (the qbittorrent Application lists no resources: its namespace).
fn audit() -> Vec<k8s_nas::model::Finding> {
    use k8s_nas::manifest::{AppManifest, HttpProbe, ManifestFacts};
    use k8s_nas::model::{AppKind, ServiceId};
    let app = |ns: &str, kind: AppKind, image: &str| AppManifest {
        service: ServiceId::new(ns, kind.id()),
        kind,
        workload: format!("Deployment {ns}/{}", kind.id()),
        container: kind.id().into(),
        url_base: String::new(),
        app_port: Some(kind.default_port()),
        probes: vec![],
        missing_resources: vec![],
        ephemeral_config: None,
        declared_probes: vec!["liveness", "readiness", "startup"],
        image: image.into(),
        strategy: Some("Recreate".into()),
        rwo_volume: true,
    };
    let mut bazarr = app("media", AppKind::Bazarr, "linuxserver/bazarr:1.5.2");
    bazarr.probes = vec![HttpProbe {
        which: "liveness",
        path: "/bazarr/ping".into(),
        port: "6767".into(),
        port_number: Some(6767),
    }];
    let mut jellyfin = app("media", AppKind::Jellyfin, "jellyfin/jellyfin:10.10.7");
    jellyfin.missing_resources = vec!["limits.cpu".into(), "limits.memory".into()];
    jellyfin.declared_probes = vec!["liveness", "readiness"];
    let qbit = app(
        "qbittorrent",
        AppKind::Qbittorrent,
        "ghcr.io/linuxserver/qbittorrent:latest",
    );
    k8s_nas::checks::manifest::evaluate(&ManifestFacts {
        apps: vec![bazarr, jellyfin, qbit],
    })
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
        "AUDIT",
        "2 (warning)",
        "Manifest audit (media/jellyfin): 2 findings, below",
        "manifest.resources",
        "manifest.startup_probe",
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

#[test]
fn the_audit_goes_to_the_application_that_deploys_the_workload() {
    let rows = k8s_nas::tui::panes::gitops::rows(&view());
    let count = |name: &str| -> Option<Vec<String>> {
        let r = rows.iter().find(|r| r.name == name).unwrap();
        r.audit.as_ref().map(|a| {
            a.iter()
                .map(|f| format!("{} {}", f.code, f.subject))
                .collect()
        })
    };
    // By `status.resources`: jellyfin lists media/jellyfin, media-services media/bazarr.
    assert_eq!(
        count("argocd/jellyfin").unwrap(),
        vec![
            "manifest.resources media/jellyfin",
            "manifest.startup_probe media/jellyfin"
        ]
    );
    assert_eq!(
        count("argocd/media-services").unwrap(),
        vec!["manifest.probe_target media/bazarr"]
    );
    // No resources listed: its destination namespace.
    assert_eq!(
        count("argocd/qbittorrent").unwrap(),
        vec!["manifest.image_unpinned qbittorrent/qbittorrent"]
    );
    assert_eq!(count("argocd/monitoring").unwrap(), Vec::<String>::new());
    // Not an Application: no audit.
    assert_eq!(count("argocd/homeautomation"), None);
}

#[test]
fn the_detail_box_follows_the_cursor_and_the_filter() {
    let mut h = opened(160, 45);
    assert!(h.frame().contains("manifest.startup_probe"));
    // Down to media-services: its findings and its audit (Bazarr's probe), not Jellyfin's.
    h.press("j");
    let frame = h.frame();
    assert!(
        frame.contains("Application argocd/media-services"),
        "{frame}"
    );
    assert!(
        frame.contains("Manifest audit (media/bazarr): 1 finding, below"),
        "{frame}"
    );
    assert!(!frame.contains("manifest.startup_probe"), "{frame}");
    // The filter moves the cursor to qbittorrent: its audit (`:latest`) in the box.
    h.press("/qbittorrent<enter>");
    let frame = h.frame();
    assert!(frame.contains("Application argocd/qbittorrent"), "{frame}");
    assert!(frame.contains("manifest.image"), "{frame}");
    assert!(!frame.contains("Manifest audit (media/bazarr)"), "{frame}");
}
