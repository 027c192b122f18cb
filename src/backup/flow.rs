//! The restore of one service, step by step, shared by `k8s-nas restore` and the console's
//! restore task: verify the checksum → safety backup of the current config → scale the
//! workload to 0 and wait until its pods are gone → extract beside the config directory and
//! swap → scale back and wait Ready → post-restore checks (the status API answers with the key
//! from the restored config; download clients and indexers present; health issues) → report
//! with the total time (the RTO). A failure or a cancel rolls back what was done: the old
//! directory is swapped back in and the workload scaled back.

use super::{BackupInfo, BackupOptions, Filter, Target};
use crate::cluster::ClusterConn;
use crate::model::{AppKind, ServiceInfo};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::Api;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const RESTORE_STEPS: &[&str] = &[
    "verify the checksum",
    "safety backup of the current config",
    "scale to 0 and wait until the pods are gone",
    "extract beside the config and swap",
    "scale back and wait until Ready",
    "post-restore checks",
];

/// How long the pods may take to go, and the app to come back Ready.
pub const POD_GONE_TIMEOUT: Duration = Duration::from_secs(120);
pub const READY_TIMEOUT: Duration = Duration::from_secs(180);

pub struct RestorePlan {
    pub service: String,
    pub kind: Option<AppKind>,
    pub backup: BackupInfo,
    /// The live config directory (node path, `node_root` applied).
    pub dir: PathBuf,
    /// The backup root (the safety backup goes there).
    pub root: PathBuf,
    pub filter: Filter,
    /// The workload to stop and start; `None` when the app is known to be stopped (`--no-scale`).
    pub cluster: Option<ClusterSide>,
}

pub struct ClusterSide {
    pub conn: ClusterConn,
    pub svc: ServiceInfo,
    pub endpoint: Option<crate::clients::transport::AppEndpoint>,
}

/// Where the steps are shown (the task's step list, or lines on stdout).
#[async_trait::async_trait]
pub trait Progress: Send + Sync {
    async fn step(&self, n: u32);
    async fn line(&self, text: String);
    fn cancelled(&self) -> bool;
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub service: String,
    pub backup: String,
    pub safety_backup: Option<String>,
    pub previous_dir: Option<PathBuf>,
    pub checks: Vec<String>,
    pub checks_ok: bool,
    pub total_seconds: f64,
}

/// The directory must be reachable from here; else the restore is refused before any step.
pub fn reachable(dir: &std::path::Path) -> anyhow::Result<()> {
    let parent = dir.parent().unwrap_or(dir);
    if std::fs::metadata(parent).is_err() {
        anyhow::bail!(
            "the config directory {} is not reachable from this machine: run the restore on the \
             node, or set `backup.node_root` to where the node's filesystem is mounted (NFS, /host)",
            dir.display()
        );
    }
    Ok(())
}

