//! GitOps pane (`:gitops`, `:argo`, `:apps`): every Argo CD Application (sync status, health,
//! operation phase, revision, last sync, automated or not), every ApplicationSet with what it
//! generated, and the `argocd-cm` health customisations that force Healthy — one row each,
//! coloured by the row's worst `gitops.*` finding. The box below shows the row: operation
//! message, conditions, out-of-sync and unhealthy resources, and each finding with its fix and
//! runbook. The AUDIT column counts the manifest audit's findings (`manifest.*`) on the
//! Application's workloads (its `status.resources`, or its destination namespace while it lists
//! none); the box lists them after its own. `r` refreshes and `s` syncs the Application under
//! the cursor (confirm first; hidden in read-only mode; a sync is refused while an operation
//! runs); `r` on an ApplicationSet asks its controller to regenerate. Hidden when Argo CD is
//! absent.

use super::listing::{Listing, TableCtx};
use crate::bus::rows::age;
use crate::bus::GitopsView;
use crate::gitops::{AppSetState, AppState};
use crate::model::{Finding, Severity};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Msg, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::Tone;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::detail;
use crate::tui::widgets::table::{haystack, CellText, Column, TableRow};
use jiff::Timestamp;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "gitops";

const REFRESH: Action = Action::new("gitops.refresh");
const SYNC: Action = Action::new("gitops.sync");

pub fn pane() -> Box<dyn Pane> {
    Box::new(GitopsState {
        list: Listing::new(COLUMNS),
        shown: Vec::new(),
    })
}

/// One row: an Application, an ApplicationSet or a health override.
#[derive(Debug, Clone)]
pub struct GitopsRow {
    /// `App`, `AppSet`, `Override`.
    pub kind: &'static str,
    pub name: String,
    pub sync: String,
    pub health: String,
    pub operation: String,
    pub revision: String,
    pub last_sync: Option<Timestamp>,
    pub auto: String,
    pub severity: Severity,
    pub detail: Vec<String>,
    pub findings: Vec<Finding>,
    /// The manifest audit's findings on the Application's workloads (`None`: not an App).
    pub audit: Option<Vec<Finding>>,
    /// `(namespace, name)` of the Application, for refresh and sync.
    pub app: Option<(String, String)>,
    /// Why a sync must wait (an operation is requested or running).
    pub busy: Option<String>,
    /// `(namespace, name)` of the ApplicationSet, for its refresh.
    pub set: Option<(String, String)>,
    id: String,
    haystack: String,
}

impl TableRow for GitopsRow {
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
        "Synced" | "Healthy" | "Succeeded" => Tone::Ok,
        "OutOfSync" | "Progressing" | "Running" | "Suspended" | "Terminating" => Tone::Warn,
        "Degraded" | "Missing" | "Failed" | "Error" => Tone::Error,
        _ => Tone::Muted,
    }
}

type C = Column<GitopsRow>;

static COLUMNS: &[C] = &[
    C::new("TYPE", |r, _| r.kind.into()).sort('T', |a, b| a.kind.cmp(b.kind)),
    C::new("NAME", |r, _| r.name.as_str().into())
        .min(12)
        .max(40)
        .sort('N', |a, b| a.name.cmp(&b.name)),
    C::new("SYNC", |r, _| CellText::tone(r.sync.clone(), tone_of(&r.sync)))
        .sort('S', |a, b| a.sync.cmp(&b.sync)),
    C::new("HEALTH", |r, _| CellText::tone(r.health.clone(), tone_of(&r.health)))
        .sort('H', |a, b| a.health.cmp(&b.health)),
    C::new("OPERATION", |r, _| {
        CellText::tone(r.operation.clone(), tone_of(&r.operation))
    })
    .priority(1),
    C::new("REVISION", |r, _| r.revision.as_str().into()).priority(3),
    C::new("LAST SYNC", |r, c| match r.last_sync {
        Some(t) => age(Some(t), c.now).into(),
        None => "-".into(),
    })
    .priority(2),
    C::new("AUTO", |r, _| r.auto.as_str().into()).priority(2),
    C::new("FINDINGS", |r, _| {
        CellText::tone(
            match r.findings.len() {
                0 => "none".to_string(),
                n => format!("{n} ({})", r.severity.label()),
            },
            Tone::of_severity(r.severity),
        )
    })
    .priority(1)
    .sort('W', |a, b| b.severity.cmp(&a.severity)),
    C::new("AUDIT", |r, _| match &r.audit {
        None => "-".into(),
        Some(a) if a.is_empty() => CellText::tone("none".to_string(), Tone::Ok),
        Some(a) => {
            let w = worst(a);
            CellText::tone(format!("{} ({})", a.len(), w.label()), Tone::of_severity(w))
        }
    })
    .priority(1)
    .sort('A', |a, b| {
        let n = |r: &GitopsRow| r.audit.as_ref().map_or(0, Vec::len);
        n(b).cmp(&n(a))
    }),
];

