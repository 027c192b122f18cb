//! Fresh install → one apply wires every edge kind over real HTTP to the simulators, every edge
//! tests green; a second plan is empty and a second apply makes zero writes.

use crate::support;

use k8s_nas::integrate::live::{self, HttpBackend};
use k8s_nas::integrate::{EdgeKind, EdgeState, TestOutcome};
use k8s_nas::sim::apps::Seed;
use std::collections::BTreeSet;
use std::sync::Mutex;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_stack_is_wired_by_one_apply_and_stays_wired() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let live = stack.live();

    let before = live::read_plan(&live).await;
    assert!(before.plan.writes() > 0, "{}", before.plan.render());
    assert_eq!(before.writes, 0, "a plan never writes");
    assert_eq!(before.plan.exit_code(), 1);

    let events = Mutex::new(Vec::new());
    let backend: HttpBackend = live.backend();
    let report = live::apply_with(&live, &backend, &|e| events.lock().unwrap().push(e)).await;
    for o in &report.outcomes {
        assert!(o.verified(), "{} not verified: {o:?}", o.label);
        assert_eq!(o.test, TestOutcome::Passed, "{}: {:?}", o.label, o.test);
    }
    assert!(report.all_verified());
    for o in &report.outcomes {
        assert!(
            !o.applied.is_empty(),
            "{} was not written on a fresh stack",
            o.label
        );
    }
    // The first sign-in to Jellyseerr is one reported step but two requests (login, initialize).
    assert_eq!(
        backend.writes(),
        report.writes() + 1,
        "{:?}",
        backend.requests()
    );
    let kinds: BTreeSet<EdgeKind> = live.resolution().edges.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), 9, "every edge kind is in the graph: {kinds:?}");
    assert!(events.lock().unwrap().len() > report.outcomes.len() * 3);

    let again = live::read_plan(&live).await;
    assert!(again.plan.is_empty(), "{}", again.plan.render());
    assert_eq!(again.plan.exit_code(), 0, "{}", again.plan.render());
    for e in &again.plan.edges {
        assert_eq!(e.state, EdgeState::Configured, "{}", e.label);
    }
    assert_eq!(again.writes, 0);
    assert!(
        again.version_warnings.is_empty(),
        "{:?}",
        again.version_warnings
    );
    // One read per resource, whichever edges and panes need it.
    for (res, n) in &again.requests {
        assert_eq!(*n, 1, "{res} read {n} times");
    }
    assert!(!again
        .requests
        .keys()
        .any(|r| r.contains(" PUT ") || r.contains(" DELETE ")));

    let second = live.backend();
    let report2 = live::apply_with(&live, &second, &|_| {}).await;
    assert!(report2.all_verified(), "{:?}", report2.findings());
    assert_eq!(report2.writes(), 0);
    assert_eq!(
        second.writes(),
        0,
        "second apply wrote: {:?}",
        second.requests()
    );

    for (id, r) in live::test_all(&live).await {
        assert!(r.is_ok(), "{id}: {r:?}");
    }
    assert!(again.extras.root_folders.iter().all(|r| r.accessible));
    assert_eq!(again.extras.root_folders.len(), 3);
}
