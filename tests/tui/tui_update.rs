//! `update` behaviour: keys → state and effects, driven through the same harness as the
//! snapshots, plus colour checks on the rendered buffer and a 2,000-row table.

use crate::tui_common;

use k8s_nas::model::{ServiceId, Severity};
use k8s_nas::tui::app::View;
use k8s_nas::tui::panes::{detail, findings, logs, services, task_log, tasks};
use k8s_nas::tui::{Effect, Msg, StreamId, TaskId, TaskOutcome, TaskProgress, TaskRequest};
use ratatui::style::Color;
use tui_common::*;

fn sid(s: &str) -> ServiceId {
    ServiceId(s.to_string())
}

#[test]
fn quit_by_q_by_command_and_by_ctrl_c() {
    for keys in ["q", ":q<enter>", ":quit<enter>", "<ctrl-c>"] {
        let mut h = Harness::healthy();
        let fx = h.press(keys);
        assert_eq!(fx, vec![Effect::Quit], "{keys}");
        assert!(h.app.quit, "{keys}");
    }
}

#[test]
fn navigation_moves_and_clamps() {
    let mut h = Harness::healthy();
    // Rows are rebuilt lazily (before a key or a frame), never per data message.
    assert_eq!(h.app.current_service(), None);
    h.app.sync();
    assert_eq!(h.app.current_service(), Some(&sid("media/sonarr")));
    h.press("jj");
    assert_eq!(h.app.current_service(), Some(&sid("media/lidarr")));
    h.press("k<down><down>");
    assert_eq!(h.app.current_service(), Some(&sid("media/prowlarr")));
    h.press("G");
    assert_eq!(h.app.current_service(), Some(&sid("media/sabnzbd")));
    h.press("jjj");
    assert_eq!(h.app.current_service(), Some(&sid("media/sabnzbd")));
    h.press("g<up>");
    assert_eq!(h.app.current_service(), Some(&sid("media/sonarr")));
    h.press("<pgdn>");
    assert_eq!(h.app.current_service(), Some(&sid("media/sabnzbd")));
}

#[test]
fn selection_survives_a_refresh_that_reorders_services() {
    let mut h = Harness::healthy();
    h.press("jjj");
    assert_eq!(h.app.current_service(), Some(&sid("media/prowlarr")));
    let mut view = healthy_view();
    view.inventory.services.reverse();
    h.feed(Msg::Cluster(Box::new(view)));
    h.frame();
    assert_eq!(h.app.current_service(), Some(&sid("media/prowlarr")));
    assert_eq!(h.services().list.table.cursor(), 5);
    // When the selected service disappears, the cursor stays in range.
    let mut view = healthy_view();
    view.inventory
        .services
        .retain(|s| s.id.as_str() != "media/prowlarr");
    view.inventory.services.truncate(3);
    h.feed(Msg::Cluster(Box::new(view)));
    h.frame();
    assert!(h.services().list.table.cursor() < 3);
}

#[test]
fn enter_drills_down_and_esc_walks_back_along_crumbs() {
    let mut h = Harness::degraded();
    h.press("j<enter>");
    assert_eq!(h.app.view(), &detail::view(sid("media/radarr")));
    let fx = h.press("l");
    assert_eq!(
        h.app.stack,
        vec![
            View::new(services::ID),
            detail::view(sid("media/radarr")),
            logs::view(sid("media/radarr"))
        ]
    );
    assert_eq!(
        fx,
        vec![Effect::StreamLogs {
            stream: StreamId(1),
            namespace: "media".into(),
            pod: "radarr-7d9f8c6b5-x1k2p".into(),
            container: "radarr".into(),
            follow: true,
            tail: 500,
            previous: false,
            timestamps: false,
            since_seconds: None,
        }]
    );
    assert!(h.frame().contains("<services>   <media/radarr>   <logs>"));
    assert_eq!(
        h.press("<esc>"),
        vec![Effect::StopLogs {
            stream: StreamId(1)
        }]
    );
    assert_eq!(h.app.view(), &detail::view(sid("media/radarr")));
    assert_eq!(h.press("<esc>"), vec![]);
    assert_eq!(h.app.stack, vec![View::new(services::ID)]);
    assert_eq!(h.press("<esc>"), vec![]);
    assert_eq!(h.app.stack, vec![View::new(services::ID)]);
}

