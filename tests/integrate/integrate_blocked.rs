//! Issue 7: an edge whose target app is down is `blocked` in the plan (with the reason), and
//! apply sends no write for it; the other edges are planned and applied as usual.

use crate::support;

use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::integrate::{live, EdgeState};
use k8s_nas::model::AppKind;
use k8s_nas::sim::apps::Seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edges_to_a_down_app_are_blocked_and_get_no_write() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let mut live = stack.live();
    let qbit = stack.id(AppKind::Qbittorrent);
    let up = live
        .endpoints
        .get(&qbit)
        .cloned()
        .expect("qBittorrent endpoint");
    // Nothing listens on port 1: qBittorrent is down (connection refused).
    live.endpoints
        .insert(qbit.clone(), AppEndpoint::direct("http://127.0.0.1:1", ""));

    let p = live::read_plan(&live).await;
    let to_qbit: Vec<_> = p.plan.edges.iter().filter(|e| e.to == qbit).collect();
    assert!(!to_qbit.is_empty(), "{:?}", p.plan.edges);
    for e in &to_qbit {
        let EdgeState::Blocked { why } = &e.state else {
            panic!("{}: {:?} (want blocked)", e.label, e.state)
        };
        assert!(
            why.starts_with("qBittorrent is down (http.unreachable"),
            "{why}"
        );
        assert!(e.changes.is_empty(), "{}: {:?}", e.label, e.changes);
    }
    // The other edges are still planned (a fresh stack: creates).
    assert!(p
        .plan
        .edges
        .iter()
        .any(|e| e.to != qbit && e.state == EdgeState::Missing));
    assert!(p.plan.render().contains("⊘ blocked: qBittorrent is down"));

    let report = live::apply(&live, &|_| {}).await;
    for o in report
        .outcomes
        .iter()
        .filter(|o| to_qbit.iter().any(|e| e.id == o.id))
    {
        assert!(o.applied.is_empty(), "{}: {:?}", o.label, o.applied);
        let f = o.failed.as_ref().expect("blocked is reported");
        assert!(
            f.error.detail.starts_with("blocked: qBittorrent is down"),
            "{f:?}"
        );
    }

    // qBittorrent back: the blocked edges were never written (still missing), the others applied.
    live.endpoints.insert(qbit.clone(), up);
    let after = live::read_plan(&live).await;
    for e in after.plan.edges.iter().filter(|e| e.to == qbit) {
        assert_eq!(e.state, EdgeState::Missing, "{}", e.label);
    }
    assert!(after
        .plan
        .edges
        .iter()
        .any(|e| e.to != qbit && e.state == EdgeState::Configured));
}
