//! The console's long actions (`Effect::RunTask`), each declared for the task runtime
//! ([`super::sched`]): its spec (title, mutating, locks, real steps) and its body. Every task
//! works on the console's own connection and the watch stores' latest listing
//! ([`ClusterFacts`]) — never a re-read kubeconfig, never a second listing of the cluster — and
//! runs the same engine code as the headless `integrate` and `keys` commands.
//!
//! Adding a task: a `TaskRequest` variant and one arm in [`task`] returning its spec and body.

mod alerts;
mod backup;
mod certs;
mod gitops;
mod integrate;
mod jobs;
mod keys;
mod vpn;
mod workload;

pub use integrate::integrations_view;

use super::facts::ClusterFacts;
use super::sched::{TaskBody, TaskSpec};
use crate::bus::TaskRequest;
use crate::checks::Fact;
use crate::collect::poller::Refresh;
use crate::config::Config;
use crate::model::{AppKind, Inventory};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What every task may use.
#[derive(Clone)]
pub struct TaskEnv {
    pub cfg: Arc<Config>,
    /// The latest facts (`None` until the first watch snapshot and the credential Secrets).
    pub facts: watch::Receiver<Option<ClusterFacts>>,
    /// Wakes every source ("check all").
    pub refresh: Refresh,
    /// `integrations.toml`: the desired graph (defaults when absent).
    pub desired_file: PathBuf,
    /// What tasks learn while reading (key check, integration plan), for the findings.
    pub learnt: mpsc::UnboundedSender<Fact>,
}

impl TaskEnv {
    /// Hand a fact to the engine's findings pipeline (dropped if the engine is gone).
    pub fn learnt(&self, fact: Fact) {
        let _ = self.learnt.send(fact);
    }
}

impl TaskEnv {
    /// The latest facts, waiting for the first snapshot if needed.
    pub async fn facts(&self) -> anyhow::Result<ClusterFacts> {
        let mut rx = self.facts.clone();
        let f = rx
            .wait_for(Option::is_some)
            .await
            .map_err(|_| anyhow::anyhow!("the engine stopped before the cluster was read"))?;
        f.clone()
            .ok_or_else(|| anyhow::anyhow!("no cluster data yet"))
    }
}