#[test]
fn logs_ignore_stale_streams_and_follow_toggles() {
    let mut h = Harness::degraded();
    h.press("jl");
    h.press("<esc>l");
    // A second `l` opened stream 2; lines of stream 1 are dropped.
    h.feed(Msg::Logs {
        stream: StreamId(1),
        lines: vec!["old".into()],
    });
    h.feed(Msg::Logs {
        stream: StreamId(2),
        lines: (0..100).map(|i| format!("line {i}")).collect(),
    });
    assert_eq!(h.logs().lines.len(), 100);
    let screen = h.frame();
    assert!(screen.contains("line 99") && !screen.contains("old"));
    h.press("f");
    assert!(!h.logs().follow);
    h.press("gj");
    let screen = h.frame();
    assert!(screen.contains("line 1 ") && !screen.contains("line 99"));
    h.press("G");
    assert!(h.logs().follow);
    h.feed(Msg::LogsEnded {
        stream: StreamId(2),
        error: Some("container restarted".into()),
    });
    assert!(h.frame().contains("stream ended: container restarted"));
}

#[test]
fn describe_asks_the_engine_and_shows_the_answer() {
    let mut h = Harness::healthy();
    let fx = h.press("d");
    assert_eq!(
        fx,
        vec![Effect::Describe {
            namespace: "media".into(),
            kind: "Deployment".into(),
            name: "sonarr".into(),
        }]
    );
    assert!(h.frame().contains("loading…"));
    h.feed(Msg::Describe {
        title: "Deployment media/sonarr".into(),
        text: "Name:         sonarr\nNamespace:    media\nReplicas:     1 desired".into(),
    });
    let screen = h.frame();
    assert!(screen.contains("Replicas:     1 desired"), "{screen}");
    h.press("<esc>");
    // A late answer after leaving the pane, or to an older request, is dropped.
    h.feed(Msg::Describe {
        title: "Deployment media/sonarr".into(),
        text: "late".into(),
    });
    assert!(!h.frame().contains("late"));
    h.press("jd");
    h.feed(Msg::Describe {
        title: "Deployment media/sonarr".into(),
        text: "stale answer".into(),
    });
    let screen = h.frame();
    assert!(!screen.contains("stale answer") && screen.contains("loading…"));
    h.feed(Msg::Describe {
        title: k8s_nas::tui::describe_title("Deployment", "media", "radarr"),
        text: "Name: radarr".into(),
    });
    assert!(h.frame().contains("Name: radarr"));
}

#[test]
fn filter_by_substring_regex_and_inversion() {
    let mut h = Harness::healthy();
    h.press("/jelly");
    // Live while typing.
    assert_eq!(h.services().list.table.counts().0, 2);
    h.press("<enter>");
    assert_eq!(h.services().list.table.counts().0, 2);
    assert!(h.frame().contains("</jelly>"));
    h.press("/<bksp><bksp><bksp><bksp><bksp>vpn<enter>");
    assert_eq!(h.services().list.table.counts().0, 2);
    h.press("<esc>");
    assert!(h.services().list.table.filter().is_none());
    assert_eq!(h.services().list.table.counts().0, 9);
    h.press("/!media<enter>");
    assert_eq!(
        h.app.current_service(),
        Some(&sid("qbittorrent/qbittorrent"))
    );
    // `:svc /x` sets the filter from the command line.
    h.press(":svc /^son<enter>");
    assert_eq!(h.services().list.table.counts().0, 1);
    // Esc in the prompt cancels and clears.
    h.press("/zzz<esc>");
    assert!(h.services().list.table.filter().is_none() && h.app.prompt.is_none());
}

#[test]
fn command_mode_aliases_completion_and_errors() {
    let mut h = Harness::degraded();
    h.press(":find<tab><enter>");
    assert_eq!(h.app.view(), &View::new(findings::ID));
    h.press(":tasks<enter>");
    assert_eq!(
        h.app.stack,
        vec![View::new(services::ID), View::new(tasks::ID)]
    );
    h.press(":svc<enter>");
    assert_eq!(h.app.stack, vec![View::new(services::ID)]);
    h.press(":frobnicate<enter>");
    let flash = h.app.flash.clone().unwrap();
    assert!(flash.text.contains("unknown command :frobnicate"));
    assert!(h.frame().contains("unknown command :frobnicate"));
    // The flash goes away after a few seconds of ticks.
    h.feed(Msg::Tick(ago(-10)));
    assert!(h.app.flash.is_none());
}

#[test]
fn findings_pane_is_worst_first_and_enter_goes_to_the_service() {
    let mut h = Harness::degraded();
    h.press(":findings<enter>");
    let order = h.findings_pane().severities();
    assert_eq!(order[0], Severity::Critical);
    assert_eq!(order.last(), Some(&Severity::Warning));
    h.press("j<enter>");
    assert_eq!(h.app.view(), &detail::view(sid("media/bazarr")));
    h.press("<esc>/prowl<enter>");
    assert_eq!(h.findings_pane().list.table.counts().0, 1);
    assert!(h.frame().contains("Open Prowlarr → System → Status"));
}

