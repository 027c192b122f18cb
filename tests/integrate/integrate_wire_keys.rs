//! Key verification through the clients against the simulators, with the apps' URL bases:
//! valid, rejected (401/403), wrong URL base (redirect to the prefixed path), unreachable.
//! And Prowlarr's indexer sync after a fresh apply, waited for to completion.

use crate::support;

use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::integrate::live;
use k8s_nas::keys::live::{verify_all, verify_key};
use k8s_nas::keys::KeyVerdict;
use k8s_nas::model::{AppKind, Secret};
use k8s_nas::sim::apps::Seed;
use std::collections::BTreeMap;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_verified_with_the_url_base() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Wired, |_| {}).await;
    let eps = stack.endpoints();
    let key = |k: AppKind| Secret::new(stack.world.app_keys[&k].clone());
    let bad = Secret::new("ffffffffffffffffffffffffffffffff");

    // Every keyed app accepts its own key at its URL base.
    let services: Vec<_> = stack
        .inventory
        .services
        .iter()
        .filter(|s| s.kind != AppKind::Qbittorrent)
        .collect();
    let keys: BTreeMap<_, _> = services
        .iter()
        .map(|s| (s.id.clone(), (key(s.kind), "world".to_string())))
        .collect();
    let checks = verify_all(&services, &eps, &keys).await;
    assert_eq!(checks.len(), 8);
    for c in &checks {
        assert_eq!(
            c.verdict,
            KeyVerdict::Valid,
            "{}: {:?}",
            c.service,
            c.verdict
        );
    }

    // Rejected: Servarr answers 401, SABnzbd and Jellyseerr 403.
    for kind in [
        AppKind::Sonarr,
        AppKind::Sabnzbd,
        AppKind::Jellyseerr,
        AppKind::Bazarr,
    ] {
        let ep = &eps[&stack.id(kind)];
        let v = verify_key(kind, ep, &bad).await;
        assert!(matches!(v, KeyVerdict::Rejected { .. }), "{kind}: {v:?}");
    }

    // Wrong URL base: Sonarr serves /sonarr and redirects there.
    let sonarr = &eps[&stack.id(AppKind::Sonarr)];
    let no_base = sonarr.with_url_base("");
    match verify_key(AppKind::Sonarr, &no_base, &key(AppKind::Sonarr)).await {
        KeyVerdict::WrongUrlBase { location } => {
            assert!(location.starts_with("/sonarr"), "{location}")
        }
        other => panic!("expected wrong URL base, got {other:?}"),
    }

    // Unreachable: nothing listens there.
    let port = support::qbit_real::free_port();
    let gone = AppEndpoint::direct(format!("http://127.0.0.1:{port}"), "/radarr")
        .with_timeout(Duration::from_secs(2));
    let v = verify_key(AppKind::Radarr, &gone, &key(AppKind::Radarr)).await;
    assert_eq!(v.label(), "unreachable", "{v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexer_sync_after_fixing_the_url_bases_fills_the_apps() {
    k8s_nas::init_tls();
    // Miswired: Prowlarr has indexers, but its applications lack the URL bases, so Sonarr
    // never got any.
    let stack = support::stack::start(Seed::Miswired, |_| {}).await;
    let live = stack.live();
    let sonarr = stack.id(AppKind::Sonarr);
    let prowlarr = stack.id(AppKind::Prowlarr);
    let count = |p: &live::LivePlan, id: &k8s_nas::model::ServiceId| {
        p.extras
            .indexers
            .iter()
            .find(|i| &i.app == id)
            .map(|i| i.count)
            .expect("indexer count")
    };
    let before = live::read_plan(&live).await;
    assert!(
        count(&before, &prowlarr) > 0,
        "Prowlarr has indexers to push"
    );
    assert_eq!(count(&before, &sonarr), 0);

    assert!(live::apply(&live, &|_| {}).await.all_verified());
    live::sync_indexers(&live)
        .await
        .expect("ApplicationIndexerSync completes");
    let after = live::read_plan(&live).await;
    assert!(count(&after, &sonarr) > 0, "{:?}", after.extras.indexers);

    // Prowlarr failing: the sync reports why instead of waiting forever.
    stack
        .app(AppKind::Prowlarr)
        .faults
        .update(|f| f.status_500 = true);
    let e = live::sync_indexers(&live).await.unwrap_err();
    assert!(e.detail.contains("500"), "{}", e.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_report_shows_the_stale_secret_key_and_the_sync_that_fixes_it() {
    use k8s_nas::keys::live::keys_report;
    use k8s_nas::keys::{decode_secret, AppKeyObservation, KeyDriftState, SecretTarget};
    use k8s_nas::sim::scenario::Scenario;
    k8s_nas::init_tls();
    let mut stack = support::stack::start(Seed::Miswired, |_| {}).await;
    Scenario::Miswired.edit_world(&mut stack.world);
    let target = SecretTarget::default();
    let obj = stack
        .world
        .get("Secret", "media", "starr-secrets")
        .expect("starr-secrets")
        .clone();
    let secret = decode_secret(&serde_json::from_value(obj).expect("Secret"));
    // The apps' own keys, as read from their config files.
    let observed: Vec<_> = stack
        .inventory
        .services
        .iter()
        .filter(|s| k8s_nas::keys::key_file(s.kind).is_some())
        .map(|s| {
            let o = AppKeyObservation {
                service: s.id.clone(),
                kind: s.kind,
                key: Ok(Secret::new(stack.world.app_keys[&s.kind].clone())),
            };
            (o, Some(format!("{} config file", s.kind)))
        })
        .collect();
    let r = keys_report(
        &stack.inventory,
        &stack.endpoints(),
        &target,
        &secret,
        true,
        &observed,
    )
    .await;
    let radarr = stack.id(AppKind::Radarr);
    for d in &r.drift {
        let want = if d.service == radarr {
            KeyDriftState::Differs
        } else {
            KeyDriftState::InSync
        };
        assert_eq!(d.state, want, "{}", d.service);
    }
    for c in &r.secret_checks {
        if c.service == radarr {
            assert!(
                matches!(c.verdict, KeyVerdict::Rejected { .. }),
                "{:?}",
                c.verdict
            );
        } else {
            assert_eq!(c.verdict, KeyVerdict::Valid, "{}", c.service);
        }
    }
    assert_eq!(
        r.app_checks.len(),
        1,
        "only the differing key is checked twice"
    );
    assert_eq!(r.app_checks[0].verdict, KeyVerdict::Valid);
    let sync = r.sync.expect("a sync");
    assert_eq!(sync.changes.len(), 1);
    assert_eq!(sync.changes[0].secret_key, "RADARR_API_KEY");
    let shown = format!("{:?} {}", sync, sync.changes[0]);
    assert!(
        !shown.contains(&stack.world.app_keys[&AppKind::Radarr]),
        "{shown}"
    );
}
