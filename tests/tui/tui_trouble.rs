//! Issue 8 in the TUI: the logs pane's previous run (and the fallback to it when a crash-looping
//! container's current run printed nothing), container picker, timestamps, since, search, save.

use crate::tui_common::*;
use k8s_nas::tui::{Effect, Msg, StreamId};

fn stream_of(fx: &[Effect]) -> (StreamId, bool, bool, Option<u32>, String) {
    match fx
        .iter()
        .rev()
        .find(|e| matches!(e, Effect::StreamLogs { .. }))
    {
        Some(Effect::StreamLogs {
            stream,
            previous,
            timestamps,
            since_seconds,
            container,
            ..
        }) => (
            *stream,
            *previous,
            *timestamps,
            *since_seconds,
            container.clone(),
        ),
        other => panic!("expected StreamLogs, got {other:?} in {fx:?}"),
    }
}

#[test]
fn crashlooping_container_falls_back_to_its_previous_run_and_p_toggles() {
    let mut h = Harness::degraded();
    let (s1, previous, ..) = stream_of(&h.press("jl"));
    assert!(!previous);
    // The current run ends with no output: the pane asks for the previous run by itself.
    let fx = h.feed(Msg::LogsEnded {
        stream: s1,
        error: None,
    });
    let (s2, previous, ..) = stream_of(&fx);
    assert!(previous && s2 != s1, "{fx:?}");
    h.feed(Msg::Logs {
        stream: s2,
        lines: vec![
            "Traceback (most recent call last):".into(),
            "ValueError: bad config".into(),
        ],
    });
    let screen = h.frame();
    assert!(
        screen.contains("previous run (current has no output yet)"),
        "{screen}"
    );
    assert!(screen.contains("ValueError: bad config"), "{screen}");
    // `p` goes back to the current run, `p` again to the previous one.
    let (_, previous, ..) = stream_of(&h.press("p"));
    assert!(!previous);
    let (_, previous, ..) = stream_of(&h.press("p"));
    assert!(previous);
    assert!(h.frame().contains("previous run"));
}

#[test]
fn timestamps_since_search_and_save() {
    let mut h = Harness::degraded();
    h.press("jl");
    let (_, _, ts, since, _) = stream_of(&h.press("t"));
    assert!(ts && since.is_none());
    let (s, _, ts, since, _) = stream_of(&h.press("2"));
    assert!(ts);
    assert_eq!(since, Some(300));
    assert!(h.frame().contains("since:5m"));
    h.feed(Msg::Logs {
        stream: s,
        lines: (0..40)
            .map(|i| format!("line {i}"))
            .chain(["[Fatal] database is locked".to_string()])
            .chain((40..80).map(|i| format!("line {i}")))
            .collect(),
    });
    h.press("/fatal<enter>");
    let screen = h.frame();
    assert!(screen.contains("/fatal 1 matches"), "{screen}");
    assert!(screen.contains("[Fatal] database is locked"), "{screen}");
    assert!(!h.logs().follow, "a match stops following");
    let fx = h.press("<ctrl-s>");
    match fx.as_slice() {
        [Effect::SaveLogs { name, lines }] => {
            assert_eq!(name, "radarr-7d9f8c6b5-x1k2p_radarr");
            assert_eq!(lines.len(), 81);
        }
        other => panic!("expected SaveLogs, got {other:?}"),
    }
}

#[test]
fn container_picker_cycles_app_and_sidecar() {
    let mut h = Harness::degraded();
    h.press("/qbittorrent<enter>");
    let (_, _, _, _, c) = stream_of(&h.press("l"));
    assert_eq!(c, "qbittorrent");
    // `c` opens the picker on the next container.
    assert!(h.press("c").is_empty());
    let screen = h.frame();
    assert!(screen.contains("Logs of qbittorrent/"), "{screen}");
    assert!(screen.contains("› vpn"), "{screen}");
    let (_, _, _, _, c) = stream_of(&h.press("<enter>"));
    assert_eq!(c, "vpn");
    assert!(h.frame().contains("container 2/2"));
    let (_, _, _, _, c) = stream_of(&h.press("c<enter>"));
    assert_eq!(c, "qbittorrent");
    assert!(h.press("c<esc>").is_empty(), "esc picks nothing");
}

fn task_of(fx: &[Effect]) -> Option<k8s_nas::tui::TaskRequest> {
    fx.iter().find_map(|e| match e {
        Effect::RunTask { request, .. } => Some(request.clone()),
        _ => None,
    })
}

