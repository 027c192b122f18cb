//! Jobs pane (`:jobs`, `:cj`, `:cronjobs`): every CronJob of the watched namespaces (schedule,
//! last schedule, last success, active Jobs, suspended) followed by its recent Jobs, and Jobs no
//! CronJob owns — one row each, coloured by the row's worst `job.*` finding. The box below shows
//! the row's Jobs or pods with their state (Pending with the reason, ImagePullBackOff, failed)
//! and each finding with its fix and runbook. `t` on a CronJob runs it now (a Job from its
//! template, as `kubectl create job --from=cronjob/NAME`; confirm first, hidden in read-only
//! mode); `l` shows the logs of the last run (the newest Job's pod; when that pod never
//! started, the previous run's).

use super::listing::{listing_filter, Listing, TableCtx};
use crate::bus::rows::age;
use crate::bus::JobsView;
use crate::jobs::{CronJobState, JobState};
use crate::model::{Finding, Severity};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Msg, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::Tone;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, ObjectRef, PaneId, View};
use crate::tui::widgets::detail;
use crate::tui::widgets::table::{haystack, CellText, Column, TableRow};
use jiff::Timestamp;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "jobs";

/// Jobs shown under each CronJob.
const RECENT: usize = 3;

const RUN: Action = Action::new("jobs.run");

pub fn pane() -> Box<dyn Pane> {
    Box::new(JobsState {
        list: Listing::new(COLUMNS),
    })
}

/// One row: a CronJob or a Job.
#[derive(Debug, Clone)]
pub struct JobRow {
    /// `CronJob` or `Job`.
    pub kind: &'static str,
    pub name: String,
    pub schedule: String,
    pub last_schedule: Option<Timestamp>,
    pub last_success: Option<Timestamp>,
    pub active: String,
    /// `suspended`, `active`, or the Job's state.
    pub state: String,
    pub pods: String,
    pub severity: Severity,
    pub detail: Vec<String>,
    pub findings: Vec<Finding>,
    /// `(namespace, name)` of the CronJob, for run-now.
    pub cronjob: Option<(String, String)>,
    /// `(namespace, name)` of the row's object, for describe.
    pub object: (String, String),
    /// The pod whose log `l` shows, and a note when it is not the newest run's.
    pub log: Option<LogPick>,
    id: String,
    haystack: String,
}

/// The pod of a run whose log `l` opens.
#[derive(Debug, Clone)]
pub struct LogPick {
    pub namespace: String,
    pub pod: String,
    pub containers: Vec<String>,
    pub restarts: u32,
    /// Why this is not the newest run's pod (`None`: it is).
    pub note: Option<String>,
}

/// The newest pod that ran among `jobs` (newest first): the last run, or — when the newest
/// Job's pod never started (Pending on an image pull) — the run before it, with a note.
fn log_pick<'a>(jobs: impl IntoIterator<Item = &'a JobState>) -> Option<LogPick> {
    let mut skipped: Option<String> = None;
    for j in jobs {
        match j.pods.iter().find(|p| p.ran() && !p.containers.is_empty()) {
            Some(p) => {
                return Some(LogPick {
                    namespace: j.namespace.clone(),
                    pod: p.name.clone(),
                    containers: p.containers.clone(),
                    restarts: p.restarts,
                    note: skipped,
                })
            }
            None if skipped.is_none() => {
                let why = j.pods.first().and_then(|p| p.reason.clone());
                skipped = Some(format!(
                    "the newest run ({}) has not started{}: showing the previous run",
                    j.name,
                    why.map(|r| format!(" ({r})")).unwrap_or_default()
                ));
            }
            None => {}
        }
    }
    None
}

impl TableRow for JobRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        Tone::of_severity(self.severity).into()
    }
}

fn tone_of(state: &str) -> Tone {
    match state {
        "Complete" | "scheduled" => Tone::Ok,
        "Running" | "Suspended" | "suspended" => Tone::Warn,
        "Failed" => Tone::Error,
        _ => Tone::Muted,
    }
}

type C = Column<JobRow>;

fn when(t: Option<Timestamp>, now: Timestamp) -> CellText {
    match t {
        Some(t) => age(Some(t), now).into(),
        None => "never".into(),
    }
}

