//! The Integrations and Keys panes, driven by keys through `update`, with views built from the
//! integrate and keys engines over the in-memory backend (a fresh, a miswired and a wired
//! stack). Whole-screen snapshots at 120×40 with a fixed clock, plus checks on the effects
//! (tasks started, never in read-only mode) and on masking.

mod integrate_support;
mod tui_common;

use integrate_support::*;
use k8s_nas::integrate::fixtures::target_inventory;
use k8s_nas::integrate::*;
use k8s_nas::keys::{compare, AppKeyObservation, KeyVerdict, SecretTarget};
use k8s_nas::model::{AppError, AppErrorKind, AppKind, HealthIssue, IssueLevel, Secret, ServiceId};
use k8s_nas::tui::panes::plan_text;
use k8s_nas::tui::views::{
    field_rows, HealthNote, IndexerCount, IntegrationsView, KeyRow, KeysView, RootFolderInfo,
};
use k8s_nas::tui::{Effect, Msg, TaskId, TaskOutcome, TaskRequest, Theme};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tui_common::*;

type Currents = BTreeMap<String, Result<Current, AppError>>;

fn resolution() -> Resolution {
    resolve(&Desired::default(), &target_inventory(), &secrets())
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn read_all(nas: &FakeNas, res: &Resolution) -> Currents {
    block_on(async {
        let mut out = BTreeMap::new();
        for e in &res.edges {
            out.insert(e.id.clone(), nas.read(e).await);
        }
        out
    })
}

/// A NAS whose Jellyseerr went through its setup wizard by hand (as in the apply tests).
fn nas_with_jellyfin() -> FakeNas {
    let nas = FakeNas::new();
    nas.state.lock().unwrap().seerr_jellyfin = json!({"name": "NAS", "ip": "jellyfin",
        "port": 8096, "useSsl": false, "urlBase": "/jellyfin", "apiKey": "jf-key"});
    nas
}

fn wired_nas() -> FakeNas {
    let nas = nas_with_jellyfin();
    let res = resolution();
    let report = block_on(apply(
        &nas,
        &res.edges,
        ApplyOptions {
            prune: false,
            test: true,
        },
        &|_| {},
    ));
    assert!(report.all_verified(), "{:#?}", report.findings());
    nas
}

fn view(res: &Resolution, currents: &Currents) -> IntegrationsView {
    let mut v = IntegrationsView::new(plan(res, currents, false), ago(4));
    for e in &res.edges {
        if let Some(c) = currents.get(&e.id) {
            v.fields.insert(e.id.clone(), field_rows(e, c.as_ref()));
        }
    }
    v
}

fn sid(s: &str) -> ServiceId {
    ServiceId(s.to_string())
}

fn note(svc: &str, kind: AppKind, level: IssueLevel, source: &str, msg: &str) -> HealthNote {
    HealthNote {
        service: sid(svc),
        kind,
        issue: HealthIssue {
            source: source.into(),
            level,
            message: msg.into(),
            wiki_url: None,
        },
    }
}

fn indexers(n: [u32; 3]) -> Vec<IndexerCount> {
    [
        ("media/sonarr", AppKind::Sonarr),
        ("media/radarr", AppKind::Radarr),
        ("media/lidarr", AppKind::Lidarr),
    ]
    .iter()
    .zip(n)
    .map(|((s, k), c)| IndexerCount {
        service: sid(s),
        kind: *k,
        count: Ok(c),
    })
    .collect()
}

fn folder(svc: &str, kind: AppKind, path: &str, ok: bool, free: u64) -> RootFolderInfo {
    RootFolderInfo {
        service: sid(svc),
        kind,
        path: path.into(),
        accessible: ok,
        free_space: Some(free),
    }
}

fn fresh_view() -> IntegrationsView {
    let res = resolution();
    let mut v = view(&res, &read_all(&FakeNas::new(), &res));
    v.indexers = indexers([0, 0, 0]);
    v.health = vec![
        note(
            "media/sonarr",
            AppKind::Sonarr,
            IssueLevel::Warning,
            "DownloadClientCheck",
            "No download client is available",
        ),
        note(
            "media/sonarr",
            AppKind::Sonarr,
            IssueLevel::Warning,
            "IndexerSearchCheck",
            "No indexers available with Automatic Search enabled, Sonarr will not provide any automatic search results",
        ),
        note(
            "media/radarr",
            AppKind::Radarr,
            IssueLevel::Warning,
            "DownloadClientCheck",
            "No download client is available",
        ),
    ];
    v
}

const TB: u64 = 1_000_000_000_000;

fn wired_side(v: &mut IntegrationsView) {
    v.indexers = indexers([12, 12, 9]);
    v.root_folders = vec![
        folder(
            "media/sonarr",
            AppKind::Sonarr,
            "/data/media/tv",
            true,
            2 * TB,
        ),
        folder(
            "media/radarr",
            AppKind::Radarr,
            "/data/media/movies",
            true,
            2 * TB,
        ),
        folder(
            "media/lidarr",
            AppKind::Lidarr,
            "/data/media/music",
            true,
            2 * TB,
        ),
    ];
}

fn wired_view() -> IntegrationsView {
    let res = resolution();
    let mut v = view(&res, &read_all(&wired_nas(), &res));
    wired_side(&mut v);
    v
}

const PROWLARR_SONARR: &str = "prowlarr-app:media/prowlarr->media/sonarr";

fn set_field(item: &mut Value, name: &str, value: Value) {
    for f in item["fields"].as_array_mut().unwrap() {
        if f["name"] == name {
            f["value"] = value.clone();
        }
    }
}

/// The target cluster's real mistakes on a wired stack: Prowlarr reaches Sonarr without its URL
/// base, Sonarr's qBittorrent entry uses a short name from another namespace and lost its
/// password, and Lidarr does not answer.
fn miswired_view() -> IntegrationsView {
    let nas = wired_nas();
    {
        let mut s = nas.state.lock().unwrap();
        let prowlarr = s.providers.get_mut(&sid("media/prowlarr")).unwrap();
        let app = prowlarr
            .iter_mut()
            .find(|a| a["implementation"] == "Sonarr")
            .unwrap();
        set_field(app, "baseUrl", json!("http://sonarr:8989"));
        let sonarr = s.providers.get_mut(&sid("media/sonarr")).unwrap();
        let qbt = sonarr
            .iter_mut()
            .find(|a| a["implementation"] == "QBittorrent")
            .unwrap();
        set_field(qbt, "host", json!("qbittorrent"));
        set_field(qbt, "password", json!(""));
    }
    let res = resolution();
    let mut currents = read_all(&nas, &res);
    for e in res
        .edges
        .iter()
        .filter(|e| e.from.as_str() == "media/lidarr")
    {
        currents.insert(
            e.id.clone(),
            Err(AppError::new(
                AppErrorKind::Unreachable,
                "connection refused (no ready endpoints)",
            )),
        );
    }
    let mut v = view(&res, &currents);
    wired_side(&mut v);
    v.indexers[2].count = Err("Lidarr unreachable".into());
    v.root_folders.pop();
    v.health = vec![note(
        "media/sonarr",
        AppKind::Sonarr,
        IssueLevel::Error,
        "DownloadClientCheck",
        "Unable to communicate with qBittorrent. Failed to connect to qbittorrent:8080",
    )];
    v
}

/// Open `:integrations`, answer the plan task with `v`, finish the task.
fn integrations(readonly: bool, v: IntegrationsView) -> Harness {
    let mut h = if readonly {
        let mut h = Harness::new(true);
        h.feed(Msg::Cluster(Box::new(healthy_view())));
        h
    } else {
        Harness::healthy()
    };
    let fx = h.press(":int<enter>");
    let id = plan_task(&fx).expect("entering the pane plans");
    h.feed(Msg::Integrations(Box::new(v)));
    h.feed(Msg::TaskDone {
        id,
        outcome: TaskOutcome::Succeeded("17 edges read".into()),
    });
    h.feed(Msg::Tick(now()));
    h
}

fn plan_task(fx: &[Effect]) -> Option<TaskId> {
    fx.iter().find_map(|e| match e {
        Effect::RunTask {
            id,
            request: TaskRequest::PlanIntegrations,
        } => Some(*id),
        _ => None,
    })
}

fn requests(fx: &[Effect]) -> Vec<TaskRequest> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::RunTask { request, .. } => Some(request.clone()),
            _ => None,
        })
        .collect()
}