pub async fn restore(plan: RestorePlan, p: &dyn Progress) -> anyhow::Result<RestoreReport> {
    let started = Instant::now();
    reachable(&plan.dir)?;
    let cancelled = || -> anyhow::Result<()> {
        if p.cancelled() {
            anyhow::bail!("cancelled");
        }
        Ok(())
    };

    p.step(1).await;
    let b = plan.backup.clone();
    let rec = tokio::task::spawn_blocking(move || super::verify(&b, false)).await?;
    if !rec.ok {
        anyhow::bail!(
            "backup {} failed verification: {}",
            plan.backup.id,
            rec.problems.join("; ")
        );
    }
    p.line(format!(
        "{}: checksum and {} file hashes ok",
        plan.backup.id, rec.files_checked
    ))
    .await;
    cancelled()?;

    p.step(2).await;
    let safety = if plan.dir.exists() {
        let t = Target {
            service: plan.service.clone(),
            kind: plan.kind,
            dir: plan.dir.clone(),
            version: None,
        };
        let (root, filter) = (plan.root.clone(), plan.filter.clone());
        let m = tokio::task::spawn_blocking(move || {
            let opts = BackupOptions {
                filter,
                raw_fallback: true,
                ..Default::default()
            };
            super::run_backup(&t, &root, &opts)
        })
        .await??;
        for n in &m.notes {
            p.line(format!("safety backup: {n}")).await;
        }
        p.line(format!("safety backup {}", m.archive)).await;
        Some(m.archive.trim_end_matches(".tar.zst").to_string())
    } else {
        p.line(format!(
            "{} does not exist: nothing to save",
            plan.dir.display()
        ))
        .await;
        None
    };
    cancelled()?;

    p.step(3).await;
    let mut scaled: Option<(i32, &ClusterSide)> = None;
    if let Some(c) = &plan.cluster {
        let before = replicas(c).await?;
        set_replicas(c, 0).await?;
        scaled = Some((before.max(1), c));
        p.line(format!(
            "{} {} scaled 0 (was {before})",
            c.svc.workload.kind, c.svc.workload.name
        ))
        .await;
        if let Err(e) = async {
            wait_pods_gone(c, p).await?;
            cancelled()
        }
        .await
        {
            rollback_scale(scaled, p).await;
            return Err(e);
        }
    } else {
        p.line("no workload to scale (--no-scale): the app must be stopped".into())
            .await;
    }

    p.step(4).await;
    let (b, dir) = (plan.backup.clone(), plan.dir.clone());
    let swapped = match tokio::task::spawn_blocking(move || super::restore_dir(&b, &dir)).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            rollback_scale(scaled, p).await;
            return Err(e);
        }
        Err(e) => {
            rollback_scale(scaled, p).await;
            return Err(e.into());
        }
    };
    p.line(match &swapped.previous {
        Some(prev) => format!(
            "{} files restored; the old config is kept as {}",
            swapped.files,
            prev.display()
        ),
        None => format!("{} files restored", swapped.files),
    })
    .await;
    if p.cancelled() {
        undo_swap(&plan.dir, swapped.previous.as_deref(), p).await;
        rollback_scale(scaled, p).await;
        anyhow::bail!("cancelled; the previous config is back in place");
    }

    p.step(5).await;
    if let Some((n, c)) = scaled {
        set_replicas(c, n).await?;
        wait_ready(c, n, p).await?;
        p.line(format!(
            "{} {} Ready ({n})",
            c.svc.workload.kind, c.svc.workload.name
        ))
        .await;
    }

    p.step(6).await;
    let (checks, checks_ok) = post_checks(&plan).await;
    for c in &checks {
        p.line(c.clone()).await;
    }
    Ok(RestoreReport {
        service: plan.service.clone(),
        backup: plan.backup.id.clone(),
        safety_backup: safety,
        previous_dir: swapped.previous,
        checks,
        checks_ok,
        total_seconds: started.elapsed().as_secs_f64(),
    })
}

async fn rollback_scale(scaled: Option<(i32, &ClusterSide)>, p: &dyn Progress) {
    if let Some((n, c)) = scaled {
        match set_replicas(c, n).await {
            Ok(()) => p.line(format!("rolled back: scaled back to {n}")).await,
            Err(e) => {
                p.line(format!("rollback FAILED: scale back to {n}: {e:#}"))
                    .await
            }
        }
    }
}

async fn undo_swap(dir: &std::path::Path, previous: Option<&std::path::Path>, p: &dyn Progress) {
    let Some(prev) = previous else { return };
    let aside = dir.with_file_name(format!(
        "{}.rolled-back-{}",
        dir.file_name().unwrap_or_default().to_string_lossy(),
        super::id_for(jiff::Timestamp::now())
    ));
    let r = std::fs::rename(dir, &aside).and_then(|()| std::fs::rename(prev, dir));
    match r {
        Ok(()) => {
            p.line(format!(
                "rolled back: previous config back in {}",
                dir.display()
            ))
            .await
        }
        Err(e) => {
            p.line(format!(
                "rollback FAILED: {e}; the old config is in {}",
                prev.display()
            ))
            .await
        }
    }
}

async fn replicas(c: &ClusterSide) -> anyhow::Result<i32> {
    let (ns, name) = (&c.svc.namespace, &c.svc.workload.name);
    let client = c.conn.client.clone();
    Ok(match c.svc.workload.kind.as_str() {
        "Deployment" => Api::<Deployment>::namespaced(client, ns)
            .get(name)
            .await?
            .spec
            .and_then(|s| s.replicas)
            .unwrap_or(1),
        "StatefulSet" => Api::<StatefulSet>::namespaced(client, ns)
            .get(name)
            .await?
            .spec
            .and_then(|s| s.replicas)
            .unwrap_or(1),
        k => anyhow::bail!("cannot scale a {k}: restore needs a Deployment or StatefulSet"),
    })
}

/// Scale the service's workload: the console's one `kubectl scale` (negative counts are 0).
async fn set_replicas(c: &ClusterSide, n: i32) -> anyhow::Result<()> {
    let w = &c.svc.workload;
    let n = u32::try_from(n).unwrap_or(0);
    crate::cluster::workload::scale(&c.conn.client, &c.svc.namespace, &w.kind, &w.name, n).await
}

