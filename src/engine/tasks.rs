//! Long actions the TUI asks for (`Effect::RunTask`): integration plan/apply/test, Prowlarr
//! indexer sync, key check and key sync. Each runs as its own cancellable tokio task, reports
//! stages and log lines as `TaskProgress`, ends with `TaskDone`, and sends the refreshed view.
//! The work itself is the same engine code the headless `integrate` and `keys` commands run.

use crate::bus::views::{
    field_rows, HealthNote, IndexerCount, IntegrationsView, KeyRow, KeysView, RootFolderInfo,
};
use crate::bus::{Msg, TaskId, TaskOutcome, TaskProgress, TaskRequest};
use crate::checks::{Fact, KeysFacts};
use crate::config::Config;
use crate::engine::live::live_context;
use crate::integrate::live::{self as ilive, LivePlan};
use crate::keys::live::{write_secret, KeysReport};
use tokio::sync::mpsc;

/// Reports progress of one task to the UI.
#[derive(Clone)]
struct Reporter {
    id: TaskId,
    title: String,
    steps: u32,
    tx: mpsc::Sender<Msg>,
    /// What the task learnt, for the engine's findings.
    facts: mpsc::UnboundedSender<Fact>,
}

impl Reporter {
    async fn stage(&self, step: u32, stage: &str, lines: Vec<String>) {
        let _ = self
            .tx
            .send(Msg::TaskProgress(TaskProgress {
                id: self.id,
                title: self.title.clone(),
                stage: stage.to_string(),
                step,
                steps: self.steps,
                lines,
                units: None,
                log: None,
            }))
            .await;
    }

    fn learnt(&self, fact: Fact) {
        let _ = self.facts.send(fact);
    }

    async fn done(&self, r: anyhow::Result<String>) {
        let outcome = match r {
            Ok(s) => TaskOutcome::Succeeded(s),
            Err(e) => TaskOutcome::Failed(format!("{e:#}")),
        };
        let _ = self
            .tx
            .send(Msg::TaskDone {
                id: self.id,
                outcome,
            })
            .await;
    }
}

/// Run one task to its end (the caller spawns it and may abort it to cancel).
pub async fn run(
    cfg: Config,
    id: TaskId,
    request: TaskRequest,
    tx: mpsc::Sender<Msg>,
    facts: mpsc::UnboundedSender<Fact>,
) {
    let r = Reporter {
        id,
        title: request.title(),
        steps: 3,
        tx: tx.clone(),
        facts,
    };
    let result = match request {
        TaskRequest::CheckAll => Ok("all services re-probed".to_string()),
        TaskRequest::PlanIntegrations => plan(&cfg, &r).await,
        TaskRequest::ApplyIntegrations => apply(&cfg, &r).await,
        TaskRequest::TestIntegrations => test_all(&cfg, &r).await,
        TaskRequest::SyncIndexers => sync_indexers(&cfg, &r).await,
        TaskRequest::CheckKeys => check_keys(&cfg, &r).await.map(|(s, _)| s),
        TaskRequest::SyncKeys => sync_keys(&cfg, &r).await,
    };
    r.done(result).await;
}

/// The pane's view of a live plan.
pub fn integrations_view(p: &LivePlan) -> IntegrationsView {
    let mut v = IntegrationsView::new(p.plan.clone(), jiff::Timestamp::now());
    for edge in &p.resolution.edges {
        if let Some(cur) = p.current.get(&edge.id) {
            v.fields
                .insert(edge.id.clone(), field_rows(edge, cur.as_ref()));
        }
    }
    v.indexers = p
        .extras
        .indexers
        .iter()
        .map(|i| IndexerCount {
            service: i.app.clone(),
            kind: i.kind,
            count: Ok(i.count as u32),
        })
        .collect();
    v.root_folders = p
        .extras
        .root_folders
        .iter()
        .map(|f| RootFolderInfo {
            service: f.app.clone(),
            kind: f.kind,
            path: f.path.clone(),
            accessible: f.accessible,
            free_space: f.free_space.and_then(|b| u64::try_from(b).ok()),
        })
        .collect();
    v.health = p
        .extras
        .health
        .iter()
        .map(|m| HealthNote {
            service: m.app.clone(),
            kind: m.kind,
            issue: m.issue.clone(),
        })
        .collect();
    let errors: Vec<String> = p
        .extras
        .errors
        .iter()
        .chain(&p.version_warnings)
        .cloned()
        .collect();
    if !errors.is_empty() {
        v.error = Some(errors.join("; "));
    }
    v
}

async fn plan(cfg: &Config, r: &Reporter) -> anyhow::Result<String> {
    r.stage(1, "discover", vec![]).await;
    let (live, _) = live_context(cfg).await?;
    r.stage(2, "read apps", vec![]).await;
    let p = ilive::read_plan(&live).await;
    let summary = format!(
        "{} edges, {} writes pending ({} reads)",
        p.plan.edges.len(),
        p.plan.writes(),
        p.requests.values().sum::<usize>()
    );
    r.learnt(Fact::Plan(Box::new(p.plan.clone())));
    let _ =
        r.tx.send(Msg::Integrations(Box::new(integrations_view(&p))))
            .await;
    Ok(summary)
}

