//! Certificate tasks: renew a Certificate and follow it to its new revision; re-sync a stale
//! copy from its source Secret. The watch brings the new state to the `:certs` pane.

use super::{run, Task, TaskEnv};
use crate::certs::actions::{follow, renew as renew_certificate, resync as resync_secret, Renewal};
use crate::engine::sched::{TaskCtx, TaskSpec};
use std::time::Duration;

pub const RENEW_STEPS: &[&str] = &["set Issuing (ManuallyTriggered)", "follow to Ready"];
pub const RESYNC_STEPS: &[&str] = &["copy data from the source Secret"];

/// How long a renewal is followed before the task reports the state it saw.
const FOLLOW_FOR: Duration = Duration::from_secs(120);

pub async fn renew(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    let client = &facts.conn.client;
    ctx.step(1).await;
    let before = renew_certificate(client, &ns, &name).await?;
    ctx.lines(vec![format!(
        "Manually triggered issuance of Certificate {ns}/{name} (revision {before})"
    )])
    .await;
    ctx.step(2).await;
    match follow(client, &ns, &name, before, FOLLOW_FOR).await? {
        Renewal::Ready { revision } => {
            env.refresh.now();
            Ok(format!("{ns}/{name} renewed: revision {revision} is Ready"))
        }
        Renewal::Failed(msg) => anyhow::bail!("{ns}/{name}: issuance failed: {msg}"),
        Renewal::TimedOut(state) => anyhow::bail!(
            "{ns}/{name}: not Ready after {} s ({state})",
            FOLLOW_FOR.as_secs()
        ),
    }
}

pub async fn resync(
    env: TaskEnv,
    ctx: TaskCtx,
    (ns, name): (String, String),
    (src_ns, src): (String, String),
) -> anyhow::Result<String> {
    let facts = env.facts().await?;
    ctx.step(1).await;
    resync_secret(&facts.conn.client, (&ns, &name), (&src_ns, &src)).await?;
    Ok(format!("{ns}/{name} now holds the data of {src_ns}/{src}"))
}

/// Renew a Certificate, locking it: its spec and body.
pub(super) fn renew_task(title: String, env: TaskEnv, ns: &str, name: &str) -> Task {
    let target = (ns.to_string(), name.to_string());
    run(
        TaskSpec::mutating(title, vec![format!("certificate/{ns}/{name}")], RENEW_STEPS),
        env,
        target,
        renew,
    )
}

/// Re-sync the copy `(ns, name)` from its source Secret, locking the copy: its spec and body.
pub(super) fn resync_task(
    title: String,
    env: TaskEnv,
    (ns, name): (&str, &str),
    (src_ns, src): (&str, &str),
) -> Task {
    let copy = (ns.to_string(), name.to_string());
    let source = (src_ns.to_string(), src.to_string());
    run(
        TaskSpec::mutating(title, vec![format!("secret/{ns}/{name}")], RESYNC_STEPS),
        env,
        (copy, source),
        |env, ctx, (copy, source)| resync(env, ctx, copy, source),
    )
}
