//! Backup tasks on the task runtime: back up one service now, and the restore the wizard
//! starts after the typed confirmation — the same steps as `k8s-nas restore`
//! ([`crate::backup::flow`]), shown in the task's step list, cancellable with rollback.

use super::TaskEnv;
use crate::backup::flow::{self, ClusterSide, Progress, RestorePlan};
use crate::backup::{filter, policy, service_name};
use crate::backup::{BackupOptions, Target};
use crate::bus::TaskRequest;
use crate::engine::sched::TaskCtx;
use crate::engine::sched::{TaskBody, TaskSpec};
use crate::model::ServiceId;

pub const BACKUP_STEPS: &[&str] = &[
    "back up the config directory",
    "verify the archive",
    "apply retention",
];

pub const VERIFY_STEPS: &[&str] = &["verify the newest backup"];

/// One backup or restore of a service at a time.
pub fn lock(id: &ServiceId) -> String {
    format!("backup:{id}")
}

struct CtxProgress<'a>(&'a TaskCtx);

#[async_trait::async_trait]
impl Progress for CtxProgress<'_> {
    async fn step(&self, n: u32) {
        self.0.step(n).await;
    }
    async fn line(&self, text: String) {
        self.0.lines(vec![text]).await;
    }
    fn cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// The service, its config directory (node path with `node_root`), its cluster side.
async fn locate(
    env: &TaskEnv,
    id: &ServiceId,
) -> anyhow::Result<(std::path::PathBuf, ClusterSide)> {
    let facts = env.facts().await?;
    let inv = facts.inventory(&env.cfg);
    let svc = inv
        .services
        .iter()
        .find(|s| &s.id == id)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{id} is not discovered"))?;
    let dir = crate::backup::config_dir(&env.cfg.backup, &service_name(id.as_str()), Some(&svc))
        .ok_or_else(|| anyhow::anyhow!("{id}: its config volume has no node path"))?;
    let endpoint = crate::engine::endpoint_for(&svc, &env.cfg, &facts.conn);
    Ok((
        dir,
        ClusterSide {
            conn: facts.conn.clone(),
            svc,
            endpoint,
        },
    ))
}

fn root(env: &TaskEnv) -> std::path::PathBuf {
    env.cfg
        .backup
        .root_or(None, &crate::config::Paths::resolve())
}

pub async fn backup_now(env: TaskEnv, ctx: TaskCtx, id: ServiceId) -> anyhow::Result<String> {
    let (dir, side) = locate(&env, &id).await?;
    flow::reachable(&dir)?;
    let name = service_name(id.as_str());
    let target = Target {
        service: name.clone(),
        kind: Some(side.svc.kind),
        dir,
        version: side.svc.image.rsplit_once(':').map(|(_, t)| t.to_string()),
    };
    let root = root(&env);
    ctx.step(1).await;
    let (r2, f, cancel) = (
        root.clone(),
        filter(&env.cfg.backup),
        ctx.cancel_token().clone(),
    );
    let (ctx2, rt) = (ctx.clone(), tokio::runtime::Handle::current());
    let new = tokio::task::spawn_blocking(move || {
        let stop = std::sync::atomic::AtomicBool::new(false);
        let watch = || {
            if cancel.is_cancelled() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        };
        let progress = move |_: u64, _: u64| watch();
        let opts = BackupOptions {
            filter: f,
            progress: Some(&progress),
            cancel: Some(&stop),
            ..Default::default()
        };
        crate::backup::run_and_verify(&target, &r2, &opts, &|| rt.block_on(ctx2.step(2)))
    })
    .await??;
    let (m, info, rec) = (&new.manifest, &new.info, &new.verification);
    if !rec.ok {
        anyhow::bail!(
            "{} failed verification: {}",
            info.id,
            rec.problems.join("; ")
        );
    }
    ctx.step(3).await;
    let all = crate::backup::list(&root, Some(&name))?;
    let gone = crate::backup::apply_retention(&all, policy(&env.cfg.backup), false)?;
    if let Some(r) = crate::backup::restic::copy_if_configured(&env.cfg, info).await {
        ctx.lines(vec![format!("restic: {r}")]).await;
    }
    Ok(format!(
        "{id}: {} ({} files, {} bytes), verified; retention removed {}",
        m.archive,
        m.files.len(),
        m.archive_size,
        gone.len()
    ))
}

