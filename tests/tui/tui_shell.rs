//! Issue 8 `s` and the generic views' keys in the TUI: the shell's container picker, read-only
//! and RBAC, `:pods` describe/logs/shell/delete, `:events` describe, the logs search by keys.

use crate::tui_common::*;
use k8s_nas::bus::ResourceRow;
use k8s_nas::tui::{Effect, Msg, TaskRequest};

fn shell_of(fx: &[Effect]) -> Option<(String, String, String)> {
    fx.iter().find_map(|e| match e {
        Effect::Shell {
            namespace,
            pod,
            container,
            ..
        } => Some((namespace.clone(), pod.clone(), container.clone())),
        _ => None,
    })
}

#[test]
fn shell_picks_the_container_when_the_pod_has_several() {
    let mut h = Harness::degraded();
    // Radarr (second row) has one container: the shell opens at once.
    let (ns, pod, c) = shell_of(&h.press("js")).expect("a shell");
    assert_eq!((ns.as_str(), c.as_str()), ("media", "radarr"));
    assert!(pod.starts_with("radarr-"), "{pod}");
    assert!(h.app.modal.is_none());

    h.press("/qbittorrent<enter>");
    assert!(h.press("s").is_empty(), "a picker first");
    let screen = h.frame();
    assert!(
        screen.contains("Shell in qbittorrent/qbittorrent-"),
        "{screen}"
    );
    assert!(screen.contains("VPN sidecar"), "{screen}");
    let (_, pod, c) = shell_of(&h.press("j<enter>")).expect("a shell");
    assert_eq!(c, "vpn");
    assert!(pod.starts_with("qbittorrent-"), "{pod}");
    assert!(h.press("s<esc>").is_empty(), "esc opens nothing");
}

#[test]
fn shell_is_dropped_by_readonly_and_not_offered_where_rbac_denies_exec() {
    let mut h = Harness::new(true);
    h.feed(Msg::Cluster(Box::new(degraded().0)));
    assert!(h.press("js").is_empty());
    assert!(h.app.modal.is_none());
    assert!(!h.frame().contains("<s> shell"));

    let mut h = Harness::degraded();
    h.feed(Msg::Access(k8s_nas::bus::AccessView {
        denied: vec![(
            "media".into(),
            "exec".into(),
            "forbidden: create pods/exec in media: RBAC does not allow it".into(),
        )],
    }));
    assert!(h.press("js").is_empty());
    assert!(h.app.modal.is_none());
    assert!(h
        .frame()
        .contains("not offered: forbidden: create pods/exec in media"));
}

fn pod_row(name: &str, containers: &[&str], init: &[&str]) -> ResourceRow {
    ResourceRow {
        namespace: "networking".into(),
        name: name.into(),
        ready: "1/1".into(),
        status: "Running".into(),
        restarts: 2,
        info: "nas".into(),
        containers: containers.iter().map(|c| c.to_string()).collect(),
        init_containers: init.iter().map(|c| c.to_string()).collect(),
        logs: Some((name.into(), 2)),
        ..ResourceRow::default()
    }
}

#[test]
fn pods_view_describes_logs_shells_and_deletes_the_pod_under_the_cursor() {
    let mut h = Harness::degraded();
    h.press(":pods<enter>");
    h.feed(Msg::Resources {
        kind: "pods".into(),
        rows: vec![pod_row(
            "ingress-nginx-1",
            &["controller", "exporter"],
            &["init-config"],
        )],
    });
    let fx = h.press("d");
    assert!(
        fx.contains(&Effect::Describe {
            namespace: "networking".into(),
            kind: "Pod".into(),
            name: "ingress-nginx-1".into()
        }),
        "{fx:?}"
    );
    h.press("<esc>");
    // Logs: the first container, and a picker over all three (init containers too).
    let fx = h.press("l");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StreamLogs { pod, container, .. }
            if pod == "ingress-nginx-1" && container == "controller")),
        "{fx:?}"
    );
    h.press("c");
    let screen = h.frame();
    assert!(screen.contains("init-config"), "{screen}");
    let fx = h.press("j<enter>");
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::StreamLogs { container, .. } if container == "init-config")
        ),
        "{fx:?}"
    );
    h.press("<esc>");
    // Shell: only the running containers are offered.
    h.press("s");
    assert!(!h.frame().contains("init-config"));
    let (ns, pod, c) = shell_of(&h.press("j<enter>")).expect("a shell");
    assert_eq!(
        (ns.as_str(), pod.as_str(), c.as_str()),
        ("networking", "ingress-nginx-1", "exporter")
    );
    // Delete: the shared dialog.
    assert!(h.press("<ctrl-d>").is_empty());
    assert!(h.frame().contains("Delete pod networking/ingress-nginx-1."));
    let fx = h.press("<tab><enter>");
    assert!(fx.iter().any(|e| matches!(e, Effect::RunTask {
        request: TaskRequest::DeletePod { namespace, name }, ..
    } if namespace == "networking" && name == "ingress-nginx-1")));
}

