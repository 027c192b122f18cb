//! Key tasks: check every app's key against the key Secret, and sync the keys that differ.

use super::{run, Task, TaskEnv};
use crate::bus::views::{KeyRow, KeysView};
use crate::bus::Msg;
use crate::checks::{Fact, KeysFacts};
use crate::config::Config;
use crate::engine::live::{check_keys, KeysCheck};
use crate::engine::sched::{TaskCtx, TaskSpec};
use crate::keys::live::{write_secret, KeysReport};

pub const CHECK_STEPS: &[&str] = &["read and verify keys"];
pub const SYNC_STEPS: &[&str] = &["read and verify keys", "write Secret", "re-check"];

/// Check keys at step `step`, send the view; also return the report for a sync.
pub async fn check(
    env: &TaskEnv,
    ctx: &TaskCtx,
    step: u32,
) -> anyhow::Result<(String, KeysReport)> {
    ctx.step(step).await;
    let facts = env.facts().await?;
    let KeysCheck {
        observed,
        target,
        secret_exists: exists,
        unlocated,
        report,
        ..
    } = check_keys(&env.cfg, &facts, &env.desired_file).await?;
    let rows = report
        .drift
        .iter()
        .map(|d| KeyRow {
            service: d.service.clone(),
            kind: d.kind,
            location: observed
                .iter()
                .find(|(o, _)| o.service == d.service)
                .map(|(o, loc)| match (&o.key, loc) {
                    (Ok(_), Some(l)) => Ok(l.clone()),
                    (Ok(_), None) => Ok("found".into()),
                    (Err(e), _) => Err(e.clone()),
                })
                .unwrap_or_else(|| Err("not looked up".into())),
            verdict: report
                .secret_checks
                .iter()
                .find(|c| c.service == d.service)
                .map(|c| c.verdict.clone()),
            drift: Some(d.clone()),
        })
        .collect();
    let view = KeysView {
        secret: target.display(),
        secret_exists: exists,
        rows,
        fetched_at: jiff::Timestamp::now(),
        // No workload names a key Secret: say so instead of "<default> does not exist".
        error: (!exists && !unlocated.is_empty()).then(|| unlocated.join("; ")),
    };
    env.learnt(Fact::Keys(Box::new(KeysFacts::from_report(
        &target,
        &report,
        jiff::Timestamp::now(),
    ))));
    ctx.send(Msg::Keys(Box::new(view))).await;
    let pending = report.sync.as_ref().map(|s| s.changes.len()).unwrap_or(0);
    Ok((format!("{pending} key(s) differ from the apps"), report))
}

pub async fn sync(env: TaskEnv, ctx: TaskCtx) -> anyhow::Result<String> {
    let (_, report) = check(&env, &ctx, 1).await?;
    let Some(plan) = report.sync else {
        return Ok("nothing to sync: the Secret matches the apps".into());
    };
    let (ns, name) = Config::split_ref(&plan.target);
    ctx.step(2).await;
    ctx.lines(plan.changes.iter().map(|c| c.to_string()).collect())
        .await;
    let facts = env.facts().await?;
    let inventory = facts.inventory(&env.cfg);
    let lock = crate::engine::lease::acquire_for(
        &facts.conn.client,
        env.cfg.lock_namespace.as_deref(),
        &inventory,
        "keys sync (console)",
    )
    .await?;
    let written = write_secret(&facts.conn.client, &ns, &name, &plan.write).await;
    lock.release().await;
    written?;
    check(&env, &ctx, 3).await?;
    Ok(format!(
        "wrote {} key(s) to {}",
        plan.changes.len(),
        plan.target
    ))
}

/// The key check: its spec and body.
pub(super) fn check_task(title: String, env: TaskEnv) -> Task {
    run(
        TaskSpec::read(title, CHECK_STEPS),
        env,
        (),
        |env, ctx, ()| async move { check(&env, &ctx, 1).await.map(|(s, _)| s) },
    )
}

/// The key sync, locking the key Secret it writes: its spec and body.
pub(super) fn sync_task(title: String, env: TaskEnv) -> Task {
    run(
        TaskSpec::mutating(title, vec![key_secret_lock(&env)], SYNC_STEPS),
        env,
        (),
        |env, ctx, ()| sync(env, ctx),
    )
}

/// `secret:media/starr-secrets`: the key Secret the sync writes (the desired file's, else the
/// one the workloads reference, else the config's).
fn key_secret_lock(env: &TaskEnv) -> String {
    let facts = env.facts.borrow().clone();
    let target = match facts {
        Some(f) => crate::engine::live::load_located(&env.cfg, &f, &env.desired_file)
            .map(|d| d.api_keys.display())
            .ok(),
        None => None,
    };
    let target = target.unwrap_or_else(|| env.cfg.api_key_secret.clone());
    format!("secret:{target}")
}