const SECRETS: [&str; 5] = [SONARR_KEY, RADARR_KEY, LIDARR_KEY, SAB_KEY, QBT_PASSWORD];

fn assert_masked(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "secret {s} on screen:\n{text}");
    }
}

#[test]
fn entering_plans_once_and_r_plans_again() {
    let mut h = Harness::healthy();
    let fx = h.press(":graph<enter>");
    assert_eq!(requests(&fx), [TaskRequest::PlanIntegrations]);
    // Leaving and coming back while the plan runs does not start a second one.
    h.press("<esc>");
    assert!(requests(&h.press(":integrations<enter>")).is_empty());
    let id = plan_task(&fx).unwrap();
    h.feed(Msg::Integrations(Box::new(fresh_view())));
    h.feed(Msg::TaskDone {
        id,
        outcome: TaskOutcome::Succeeded("planned".into()),
    });
    h.press("<esc>");
    assert!(
        requests(&h.press(":int<enter>")).is_empty(),
        "a loaded view is not re-planned on entry"
    );
    assert_eq!(requests(&h.press("r")), [TaskRequest::PlanIntegrations]);
    assert!(requests(&h.press("r")).is_empty(), "one plan at a time");
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
        Some(Theme::builtin_default().style("table.cursor").bg)
    );
    assert_eq!(
        h.style_of("✘ Radarr → qBittorrent").map(|s| s.fg),
        Some(Theme::builtin_default().style("error").fg)
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
        Some(theme.style("warn").fg)
    );
    assert_eq!(
        h.style_of("? Lidarr → qBittorrent").map(|s| s.fg),
        Some(theme.style("muted").fg)
    );
    assert_eq!(
        h.style_of("✔ Radarr → qBittorrent").map(|s| s.fg),
        Some(theme.style("ok").fg)
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
        .app
        .integrations
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
        let text: String = plan_text::plan_lines(&h.app, &h.app.theme)
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(text.contains('~') || text.contains('+'), "{text}");
        assert_masked(&text);
    }
}

