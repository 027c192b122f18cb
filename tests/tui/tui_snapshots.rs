//! Whole-screen snapshots (120×40, fixed clock) of every pane, driven by key sequences through
//! `update`. Review changes with `cargo insta review`.

use crate::tui_common;

use k8s_nas::tui::{Msg, StreamId, TaskId, TaskOutcome, TaskProgress};
use tui_common::*;

#[test]
fn services_healthy() {
    let mut h = Harness::healthy();
    insta::assert_snapshot!("services_healthy", h.frame());
}

#[test]
fn services_degraded_with_findings() {
    let mut h = Harness::degraded();
    insta::assert_snapshot!("services_degraded", h.frame());
}

#[test]
fn drill_down_into_crashlooping_service() {
    let mut h = Harness::degraded();
    h.press("j<enter>");
    insta::assert_snapshot!("detail_radarr", h.frame());
}

#[test]
fn drill_down_shows_health_issues_with_wiki_links() {
    let mut h = Harness::degraded();
    h.press("jjj<enter>");
    insta::assert_snapshot!("detail_prowlarr", h.frame());
}

#[test]
fn help_is_generated_from_the_key_map() {
    let mut h = Harness::healthy();
    h.press("?");
    insta::assert_snapshot!("help_services", h.frame());
}

#[test]
fn findings_pane_lists_remediations() {
    let mut h = Harness::degraded();
    h.press(":findings<enter>");
    insta::assert_snapshot!("findings", h.frame());
}

#[test]
fn logs_pane() {
    let mut h = Harness::degraded();
    let fx = h.press("jl");
    let stream = match fx.last() {
        Some(k8s_nas::tui::Effect::StreamLogs { stream, .. }) => *stream,
        other => panic!("expected StreamLogs, got {other:?}"),
    };
    let lines = (0..60)
        .map(|i| format!("[Info] Bootstrap: starting Radarr, attempt {i}"))
        .chain(["[Fatal] Database is locked: /config/radarr.db".to_string()])
        .collect();
    h.feed(Msg::Logs { stream, lines });
    h.feed(Msg::Logs {
        stream: StreamId(999),
        lines: vec!["from a stale stream".into()],
    });
    insta::assert_snapshot!("logs_follow", h.frame());
}

#[test]
fn command_prompt_with_completion() {
    let mut h = Harness::healthy();
    h.press(":fin");
    insta::assert_snapshot!("prompt_command", h.frame());
}

#[test]
fn filter_narrows_the_table() {
    let mut h = Harness::healthy();
    h.press("/arr$<enter>");
    insta::assert_snapshot!("services_filtered", h.frame());
}

#[test]
fn readonly_unreachable_cluster_banner() {
    let mut h = Harness::new(true);
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    h.feed(Msg::ClusterError(
        "GET https://10.1.0.20:6443/api/v1/pods: connection refused; retrying in 8s".into(),
    ));
    insta::assert_snapshot!("services_readonly_unreachable", h.frame());
}

#[test]
fn tasks_pane() {
    let mut h = Harness::healthy();
    h.press("c");
    h.feed(Msg::TaskProgress(TaskProgress {
        id: TaskId(1),
        title: "check all".into(),
        stage: "probing apps".into(),
        step: 2,
        steps: 4,
        lines: vec!["discovered 9 services".into()],
        units: None,
        log: None,
    }));
    h.feed(Msg::TaskProgress(TaskProgress {
        id: TaskId(7),
        title: "integrate".into(),
        stage: "verify".into(),
        step: 4,
        steps: 4,
        lines: vec![],
        units: None,
        log: None,
    }));
    h.feed(Msg::TaskDone {
        id: TaskId(7),
        outcome: TaskOutcome::Succeeded("3 edges added".into()),
    });
    h.press(":tasks<enter>");
    insta::assert_snapshot!("tasks", h.frame());
}

#[test]
fn describe_pane() {
    let mut h = Harness::healthy();
    h.press("jjjjjjjd");
    h.feed(Msg::Describe {
        title: k8s_nas::tui::describe_title("Deployment", "qbittorrent", "qbittorrent"),
        text: "Name:               qbittorrent\nNamespace:          qbittorrent\nReplicas:           1 desired | 1 updated | 1 total | 1 available\nPod Template:\n  Containers:\n   vpn:\n    Image:\tqmcgaw/gluetun:latest\n   qbittorrent:\n    Image:\tghcr.io/linuxserver/qbittorrent:latest\n    Port:\t8080/TCP\n".into(),
    });
    insta::assert_snapshot!("describe", h.frame());
}
