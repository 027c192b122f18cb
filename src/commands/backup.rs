//! `k8s-nas backup run|verify|list`: the backup engine (`crate::backup`) from the command line.
//! Config directories come from `--path`, `backup.paths`, or discovery (hostPath or
//! PVC → PV node path), with `backup.node_root` prefixed.
//!
//! Exit 0 all done and verified; 1 a backup or a verification failed; 2 could not run.

use crate::backup::{self, BackupInfo, BackupOptions, Target};
use crate::cli::Output;
use crate::config::{Config, Paths};
use crate::model::AppKind;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Subcommand)]
pub enum BackupAction {
    /// Back up config directories (SQLite captured with the online backup API), verify the
    /// new archive, apply retention (keep 7 daily, 4 weekly, 6 monthly; configurable) and copy
    /// to the restic repository when one is configured.
    Run {
        /// Service name (`sonarr`; repeatable). Default: every service found.
        #[arg(long = "service")]
        services: Vec<String>,
        /// Every service found (the default without --service).
        #[arg(long)]
        all: bool,
        /// Backup root (default: `backup.root`, else `<data dir>/backups`).
        #[arg(long)]
        root: Option<PathBuf>,
        /// The config directory of the one --service (instead of discovery).
        #[arg(long)]
        path: Option<PathBuf>,
        /// Write and delete nothing: show what would be backed up and what retention would remove.
        #[arg(long)]
        dry_run: bool,
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// Check archives: checksum and every file hash; --deep also restores into a scratch
    /// directory, runs `PRAGMA integrity_check` and parses the app's config file.
    Verify {
        #[arg(long = "service")]
        services: Vec<String>,
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(long)]
        deep: bool,
        /// One backup id (default: the newest of each service).
        #[arg(long)]
        id: Option<String>,
        /// Also run `restic check` on the configured repository.
        #[arg(long)]
        restic: bool,
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// List the backups under the root.
    List {
        #[arg(long = "service")]
        services: Vec<String>,
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
}

pub async fn run(cfg: &Config, paths: &Paths, action: BackupAction) -> anyhow::Result<u8> {
    match action {
        BackupAction::Run {
            services,
            all: _,
            root,
            path,
            dry_run,
            output,
        } => {
            let root = cfg.backup.root_or(root.as_deref(), paths);
            let targets = targets(cfg, &services, path).await?;
            run_backups(cfg, &root, &targets, dry_run, output).await
        }
        BackupAction::Verify {
            services,
            root,
            deep,
            id,
            restic,
            output,
        } => {
            let root = cfg.backup.root_or(root.as_deref(), paths);
            verify_cmd(cfg, &root, &services, deep, id.as_deref(), restic, output).await
        }
        BackupAction::List {
            services,
            root,
            output,
        } => {
            let root = cfg.backup.root_or(root.as_deref(), paths);
            let all = listing(&root, &services)?;
            match output {
                Output::Json => crate::out!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "schema": "k8s-nas/backups/v1", "root": root, "backups": all
                    }))?
                ),
                Output::Table => {
                    crate::out!("backup root: {}", root.display());
                    crate::out!(
                        "{:<14} {:<18} {:>10} {:>6}  VERIFIED",
                        "SERVICE",
                        "ID",
                        "SIZE",
                        "FILES"
                    );
                    for b in &all {
                        crate::out!(
                            "{:<14} {:<18} {:>10} {:>6}  {}",
                            b.service,
                            b.id,
                            human(b.size),
                            b.files,
                            verified(b)
                        );
                    }
                    if all.is_empty() {
                        crate::out!("(no backups)");
                    }
                }
            }
            Ok(0)
        }
    }
}

fn listing(root: &Path, services: &[String]) -> anyhow::Result<Vec<BackupInfo>> {
    let mut all = backup::list(root, None)
        .map_err(|e| anyhow::anyhow!("cannot read the backup root {}: {e}", root.display()))?;
    if !services.is_empty() {
        all.retain(|b| services.contains(&b.service));
    }
    Ok(all)
}

