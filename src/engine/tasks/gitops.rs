//! GitOps tasks: refresh an Argo CD Application, request a sync. The watch brings the new state
//! to `:gitops`; the console never applies manifests itself.

use super::{run, Task, TaskEnv};
use crate::engine::sched::TaskCtx;
use crate::engine::sched::TaskSpec;
use crate::gitops::actions;

pub const REFRESH_STEPS: &[&str] = &["annotate argocd.argoproj.io/refresh"];
pub const APPSET_REFRESH_STEPS: &[&str] = &["annotate argocd.argoproj.io/application-set-refresh"];
pub const SYNC_STEPS: &[&str] = &["check no operation runs", "write the sync operation"];

pub async fn refresh(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    ctx.step(1).await;
    actions::refresh(&facts.conn.client, &ns, &name, false).await?;
    Ok(format!("{ns}/{name}: refresh requested"))
}

pub async fn appset_refresh(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    ctx.step(1).await;
    actions::refresh_appset(&facts.conn.client, &ns, &name).await?;
    Ok(format!("{ns}/{name}: ApplicationSet refresh requested"))
}

pub async fn sync(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    ctx.step(1).await;
    // `actions::sync` reads the Application and refuses while an operation is requested or
    // running; the write carries the resourceVersion it read.
    let revision = actions::sync(&facts.conn.client, &ns, &name).await?;
    ctx.step(2).await;
    ctx.lines(vec![format!(
        "sync of {ns}/{name} requested (was at revision {revision}); Argo CD reports progress in operationState"
    )])
    .await;
    Ok(format!("{ns}/{name}: sync requested"))
}

/// Refresh an Application, locking it: its spec and body.
pub(super) fn refresh_task(title: String, env: TaskEnv, ns: &str, name: &str) -> Task {
    let target = (ns.to_string(), name.to_string());
    run(
        TaskSpec::mutating(
            title,
            vec![format!("application/{ns}/{name}")],
            REFRESH_STEPS,
        ),
        env,
        target,
        refresh,
    )
}

/// Request a sync of an Application, locking it: its spec and body.
pub(super) fn sync_task(title: String, env: TaskEnv, ns: &str, name: &str) -> Task {
    let target = (ns.to_string(), name.to_string());
    run(
        TaskSpec::mutating(title, vec![format!("application/{ns}/{name}")], SYNC_STEPS),
        env,
        target,
        sync,
    )
}

/// Refresh an ApplicationSet, locking it: its spec and body.
pub(super) fn appset_refresh_task(title: String, env: TaskEnv, ns: &str, name: &str) -> Task {
    let target = (ns.to_string(), name.to_string());
    run(
        TaskSpec::mutating(
            title,
            vec![format!("applicationset/{ns}/{name}")],
            APPSET_REFRESH_STEPS,
        ),
        env,
        target,
        appset_refresh,
    )
}