fn selector(c: &ClusterSide) -> String {
    c.svc
        .selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

async fn wait_pods_gone(c: &ClusterSide, p: &dyn Progress) -> anyhow::Result<()> {
    let pods = Api::<Pod>::namespaced(c.conn.client.clone(), &c.svc.namespace);
    let lp = ListParams::default().labels(&selector(c));
    let t0 = Instant::now();
    loop {
        let n = pods.list(&lp).await?.items.len();
        if n == 0 {
            return Ok(());
        }
        if t0.elapsed() > POD_GONE_TIMEOUT {
            anyhow::bail!(
                "{n} pod(s) still there after {} s",
                POD_GONE_TIMEOUT.as_secs()
            );
        }
        if p.cancelled() {
            anyhow::bail!("cancelled");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn wait_ready(c: &ClusterSide, n: i32, p: &dyn Progress) -> anyhow::Result<()> {
    let (ns, name) = (&c.svc.namespace, &c.svc.workload.name);
    let t0 = Instant::now();
    loop {
        let ready = match c.svc.workload.kind.as_str() {
            "Deployment" => Api::<Deployment>::namespaced(c.conn.client.clone(), ns)
                .get(name)
                .await?
                .status
                .and_then(|s| s.ready_replicas),
            _ => Api::<StatefulSet>::namespaced(c.conn.client.clone(), ns)
                .get(name)
                .await?
                .status
                .and_then(|s| s.ready_replicas),
        }
        .unwrap_or(0);
        if ready >= n {
            return Ok(());
        }
        if t0.elapsed() > READY_TIMEOUT {
            anyhow::bail!("{ready}/{n} Ready after {} s", READY_TIMEOUT.as_secs());
        }
        if p.cancelled() {
            anyhow::bail!("cancelled while waiting for Ready (the restored config stays)");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The status API with the key from the restored config; download clients and indexers;
/// health issues. `(lines, all passed)`.
async fn post_checks(plan: &RestorePlan) -> (Vec<String>, bool) {
    use crate::clients::servarr::{ProviderKind, ServarrClient};
    let mut out = Vec::new();
    let Some(kind) = plan.kind else {
        return (vec!["no post-checks for an unknown app".into()], true);
    };
    let key = crate::keys::parse::key_file(kind).and_then(|kf| {
        let text = std::fs::read_to_string(plan.dir.join(kf.rel_path)).ok()?;
        crate::keys::parse::parse_key(kind, &text).ok()
    });
    let Some(key) = key else {
        return (
            vec![format!(
                "the restored config has no readable {} API key",
                kind.display()
            )],
            false,
        );
    };
    out.push(format!(
        "restored API key fingerprint {}",
        super::fingerprint(key.expose())
    ));
    if !kind.is_servarr() {
        return (out, true);
    }
    let Some(ep) = plan.cluster.as_ref().and_then(|c| c.endpoint.clone()) else {
        out.push("status API not checked (no cluster endpoint)".into());
        return (out, true);
    };
    let client = ServarrClient::new(kind, ep, key);
    let t0 = Instant::now();
    let status = loop {
        match client.system_status().await {
            Ok(s) => break Ok(s),
            Err(e) if t0.elapsed() > Duration::from_secs(60) => break Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    };
    let mut ok = true;
    match status {
        Ok(s) => out.push(format!(
            "status API answers with the restored key: {} {}",
            s.app_name, s.version
        )),
        Err(e) => {
            ok = false;
            out.push(format!(
                "status API with the restored key: FAILED ({})",
                e.detail
            ));
        }
    }
    for (what, pk) in [
        ("download clients", ProviderKind::DownloadClient),
        ("indexers", ProviderKind::Indexer),
    ] {
        if kind == AppKind::Prowlarr && pk == ProviderKind::DownloadClient {
            continue;
        }
        match client.providers(pk).await {
            Ok(v) if v.is_empty() => {
                ok = false;
                out.push(format!("{what}: none (FAILED)"));
            }
            Ok(v) => out.push(format!(
                "{what}: {}",
                v.iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Err(e) => {
                ok = false;
                out.push(format!("{what}: FAILED ({})", e.detail));
            }
        }
    }
    match client.health_resources().await {
        Ok(h) if h.is_empty() => out.push("health: no issues".into()),
        Ok(h) => {
            for i in h {
                out.push(format!("health: {} {}", i.kind, i.message));
            }
        }
        Err(e) => out.push(format!("health: not read ({})", e.detail)),
    }
    (out, ok)
}