/// Verify the newest backup of `id` (the result is recorded beside it by
/// [`crate::backup::verify`]).
pub async fn verify_newest(
    env: TaskEnv,
    ctx: TaskCtx,
    id: ServiceId,
    deep: bool,
) -> anyhow::Result<String> {
    let name = service_name(id.as_str());
    let root = root(&env);
    ctx.step(1).await;
    let info = crate::backup::list(&root, Some(&name))?
        .into_iter()
        .max_by(|a, b| a.id.cmp(&b.id))
        .ok_or_else(|| anyhow::anyhow!("no backup of {name} under {}", root.display()))?;
    let i2 = info.clone();
    let rec = tokio::task::spawn_blocking(move || crate::backup::verify(&i2, deep)).await?;
    env.refresh.now();
    if !rec.ok {
        anyhow::bail!(
            "{name} {} failed verification: {}",
            info.id,
            rec.problems.join("; ")
        );
    }
    Ok(format!(
        "{name} {}: {}ok ({} files checked)",
        info.id,
        if deep { "deep verification " } else { "" },
        rec.files_checked
    ))
}

pub async fn restore(
    env: TaskEnv,
    ctx: TaskCtx,
    id: ServiceId,
    backup: String,
) -> anyhow::Result<String> {
    let (dir, side) = locate(&env, &id).await?;
    let name = service_name(id.as_str());
    let root = root(&env);
    let info = crate::backup::list(&root, Some(&name))?
        .into_iter()
        .find(|b| b.id == backup)
        .ok_or_else(|| anyhow::anyhow!("no backup {backup} of {name} under {}", root.display()))?;
    let plan = RestorePlan {
        service: name,
        kind: Some(side.svc.kind),
        backup: info,
        dir,
        root,
        filter: filter(&env.cfg.backup),
        cluster: Some(side),
    };
    let report = flow::restore(plan, &CtxProgress(&ctx)).await?;
    env.refresh.now();
    let verdict = if report.checks_ok {
        "post-checks passed"
    } else {
        "post-checks FAILED"
    };
    if !report.checks_ok {
        anyhow::bail!(
            "{id} restored from {backup} in {:.1} s but the {verdict}: {}",
            report.total_seconds,
            report.checks.join("; ")
        );
    }
    Ok(format!(
        "{id} restored from {backup} in {:.1} s (RTO); {verdict}",
        report.total_seconds
    ))
}

/// Back up, verify and restore: their spec and body.
pub(super) fn task(request: &TaskRequest, title: String, env: TaskEnv) -> (TaskSpec, TaskBody) {
    match request {
        TaskRequest::BackupNow(id) => {
            let id = id.clone();
            (
                TaskSpec::mutating(title, vec![self::lock(&id)], self::BACKUP_STEPS),
                Box::new(move |ctx| Box::pin(self::backup_now(env, ctx, id))),
            )
        }
        TaskRequest::VerifyBackup { service, deep } => {
            let (id, deep) = (service.clone(), *deep);
            (
                TaskSpec::mutating(title, vec![self::lock(&id)], self::VERIFY_STEPS),
                Box::new(move |ctx| Box::pin(self::verify_newest(env, ctx, id, deep))),
            )
        }
        TaskRequest::RestoreBackup { service, backup: b } => {
            let (id, b) = (service.clone(), b.clone());
            (
                TaskSpec::mutating(
                    title,
                    vec![id.as_str().to_string(), self::lock(&id)],
                    crate::backup::flow::RESTORE_STEPS,
                ),
                Box::new(move |ctx| Box::pin(self::restore(env, ctx, id, b))),
            )
        }
        _ => unreachable!("not one of the backup actions"),
    }
}