pub fn verified(b: &BackupInfo) -> String {
    match &b.verification {
        None => "never".into(),
        Some(v) if v.ok => format!("ok{} {}", if v.deep { " (deep)" } else { "" }, v.at),
        Some(v) => format!("FAILED {}", v.problems.first().cloned().unwrap_or_default()),
    }
}

pub fn human(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// What to back up. `--path` (one --service), then [`backup::config_dirs`] (`backup.paths`,
/// then the node paths discovery resolved); the cluster is asked only when `backup.paths` does
/// not name every service wanted.
pub async fn targets(
    cfg: &Config,
    services: &[String],
    path: Option<PathBuf>,
) -> anyhow::Result<Vec<Target>> {
    if let Some(p) = path {
        let [svc] = services else {
            anyhow::bail!("--path needs exactly one --service");
        };
        return Ok(vec![Target {
            service: svc.clone(),
            kind: AppKind::from_id(svc),
            dir: p,
            version: None,
        }]);
    }
    let configured_all =
        !services.is_empty() && services.iter().all(|s| cfg.backup.paths.contains_key(s));
    let inventory = if cfg.backup.paths.is_empty() || (!services.is_empty() && !configured_all) {
        let facts = crate::engine::facts::ClusterFacts::connect(cfg).await.map_err(|e| {
            anyhow::anyhow!(
                "{e:#}\n(no cluster: give the config directory with --service S --path DIR, or `[backup.paths]` in the config file)"
            )
        })?;
        Some(facts.inventory(cfg))
    } else {
        None
    };
    let mut out: Vec<Target> = backup::config_dirs(&cfg.backup, inventory.as_ref())
        .into_iter()
        .map(|(name, s)| Target {
            kind: s
                .service
                .map(|v| v.kind)
                .or_else(|| AppKind::from_id(&name)),
            version: s
                .service
                .and_then(|v| v.image.rsplit_once(':').map(|(_, t)| t.to_string())),
            service: name,
            dir: s.dir,
        })
        .collect();
    if !services.is_empty() {
        for s in services {
            if !out.iter().any(|t| &t.service == s) {
                anyhow::bail!("no config directory known for service {s} (discovery found none; give --path DIR)");
            }
        }
        out.retain(|t| services.contains(&t.service));
    }
    if out.is_empty() {
        anyhow::bail!("no service with a config directory on a node path was found");
    }
    Ok(out)
}

async fn run_backups(
    cfg: &Config,
    root: &Path,
    targets: &[Target],
    dry_run: bool,
    output: Output,
) -> anyhow::Result<u8> {
    let mut results = Vec::new();
    let mut code = 0;
    if output == Output::Table {
        crate::out!("backup root: {}", root.display());
    }
    for t in targets {
        let existing = backup::list(root, Some(&t.service)).unwrap_or_default();
        if dry_run {
            let gone = backup::plan_retention(&existing, backup::policy(&cfg.backup));
            let ids: Vec<_> = gone.iter().map(|b| b.id.clone()).collect();
            if output == Output::Table {
                crate::out!("{}: would back up {}", t.service, t.dir.display());
                for id in &ids {
                    crate::out!("{}: retention would delete {id}", t.service);
                }
            }
            results.push(
                json!({"service": t.service, "source": t.dir, "dryRun": true, "wouldDelete": ids}),
            );
            continue;
        }
        let (t2, root2, f) = (t.clone(), root.to_path_buf(), backup::filter(&cfg.backup));
        let res = tokio::task::spawn_blocking(move || {
            let opts = BackupOptions {
                filter: f,
                ..Default::default()
            };
            backup::run_and_verify(&t2, &root2, &opts, &|| {})
        })
        .await?;
        match res {
            Err(e) => {
                code = 1;
                if output == Output::Table {
                    crate::out!("{}: FAILED: {e}", t.service);
                }
                results
                    .push(json!({"service": t.service, "source": t.dir, "error": e.to_string()}));
            }
            Ok(new) => {
                let m = &new.manifest;
                let ok = new.verification.ok;
                let mut removed = Vec::new();
                if ok {
                    let all = backup::list(root, Some(&t.service)).unwrap_or_default();
                    match backup::apply_retention(&all, backup::policy(&cfg.backup), false) {
                        Ok(g) => removed = g.into_iter().map(|b| b.id).collect(),
                        Err(e) => crate::out!("{}: retention: {e}", t.service),
                    }
                } else {
                    code = 1;
                }
                let restic = match ok {
                    true => backup::restic::copy_if_configured(cfg, &new.info).await,
                    false => None,
                };
                if output == Output::Table {
                    crate::out!(
                        "{}: {} ({} files, {}) from {}; verify {}{}",
                        t.service,
                        m.archive,
                        m.files.len(),
                        human(m.archive_size),
                        t.dir.display(),
                        if ok { "ok" } else { "FAILED" },
                        if removed.is_empty() {
                            String::new()
                        } else {
                            format!("; retention removed {}", removed.join(", "))
                        }
                    );
                    if let Some(r) = &restic {
                        crate::out!("{}: restic: {r}", t.service);
                    }
                }
                if restic.as_deref().is_some_and(|r| r.starts_with("FAILED")) {
                    code = 1;
                }
                results.push(json!({
                    "service": t.service, "source": t.dir, "archive": new.info.archive,
                    "id": new.info.id, "files": m.files.len(), "size": m.archive_size,
                    "verified": ok, "removed": removed, "restic": restic,
                }));
            }
        }
    }
    if output == Output::Json {
        crate::out!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"schema": "k8s-nas/backup-run/v1", "root": root, "results": results})
            )?
        );
    }
    Ok(code)
}

