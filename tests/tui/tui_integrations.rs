//! The Integrations and Keys panes, driven by keys through `update`, with views built from the
//! integrate and keys engines over the in-memory backend (a fresh, a miswired and a wired
//! stack). Whole-screen snapshots at 120×40 with a fixed clock, plus checks on the effects
//! (tasks started, never in read-only mode) and on masking.

use crate::tui_common;
use crate::tui_integrations_support;

use k8s_nas::integrate::EdgeState;
use k8s_nas::tui::panes::plan_text;
use k8s_nas::tui::theme::Role;
use k8s_nas::tui::{Effect, Msg, TaskOutcome, TaskRequest, Theme};
use tui_common::*;
use tui_integrations_support::*;

#[test]
fn entering_plans_once_and_r_plans_again() {
    let mut h = Harness::healthy();
    let fx = h.press(":graph<enter>");
    assert_eq!(tasks(&fx), [TaskRequest::PlanIntegrations]);
    // Leaving and coming back while the plan runs does not start a second one.
    h.press("<esc>");
    assert!(tasks(&h.press(":integrations<enter>")).is_empty());
    let id = plan_task(&fx).unwrap();
    h.feed(Msg::Integrations(Box::new(fresh_view())));
    h.feed(Msg::TaskDone {
        id,
        outcome: TaskOutcome::Succeeded("planned".into()),
    });
    h.press("<esc>");
    assert!(
        tasks(&h.press(":int<enter>")).is_empty(),
        "a loaded view is not re-planned on entry"
    );
    assert_eq!(tasks(&h.press("r")), [TaskRequest::PlanIntegrations]);
    assert!(tasks(&h.press("r")).is_empty(), "one plan at a time");
}

#[test]
fn fresh_stack_is_all_missing() {
    let v = fresh_view();
    assert!(v
        .plan
        .edges
        .iter()
        .all(|e| e.state != EdgeState::Configured));
    let mut h = integrations(false, v);
    let frame = h.frame();
    assert!(!frame.contains('✔') || frame.contains("✔ 0 "), "{frame}");
    assert_masked(&frame);
    // The first row carries the cursor; the others their state's colour.
    assert_eq!(
        h.style_of("✘ Sonarr → qBittorrent").map(|s| s.bg),
        Some(Theme::builtin_default().style(Role::TableCursor).bg)
    );
    assert_eq!(
        h.style_of("✘ Radarr → qBittorrent").map(|s| s.fg),
        Some(Theme::builtin_default().style(Role::Error).fg)
    );
    insta::assert_snapshot!("integrations_fresh", frame);
}

#[test]
fn miswired_stack_shows_each_drift_with_its_reason() {
    let mut h = integrations(false, miswired_view());
    let frame = h.frame();
    assert!(
        frame.contains("Prowlarr → Sonarr uses http://sonarr:8989 but Sonarr serves /sonarr"),
        "{frame}"
    );
    assert!(frame.contains("could not read Lidarr"), "{frame}");
    let theme = Theme::builtin_default();
    assert_eq!(
        h.style_of("⚠ Prowlarr → Sonarr").map(|s| s.fg),
        Some(theme.style(Role::Warn).fg)
    );
    assert_eq!(
        h.style_of("? Lidarr → qBittorrent").map(|s| s.fg),
        Some(theme.style(Role::Muted).fg)
    );
    assert_eq!(
        h.style_of("✔ Radarr → qBittorrent").map(|s| s.fg),
        Some(theme.style(Role::Ok).fg)
    );
    assert_masked(&frame);
    insta::assert_snapshot!("integrations_miswired", frame);
}

#[test]
fn wired_stack_is_all_configured() {
    let v = wired_view();
    assert!(v
        .plan
        .edges
        .iter()
        .all(|e| e.state == EdgeState::Configured));
    let mut h = integrations(false, v);
    let frame = h.frame();
    assert!(!frame.contains('✘') || frame.contains("✘ 0 "), "{frame}");
    insta::assert_snapshot!("integrations_wired", frame);
}

fn cursor_to(h: &mut Harness, edge_id: &str) {
    let pos = h
        .integrations()
        .edges()
        .iter()
        .position(|e| e.id == edge_id)
        .unwrap();
    h.press("g");
    for _ in 0..pos {
        h.press("j");
    }
}

#[test]
fn edge_detail_shows_current_vs_desired_masked() {
    let mut h = integrations(false, miswired_view());
    cursor_to(&mut h, PROWLARR_SONARR);
    h.press("<enter>");
    let frame = h.frame();
    assert!(
        frame.contains("http://sonarr.media.svc.cluster.local:8989/sonarr"),
        "{frame}"
    );
    assert!(
        frame.contains("update application Sonarr in Prowlarr"),
        "{frame}"
    );
    assert_masked(&frame);
    insta::assert_snapshot!("integrations_edge_detail", frame);

    // The qBittorrent edge with the emptied password: the diff says so, masked.
    h.press("<esc>");
    cursor_to(
        &mut h,
        "download-client:media/sonarr->qbittorrent/qbittorrent",
    );
    h.press("<enter>");
    let frame = h.frame();
    assert!(frame.contains("(empty)"), "{frame}");
    assert!(
        frame.contains("does not resolve from namespace media"),
        "{frame}"
    );
    assert_masked(&frame);
}

