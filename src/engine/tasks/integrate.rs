//! Integration tasks: plan, apply, test, Prowlarr indexer sync.

use super::{app_locks, run, Task, TaskEnv};
use crate::bus::views::{field_rows, HealthNote, IndexerCount, IntegrationsView, RootFolderInfo};
use crate::bus::{Msg, UnitKind, Units};
use crate::checks::Fact;
use crate::engine::live::live_context;
use crate::engine::sched::{TaskCtx, TaskSpec};
use crate::integrate::live::{self as ilive, Live, LivePlan};
use crate::model::Inventory;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

pub const PLAN_STEPS: &[&str] = &["read keys and context", "read apps"];
pub const APPLY_STEPS: &[&str] = &["read keys and context", "apply", "re-read"];
pub const TEST_STEPS: &[&str] = &["read keys and context", "test every edge"];
pub const SYNC_INDEXER_STEPS: &[&str] =
    &["read keys and context", "ApplicationIndexerSync", "re-read"];

pub const REMOVE_STALE_STEPS: &[&str] = &[
    "read keys and context",
    "plan: find the stale root folders",
    "remove them",
    "re-read",
];

/// The pane's view of a live plan.
pub fn integrations_view(p: &LivePlan) -> IntegrationsView {
    let mut v = IntegrationsView::new(p.plan.clone(), jiff::Timestamp::now());
    for edge in &p.resolution.edges {
        if let Some(cur) = p.current.get(&edge.id) {
            v.fields
                .insert(edge.id.clone(), field_rows(edge, cur.as_ref()));
        }
    }
    v.indexers = p
        .extras
        .indexers
        .iter()
        .map(|i| IndexerCount {
            service: i.app.clone(),
            kind: i.kind,
            count: Ok(i.count as u32),
        })
        .collect();
    v.root_folders = p
        .extras
        .root_folders
        .iter()
        .map(|f| RootFolderInfo {
            service: f.app.clone(),
            kind: f.kind,
            path: f.path.clone(),
            accessible: f.accessible,
            free_space: f.free_space.and_then(|b| u64::try_from(b).ok()),
        })
        .collect();
    v.health = p
        .extras
        .health
        .iter()
        .map(|m| HealthNote {
            service: m.app.clone(),
            kind: m.kind,
            issue: m.issue.clone(),
        })
        .collect();
    let errors: Vec<String> = p
        .extras
        .errors
        .iter()
        .chain(&p.version_warnings)
        .cloned()
        .collect();
    if !errors.is_empty() {
        v.error = Some(errors.join("; "));
    }
    v
}

/// Step 1 of every integration task: the context from the console's facts.
async fn context(env: &TaskEnv, ctx: &TaskCtx) -> anyhow::Result<Live> {
    ctx.step(1).await;
    let facts = env.facts().await?;
    live_context(&env.cfg, &facts, &env.desired_file).await
}

async fn send_plan(env: &TaskEnv, ctx: &TaskCtx, live: &Live) {
    let p = ilive::read_plan(live).await;
    env.learnt(Fact::Plan(Box::new(p.plan.clone())));
    ctx.send(Msg::Integrations(Box::new(integrations_view(&p))))
        .await;
}

pub async fn plan(env: TaskEnv, ctx: TaskCtx) -> anyhow::Result<String> {
    let live = context(&env, &ctx).await?;
    ctx.step(2).await;
    let p = ilive::read_plan(&live).await;
    env.learnt(Fact::Plan(Box::new(p.plan.clone())));
    let summary = format!(
        "{} edges, {} writes pending ({} reads)",
        p.plan.edges.len(),
        p.plan.writes(),
        p.requests.values().sum::<usize>()
    );
    ctx.send(Msg::Integrations(Box::new(integrations_view(&p))))
        .await;
    Ok(summary)
}

