//! The target cluster's real mistakes (Seed::Miswired): the plan names each drift with its
//! reason, one apply fixes them, and the next plan is empty.

use crate::support;

use k8s_nas::integrate::live;
use k8s_nas::integrate::{EdgeKind, EdgeState};
use k8s_nas::model::AppKind;
use k8s_nas::sim::apps::Seed;
use k8s_nas::sim::scenario::Scenario;

/// What the miswired cluster's Secret holds for Radarr; Bazarr and Jellyseerr were wired from it.
const STALE_RADARR_KEY: &str = "0123456789abcdef0123456789abcdef";

fn reasons(p: &live::LivePlan, kind: EdgeKind, to: AppKind) -> Vec<String> {
    let e = p
        .plan
        .edges
        .iter()
        .find(|e| {
            e.kind == kind
                && p.resolution
                    .edges
                    .iter()
                    .any(|r| r.id == e.id && r.to_kind == to)
        })
        .unwrap_or_else(|| panic!("no {kind:?} edge to {to}"));
    match &e.state {
        EdgeState::Drift { reasons } => reasons.clone(),
        other => panic!("{}: expected drift, got {other:?}", e.label),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miswired_plan_explains_each_drift_and_apply_fixes_it() {
    k8s_nas::init_tls();
    let mut stack = support::stack::start(Seed::Miswired, |cfg| {
        if matches!(cfg.kind, AppKind::Bazarr | AppKind::Jellyseerr) {
            cfg.peer_keys
                .insert(AppKind::Radarr, STALE_RADARR_KEY.into());
        }
    })
    .await;
    Scenario::Miswired.edit_world(&mut stack.world);
    let live = stack.live();

    let p = live::read_plan(&live).await;
    let text = p.plan.render();
    eprintln!("{text}");
    assert_eq!(p.plan.exit_code(), 1);
    assert_eq!(p.writes, 0);

    // Prowlarr's applications lack the URL bases.
    let r = reasons(&p, EdgeKind::ProwlarrApp, AppKind::Sonarr).join("\n");
    assert!(r.contains("/sonarr"), "{r}");
    // Wrong download category.
    let r = reasons(&p, EdgeKind::DownloadClient, AppKind::Qbittorrent).join("\n");
    assert!(r.contains("tvCategory"), "{r}");
    // SABnzbd lacks the category Sonarr sends (Sonarr's own test would say so).
    let r = reasons(&p, EdgeKind::UsenetClient, AppKind::Sabnzbd).join("\n");
    assert!(r.contains("SABnzbd has no category tv"), "{r}");
    // Stale key: Bazarr and Jellyseerr use the key from the stale Secret, not Radarr's own.
    for kind in [EdgeKind::BazarrRadarr, EdgeKind::SeerrRadarr] {
        let r = reasons(&p, kind, AppKind::Radarr).join("\n");
        assert!(r.contains("differs from the key Radarr uses"), "{r}");
        assert!(!r.contains(STALE_RADARR_KEY), "keys never shown: {r}");
    }
    assert!(!text.contains(STALE_RADARR_KEY));
    // Nothing the console prints or serialises carries a key (Jellyseerr and Bazarr return
    // theirs in clear; the plan keeps them only for the wire).
    let json = serde_json::to_string(&p).expect("plan json");
    let debug = format!("{p:?} {live:?}");
    for key in stack
        .world
        .app_keys
        .values()
        .map(String::as_str)
        .chain([STALE_RADARR_KEY])
    {
        assert!(!json.contains(key), "a key in the plan JSON");
        assert!(!debug.contains(key), "a key in Debug output");
    }
    // The apps' own health says what is wrong with the wiring.
    assert!(!p.extras.health.is_empty(), "{:?}", p.extras);

    let report = live::apply(&live, &|_| {}).await;
    for o in &report.outcomes {
        assert!(o.verified(), "{}: {o:?}", o.label);
    }
    let after = live::read_plan(&live).await;
    assert!(after.plan.is_empty(), "{}", after.plan.render());
    for (id, r) in live::test_all(&live).await {
        assert!(r.is_ok(), "{id}: {r:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_made_entries_stay_unless_the_file_says_prune() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Miswired, |_| {}).await;
    let mut live = stack.live();
    let sonarr = stack.id(AppKind::Sonarr);
    let folders = |p: &live::LivePlan| -> Vec<String> {
        p.extras
            .root_folders
            .iter()
            .filter(|r| r.app == sonarr)
            .map(|r| r.path.clone())
            .collect()
    };

    // Sonarr's own /tv is not the file's /data/media/tv: a new folder is added, /tv stays.
    let p = live::read_plan(&live).await;
    assert!(p
        .plan
        .edges
        .iter()
        .flat_map(|e| &e.changes)
        .all(|c| !c.describe().starts_with("delete")));
    assert!(live::apply(&live, &|_| {}).await.all_verified());
    let p = live::read_plan(&live).await;
    assert_eq!(
        folders(&p),
        vec!["/tv".to_string(), "/data/media/tv".to_string()]
    );

    live.prune = true;
    let p = live::read_plan(&live).await;
    let deletes: Vec<String> = p
        .plan
        .edges
        .iter()
        .flat_map(|e| &e.changes)
        .map(|c| c.describe())
        .filter(|d| d.starts_with("delete"))
        .collect();
    assert!(
        deletes
            .iter()
            .any(|d| d.contains("root folder /tv in Sonarr")),
        "{deletes:?}"
    );
    let report = live::apply(&live, &|_| {}).await;
    assert!(report.all_verified(), "{:?}", report.findings());
    let p = live::read_plan(&live).await;
    assert_eq!(folders(&p), vec!["/data/media/tv".to_string()]);
    assert!(p.plan.is_empty(), "{}", p.plan.render());
}