#[test]
fn restart_delete_and_scale_confirm_first() {
    use k8s_nas::tui::TaskRequest;
    let mut h = Harness::degraded();
    // Radarr (second row): restart.
    assert!(h.press("jr").is_empty(), "nothing runs before the confirm");
    assert!(h.frame().contains("kubectl rollout restart"));
    assert_eq!(
        task_of(&h.press("<tab><enter>")),
        Some(TaskRequest::RestartWorkload {
            namespace: "media".into(),
            kind: "Deployment".into(),
            name: "radarr".into()
        })
    );
    // Delete the pod.
    assert!(h.press("<ctrl-d>").is_empty());
    assert!(h
        .frame()
        .contains("Delete pod media/radarr-7d9f8c6b5-x1k2p"));
    assert_eq!(
        task_of(&h.press("<tab><enter>")),
        Some(TaskRequest::DeletePod {
            namespace: "media".into(),
            name: "radarr-7d9f8c6b5-x1k2p".into()
        })
    );
    // Scale: a typed number, refused when not one, then a confirm.
    assert!(h.press("S").is_empty());
    assert!(h.frame().contains("Replicas of media/radarr"));
    h.press("<bksp>x<enter>");
    assert!(h.frame().contains("0 to 100"), "{}", h.frame());
    assert!(h.press("<bksp>0<enter>").is_empty());
    assert!(h.frame().contains("The app stops until scaled up again"));
    assert_eq!(
        task_of(&h.press("<tab><enter>")),
        Some(TaskRequest::ScaleWorkload {
            namespace: "media".into(),
            kind: "Deployment".into(),
            name: "radarr".into(),
            replicas: 0
        })
    );
}

#[test]
fn readonly_hides_the_actions_and_rbac_denied_is_not_offered() {
    let mut h = Harness::new(true);
    h.feed(Msg::Cluster(Box::new(degraded().0)));
    for key in ["jr", "<ctrl-d>", "S"] {
        assert!(h.press(key).is_empty());
        assert!(
            h.app.modal.is_none(),
            "{key} opened a dialog in read-only mode"
        );
    }
    assert!(!h.frame().contains("<r> restart"));

    let mut h = Harness::degraded();
    h.feed(Msg::Access(k8s_nas::bus::AccessView {
        denied: vec![(
            "media".into(),
            "restart".into(),
            "forbidden: patch deployments in media: RBAC does not allow it".into(),
        )],
    }));
    assert!(h.press("jr").is_empty());
    assert!(h.app.modal.is_none(), "a forbidden action is not offered");
    let screen = h.frame();
    assert!(
        screen.contains("not offered: forbidden: patch deployments in media"),
        "{screen}"
    );
    // Other actions stay offered.
    h.press("<ctrl-d>");
    assert!(h.app.modal.is_some());
}

#[test]
fn engine_describes_one_pod_with_its_last_state() {
    let listing = world_listing();
    let pod = world_rows("pods")
        .into_iter()
        .find(|r| r.name.starts_with("bazarr-"))
        .unwrap();
    let text = k8s_nas::engine::view::describe_workload(
        Some(&listing),
        &Default::default(),
        &Default::default(),
        "media",
        "Pod",
        &pod.name,
    );
    assert!(
        text.contains(&format!("Name:         {}", pod.name)),
        "{text}"
    );
    assert!(
        text.contains("Last State: Terminated") && text.contains("Exit Code:    1"),
        "{text}"
    );
}

#[test]
fn pods_view_lists_every_pod_of_the_cluster() {
    use k8s_nas::sim::world::{target_cluster, WorldOptions};
    let all = target_cluster(&WorldOptions::default())
        .objects
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .count();
    let rows = world_rows("pods");
    assert_eq!(rows.len(), all);
    assert!(
        rows.iter().any(|r| r.namespace == "kube-system"),
        "{rows:?}"
    );
    let bazarr = rows.iter().find(|r| r.name.starts_with("bazarr-")).unwrap();
    assert_eq!(
        (bazarr.status.as_str(), bazarr.restarts, bazarr.bad),
        ("CrashLoopBackOff", 14, true)
    );

    for (w, hgt) in [(160, 45), (80, 24)] {
        let mut h = Harness::degraded();
        h.resize(w, hgt);
        let fx = h.press(":pods<enter>");
        assert!(
            fx.contains(&Effect::ListResources {
                kind: "pods".into()
            }),
            "{fx:?}"
        );
        h.feed(Msg::Resources {
            kind: "pods".into(),
            rows: rows.clone(),
        });
        insta::assert_snapshot!(format!("pods_{w}x{hgt}"), h.frame());
    }
}