#[test]
fn plan_diff_lists_creates_and_updates_field_by_field() {
    let mut h = integrations(false, fresh_view());
    h.press("p");
    let frame = h.frame();
    assert!(
        frame.contains("+ create download client qBittorrent in Sonarr"),
        "{frame}"
    );
    insta::assert_snapshot!("integrations_plan_diff", frame);
    // Every line of the diff, not only the visible page, is masked.
    for v in [fresh_view(), miswired_view()] {
        let mut h = integrations(false, v);
        h.press("p");
        let text: String = plan_text::plan_lines(h.integrations().view.as_ref(), &h.app.theme)
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(text.contains('~') || text.contains('+'), "{text}");
        assert_masked(&text);
    }
}

#[test]
fn field_rows_never_carry_secret_values() {
    for v in [fresh_view(), miswired_view(), wired_view()] {
        assert_eq!(v.fields.len(), 17);
        assert_masked(&format!("{:?}", v.fields));
        assert_masked(&format!("{:?}", v.plan));
    }
    // A secret field the app returns in clear (Bazarr, Jellyseerr) is shown masked.
    let v = wired_view();
    let rows = &v.fields["bazarr-sonarr:media/bazarr->media/sonarr"];
    let key = rows.iter().find(|r| r.name == "sonarr.apikey").unwrap();
    assert_eq!((key.current.as_str(), key.differs), ("••••••••", false));
}

#[test]
fn apply_asks_first_with_focus_on_cancel() {
    let mut h = integrations(false, miswired_view());
    let writes = h.integrations().view.as_ref().unwrap().plan.writes();
    assert!(writes > 0);
    assert!(h.press("a").is_empty());
    let frame = h.frame();
    assert!(frame.contains(&format!("Apply {writes} write")), "{frame}");
    assert_masked(&frame);
    insta::assert_snapshot!("integrations_apply_confirm", frame);

    // enter on the default focus cancels; nothing starts.
    assert!(h.press("<enter>").is_empty());
    assert!(h.app.modal.is_none());
    // q inside the dialog does not quit; y confirms.
    h.press("a");
    assert!(h.press("q").is_empty());
    assert!(!h.app.quit);
    assert_eq!(tasks(&h.press("y")), [TaskRequest::ApplyIntegrations]);
    // tab to the Apply button, enter confirms; also from the plan diff.
    h.press("p");
    h.press("a<tab>");
    assert_eq!(tasks(&h.press("<enter>")), [TaskRequest::ApplyIntegrations]);
}

#[test]
fn nothing_to_apply_on_a_wired_stack() {
    let mut h = integrations(false, wired_view());
    assert!(h.press("a").is_empty());
    assert!(h.app.modal.is_none());
    assert!(h.frame().contains("nothing to apply"));
}

