//! Alert tasks: silence what matches an alert (Alertmanager `POST /api/v2/silences`) and expire
//! a silence (`DELETE /api/v2/silence/{id}`). The source polls again right after, so `:alerts`
//! shows the new state.

use super::{run, Task, TaskEnv};
use crate::alerts::{discover, Backend};
use crate::clients::alertmanager::AlertmanagerClient;
use crate::engine::sched::TaskCtx;
use crate::engine::sched::TaskSpec;
use std::time::Duration;

pub const SILENCE_STEPS: &[&str] = &["find Alertmanager", "create the silence"];
pub const EXPIRE_STEPS: &[&str] = &["find Alertmanager", "expire the silence"];

async fn client(env: &TaskEnv) -> anyhow::Result<(AlertmanagerClient, String)> {
    let facts = env.facts().await?;
    let src = discover(&facts.listing, &env.cfg)
        .ok_or_else(|| anyhow::anyhow!("no Alertmanager found (set alertmanager_url)"))?;
    if src.backend != Backend::Alertmanager {
        anyhow::bail!("only Prometheus answers here: silences need an Alertmanager");
    }
    let ep = src.endpoint(&facts.conn, Duration::from_millis(env.cfg.timeout_ms));
    Ok((AlertmanagerClient::new(ep), src.label()))
}

pub async fn silence(
    env: TaskEnv,
    ctx: TaskCtx,
    (matchers, secs, comment): (Vec<(String, String)>, i64, String),
) -> anyhow::Result<String> {
    ctx.step(1).await;
    let (c, label) = client(&env).await?;
    ctx.step(2).await;
    let id = c.silence(&matchers, secs, "k8s-nas", &comment).await?;
    let shown: Vec<String> = matchers.iter().map(|(k, v)| format!("{k}={v}")).collect();
    ctx.lines(vec![format!(
        "{label}: silence {id} for {} min on {}",
        secs / 60,
        shown.join(", ")
    )])
    .await;
    env.refresh.now();
    Ok(format!("silence {id} created"))
}

pub async fn expire(env: TaskEnv, ctx: TaskCtx, id: String) -> anyhow::Result<String> {
    ctx.step(1).await;
    let (c, _) = client(&env).await?;
    ctx.step(2).await;
    c.expire(&id).await?;
    env.refresh.now();
    Ok(format!("silence {id} expired"))
}

/// Silence what the matchers select for `secs` seconds, locking Alertmanager: its spec and body.
pub(super) fn silence_task(
    title: String,
    env: TaskEnv,
    what: (Vec<(String, String)>, i64, String),
) -> Task {
    run(
        TaskSpec::mutating(title, vec!["alertmanager".into()], SILENCE_STEPS),
        env,
        what,
        silence,
    )
}

/// Expire silence `id`, locking Alertmanager: its spec and body.
pub(super) fn expire_task(title: String, env: TaskEnv, id: String) -> Task {
    run(
        TaskSpec::mutating(title, vec!["alertmanager".into()], EXPIRE_STEPS),
        env,
        id,
        expire,
    )
}
