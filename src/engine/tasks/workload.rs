//! Workload actions (issue 8): restart (`kubectl rollout restart`), delete a pod, scale. Each
//! asks the API server first whether this user may (SelfSubjectAccessReview) and stops with
//! "forbidden: …" when not; the watch brings the new pods to the screen.

use super::TaskEnv;
use crate::bus::TaskRequest;
use crate::cluster::workload::{self as wl, Access};
use crate::engine::sched::TaskCtx;
use crate::engine::sched::{TaskBody, TaskSpec};

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

/// The workload actions (restart, delete pod, scale): their spec and body.
pub(super) fn task(request: &TaskRequest, title: String, env: TaskEnv) -> (TaskSpec, TaskBody) {
    match request {
        TaskRequest::RestartWorkload {
            namespace,
            kind,
            name,
        } => {
            let t = (namespace.clone(), kind.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("workload/{namespace}/{name}")],
                    self::RESTART_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::restart(env, ctx, t))),
            )
        }
        TaskRequest::DeletePod { namespace, name } => {
            let t = (namespace.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("pod/{namespace}/{name}")],
                    self::DELETE_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::delete(env, ctx, t))),
            )
        }
        TaskRequest::ScaleWorkload {
            namespace,
            kind,
            name,
            replicas,
        } => {
            let t = (namespace.clone(), kind.clone(), name.clone());
            let n = *replicas;
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("workload/{namespace}/{name}")],
                    self::SCALE_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::scale(env, ctx, t, n))),
            )
        }
        _ => unreachable!("not one of the workload actions"),
    }
}
