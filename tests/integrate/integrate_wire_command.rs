//! `integrate plan|apply` exit codes over real HTTP to the simulators (the context is built
//! directly; the kube side of `live_context` is covered elsewhere).

use crate::support;

use k8s_nas::cli::Output;
use k8s_nas::commands::integrate::{apply, plan};
use k8s_nas::integrate::live;
use k8s_nas::model::AppKind;
use k8s_nas::sim::apps::Seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_and_apply_exit_codes() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let ctx = stack.live();

    assert_eq!(
        plan(&ctx, Output::Json).await.unwrap(),
        1,
        "changes pending"
    );
    // Not a terminal and no --yes: refuse, write nothing.
    assert_eq!(apply(&ctx, false, Output::Table, false).await.unwrap(), 2);
    let still = live::read_plan(&ctx).await;
    assert!(still.plan.writes() > 0, "nothing was written");

    // One app failing: partial → 1.
    stack
        .app(AppKind::Lidarr)
        .faults
        .update(|f| f.status_500 = true);
    assert_eq!(apply(&ctx, true, Output::Json, false).await.unwrap(), 1);
    stack
        .app(AppKind::Lidarr)
        .faults
        .update(|f| f.status_500 = false);

    assert_eq!(apply(&ctx, true, Output::Table, false).await.unwrap(), 0);
    assert_eq!(plan(&ctx, Output::Table).await.unwrap(), 0, "nothing to do");

    // An app down: its edges are unknown; nothing else pending → 2.
    stack
        .app(AppKind::Bazarr)
        .faults
        .update(|f| f.status_500 = true);
    assert_eq!(plan(&ctx, Output::Table).await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_where_every_edge_fails_is_exit_2() {
    // issue 13, point 12: not "partial" (1) when nothing could be done
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let ctx = stack.live();
    for kind in AppKind::ALL {
        if stack.apps.iter().any(|(b, _)| b.kind == kind) {
            stack.app(kind).faults.update(|f| f.status_500 = true);
        }
    }
    assert_eq!(apply(&ctx, true, Output::Json, false).await.unwrap(), 2);
}