#[test]
fn apply_asks_first_with_focus_on_cancel() {
    let mut h = integrations(false, miswired_view());
    let writes = h.app.integrations.view.as_ref().unwrap().plan.writes();
    assert!(writes > 0);
    assert!(h.press("a").is_empty());
    let frame = h.frame();
    assert!(frame.contains(&format!("Apply {writes} write")), "{frame}");
    assert_masked(&frame);
    insta::assert_snapshot!("integrations_apply_confirm", frame);

    // enter on the default focus cancels; nothing starts.
    assert!(h.press("<enter>").is_empty());
    assert!(h.app.confirm.is_none());
    // q inside the dialog does not quit; y confirms.
    h.press("a");
    assert!(h.press("q").is_empty());
    assert!(!h.app.quit);
    assert_eq!(requests(&h.press("y")), [TaskRequest::ApplyIntegrations]);
    // tab to the Apply button, enter confirms; also from the plan diff.
    h.press("p");
    h.press("a<tab>");
    assert_eq!(
        requests(&h.press("<enter>")),
        [TaskRequest::ApplyIntegrations]
    );
}

#[test]
fn nothing_to_apply_on_a_wired_stack() {
    let mut h = integrations(false, wired_view());
    assert!(h.press("a").is_empty());
    assert!(h.app.confirm.is_none());
    assert!(h.frame().contains("nothing to apply"));
}

#[test]
fn test_all_and_sync_indexers() {
    let mut h = integrations(false, wired_view());
    assert_eq!(requests(&h.press("t")), [TaskRequest::TestIntegrations]);
    assert!(h.press("s").is_empty(), "sync asks first");
    let frame = h.frame();
    assert!(frame.contains("ApplicationIndexerSync"), "{frame}");
    assert!(
        frame.contains("✔ Prowlarr → Sonarr: gets the indexers"),
        "{frame}"
    );
    assert_eq!(requests(&h.press("y")), [TaskRequest::SyncIndexers]);
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
        h.app.integrations.selected_edge().map(|e| e.id.as_str()),
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
    assert!(h.app.confirm.is_none());
    assert_eq!(requests(&h.press("t")), [TaskRequest::TestIntegrations]);
    h.press("p");
    assert!(h.press("a").is_empty());
    assert!(h.app.confirm.is_none());

    let mut k = keys_harness(true);
    let frame = k.frame();
    assert!(!frame.contains("<S>"), "{frame}");
    assert!(k.press("S").is_empty());
    assert!(k.app.confirm.is_none());
}

// ── keys ──────────────────────────────────────────────────────────────────────────────────

const BAZARR_KEY: &str = "b4z4rrb4z4rrb4z4rrb4z4rrb4z4rr00";
const PROWLARR_KEY: &str = "9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a";