fn worst(f: &[Finding]) -> Severity {
    f.iter().map(|f| f.severity).max().unwrap_or(Severity::Ok)
}

fn app_row(a: &AppState, findings: &[Finding], audit: &[Finding]) -> GitopsRow {
    let id = a.id();
    let mine: Vec<Finding> = findings.iter().filter(|f| f.subject == id).cloned().collect();
    let audit: Vec<Finding> = audit
        .iter()
        .filter(|f| f.service.as_ref().is_some_and(|s| a.owns_workload(&s.0)))
        .cloned()
        .collect();
    let operation = match (&a.phase, a.operation_requested) {
        (_, true) => "Requested".to_string(),
        (Some(p), _) => p.clone(),
        (None, _) => "-".to_string(),
    };
    let mut detail = vec![format!(
        "Application {id} · project {} · destination {} · revision {}",
        a.project,
        if a.destination.is_empty() { "?" } else { &a.destination },
        a.revision.as_deref().unwrap_or("unknown")
    )];
    if let Some(m) = &a.message {
        detail.push(format!("Operation {operation}: {m}"));
    }
    for (t, m) in &a.conditions {
        detail.push(format!("Condition {t}: {m}"));
    }
    if !a.out_of_sync.is_empty() {
        detail.push(format!("Out of sync: {}", a.out_of_sync.join(", ")));
    }
    if !a.unhealthy.is_empty() {
        detail.push(format!("Unhealthy: {}", a.unhealthy.join(", ")));
    }
    if let Some(s) = &a.owner_set {
        detail.push(format!("Generated by ApplicationSet {s}"));
    }
    let scope = if a.workloads.is_empty() {
        format!("the apps in namespace {}", if a.destination.is_empty() { "?" } else { &a.destination })
    } else {
        a.workloads.join(", ")
    };
    detail.push(match audit.len() {
        0 => format!("Manifest audit ({scope}): no findings"),
        n => format!("Manifest audit ({scope}): {n} finding{}, below", if n == 1 { "" } else { "s" }),
    });
    GitopsRow {
        kind: "App",
        name: id.clone(),
        sync: a.sync.clone(),
        health: a.health.clone(),
        operation,
        revision: a.revision.as_deref().map_or("-".into(), |r| r.chars().take(8).collect()),
        last_sync: a.last_sync,
        auto: if a.auto_sync { "auto" } else { "manual" }.to_string(),
        severity: worst(&mine),
        detail,
        app: Some((a.namespace.clone(), a.name.clone())),
        busy: a
            .operation_running()
            .then(|| format!("an operation is in progress ({})", a.phase.as_deref().unwrap_or("requested"))),
        set: None,
        haystack: haystack(["App", &id, &a.sync, &a.health, &a.project]),
        id: format!("app/{id}"),
        findings: mine,
        audit: Some(audit),
    }
}

fn set_row(s: &AppSetState) -> GitopsRow {
    let id = format!("{}/{}", s.namespace, s.name);
    let mut detail = vec![format!(
        "ApplicationSet {id} · generated: {}",
        if s.generated.is_empty() { "none reported".to_string() } else { s.generated.join(", ") }
    )];
    detail.extend(s.errors.iter().map(|e| format!("ErrorOccurred: {e}")));
    GitopsRow {
        kind: "AppSet",
        name: id.clone(),
        sync: "-".into(),
        health: if s.errors.is_empty() { "-".into() } else { "Error".into() },
        operation: "-".into(),
        revision: "-".into(),
        last_sync: None,
        auto: "-".into(),
        severity: if s.errors.is_empty() { Severity::Ok } else { Severity::Warning },
        detail,
        findings: vec![],
        audit: None,
        app: None,
        busy: None,
        set: Some((s.namespace.clone(), s.name.clone())),
        haystack: haystack(["AppSet", &id]),
        id: format!("set/{id}"),
    }
}

/// The rows of a view: Applications, ApplicationSets, then the overrides.
pub fn rows(v: &GitopsView) -> Vec<GitopsRow> {
    let mut out: Vec<GitopsRow> = v.facts.apps.iter().map(|a| app_row(a, &v.findings, &v.audit)).collect();
    out.extend(v.facts.sets.iter().map(set_row));
    for o in &v.facts.overrides {
        let subject = format!("{} {}", o.configmap, o.kind);
        let mine: Vec<Finding> = v.findings.iter().filter(|f| f.subject == subject).cloned().collect();
        out.push(GitopsRow {
            kind: "Override",
            name: subject.clone(),
            sync: "-".into(),
            health: "forced Healthy".into(),
            operation: "-".into(),
            revision: "-".into(),
            last_sync: None,
            auto: "-".into(),
            severity: worst(&mine),
            detail: vec![format!(
                "{}: the health script of {} always reports Healthy",
                o.configmap, o.kind
            )],
            findings: mine,
            audit: None,
            app: None,
            busy: None,
            set: None,
            haystack: haystack(["Override", &subject]),
            id: format!("override/{subject}"),
        });
    }
    out
}