#[test]
fn events_view_describes_the_involved_object() {
    let mut h = Harness::degraded();
    h.press(":events<enter>");
    let row = |kind: &str, name: &str| ResourceRow {
        namespace: "media".into(),
        name: format!("{kind}/{name}"),
        status: "Warning".into(),
        involved: Some((kind.into(), name.into())),
        ..ResourceRow::default()
    };
    h.feed(Msg::Resources {
        kind: "events".into(),
        rows: vec![row("Deployment", "bazarr"), row("Service", "bazarr")],
    });
    let fx = h.press("d");
    assert!(
        fx.contains(&Effect::Describe {
            namespace: "media".into(),
            kind: "Deployment".into(),
            name: "bazarr".into()
        }),
        "{fx:?}"
    );
    h.press("<esc>");
    // Any kind: the generic describe (issue 8 leftovers).
    let fx = h.press("jd");
    assert!(
        fx.contains(&Effect::Describe {
            namespace: "media".into(),
            kind: "Service".into(),
            name: "bazarr".into()
        }),
        "{fx:?}"
    );
}

#[test]
fn logs_search_by_keys_counts_and_jumps_as_lines_come_and_go() {
    let mut h = Harness::degraded();
    let fx = h.press("jl");
    let stream = fx
        .iter()
        .find_map(|e| match e {
            Effect::StreamLogs { stream, .. } => Some(*stream),
            _ => None,
        })
        .unwrap();
    let lines = ["a", "Error 1", "b", "c", "error 2", "d"];
    h.feed(Msg::Logs {
        stream,
        lines: lines.iter().map(|l| l.to_string()).collect(),
    });
    h.press("/ERROR<enter>");
    assert!(h.frame().contains("/ERROR 2 matches"));
    assert_eq!(h.logs().hit, Some(4), "the search starts at the last match");
    h.press("n");
    assert_eq!(h.logs().hit, Some(1), "wraps to the first");
    h.press("n");
    assert_eq!(h.logs().hit, Some(4));
    h.press("N");
    assert_eq!(h.logs().hit, Some(1));
    h.press("N");
    assert_eq!(h.logs().hit, Some(4), "backwards wraps to the last");
    // New lines are counted as they arrive.
    h.feed(Msg::Logs {
        stream,
        lines: vec!["ERROR 3".into(), "fine".into()],
    });
    assert!(h.frame().contains("/ERROR 3 matches"));
    // Lines pushed out of the bounded buffer take their matches with them.
    let cap = k8s_nas::tui::panes::logs::LOG_CAP;
    h.feed(Msg::Logs {
        stream,
        lines: (0..cap).map(|i| format!("line {i}")).collect(),
    });
    assert!(h.frame().contains("/ERROR 0 matches"), "{}", h.frame());
    h.feed(Msg::Logs {
        stream,
        lines: vec!["error again".into()],
    });
    assert!(h.frame().contains("/ERROR 1 matches"));
    h.press("C");
    assert!(h.frame().contains("/ERROR 0 matches"), "clear forgets them");
    h.press("/nothing<enter>");
    h.press("n");
    assert!(h.frame().contains("no match"));
}

#[test]
fn nodes_view_renders_conditions_usage_and_disks() {
    let node: k8s_openapi::api::core::v1::Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "nas", "creationTimestamp": "2025-05-01T00:00:00Z"},
        "status": {
            "allocatable": {"cpu": "8", "memory": "32Gi"},
            "conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "DiskPressure", "status": "True"},
                {"type": "MemoryPressure", "status": "False"}
            ]
        }
    }))
    .unwrap();
    let usage = k8s_nas::cluster::metrics::Usage {
        cpu_milli: 1850,
        mem_bytes: 9 << 30,
    };
    let disks = vec![
        (
            "/srv/config".to_string(),
            Some((120u64 << 30, 500u64 << 30)),
        ),
        (
            "/srv/media".to_string(),
            Some((7_600u64 << 30, 8_000u64 << 30)),
        ),
    ];
    let row = k8s_nas::engine::nodes::row(&node, Some(&usage), true, &disks);
    for (w, hgt) in [(160, 45), (80, 24)] {
        let mut h = Harness::degraded();
        h.resize(w, hgt);
        let fx = h.press(":nodes<enter>");
        assert!(
            fx.contains(&Effect::ListResources {
                kind: "nodes".into()
            }),
            "{fx:?}"
        );
        assert!(h.frame().contains("reading…"));
        h.feed(Msg::Resources {
            kind: "nodes".into(),
            rows: vec![row.clone()],
        });
        // Read again only after a while, not on every cluster change.
        assert!(h.feed(Msg::Cluster(Box::new(degraded().0))).is_empty());
        insta::assert_snapshot!(format!("nodes_{w}x{hgt}"), h.frame());
    }
}