async fn verify_cmd(
    cfg: &Config,
    root: &Path,
    services: &[String],
    deep: bool,
    id: Option<&str>,
    restic: bool,
    output: Output,
) -> anyhow::Result<u8> {
    let all = listing(root, services)?;
    let mut chosen: Vec<BackupInfo> = match id {
        Some(id) => all.into_iter().filter(|b| b.id == id).collect(),
        None => {
            let mut newest: Vec<BackupInfo> = Vec::new();
            for b in all {
                newest.retain(|n| n.service != b.service);
                newest.push(b);
            }
            newest
        }
    };
    chosen.sort_by(|a, b| a.service.cmp(&b.service));
    if chosen.is_empty() {
        anyhow::bail!("no backup to verify under {}", root.display());
    }
    let mut code = 0;
    let mut results = Vec::new();
    for b in chosen {
        let b2 = b.clone();
        let rec = tokio::task::spawn_blocking(move || backup::verify(&b2, deep)).await?;
        if !rec.ok {
            code = 1;
        }
        if output == Output::Table {
            crate::out!(
                "{} {}: {}{}",
                b.service,
                b.id,
                if rec.ok { "ok" } else { "FAILED" },
                if rec.ok {
                    format!(
                        " ({} files{})",
                        rec.files_checked,
                        if deep { ", deep" } else { "" }
                    )
                } else {
                    format!(": {}", rec.problems.join("; "))
                }
            );
        }
        results.push(json!({"service": b.service, "id": b.id, "result": rec}));
    }
    let mut restic_result = None;
    if restic {
        let r = backup::restic::check(cfg).await;
        if r.is_err() {
            code = 1;
        }
        let line = match &r {
            Ok(s) => format!("ok: {s}"),
            Err(e) => format!("FAILED: {e:#}"),
        };
        if output == Output::Table {
            crate::out!("restic check: {line}");
        }
        restic_result = Some(line);
    }
    if output == Output::Json {
        crate::out!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"schema": "k8s-nas/backup-verify/v1", "results": results, "restic": restic_result})
            )?
        );
    }
    Ok(code)
}
