//! `k8s-nas restore <service> [--backup ID] [--yes]`: the restore steps of
//! [`crate::backup::flow`] on the command line, each printed with its elapsed time, then the
//! report with the total time (the RTO).
//!
//! Exit 0 restored and the post-checks passed; 1 restored but a post-check failed; 2 could not
//! run (nothing changed, or rolled back).

use crate::backup::flow::{self, ClusterSide, Progress, RestorePlan, RESTORE_STEPS};
use crate::cli::Output;
use crate::config::{Config, Paths};
use crate::model::AppKind;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Service name (`sonarr`).
    pub service: String,
    /// Backup id (default: the newest verified, else the newest).
    #[arg(long)]
    pub backup: Option<String>,
    /// Do not ask for the typed confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// The config directory (instead of discovery / `backup.paths`).
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// Do not scale the workload (the app is already stopped, or runs outside Kubernetes).
    #[arg(long)]
    pub no_scale: bool,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Output,
}

struct Printer {
    t0: Instant,
    cur: Mutex<(u32, Instant)>,
    quiet: bool,
}

#[async_trait::async_trait]
impl Progress for Printer {
    async fn step(&self, n: u32) {
        let mut cur = self.cur.lock().unwrap_or_else(|e| e.into_inner());
        if !self.quiet && cur.0 > 0 {
            crate::out!("  done in {:.1} s", cur.1.elapsed().as_secs_f64());
        }
        *cur = (n, Instant::now());
        if !self.quiet {
            crate::out!(
                "[{n}/{}] {} (t+{:.1} s)",
                RESTORE_STEPS.len(),
                RESTORE_STEPS[(n - 1) as usize],
                self.t0.elapsed().as_secs_f64()
            );
        }
    }
    async fn line(&self, text: String) {
        if !self.quiet {
            crate::out!("  {text}");
        }
    }
    fn cancelled(&self) -> bool {
        false
    }
}

pub async fn run(cfg: &Config, paths: &Paths, args: RestoreArgs) -> anyhow::Result<u8> {
    if cfg.read_only {
        anyhow::bail!("read-only mode: restore would change the config directory");
    }
    let root = cfg.backup.root_or(args.root.as_deref(), paths);
    let all = crate::backup::list(&root, Some(&args.service))
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", root.display()))?;
    let backup = match &args.backup {
        Some(id) => all.iter().find(|b| &b.id == id).cloned().ok_or_else(|| {
            anyhow::anyhow!(
                "no backup {id} of {} under {}",
                args.service,
                root.display()
            )
        })?,
        None => all
            .iter()
            .rev()
            .find(|b| b.verified_ok())
            .or(all.last())
            .cloned()
            .ok_or_else(|| {
                anyhow::anyhow!("no backup of {} under {}", args.service, root.display())
            })?,
    };
    // The config directory and, unless --no-scale, the workload.
    let (dir, kind, cluster) = resolve(cfg, &args).await?;
    flow::reachable(&dir)?;
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "stdin is not a terminal: pass --yes to restore without the typed confirmation"
            );
        }
        print!(
            "Restore {} from {} into {}? The app is stopped meanwhile. Type the service name to confirm: ",
            args.service,
            backup.id,
            dir.display()
        );
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        if line.trim() != args.service {
            crate::out!("not confirmed; nothing changed");
            return Ok(2);
        }
    }
    let plan = RestorePlan {
        service: args.service.clone(),
        kind,
        backup,
        dir,
        root,
        filter: crate::backup::filter(&cfg.backup),
        cluster,
    };
    let printer = Printer {
        t0: Instant::now(),
        cur: Mutex::new((0, Instant::now())),
        quiet: args.output == Output::Json,
    };
    let report = flow::restore(plan, &printer).await;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            crate::out!("restore FAILED: {e:#}");
            return Ok(2);
        }
    };
    match args.output {
        Output::Json => crate::out!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"schema": "k8s-nas/restore/v1", "report": report})
            )?
        ),
        Output::Table => {
            printer.step_done();
            crate::out!(
                "{} restored from {} in {:.1} s (RTO); post-checks {}",
                report.service,
                report.backup,
                report.total_seconds,
                if report.checks_ok { "passed" } else { "FAILED" }
            );
        }
    }
    Ok(if report.checks_ok { 0 } else { 1 })
}

impl Printer {
    fn step_done(&self) {
        let cur = self.cur.lock().unwrap_or_else(|e| e.into_inner());
        if cur.0 > 0 {
            crate::out!("  done in {:.1} s", cur.1.elapsed().as_secs_f64());
        }
    }
}

async fn resolve(
    cfg: &Config,
    args: &RestoreArgs,
) -> anyhow::Result<(PathBuf, Option<AppKind>, Option<ClusterSide>)> {
    if args.no_scale {
        let dir = args
            .path
            .clone()
            .or_else(|| crate::backup::config_dir(&cfg.backup, &args.service, None))
            .ok_or_else(|| {
                anyhow::anyhow!("--no-scale needs the config directory: --path DIR or backup.paths")
            })?;
        return Ok((dir, AppKind::from_id(&args.service), None));
    }
    let facts = crate::engine::facts::ClusterFacts::connect(cfg).await?;
    let inv = facts.inventory(cfg);
    let svc = inv
        .services
        .iter()
        .find(|s| crate::backup::service_name(s.id.as_str()) == args.service)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("service {} not found in the cluster (use --no-scale with --path for an app outside it)", args.service))?;
    let dir = args
        .path
        .clone()
        .or_else(|| crate::backup::config_dir(&cfg.backup, &args.service, Some(&svc)))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: its config volume has no node path (not hostPath or a local PV); give --path",
                svc.id
            )
        })?;
    let endpoint = crate::engine::endpoint_for(&svc, cfg, &facts.conn);
    let kind = Some(svc.kind);
    Ok((
        dir,
        kind,
        Some(ClusterSide {
            conn: facts.conn.clone(),
            svc,
            endpoint,
        }),
    ))
}