pub async fn apply(env: TaskEnv, ctx: TaskCtx) -> anyhow::Result<String> {
    let live = context(&env, &ctx).await?;
    let facts = env.facts().await?;
    let lock = crate::engine::lease::acquire_for(
        &facts.conn.client,
        env.cfg.lock_namespace.as_deref(),
        &live.inventory,
        "integrate apply (console)",
    )
    .await?;
    ctx.step(2).await;
    let total = live.resolution().edges.len() as u64;
    // Apply events arrive in a sync callback: forward them as progress lines, counting the
    // edges reached as items.
    let (etx, mut erx) = mpsc::unbounded_channel::<String>();
    let reached = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let forward = {
        let ctx = ctx.clone();
        let reached = reached.clone();
        tokio::spawn(async move {
            while let Some(line) = erx.recv().await {
                ctx.lines(vec![line]).await;
                let done = reached.lock().map(|r| r.len() as u64).unwrap_or(0);
                ctx.units(Units {
                    kind: UnitKind::Items,
                    done: done.min(total),
                    total: Some(total),
                })
                .await;
            }
        })
    };
    let report = ilive::apply(&live, &move |e| {
        if let Ok(mut r) = reached.lock() {
            r.insert(e.edge_id.clone());
        }
        let mark = if e.ok { "ok " } else { "ERR" };
        let _ = etx.send(format!("{mark} {:?} {}: {}", e.stage, e.label, e.detail));
    })
    .await;
    let _ = forward.await;
    lock.release().await;
    ctx.step(3).await;
    send_plan(&env, &ctx, &live).await;
    let failed: Vec<String> = report.findings().into_iter().map(|f| f.message).collect();
    if report.all_verified() {
        Ok(format!("{} writes, every edge verified", report.writes()))
    } else {
        anyhow::bail!(
            "{} writes; not verified: {}",
            report.writes(),
            failed.join("; ")
        )
    }
}

pub async fn test_all(env: TaskEnv, ctx: TaskCtx) -> anyhow::Result<String> {
    let live = context(&env, &ctx).await?;
    ctx.step(2).await;
    let results = ilive::test_all(&live).await;
    let lines: Vec<String> = results
        .iter()
        .map(|(id, res)| match res {
            Ok(()) => format!("ok  {id}"),
            Err(e) => format!("ERR {id}: {e}"),
        })
        .collect();
    let failed = results.iter().filter(|(_, res)| res.is_err()).count();
    ctx.lines(lines).await;
    ctx.units(Units {
        kind: UnitKind::Items,
        done: results.len() as u64,
        total: Some(results.len() as u64),
    })
    .await;
    if failed == 0 {
        Ok(format!("{} edges tested green", results.len()))
    } else {
        anyhow::bail!("{failed} of {} edge tests failed", results.len())
    }
}

pub async fn sync_indexers(env: TaskEnv, ctx: TaskCtx) -> anyhow::Result<String> {
    let live = context(&env, &ctx).await?;
    ctx.step(2).await;
    ilive::sync_indexers(&live).await?;
    ctx.step(3).await;
    let p = ilive::read_plan(&live).await;
    env.learnt(Fact::Plan(Box::new(p.plan.clone())));
    ctx.send(Msg::Integrations(Box::new(integrations_view(&p))))
        .await;
    sync_outcome(&p.extras.indexers, || prowlarr_url(&live)).map_err(|e| anyhow::anyhow!(e))
}

/// The stale root folders of a fresh plan (never an older list), removed; then a new plan.
pub async fn remove_stale(env: TaskEnv, ctx: TaskCtx) -> anyhow::Result<String> {
    let live = context(&env, &ctx).await?;
    ctx.step(2).await;
    let p = ilive::read_plan(&live).await;
    if p.plan.stale.is_empty() {
        return Ok("no stale root folder to remove".into());
    }
    ctx.step(3).await;
    let done =
        crate::integrate::stale::remove(&live.backend(), &p.resolution.edges, &p.plan.stale).await;
    let lines: Vec<String> = done
        .iter()
        .map(|(s, r)| match r {
            Ok(()) => format!("ok  removed {}", s.describe()),
            Err(e) => format!("ERR {}: {}", s.describe(), e.detail),
        })
        .collect();
    ctx.lines(lines).await;
    ctx.step(4).await;
    send_plan(&env, &ctx, &live).await;
    let failed = done.iter().filter(|(_, r)| r.is_err()).count();
    if failed == 0 {
        Ok(format!("{} stale root folder(s) removed", done.len()))
    } else {
        anyhow::bail!(
            "{failed} of {} stale root folder(s) not removed",
            done.len()
        )
    }
}