fn keys_view() -> KeysView {
    let target = SecretTarget::default();
    // The Secret as the user's script left it: Sonarr stale, Lidarr blanked, Prowlarr dropped.
    let secret: BTreeMap<String, Secret> = [
        ("SONARR_API_KEY", "00000000000000000000000000000000"),
        ("RADARR_API_KEY", RADARR_KEY),
        ("LIDARR_API_KEY", ""),
        ("BAZARR_API_KEY", BAZARR_KEY),
        ("SABNZBD_API_KEY", SAB_KEY),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Secret::new(v)))
    .collect();
    let apps = [
        ("media/sonarr", AppKind::Sonarr, Ok(SONARR_KEY)),
        ("media/radarr", AppKind::Radarr, Ok(RADARR_KEY)),
        ("media/lidarr", AppKind::Lidarr, Ok(LIDARR_KEY)),
        ("media/prowlarr", AppKind::Prowlarr, Ok(PROWLARR_KEY)),
        ("media/bazarr", AppKind::Bazarr, Ok(BAZARR_KEY)),
        ("media/sabnzbd", AppKind::Sabnzbd, Ok(SAB_KEY)),
        (
            "media/jellyseerr",
            AppKind::Jellyseerr,
            Err("settings.json not readable on this node (run on the node or pass --key)"),
        ),
    ];
    let obs: Vec<AppKeyObservation> = apps
        .iter()
        .map(|(s, k, key)| AppKeyObservation {
            service: sid(s),
            kind: *k,
            key: key.map(Secret::new).map_err(String::from),
        })
        .collect();
    let drift = compare(&target, &secret, &obs);
    let location = |s: &str, k: AppKind| -> Result<String, String> {
        let name = s.trim_start_matches("media/");
        match k {
            AppKind::Sabnzbd => Ok("node:/var/lib/rancher/k3s/storage/pvc-sabnzbd-config_media_sabnzbd-config/sabnzbd.ini [misc] api_key".into()),
            AppKind::Bazarr => Ok("node:/var/lib/rancher/k3s/storage/pvc-bazarr-config_media_bazarr-config/config/config.yaml auth.apikey".into()),
            AppKind::Jellyseerr => Err("settings.json not readable on this node".into()),
            _ => Ok(format!("node:/mnt/data/configs/{name}/config.xml <ApiKey>")),
        }
    };
    let verdict = |k: AppKind| match k {
        AppKind::Lidarr => Some(KeyVerdict::WrongUrlBase {
            location: "/lidarr/api/v1/system/status".into(),
        }),
        AppKind::Sabnzbd => Some(KeyVerdict::Unreachable {
            detail: "connection refused".into(),
        }),
        AppKind::Jellyseerr => None,
        _ => Some(KeyVerdict::Valid),
    };
    let mut rows: Vec<KeyRow> = apps
        .iter()
        .map(|(s, k, _)| KeyRow {
            service: sid(s),
            kind: *k,
            location: location(s, *k),
            verdict: verdict(*k),
            drift: drift.iter().find(|d| d.kind == *k).cloned(),
        })
        .collect();
    rows.push(KeyRow {
        service: sid("media/jellyfin"),
        kind: AppKind::Jellyfin,
        location: Ok("created through the API (k8s-nas)".into()),
        verdict: Some(KeyVerdict::Rejected {
            detail: "401 Unauthorized".into(),
        }),
        drift: None,
    });
    KeysView {
        secret: target.display(),
        secret_exists: true,
        rows,
        fetched_at: ago(2),
        error: None,
    }
}

fn keys_harness(readonly: bool) -> Harness {
    let mut h = Harness::new(readonly);
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    let fx = h.press(":keys<enter>");
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::RunTask {
                id,
                request: TaskRequest::CheckKeys,
            } => Some(*id),
            _ => None,
        })
        .expect("entering :keys checks keys");
    h.feed(Msg::Keys(Box::new(keys_view())));
    h.feed(Msg::TaskDone {
        id,
        outcome: TaskOutcome::Succeeded("8 apps checked".into()),
    });
    h.feed(Msg::Tick(now()));
    h
}

fn assert_no_keys(text: &str) {
    assert_masked(text);
    for s in [BAZARR_KEY, PROWLARR_KEY, "00000000000000000000000000000000"] {
        assert!(!text.contains(s), "key {s} on screen:\n{text}");
    }
}

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
        Some(theme.style("ok").fg)
    );
    assert_eq!(
        h.style_of("PROWLARR_API_KEY missing").map(|s| s.fg),
        Some(theme.style("error").fg)
    );
    assert_no_keys(&frame);
    insta::assert_snapshot!("keys_drift", frame);
    // `r` checks again; not while a check runs.
    assert_eq!(requests(&h.press("r")), [TaskRequest::CheckKeys]);
    assert!(requests(&h.press("r")).is_empty());
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
    assert_eq!(requests(&h.press("y")), [TaskRequest::SyncKeys]);
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
    assert!(h.app.confirm.is_none());
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