pub struct GitopsState {
    pub list: Listing<GitopsRow>,
    /// The selected row's findings, then its manifest audit's: what the detail box lists. Built
    /// when the view, the cursor or the filter changes ([`GitopsState::reselect`]), not per frame.
    shown: Vec<Finding>,
}

impl GitopsState {
    pub fn set_view(&mut self, v: &GitopsView) {
        self.list.set_rows(rows(v));
        self.reselect();
    }

    /// Rebuild [`GitopsState::shown`] for the row now under the cursor.
    fn reselect(&mut self) {
        self.shown = self
            .list
            .selected()
            .map(|r| r.findings.iter().chain(r.audit.iter().flatten()).cloned().collect())
            .unwrap_or_default();
    }
}

impl Pane for GitopsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "GitOps"
    }

    fn requires_kind(&self) -> Option<&'static str> {
        Some("applications.argoproj.io")
    }

    fn bindings(&self) -> Vec<Binding> {
        Listing::bindings_with(
            vec![
                Binding::new(Key::ch('r'), REFRESH, "refresh application").mutating(),
                Binding::new(Key::ch('s'), SYNC, "sync application").mutating(),
            ],
            COLUMNS,
        )
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["gitops", "argo", "applications"],
            "Argo CD Applications: sync, health, operations, hidden failures",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            REFRESH | SYNC => confirm(ctx, self.list.selected(), action),
            _ => {
                self.list.navigate(action);
                self.reselect();
            }
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Gitops(v) = msg {
            self.set_view(v);
        }
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.list.filter_text())
    }

    fn set_filter(&mut self, _ctx: &Ctx, text: &str) {
        self.list.set_filter(text);
        self.reselect();
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let tctx = TableCtx::new("GitOps", &ctx.theme, ctx.now)
            .empty("no Argo CD Applications")
            .loading_unless(self.list.received(), "waiting for the cluster…");
        let areas = detail::split(area, 12);
        self.list.render_with_detail(f, areas, &tctx, "application", |r| {
            (r.detail.as_slice(), self.shown.as_slice())
        });
    }
}

/// Ask before refreshing or syncing the Application under the cursor; a sync while an
/// operation runs is refused with the reason.
fn confirm(ctx: &mut Ctx, row: Option<&GitopsRow>, action: Action) {
    if let (REFRESH, Some((ns, name))) = (action, row.and_then(|r| r.set.clone())) {
        let lines = vec![(
            format!("Annotate {ns}/{name} with argocd.argoproj.io/application-set-refresh=true: the ApplicationSet controller generates its Applications again now."),
            Role::Base,
        )];
        let task = TaskRequest::AppSetRefresh { namespace: ns, name };
        let c = Confirm::new("Refresh applicationset", lines, "Refresh", Reply::Task(task));
        ctx.open_modal(Modal::Confirm(c));
        return;
    }
    let Some((ns, name)) = row.and_then(|r| r.app.clone()) else {
        ctx.set_flash("refresh works on an Application or ApplicationSet row, sync on an Application row", FlashLevel::Info);
        return;
    };
    if action == SYNC {
        if let Some(why) = row.and_then(|r| r.busy.clone()) {
            ctx.set_flash(format!("{ns}/{name}: sync refused: {why}"), FlashLevel::Warn);
            return;
        }
    }
    let (title, lines, label, task) = if action == SYNC {
        (
            "Sync application",
            vec![
                (format!("Request a sync of {ns}/{name} (the `operation` block, hook strategy)."), Role::Base),
                ("Argo CD applies what Git holds; the console applies nothing itself.".to_string(), Role::Muted),
            ],
            "Sync",
            TaskRequest::ArgoSync { namespace: ns, name },
        )
    } else {
        (
            "Refresh application",
            vec![(
                format!("Annotate {ns}/{name} with argocd.argoproj.io/refresh=normal: Argo CD compares it with Git again."),
                Role::Base,
            )],
            "Refresh",
            TaskRequest::ArgoRefresh { namespace: ns, name },
        )
    };
    ctx.open_modal(Modal::Confirm(Confirm::new(title, lines, label, Reply::Task(task))));
}