#[test]
fn other_resource_views_render() {
    for (cmd, kind) in [
        ("deploy", "deployments"),
        ("events", "events"),
        ("pvc", "pvcs"),
        ("ing", "ingresses"),
    ] {
        let rows = world_rows(kind);
        assert!(!rows.is_empty(), "{kind}: no rows");
        for (w, hgt) in [(160, 45), (80, 24)] {
            let mut h = Harness::degraded();
            h.resize(w, hgt);
            let fx = h.press(&format!(":{cmd}<enter>"));
            assert!(fx.contains(&Effect::ListResources { kind: kind.into() }));
            h.feed(Msg::Resources {
                kind: kind.into(),
                rows: rows.clone(),
            });
            insta::assert_snapshot!(format!("{cmd}_{w}x{hgt}"), h.frame());
        }
    }
}

#[test]
fn pods_view_deletes_with_confirm() {
    let mut h = Harness::degraded();
    h.press(":pods<enter>");
    h.feed(Msg::Resources {
        kind: "pods".into(),
        rows: world_rows("pods"),
    });
    h.press("/bazarr<enter>");
    assert!(h.press("<ctrl-d>").is_empty());
    let fx = h.press("<tab><enter>");
    match task_of(&fx) {
        Some(k8s_nas::tui::TaskRequest::DeletePod { namespace, name }) => {
            assert_eq!(namespace, "media");
            assert!(name.starts_with("bazarr-"), "{name}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cpu_and_mem_columns_show_with_metrics_and_hide_without() {
    use k8s_nas::bus::{MetricsView, ServiceUsage};
    let mut h = Harness::degraded();
    h.resize(160, 45);
    let mut services = std::collections::BTreeMap::new();
    services.insert(
        k8s_nas::model::ServiceId::new("media", "radarr"),
        ServiceUsage {
            cpu_milli: 480,
            mem_bytes: 300 << 20,
            cpu_request: Some(100),
            cpu_limit: Some(500),
            mem_request: Some(256 << 20),
            mem_limit: None,
        },
    );
    h.feed(Msg::Metrics(MetricsView {
        available: true,
        note: None,
        services,
    }));
    let screen = h.frame();
    assert!(
        screen.contains(" CPU ") && screen.contains(" MEM"),
        "{screen}"
    );
    assert!(
        screen.contains("480m/500m") && screen.contains("300Mi/256Mi"),
        "{screen}"
    );
    insta::assert_snapshot!("services_metrics_160x45", screen);
    h.resize(80, 24);
    insta::assert_snapshot!("services_metrics_80x24", h.frame());

    h.resize(160, 45);
    h.feed(Msg::Metrics(MetricsView {
        available: false,
        note: Some("no metrics API (metrics.k8s.io): CPU/MEM hidden".into()),
        services: Default::default(),
    }));
    let screen = h.frame();
    assert!(!screen.contains(" CPU "), "{screen}");
    assert!(
        screen.contains("no metrics API (metrics.k8s.io): CPU/MEM hidden"),
        "{screen}"
    );
}

#[test]
fn detail_offers_the_same_actions() {
    let mut h = Harness::degraded();
    h.press("j<enter>");
    assert!(h.press("r").is_empty());
    match task_of(&h.press("<tab><enter>")) {
        Some(k8s_nas::tui::TaskRequest::RestartWorkload { name, .. }) => assert_eq!(name, "radarr"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pods_view_describes_the_pod_under_the_cursor() {
    let mut h = Harness::degraded();
    h.press(":pods<enter>");
    h.feed(Msg::Resources {
        kind: "pods".into(),
        rows: world_rows("pods"),
    });
    h.press("/bazarr<enter>");
    let fx = h.press("d");
    match fx.as_slice() {
        [Effect::Describe {
            namespace,
            kind,
            name,
        }] => {
            assert_eq!((namespace.as_str(), kind.as_str()), ("media", "Pod"));
            assert!(name.starts_with("bazarr-"), "{name}");
        }
        other => panic!("{other:?}"),
    }
}
