//! Run a CronJob now (`kubectl create job --from=cronjob/NAME`): RBAC first (may this user
//! create Jobs there?), then the Job from the CronJob's template. The simulator's (or the
//! cluster's) Job controller runs it; the watch brings the Job and its pod to `:jobs`.

use super::TaskEnv;
use crate::bus::TaskRequest;
use crate::cluster::workload as wl;
use crate::engine::sched::{TaskBody, TaskCtx, TaskSpec};
use crate::jobs::run;

pub const RUN_STEPS: &[&str] = &[
    "check RBAC (SelfSubjectAccessReview)",
    "create the Job from the CronJob's template",
];

pub async fn run_now(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    let client = &facts.conn.client;
    ctx.step(1).await;
    if let Some(why) = wl::can_i(client, &ns, run::CREATE_JOB).await? {
        anyhow::bail!(why);
    }
    ctx.step(2).await;
    let job = run::run_now(client, &ns, &name).await?;
    env.refresh.now();
    Ok(format!("Job {ns}/{job} created from CronJob {name}"))
}

/// The run-now task: its spec and body.
pub(super) fn task(request: &TaskRequest, title: String, env: TaskEnv) -> (TaskSpec, TaskBody) {
    match request {
        TaskRequest::RunCronJob { namespace, name } => {
            let target = (namespace.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("cronjob/{namespace}/{name}")],
                    RUN_STEPS,
                ),
                Box::new(move |ctx| Box::pin(run_now(env, ctx, target))),
            )
        }
        _ => unreachable!("not one of jobs"),
    }
}