/// The spec and body of a request, or why it cannot be started now. `inventory` is what the
/// screen shows: the apps a mutating task locks.
pub fn task(
    request: &TaskRequest,
    env: &TaskEnv,
    inventory: &Inventory,
) -> Result<(TaskSpec, TaskBody), String> {
    let title = request.title();
    let read_only = env.cfg.read_only;
    let env = env.clone();
    let (spec, body): (TaskSpec, TaskBody) = match request {
        TaskRequest::CheckAll => (
            TaskSpec::read(
                title,
                &["re-probe every service", "check keys and plan integrations"],
            ),
            Box::new(move |ctx| {
                Box::pin(async move {
                    ctx.step(1).await;
                    // Ends when every poller answered (bounded: a hung app times out itself).
                    let max = Duration::from_millis(env.cfg.timeout_ms.saturating_mul(3) + 5_000);
                    let probed = env.refresh.now_and_wait(max).await;
                    ctx.step(2).await;
                    let mut warnings = learn(&env).await?;
                    if !probed {
                        warnings.push(format!(
                            "some probes had not answered after {}s",
                            max.as_secs()
                        ));
                    }
                    ctx.lines(warnings).await;
                    Ok("services re-probed; keys checked; integrations planned".to_string())
                })
            }),
        ),
        TaskRequest::PlanIntegrations => (
            TaskSpec::read(title, integrate::PLAN_STEPS),
            Box::new(move |ctx| Box::pin(integrate::plan(env, ctx))),
        ),
        TaskRequest::ApplyIntegrations => (
            TaskSpec::mutating(
                title,
                app_locks(inventory, |_| true)?,
                integrate::APPLY_STEPS,
            ),
            Box::new(move |ctx| Box::pin(integrate::apply(env, ctx))),
        ),
        TaskRequest::TestIntegrations => (
            TaskSpec::read(title, integrate::TEST_STEPS),
            Box::new(move |ctx| Box::pin(integrate::test_all(env, ctx))),
        ),
        TaskRequest::SyncIndexers => (
            TaskSpec::mutating(
                title,
                app_locks(inventory, |k| k.is_servarr())?,
                integrate::SYNC_INDEXER_STEPS,
            ),
            Box::new(move |ctx| Box::pin(integrate::sync_indexers(env, ctx))),
        ),
        TaskRequest::RemoveStaleRootFolders => (
            TaskSpec::mutating(
                title,
                app_locks(inventory, |k| k.is_servarr())?,
                integrate::REMOVE_STALE_STEPS,
            ),
            Box::new(move |ctx| Box::pin(integrate::remove_stale(env, ctx))),
        ),
        TaskRequest::CheckKeys => (
            TaskSpec::read(title, keys::CHECK_STEPS),
            Box::new(move |ctx| {
                Box::pin(async move { keys::check(&env, &ctx, 1).await.map(|(s, _)| s) })
            }),
        ),
        TaskRequest::SyncKeys => (
            TaskSpec::mutating(title, vec![key_secret_lock(&env)], keys::SYNC_STEPS),
            Box::new(move |ctx| Box::pin(keys::sync(env, ctx))),
        ),
        TaskRequest::RestartTunnel(id) => {
            let id = id.clone();
            (
                TaskSpec::mutating(title, vec![id.as_str().to_string()], vpn::RESTART_STEPS),
                Box::new(move |ctx| Box::pin(vpn::restart(env, ctx, id))),
            )
        }
        TaskRequest::TestDownload(id) => {
            let id = id.clone();
            (
                TaskSpec::mutating(
                    title,
                    vec![id.as_str().to_string()],
                    vpn::TEST_DOWNLOAD_STEPS,
                ),
                Box::new(move |ctx| Box::pin(vpn::test_download(env, ctx, id))),
            )
        }
        TaskRequest::RenewCertificate { namespace, name } => {
            let target = (namespace.clone(), name.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("certificate/{namespace}/{name}")],
                    certs::RENEW_STEPS,
                ),
                Box::new(move |ctx| Box::pin(certs::renew(env, ctx, target))),
            )
        }
        TaskRequest::ResyncSecret {
            namespace,
            name,
            source_namespace,
            source,
        } => {
            let copy = (namespace.clone(), name.clone());
            let src = (source_namespace.clone(), source.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![format!("secret/{namespace}/{name}")],
                    certs::RESYNC_STEPS,
                ),
                Box::new(move |ctx| Box::pin(certs::resync(env, ctx, copy, src))),
            )
        }
        TaskRequest::RestartWorkload { .. }
        | TaskRequest::DeletePod { .. }
        | TaskRequest::ScaleWorkload { .. } => workload::task(request, title, env),
        TaskRequest::BackupNow(_)
        | TaskRequest::VerifyBackup { .. }
        | TaskRequest::RestoreBackup { .. } => backup::task(request, title, env),
        TaskRequest::ArgoRefresh { .. }
        | TaskRequest::ArgoSync { .. }
        | TaskRequest::AppSetRefresh { .. } => gitops::task(request, title, env),
        TaskRequest::RunCronJob { .. } => jobs::task(request, title, env),
        TaskRequest::Silence { .. } | TaskRequest::ExpireSilence { .. } => {
            alerts::task(request, title, env)
        }
    };
    if spec.mutates && read_only {
        return Err(format!(
            "read-only mode: {} would change the apps",
            spec.title
        ));
    }
    Ok((spec, body))
}

/// The read-only checks `check` runs besides the probes (the key check and the integration
/// plan), handed to the findings pipeline; returns what could not be learnt.
pub async fn learn(env: &TaskEnv) -> anyhow::Result<Vec<String>> {
    let facts = env.facts().await?;
    let (learned, warnings) = super::learn(&env.cfg, &facts, &env.desired_file).await;
    for fact in learned.into_facts() {
        env.learnt(fact);
    }
    Ok(warnings)
}

/// Locks on the discovered apps of the kinds `which` selects; a mutating task needs the
/// inventory to know what it holds.
fn app_locks(
    inventory: &Inventory,
    which: impl Fn(AppKind) -> bool,
) -> Result<Vec<String>, String> {
    if inventory.services.is_empty() {
        return Err("no apps discovered yet: try again in a moment".into());
    }
    Ok(inventory
        .services
        .iter()
        .filter(|s| which(s.kind))
        .map(|s| s.id.as_str().to_string())
        .collect())
}

/// `secret:media/starr-secrets`: the key Secret the sync writes (the desired file's, else the
/// one the workloads reference, else the config's).
fn key_secret_lock(env: &TaskEnv) -> String {
    let facts = env.facts.borrow().clone();
    let target = match facts {
        Some(f) => super::live::load_located(&env.cfg, &f, &env.desired_file)
            .map(|d| d.api_keys.display())
            .ok(),
        None => None,
    };
    let target = target.unwrap_or_else(|| env.cfg.api_key_secret.clone());
    format!("secret:{target}")
}