#[test]
fn tasks_start_progress_finish_and_cancel() {
    let mut h = Harness::healthy();
    let fx = h.press("c");
    assert_eq!(
        fx,
        vec![Effect::RunTask {
            id: TaskId(1),
            request: TaskRequest::CheckAll
        }]
    );
    assert!(h.frame().contains("1 running"));
    h.feed(Msg::TaskProgress(TaskProgress {
        id: TaskId(1),
        title: "check all".into(),
        stage: "probing".into(),
        step: 1,
        steps: 3,
        lines: vec!["probing 9 apps".into()],
        units: None,
        log: None,
    }));
    h.press(":tasks<enter>");
    assert_eq!(h.press("x"), vec![Effect::CancelTask(TaskId(1))]);
    // Cancelling twice sends nothing more.
    assert_eq!(h.press("x"), vec![]);
    h.feed(Msg::TaskDone {
        id: TaskId(1),
        outcome: TaskOutcome::Cancelled,
    });
    assert_eq!(h.app.tasks.running(), 0);
    h.press("<enter>");
    assert_eq!(h.app.view(), &task_log::view(TaskId(1)));
    assert!(h.frame().contains("probing 9 apps"));
}

#[test]
fn help_follows_the_current_pane_and_readonly_shows_badge() {
    let mut h = Harness::healthy();
    h.press("jl?");
    let screen = h.frame();
    assert!(screen.contains("follow") && screen.contains("wrap"));
    let mut ro = Harness::new(true);
    ro.feed(Msg::Cluster(Box::new(healthy_view())));
    let screen = ro.frame();
    assert!(screen.contains(" RO "));
    ro.press("?");
    assert!(ro.app.keymap.readonly);
    assert!(ro.app.keymap.pane(services::ID).iter().all(|b| !b.mutating));
}

#[test]
fn banner_comes_and_goes_with_cluster_reachability() {
    let mut h = Harness::healthy();
    h.feed(Msg::ClusterError(
        "connection refused; retrying in 8s".into(),
    ));
    assert!(h
        .frame()
        .contains("cluster unreachable: connection refused; retrying in 8s"));
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    assert!(!h.frame().contains("cluster unreachable"));
}

#[test]
fn cells_are_coloured_by_thresholds_and_rows_by_worst_finding() {
    let mut h = Harness::degraded();
    h.press("G"); // move the cursor away from the rows we look at
    h.frame();
    let fg = |h: &Harness, s: &str| h.style_of(s).and_then(|st| st.fg);
    // Slow app (2,430 ms: `2.4s`) is red; a fast one green.
    assert_eq!(fg(&h, "200 2.4s"), Some(Color::LightRed));
    assert_eq!(fg(&h, "200 26ms"), Some(Color::Green));
    assert_eq!(fg(&h, "timeout 5s"), Some(Color::LightRed));
    assert_eq!(fg(&h, "CrashLoop 0/1"), Some(Color::LightRed));
    // Row colour by worst finding: sonarr has a warning, lidarr none.
    assert_eq!(fg(&h, "sonarr "), Some(Color::Yellow));
    assert_eq!(fg(&h, "radarr "), Some(Color::LightRed));
    assert_eq!(fg(&h, "lidarr "), Some(Color::Reset));
    // Stale data turns amber, then red.
    let (_, mut obs, _) = degraded();
    let mut o = obs.remove(2).1;
    o.fetched_at = ago(90);
    h.feed(Msg::Observation(sid("media/lidarr"), o));
    h.frame();
    assert_eq!(fg(&h, "1m30s"), Some(Color::Yellow));
}

#[test]
fn two_thousand_rows_render_windowed() {
    let mut h = Harness::new(false);
    let mut view = healthy_view();
    let template = view.inventory.services[0].clone();
    view.inventory.services = (0..2_000)
        .map(|i| {
            let mut s = template.clone();
            s.workload.name = format!("sonarr-{i:04}");
            s.id = ServiceId::new("media", &s.workload.name);
            s
        })
        .collect();
    h.feed(Msg::Cluster(Box::new(view)));
    let start = std::time::Instant::now();
    let screen = h.frame();
    assert!(screen.contains("[2000]") && screen.contains("sonarr-0000"));
    h.press("G");
    let screen = h.frame();
    assert!(screen.contains("sonarr-1999") && !screen.contains("sonarr-0000"));
    h.press("<pgup>");
    for _ in 0..50 {
        h.press("k");
        h.frame();
    }
    // G → 1999, pgup (a page = the 30 rows the table shows at 40 lines) → 1969, 50 × k → 1919.
    assert_eq!(h.app.current_service(), Some(&sid("media/sonarr-1919")));
    assert!(h.frame().contains("sonarr-1919"));
    let elapsed = start.elapsed();
    // 52 frames of a 2,000-row table; generous bound for a loaded debug build.
    assert!(elapsed.as_secs() < 10, "took {elapsed:?}");
    eprintln!("52 frames with 2,000 rows: {elapsed:?}");
}