async fn apply(cfg: &Config, r: &Reporter) -> anyhow::Result<String> {
    r.stage(1, "discover", vec![]).await;
    let (live, _) = live_context(cfg).await?;
    r.stage(2, "apply", vec![]).await;
    let (etx, mut erx) = mpsc::unbounded_channel::<String>();
    let forward = {
        let r = r.clone();
        tokio::spawn(async move {
            while let Some(line) = erx.recv().await {
                r.stage(2, "apply", vec![line]).await;
            }
        })
    };
    let report = ilive::apply(&live, &move |e| {
        let mark = if e.ok { "ok " } else { "ERR" };
        let _ = etx.send(format!("{mark} {:?} {}: {}", e.stage, e.label, e.detail));
    })
    .await;
    let _ = forward.await;
    r.stage(3, "re-read", vec![]).await;
    let p = ilive::read_plan(&live).await;
    r.learnt(Fact::Plan(Box::new(p.plan.clone())));
    let _ =
        r.tx.send(Msg::Integrations(Box::new(integrations_view(&p))))
            .await;
    let failed: Vec<String> = report.findings().into_iter().map(|f| f.message).collect();
    if report.all_verified() {
        Ok(format!("{} writes, every edge verified", report.writes()))
    } else {
        anyhow::bail!(
            "{} writes; not verified: {}",
            report.writes(),
            failed.join("; ")
        )
    }
}

async fn test_all(cfg: &Config, r: &Reporter) -> anyhow::Result<String> {
    r.stage(1, "discover", vec![]).await;
    let (live, _) = live_context(cfg).await?;
    r.stage(2, "test", vec![]).await;
    let results = ilive::test_all(&live).await;
    let lines: Vec<String> = results
        .iter()
        .map(|(id, res)| match res {
            Ok(()) => format!("ok  {id}"),
            Err(e) => format!("ERR {id}: {e}"),
        })
        .collect();
    let failed = results.iter().filter(|(_, res)| res.is_err()).count();
    r.stage(3, "done", lines).await;
    if failed == 0 {
        Ok(format!("{} edges tested green", results.len()))
    } else {
        anyhow::bail!("{failed} of {} edge tests failed", results.len())
    }
}

async fn sync_indexers(cfg: &Config, r: &Reporter) -> anyhow::Result<String> {
    r.stage(1, "discover", vec![]).await;
    let (live, _) = live_context(cfg).await?;
    r.stage(2, "ApplicationIndexerSync", vec![]).await;
    ilive::sync_indexers(&live).await?;
    let p = ilive::read_plan(&live).await;
    r.learnt(Fact::Plan(Box::new(p.plan.clone())));
    let _ =
        r.tx.send(Msg::Integrations(Box::new(integrations_view(&p))))
            .await;
    Ok("Prowlarr pushed its indexers to the apps".into())
}

/// Check keys, send the view; also return the report for a sync.
async fn check_keys(
    cfg: &Config,
    r: &Reporter,
) -> anyhow::Result<(String, (KeysReport, crate::cluster::ClusterConn))> {
    r.stage(1, "read and verify keys", vec![]).await;
    let crate::engine::live::KeysCheck {
        conn,
        observed,
        target,
        secret_exists: exists,
        report,
        ..
    } = crate::engine::live::check_keys(cfg).await?;
    let rows = report
        .drift
        .iter()
        .map(|d| KeyRow {
            service: d.service.clone(),
            kind: d.kind,
            location: observed
                .iter()
                .find(|(o, _)| o.service == d.service)
                .map(|(o, loc)| match (&o.key, loc) {
                    (Ok(_), Some(l)) => Ok(l.clone()),
                    (Ok(_), None) => Ok("found".into()),
                    (Err(e), _) => Err(e.clone()),
                })
                .unwrap_or_else(|| Err("not looked up".into())),
            verdict: report
                .secret_checks
                .iter()
                .find(|c| c.service == d.service)
                .map(|c| c.verdict.clone()),
            drift: Some(d.clone()),
        })
        .collect();
    let view = KeysView {
        secret: target.display(),
        secret_exists: exists,
        rows,
        fetched_at: jiff::Timestamp::now(),
        error: None,
    };
    r.learnt(Fact::Keys(Box::new(KeysFacts::from_report(
        &target,
        &report,
        jiff::Timestamp::now(),
    ))));
    let _ = r.tx.send(Msg::Keys(Box::new(view))).await;
    let pending = report.sync.as_ref().map(|s| s.changes.len()).unwrap_or(0);
    Ok((
        format!("{pending} key(s) differ from the apps"),
        (report, conn),
    ))
}

async fn sync_keys(cfg: &Config, r: &Reporter) -> anyhow::Result<String> {
    let (_, (report, conn)) = check_keys(cfg, r).await?;
    let Some(plan) = report.sync else {
        return Ok("nothing to sync: the Secret matches the apps".into());
    };
    let (ns, name) = Config::split_ref(&plan.target);
    r.stage(
        3,
        "write Secret",
        plan.changes.iter().map(|c| c.to_string()).collect(),
    )
    .await;
    write_secret(&conn.client, &ns, &name, &plan.write).await?;
    check_keys(cfg, r).await?;
    Ok(format!(
        "wrote {} key(s) to {}",
        plan.changes.len(),
        plan.target
    ))
}