static COLUMNS: &[C] = &[
    C::new("TYPE", |r, _| r.kind.into()).sort('T', |a, b| a.kind.cmp(b.kind)),
    C::new("NAME", |r, _| r.name.as_str().into())
        .min(12)
        .max(48)
        .sort('N', |a, b| a.name.cmp(&b.name)),
    C::new("SCHEDULE", |r, _| r.schedule.as_str().into()).priority(1),
    C::new("STATE", |r, _| {
        CellText::tone(r.state.clone(), tone_of(&r.state))
    })
    .sort('S', |a, b| a.state.cmp(&b.state)),
    C::new("LAST SCHEDULE", |r, c| when(r.last_schedule, c.now)).priority(2),
    C::new("LAST SUCCESS", |r, c| match r.kind {
        "Job" => "-".into(),
        _ => when(r.last_success, c.now),
    })
    .priority(1),
    C::new("ACTIVE", |r, _| r.active.as_str().into()).priority(2),
    C::new("PODS", |r, _| r.pods.as_str().into()).priority(3),
    C::new("FINDINGS", |r, _| {
        CellText::tone(
            match r.findings.len() {
                0 => "none".to_string(),
                n => format!("{n} ({})", r.severity.label()),
            },
            Tone::of_severity(r.severity),
        )
    })
    .sort('W', |a, b| b.severity.cmp(&a.severity)),
];

fn worst(f: &[Finding]) -> Severity {
    f.iter().map(|f| f.severity).max().unwrap_or(Severity::Ok)
}

fn mine(findings: &[Finding], id: &str) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.subject == id)
        .cloned()
        .collect()
}

fn pod_lines(j: &JobState) -> Vec<String> {
    if j.pods.is_empty() {
        return vec![format!("  Job {}: {} · no pods", j.name, j.state)];
    }
    j.pods
        .iter()
        .map(|p| {
            let mut l = format!("  pod {} {}", p.name, p.phase);
            if let Some(r) = &p.reason {
                l.push_str(&format!(" ({r})"));
            }
            if let Some(m) = &p.message {
                l.push_str(&format!(": {m}"));
            }
            l
        })
        .collect()
}

fn pods_cell(j: &JobState) -> String {
    match j.pods.first() {
        None => "-".into(),
        Some(p) => match &p.reason {
            Some(r) if p.phase != "Succeeded" => format!("{} {}: {r}", j.pods.len(), p.phase),
            _ => format!("{} {}", j.pods.len(), p.phase),
        },
    }
}

fn cron_row(cj: &CronJobState, v: &JobsView) -> JobRow {
    let id = cj.id();
    let f = mine(&v.findings, &id);
    let recent: Vec<&JobState> = v.facts.jobs_of(cj).take(RECENT).collect();
    let mut detail = vec![format!(
        "CronJob {id} · schedule `{}`{}",
        cj.schedule,
        match cj.interval_secs {
            Some(s) => format!(" (at most {} min apart)", s / 60),
            None => " (interval unknown: schedule not understood)".into(),
        }
    )];
    if recent.is_empty() {
        detail.push("no Jobs of it are kept".into());
    }
    for j in &recent {
        detail.push(format!("Job {} {}", j.name, j.state));
        detail.extend(pod_lines(j));
    }
    JobRow {
        kind: "CronJob",
        name: id.clone(),
        schedule: cj.schedule.clone(),
        last_schedule: cj.last_schedule,
        last_success: cj.last_success,
        active: cj.active.to_string(),
        state: if cj.suspended {
            "suspended"
        } else {
            "scheduled"
        }
        .into(),
        pods: recent.first().map_or("-".into(), |j| pods_cell(j)),
        severity: worst(&f),
        detail,
        findings: f,
        cronjob: Some((cj.namespace.clone(), cj.name.clone())),
        object: (cj.namespace.clone(), cj.name.clone()),
        log: log_pick(v.facts.jobs_of(cj)),
        haystack: haystack(["CronJob", &id, &cj.schedule]),
        id: format!("cj/{id}"),
    }
}

fn job_row(j: &JobState, v: &JobsView) -> JobRow {
    let id = j.id();
    let f = mine(&v.findings, &id);
    let mut detail = vec![format!(
        "Job {id} · {}{}",
        j.state,
        j.cronjob
            .as_deref()
            .map(|c| format!(" · from CronJob {c}"))
            .unwrap_or_default()
    )];
    if let Some(m) = &j.message {
        detail.push(format!("Failed: {m}"));
    }
    detail.extend(pod_lines(j));
    JobRow {
        kind: "Job",
        name: format!("{}{id}", if j.cronjob.is_some() { "└ " } else { "" }),
        schedule: "-".into(),
        last_schedule: j.created,
        last_success: None,
        active: if j.state == "Running" { "1" } else { "0" }.into(),
        state: j.state.clone(),
        pods: pods_cell(j),
        severity: worst(&f),
        detail,
        findings: f,
        cronjob: None,
        object: (j.namespace.clone(), j.name.clone()),
        log: log_pick([j]),
        haystack: haystack(["Job", &id, &j.state]),
        id: format!("job/{id}"),
    }
}