/// Where the user adds indexers: Prowlarr's ingress URL, else the console's endpoint.
fn prowlarr_url(live: &Live) -> String {
    ilive::prowlarr_url(live)
}

/// What an indexer sync achieved, by what the apps hold afterwards: with no indexer in Prowlarr
/// nothing was pushed, and the user is told where to add them (never a claimed success).
pub fn sync_outcome(
    counts: &[ilive::IndexerCount],
    prowlarr_url: impl FnOnce() -> String,
) -> Result<String, String> {
    use crate::model::AppKind;
    let prowlarr = counts.iter().find(|c| c.kind == AppKind::Prowlarr);
    if prowlarr.is_some_and(|c| c.count == 0) {
        let url = prowlarr_url();
        return Err(format!(
            "Prowlarr has no indexers, so nothing was pushed: add indexers in Prowlarr ({url}/indexers), then sync again"
        ));
    }
    let apps: Vec<String> = counts
        .iter()
        .filter(|c| c.kind != AppKind::Prowlarr)
        .map(|c| format!("{} {}", c.kind.display(), c.count))
        .collect();
    Ok(format!(
        "Prowlarr pushed its indexers to the apps ({})",
        apps.join(", ")
    ))
}

/// The integration plan: its spec and body.
pub(super) fn plan_task(title: String, env: TaskEnv) -> Task {
    run(
        TaskSpec::read(title, PLAN_STEPS),
        env,
        (),
        |env, ctx, ()| plan(env, ctx),
    )
}

/// Apply the plan, locking every discovered app: its spec and body.
pub(super) fn apply_task(title: String, env: TaskEnv, inv: &Inventory) -> Result<Task, String> {
    Ok(run(
        TaskSpec::mutating(title, app_locks(inv, |_| true)?, APPLY_STEPS),
        env,
        (),
        |env, ctx, ()| apply(env, ctx),
    ))
}

/// Test every edge: its spec and body.
pub(super) fn test_task(title: String, env: TaskEnv) -> Task {
    run(
        TaskSpec::read(title, TEST_STEPS),
        env,
        (),
        |env, ctx, ()| test_all(env, ctx),
    )
}

/// The Prowlarr indexer sync, locking the *arr apps: its spec and body.
pub(super) fn sync_indexers_task(
    title: String,
    env: TaskEnv,
    inv: &Inventory,
) -> Result<Task, String> {
    Ok(run(
        TaskSpec::mutating(
            title,
            app_locks(inv, |k| k.is_servarr())?,
            SYNC_INDEXER_STEPS,
        ),
        env,
        (),
        |env, ctx, ()| sync_indexers(env, ctx),
    ))
}

/// Remove stale root folders, locking the *arr apps: its spec and body.
pub(super) fn remove_stale_task(
    title: String,
    env: TaskEnv,
    inv: &Inventory,
) -> Result<Task, String> {
    Ok(run(
        TaskSpec::mutating(
            title,
            app_locks(inv, |k| k.is_servarr())?,
            REMOVE_STALE_STEPS,
        ),
        env,
        (),
        |env, ctx, ()| remove_stale(env, ctx),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppKind, ServiceId};

    fn count(kind: AppKind, n: usize) -> ilive::IndexerCount {
        ilive::IndexerCount {
            app: ServiceId::new("media", kind.id()),
            kind,
            count: n,
            enabled: n,
        }
    }

    /// Issue 7: an indexer sync never claims success when Prowlarr had nothing to push.
    #[test]
    fn a_sync_with_no_indexers_in_prowlarr_is_no_success() {
        let url = || "https://prowlarr.home.example".to_string();
        let empty = [count(AppKind::Prowlarr, 0), count(AppKind::Sonarr, 0)];
        let e = sync_outcome(&empty, url).unwrap_err();
        assert!(e.contains("Prowlarr has no indexers"), "{e}");
        assert!(e.contains("https://prowlarr.home.example/indexers"), "{e}");
        let full = [count(AppKind::Prowlarr, 3), count(AppKind::Sonarr, 3)];
        let ok = sync_outcome(&full, url).unwrap();
        assert!(
            ok.starts_with("Prowlarr pushed its indexers to the apps"),
            "{ok}"
        );
        assert!(ok.contains("Sonarr 3"), "{ok}");
    }
}
