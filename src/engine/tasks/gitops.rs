//! GitOps tasks: refresh an Argo CD Application, request a sync. The watch brings the new state
//! to `:gitops`; the console never applies manifests itself.

use super::TaskEnv;
use crate::bus::TaskRequest;
use crate::engine::sched::TaskCtx;
use crate::engine::sched::{TaskBody, TaskSpec};
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

/// Refresh and sync of an Argo CD Application: their spec and body.
pub(super) fn task(request: &TaskRequest, title: String, env: TaskEnv) -> (TaskSpec, TaskBody) {
    match request {
        TaskRequest::ArgoRefresh { namespace, name } => {
            let target = (namespace.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("application/{namespace}/{name}")],
                    self::REFRESH_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::refresh(env, ctx, target))),
            )
        }
        TaskRequest::ArgoSync { namespace, name } => {
            let target = (namespace.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("application/{namespace}/{name}")],
                    self::SYNC_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::sync(env, ctx, target))),
            )
        }
        TaskRequest::AppSetRefresh { namespace, name } => {
            let target = (namespace.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("applicationset/{namespace}/{name}")],
                    self::APPSET_REFRESH_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::appset_refresh(env, ctx, target))),
            )
        }
        _ => unreachable!("not one of gitops"),
    }
}