/// The rows of a view: each CronJob followed by its recent Jobs, then Jobs no CronJob owns
/// (or whose CronJob is gone).
pub fn rows(v: &JobsView) -> Vec<JobRow> {
    let mut out = Vec::new();
    for cj in &v.facts.cronjobs {
        out.push(cron_row(cj, v));
        out.extend(v.facts.jobs_of(cj).take(RECENT).map(|j| job_row(j, v)));
    }
    let owned = |j: &JobState| {
        v.facts
            .cronjobs
            .iter()
            .any(|c| c.namespace == j.namespace && j.cronjob.as_deref() == Some(c.name.as_str()))
    };
    out.extend(
        v.facts
            .jobs
            .iter()
            .filter(|j| !owned(j))
            .map(|j| job_row(j, v)),
    );
    out
}

pub struct JobsState {
    pub list: Listing<JobRow>,
}

impl JobsState {
    pub fn set_view(&mut self, v: &JobsView) {
        self.list.set_rows(rows(v));
    }
}

impl Pane for JobsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Jobs"
    }

    fn bindings(&self) -> Vec<Binding> {
        Listing::bindings_with(
            vec![
                Binding::new(Key::ch('t'), RUN, "run cronjob now").mutating(),
                Binding::new(Key::ch('l'), Action::LOGS, "logs of the last run"),
                Binding::new(Key::ch('d'), Action::DESCRIBE, "describe"),
            ],
            COLUMNS,
        )
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["jobs", "cj", "cronjobs"],
            "CronJobs and Jobs: schedules, last success, stuck pods",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            RUN => confirm_run(ctx, self.list.selected()),
            Action::LOGS => open_logs(ctx, self.list.selected()),
            Action::DESCRIBE => {
                if let Some(r) = self.list.selected() {
                    let (namespace, name) = r.object.clone();
                    ctx.push(super::describe::object_view(ObjectRef {
                        kind: r.kind.into(),
                        namespace,
                        name,
                        ..ObjectRef::default()
                    }));
                }
            }
            _ => self.list.navigate(action),
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Jobs(v) = msg {
            self.set_view(v);
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let tctx = TableCtx::new("Jobs", &ctx.theme, ctx.now)
            .empty("no CronJobs or Jobs")
            .loading_unless(self.list.received(), "waiting for the cluster…");
        let areas = detail::split(area, 10);
        self.list.render_with_detail(f, areas, &tctx, "job", |r| {
            (r.detail.as_slice(), r.findings.as_slice())
        });
    }
}

/// Ask before running the CronJob under the cursor now.
fn confirm_run(ctx: &mut Ctx, row: Option<&JobRow>) {
    let Some((ns, name)) = row.and_then(|r| r.cronjob.clone()) else {
        ctx.set_flash("run now works on a CronJob row", FlashLevel::Info);
        return;
    };
    let lines = vec![
        (
            format!("Create a Job from CronJob {ns}/{name}'s template now, as `kubectl create job --from=cronjob/{name}` does."),
            Role::Base,
        ),
        (
            format!("Named {name}-manual-…, annotated cronjob.kubernetes.io/instantiate=manual, owned by the CronJob."),
            Role::Muted,
        ),
    ];
    let task = TaskRequest::RunCronJob { namespace: ns, name };
    ctx.open_modal(Modal::Confirm(Confirm::new("Run cronjob now", lines, "Run", Reply::Task(task))));
}

/// The logs of the row's last run.
fn open_logs(ctx: &mut Ctx, row: Option<&JobRow>) {
    let Some(row) = row else { return };
    let Some(p) = &row.log else {
        ctx.set_flash(format!("{}: no run with a log (no pod has started)", row.name.trim_start_matches("└ ")), FlashLevel::Warn);
        return;
    };
    if let Some(note) = &p.note {
        ctx.set_flash(note.clone(), FlashLevel::Info);
    }
    ctx.push(super::logs::pod_view(crate::tui::view::ObjectRef {
        kind: "Pod".into(),
        namespace: p.namespace.clone(),
        name: p.pod.clone(),
        containers: p.containers.clone(),
        restarts: p.restarts,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::JobPod;

    fn job(name: &str, phase: &str, reason: Option<&str>) -> JobState {
        JobState {
            namespace: "ops".into(),
            name: name.into(),
            cronjob: Some("sync".into()),
            state: "Running".into(),
            message: None,
            created: None,
            pods: vec![JobPod {
                name: format!("{name}-x"),
                phase: phase.into(),
                reason: reason.map(Into::into),
                message: None,
                created: None,
                containers: vec!["sync".into()],
                restarts: 0,
            }],
        }
    }

    #[test]
    fn the_last_run_or_the_one_before_a_run_that_never_started() {
        let newest = job("sync-3", "Pending", Some("ImagePullBackOff"));
        let before = job("sync-2", "Failed", Some("Error"));
        let p = log_pick([&newest, &before]).unwrap();
        assert_eq!(p.pod, "sync-2-x");
        assert!(p.note.unwrap().contains("sync-3) has not started (ImagePullBackOff)"));
        let p = log_pick([&before, &newest]).unwrap();
        assert_eq!((p.pod.as_str(), p.note), ("sync-2-x", None));
        assert!(log_pick([&newest]).is_none());
    }
}
