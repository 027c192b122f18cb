//! Issue 7: after an apply, a root folder that now fails beside the configured one (`/tv` not
//! accessible beside `/data/media/tv`) is offered for removal as a separate step: the plan
//! lists it, never among its writes (prune is off), and only the confirmed removal deletes it.

use crate::support;

use k8s_nas::integrate::live;
use k8s_nas::integrate::Change;
use k8s_nas::model::AppKind;
use k8s_nas::sim::apps::Seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_root_folders_are_offered_and_removed_only_when_asked() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Miswired, |_| {}).await;
    let live = stack.live();
    assert!(!live.prune());
    let _ = live::apply(&live, &|_| {}).await;

    let p = live::read_plan(&live).await;
    let sonarr = stack.id(AppKind::Sonarr);
    let stale: Vec<_> = p.plan.stale.iter().filter(|s| s.app == sonarr).collect();
    assert_eq!(stale.len(), 1, "{:?}", p.plan.stale);
    assert_eq!(stale[0].path, "/tv");
    // Not a write of the plan: apply alone never deletes it.
    assert!(!p
        .plan
        .edges
        .iter()
        .flat_map(|e| &e.changes)
        .any(|c| matches!(c, Change::Delete { .. })));
    let text = p.plan.render();
    assert!(text.contains("stale root folders"), "{text}");
    assert!(text.contains("✘ /tv in Sonarr"), "{text}");
    let _ = live::apply(&live, &|_| {}).await;
    let again = live::read_plan(&live).await;
    assert!(
        again.plan.stale.iter().any(|s| s.path == "/tv"),
        "apply without the separate step keeps it"
    );

    // The separate, confirmed step removes exactly these.
    let done = k8s_nas::integrate::stale::remove(
        &live.backend(),
        &again.resolution.edges,
        &again.plan.stale,
    )
    .await;
    assert!(done.iter().all(|(_, r)| r.is_ok()), "{done:?}");
    let after = live::read_plan(&live).await;
    assert!(after.plan.stale.is_empty(), "{:?}", after.plan.stale);
    assert!(!after
        .extras
        .root_folders
        .iter()
        .any(|r| r.app == sonarr && r.path == "/tv"));
    assert!(after
        .extras
        .root_folders
        .iter()
        .any(|r| r.app == sonarr && r.path == "/data/media/tv" && r.accessible));
}