#[test]
fn test_all_and_sync_indexers() {
    let mut h = integrations(false, wired_view());
    assert_eq!(tasks(&h.press("t")), [TaskRequest::TestIntegrations]);
    assert!(h.press("s").is_empty(), "sync asks first");
    let frame = h.frame();
    assert!(frame.contains("ApplicationIndexerSync"), "{frame}");
    assert!(
        frame.contains("✔ Prowlarr → Sonarr: gets the indexers"),
        "{frame}"
    );
    assert_eq!(tasks(&h.press("y")), [TaskRequest::SyncIndexers]);
    // Progress goes to the Tasks pane under the task's title.
    let id = h
        .effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::RunTask { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    h.feed(Msg::TaskProgress(k8s_nas::tui::TaskProgress {
        id,
        title: "sync indexers".into(),
        stage: "ApplicationIndexerSync".into(),
        step: 1,
        steps: 2,
        lines: vec!["Prowlarr: command queued".into()],
        units: None,
        log: None,
    }));
    h.press(":tasks<enter>");
    let frame = h.frame();
    assert!(frame.contains("sync indexers"), "{frame}");
    assert!(frame.contains("ApplicationIndexerSync 1/2"), "{frame}");
}

#[test]
fn selection_survives_a_replan() {
    let mut h = integrations(false, miswired_view());
    cursor_to(&mut h, PROWLARR_SONARR);
    h.feed(Msg::Integrations(Box::new(wired_view())));
    assert_eq!(
        h.integrations().selected_edge().map(|e| e.id.as_str()),
        Some(PROWLARR_SONARR)
    );
}

#[test]
fn readonly_has_no_apply_or_sync() {
    let mut h = integrations(true, miswired_view());
    let frame = h.frame();
    assert!(!frame.contains("<a>"), "{frame}");
    assert!(!frame.contains("<s>"), "{frame}");
    assert!(frame.contains("<t> test all"), "{frame}");
    insta::assert_snapshot!("integrations_readonly", frame);
    assert!(h.press("a").is_empty());
    assert!(h.press("s").is_empty());
    assert!(h.app.modal.is_none());
    assert_eq!(tasks(&h.press("t")), [TaskRequest::TestIntegrations]);
    h.press("p");
    assert!(h.press("a").is_empty());
    assert!(h.app.modal.is_none());

    let mut k = keys_harness(true);
    let frame = k.frame();
    assert!(!frame.contains("<S>"), "{frame}");
    assert!(k.press("S").is_empty());
    assert!(k.app.modal.is_none());
}

// ── keys ──────────────────────────────────────────────────────────────────────────────────

#[test]
fn keys_pane_shows_verdicts_and_drift() {
    let mut h = keys_harness(false);
    let frame = h.frame();
    assert!(frame.contains("SONARR_API_KEY differs"), "{frame}");
    assert!(frame.contains("LIDARR_API_KEY empty in Secret"), "{frame}");
    assert!(
        frame.contains("PROWLARR_API_KEY missing in Secret"),
        "{frame}"
    );
    assert!(frame.contains("wrong URL base"), "{frame}");
    let theme = Theme::builtin_default();
    assert_eq!(
        h.style_of("RADARR_API_KEY in sync").map(|s| s.fg),
        Some(theme.style(Role::Ok).fg)
    );
    assert_eq!(
        h.style_of("PROWLARR_API_KEY missing").map(|s| s.fg),
        Some(theme.style(Role::Error).fg)
    );
    assert_no_keys(&frame);
    insta::assert_snapshot!("keys_drift", frame);
    // `r` checks again; not while a check runs.
    assert_eq!(tasks(&h.press("r")), [TaskRequest::CheckKeys]);
    assert!(tasks(&h.press("r")).is_empty());
}

#[test]
fn keys_sync_confirms_with_the_masked_per_key_diff() {
    let mut h = keys_harness(false);
    assert!(h.press("S").is_empty());
    let frame = h.frame();
    assert!(
        frame.contains("SONARR_API_KEY: differs → will be updated"),
        "{frame}"
    );
    assert!(
        frame.contains("BAZARR_API_KEY: in sync → untouched"),
        "{frame}"
    );
    assert!(frame.contains("Write 3 keys"), "{frame}");
    assert_no_keys(&frame);
    insta::assert_snapshot!("keys_sync_confirm", frame);
    assert!(h.press("n").is_empty());
    assert!(h.frame().contains("cancelled: nothing written"));
    h.press("S");
    assert_eq!(tasks(&h.press("y")), [TaskRequest::SyncKeys]);
}

#[test]
fn keys_in_sync_need_no_dialog() {
    let mut h = keys_harness(false);
    let mut v = keys_view();
    for r in &mut v.rows {
        if let Some(d) = r.drift.as_mut() {
            d.state = k8s_nas::keys::KeyDriftState::InSync;
        }
    }
    h.feed(Msg::Keys(Box::new(v)));
    assert!(h.press("S").is_empty());
    assert!(h.app.modal.is_none());
    assert!(h.frame().contains("nothing to write"));
}

#[test]
fn task_titles_and_mutation_flags() {
    use TaskRequest::*;
    for (r, title, mutating) in [
        (PlanIntegrations, "integrate plan", false),
        (ApplyIntegrations, "integrate apply", true),
        (TestIntegrations, "test integrations", false),
        (SyncIndexers, "sync indexers", true),
        (CheckKeys, "check keys", false),
        (SyncKeys, "sync keys", true),
    ] {
        assert_eq!(r.title(), title);
        assert_eq!(r.is_mutating(), mutating, "{title}");
    }
}

#[test]
fn a_confirm_list_that_does_not_fit_says_how_many_more() {
    let mut h = integrations(false, fresh_view());
    h.resize(80, 24);
    let lines = plan_text::apply_summary(&h.integrations().view.as_ref().unwrap().plan);
    assert!(lines.len() > 12, "{} lines", lines.len());
    assert!(h.press("a").is_empty());
    let frame = h.frame();
    // Body 21 rows at 80×24 (the header collapses to 2 lines): 16 rows for the list, the
    // last one counting the rest.
    let more = format!("… and {} more", lines.len() - 15);
    assert!(frame.contains(&more), "{more} {frame}");
    assert!(
        frame.contains("[ Cancel ]") && frame.contains("y confirm"),
        "{frame}"
    );
    insta::assert_snapshot!("integrations_apply_confirm_80x24", frame);
    // Scrolling shows the rest; nothing is ever cut silently.
    for _ in 0..lines.len() {
        h.press("j");
    }
    let frame = h.frame();
    let last = &lines.last().unwrap().0;
    assert!(frame.contains(&last[..30.min(last.len())]), "{frame}");
    assert!(frame.contains("more above"), "{frame}");
    assert_eq!(tasks(&h.press("y")), [TaskRequest::ApplyIntegrations]);
}
