//! Workload actions (issue 8): restart (`kubectl rollout restart`), delete a pod, scale. Each
//! asks the API server first whether this user may (SelfSubjectAccessReview) and stops with
//! "forbidden: …" when not; the watch brings the new pods to the screen.

use super::{run, Task, TaskEnv};
use crate::cluster::workload::{self as wl, Access};
use crate::engine::sched::TaskCtx;
use crate::engine::sched::TaskSpec;

pub const RESTART_STEPS: &[&str] = &[
    "check RBAC (SelfSubjectAccessReview)",
    "set the pod template's restartedAt annotation",
];
pub const DELETE_STEPS: &[&str] = &["check RBAC (SelfSubjectAccessReview)", "delete the pod"];
pub const SCALE_STEPS: &[&str] = &["check RBAC (SelfSubjectAccessReview)", "set spec.replicas"];

async fn allowed(client: &kube::Client, ns: &str, access: Access) -> anyhow::Result<()> {
    match wl::can_i(client, ns, access).await? {
        None => Ok(()),
        Some(why) => anyhow::bail!(why),
    }
}

pub async fn restart(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, kind, name): (String, String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    let client = &facts.conn.client;
    ctx.step(1).await;
    allowed(client, &ns, wl::restart_access(&kind)?).await?;
    ctx.step(2).await;
    let at = wl::rollout_restart(client, &ns, &kind, &name).await?;
    env.refresh.now();
    Ok(format!("{kind} {ns}/{name} restarted (restartedAt {at})"))
}

pub async fn delete(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    let client = &facts.conn.client;
    ctx.step(1).await;
    allowed(client, &ns, wl::DELETE_POD).await?;
    ctx.step(2).await;
    wl::delete_pod(client, &ns, &name).await?;
    env.refresh.now();
    Ok(format!("pod {ns}/{name} deleted"))
}

pub async fn scale(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, kind, name): (String, String, String),
    replicas: u32,
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    let client = &facts.conn.client;
    ctx.step(1).await;
    allowed(client, &ns, wl::scale_access(&kind)?).await?;
    ctx.step(2).await;
    wl::scale(client, &ns, &kind, &name, replicas).await?;
    env.refresh.now();
    Ok(format!("{kind} {ns}/{name} scaled to {replicas}"))
}

/// Restart a workload, locking it: its spec and body.
pub(super) fn restart_task(title: String, env: TaskEnv, ns: &str, kind: &str, name: &str) -> Task {
    let t = (ns.to_string(), kind.to_string(), name.to_string());
    run(
        TaskSpec::mutating(title, vec![format!("workload/{ns}/{name}")], RESTART_STEPS),
        env,
        t,
        restart,
    )
}

/// Delete a pod, locking it: its spec and body.
pub(super) fn delete_task(title: String, env: TaskEnv, ns: &str, name: &str) -> Task {
    let t = (ns.to_string(), name.to_string());
    run(
        TaskSpec::mutating(title, vec![format!("pod/{ns}/{name}")], DELETE_STEPS),
        env,
        t,
        delete,
    )
}

/// Scale a workload to `replicas`, locking it: its spec and body.
pub(super) fn scale_task(
    title: String,
    env: TaskEnv,
    (ns, kind, name): (&str, &str, &str),
    replicas: u32,
) -> Task {
    let t = (ns.to_string(), kind.to_string(), name.to_string());
    run(
        TaskSpec::mutating(title, vec![format!("workload/{ns}/{name}")], SCALE_STEPS),
        env,
        (t, replicas),
        |env, ctx, (t, n)| scale(env, ctx, t, n),
    )
}