#[test]
fn nodes_without_metrics_say_unknown_and_why() {
    let node: k8s_openapi::api::core::v1::Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "nas"},
        "status": {
            "allocatable": {"cpu": "8", "memory": "32Gi"},
            "conditions": [{"type": "Ready", "status": "False"}]
        }
    }))
    .unwrap();
    let row = k8s_nas::engine::nodes::row(&node, None, false, &[]);
    let mut h = Harness::degraded();
    h.resize(160, 45);
    h.press(":nodes<enter>");
    h.feed(Msg::Resources {
        kind: "nodes".into(),
        rows: vec![row],
    });
    let frame = h.frame();
    for needle in [
        "usage unknown: no metrics API",
        "NotReady",
        "no pressure",
        "unknown/8000m",
        "unknown/32.0Gi",
        "not measured here",
    ] {
        assert!(frame.contains(needle), "{needle} missing:\n{frame}");
    }
}

#[test]
fn ns_scopes_the_resource_views_and_0_shows_all_again() {
    let listing = listing_of(&target_world(false), false);
    let namespaces = k8s_nas::engine::resources::rows(&listing, "namespaces");
    let pods = k8s_nas::engine::resources::rows(&listing, "pods");
    let names: Vec<&str> = namespaces.iter().map(|r| r.name.as_str()).collect();
    assert!(
        names.contains(&"media") && names.contains(&"kube-system"),
        "{names:?}"
    );
    for (w, hgt) in [(160, 45), (80, 24)] {
        let mut h = Harness::degraded();
        h.resize(w, hgt);
        let fx = h.press(":ns<enter>");
        assert!(fx.contains(&Effect::ListResources {
            kind: "namespaces".into()
        }));
        h.feed(Msg::Resources {
            kind: "namespaces".into(),
            rows: namespaces.clone(),
        });
        insta::assert_snapshot!(format!("namespaces_{w}x{hgt}"), h.frame());
    }
    let mut h = Harness::degraded();
    h.press(":ns<enter>");
    h.feed(Msg::Resources {
        kind: "namespaces".into(),
        rows: namespaces.clone(),
    });
    h.press("/^kube-system<enter><enter>");
    assert_eq!(h.app.namespace.as_deref(), Some("kube-system"));
    assert!(h.frame().contains("namespace kube-system"));
    h.press(":pods<enter>");
    h.feed(Msg::Resources {
        kind: "pods".into(),
        rows: pods.clone(),
    });
    let screen = h.frame();
    assert!(screen.contains("Pods(kube-system)"), "{screen}");
    assert!(!screen.contains("sonarr-"), "{screen}");
    // `0` in `:ns`: every namespace again.
    h.press(":ns<enter>");
    h.feed(Msg::Resources {
        kind: "namespaces".into(),
        rows: namespaces,
    });
    h.press("0");
    assert_eq!(h.app.namespace, None);
    h.press(":pods<enter>");
    h.feed(Msg::Resources {
        kind: "pods".into(),
        rows: pods,
    });
    let screen = h.frame();
    assert!(screen.contains("Pods(all namespaces)"), "{screen}");
    assert!(screen.contains("sonarr-"), "{screen}");
}

#[test]
fn deploy_and_events_logs_show_the_workloads_pod() {
    let listing = world_listing();
    let deploys = k8s_nas::engine::resources::rows(&listing, "deployments");
    let bazarr = deploys.iter().find(|r| r.name == "bazarr").unwrap();
    let (pod, restarts) = bazarr.logs.clone().expect("bazarr's pod");
    assert!(
        pod.starts_with("bazarr-") && restarts == 14,
        "{pod} {restarts}"
    );
    assert_eq!(bazarr.containers, vec!["bazarr".to_string()]);
    let evs = k8s_nas::engine::resources::rows(&listing, "events");
    let ev = evs
        .iter()
        .find(|r| r.name.starts_with("Pod/bazarr-"))
        .expect("an event of bazarr's pod");
    assert_eq!(ev.logs.as_ref().map(|l| l.0.as_str()), Some(pod.as_str()));

    let mut h = Harness::degraded();
    h.press(":deploy<enter>");
    h.feed(Msg::Resources {
        kind: "deployments".into(),
        rows: vec![bazarr.clone()],
    });
    let fx = h.press("l");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StreamLogs { pod: p, container, .. }
            if *p == pod && container == "bazarr")),
        "{fx:?}"
    );
    // The crash-looping pod's restarts came along: `p` reads the previous run.
    let fx = h.press("p");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StreamLogs { previous: true, .. })),
        "{fx:?}"
    );
}
