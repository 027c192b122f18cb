//! The console's long actions (`Effect::RunTask`), each declared for the task runtime
//! ([`super::sched`]): its spec (title, mutating, locks, real steps) and its body. Every task
//! works on the console's own connection and the watch stores' latest listing
//! ([`ClusterFacts`]) — never a re-read kubeconfig, never a second listing of the cluster — and
//! runs the same engine code as the headless `integrate` and `keys` commands.
//!
//! Adding a task: a `TaskRequest` variant, a builder in its domain module returning its spec and
//! body from typed arguments, and one routing line in [`task`].

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
use super::sched::{TaskBody, TaskCtx, TaskSpec};
use crate::bus::TaskRequest;
use crate::checks::Fact;
use crate::collect::poller::Refresh;
use crate::config::Config;
use crate::model::{AppKind, Inventory};
use std::future::Future;
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

/// A task as the runtime takes it: its spec and its body.
type Task = (TaskSpec, TaskBody);

/// The task of `spec` whose body is `body(env, ctx, args)`.
fn run<A, F, Fut>(spec: TaskSpec, env: TaskEnv, args: A, body: F) -> Task
where
    A: Send + 'static,
    F: FnOnce(TaskEnv, TaskCtx, A) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<String>> + Send + 'static,
{
    (spec, Box::new(move |ctx| Box::pin(body(env, ctx, args))))
}

/// The spec and body of a request, or why it cannot be started now. `inventory` is what the
/// screen shows: the apps a mutating task locks. Each domain module builds its own tasks from
/// typed arguments; this only routes.
pub fn task(
    request: &TaskRequest,
    env: &TaskEnv,
    inventory: &Inventory,
) -> Result<(TaskSpec, TaskBody), String> {
    let title = request.title();
    let read_only = env.cfg.read_only;
    let env = env.clone();
    let (spec, body): Task = match request {
        TaskRequest::CheckAll => check_all(title, env),
        TaskRequest::PlanIntegrations => integrate::plan_task(title, env),
        TaskRequest::ApplyIntegrations => integrate::apply_task(title, env, inventory)?,
        TaskRequest::TestIntegrations => integrate::test_task(title, env),
        TaskRequest::SyncIndexers => integrate::sync_indexers_task(title, env, inventory)?,
        TaskRequest::RemoveStaleRootFolders => integrate::remove_stale_task(title, env, inventory)?,
        TaskRequest::CheckKeys => keys::check_task(title, env),
        TaskRequest::SyncKeys => keys::sync_task(title, env),
        TaskRequest::RestartTunnel(id) => vpn::restart_task(title, env, id.clone()),
        TaskRequest::TestDownload(id) => vpn::test_download_task(title, env, id.clone()),
        TaskRequest::RenewCertificate { namespace, name } => {
            certs::renew_task(title, env, namespace, name)
        }
        TaskRequest::ResyncSecret {
            namespace,
            name,
            source_namespace,
            source,
        } => certs::resync_task(title, env, (namespace, name), (source_namespace, source)),
        TaskRequest::RestartWorkload {
            namespace,
            kind,
            name,
        } => workload::restart_task(title, env, namespace, kind, name),
        TaskRequest::DeletePod { namespace, name } => {
            workload::delete_task(title, env, namespace, name)
        }
        TaskRequest::ScaleWorkload {
            namespace,
            kind,
            name,
            replicas,
        } => workload::scale_task(title, env, (namespace, kind, name), *replicas),
        TaskRequest::BackupNow(id) => backup::backup_task(title, env, id.clone()),
        TaskRequest::VerifyBackup { service, deep } => {
            backup::verify_task(title, env, service.clone(), *deep)
        }
        TaskRequest::RestoreBackup { service, backup: b } => {
            backup::restore_task(title, env, service.clone(), b.clone())
        }
        TaskRequest::ArgoRefresh { namespace, name } => {
            gitops::refresh_task(title, env, namespace, name)
        }
        TaskRequest::ArgoSync { namespace, name } => gitops::sync_task(title, env, namespace, name),
        TaskRequest::AppSetRefresh { namespace, name } => {
            gitops::appset_refresh_task(title, env, namespace, name)
        }
        TaskRequest::RunCronJob { namespace, name } => jobs::run_task(title, env, namespace, name),
        TaskRequest::Silence {
            matchers,
            secs,
            comment,
        } => alerts::silence_task(title, env, (matchers.clone(), *secs, comment.clone())),
        TaskRequest::ExpireSilence { id } => alerts::expire_task(title, env, id.clone()),
    };
    if spec.mutates && read_only {
        return Err(format!(
            "read-only mode: {} would change the apps",
            spec.title
        ));
    }
    Ok((spec, body))
}

/// "Check all": every source re-probes, then the key check and the integration plan.
fn check_all(title: String, env: TaskEnv) -> Task {
    (
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
    )
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
