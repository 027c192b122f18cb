//! Integrations pane (`:integrations`, `:int`, `:graph`): one row per edge of the integration
//! graph with its state (✔ ✘ ⚠ ?) and reason, and below it the indexer counts per app, root
//! folders with accessibility and free space, and the apps' health messages about download
//! clients and indexers. `enter` opens an edge's fields, `p` the plan as a diff; `a` applies and
//! `s` syncs indexers after a confirm dialog; `t` tests all; `r` plans again.

use super::{edge_detail, plan_diff, plan_text};
use crate::integrate::{EdgePlan, EdgeState};
use crate::model::IssueLevel;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Msg, TaskId, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{issue_label, sanitize};
use crate::tui::task_board::bytes;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::table::{self, haystack, Column, TableRow, TableState};
use super::listing::{Listing, TableCtx};
use std::borrow::Cow;
use crate::tui::views::IntegrationsView;
use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub const ID: PaneId = "integrations";

const PLAN_DIFF: Action = Action::new("integrations.plan-diff");
/// Apply the plan (after confirmation); also bound in the plan diff.
pub const APPLY: Action = Action::new("integrations.apply");
const TEST_ALL: Action = Action::new("integrations.test-all");
const SYNC_INDEXERS: Action = Action::new("integrations.sync-indexers");
const REMOVE_STALE: Action = Action::new("integrations.remove-stale");

pub fn pane() -> Box<dyn Pane> {
    Box::<IntegrationsState>::default()
}

impl TableRow for EdgePlan {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        let state = self.state.symbol();
        Cow::Owned(haystack([state, &self.label, self.kind.slug(), &reason(self)]))
    }
    fn role(&self) -> Role {
        state_role(&self.state)
    }
}

/// Order of states when sorting: what needs work first.
fn state_rank(s: &EdgeState) -> u8 {
    match s {
        EdgeState::Missing => 0,
        EdgeState::Drift { .. } => 1,
        EdgeState::Blocked { .. } => 2,
        EdgeState::Unknown { .. } => 3,
        EdgeState::Configured => 4,
    }
}

type C = Column<EdgePlan>;

static COLUMNS: &[C] = &[
    C::new("", |e, _| e.state.symbol().into())
        .sort('S', |a, b| state_rank(&a.state).cmp(&state_rank(&b.state))),
    C::new("EDGE", |e, _| e.label.as_str().into())
        .min(12)
        .sort('N', |a, b| a.label.cmp(&b.label)),
    C::new("KIND", |e, _| e.kind.slug().into())
        .priority(2)
        .sort('K', |a, b| a.kind.slug().cmp(b.kind.slug())),
    C::new("REASON", |e, _| reason(e).into())
        .min(20)
        .priority(1),
];

#[derive(Debug, Clone, Default)]
pub struct IntegrationsState {
    pub view: Option<IntegrationsView>,
    /// The edge table: cursor by edge id (survives a re-plan), filter, sort.
    pub table: TableState,
    /// The plan task in flight (entering the pane does not start a second one).
    pub pending: Option<TaskId>,
}

impl IntegrationsState {
    /// Replace the view; the cursor stays on the selected edge when it is still there.
    pub fn set_view(&mut self, view: IntegrationsView) {
        self.table.sync(COLUMNS, &view.plan.edges);
        self.view = Some(view);
    }

    pub fn edges(&self) -> &[EdgePlan] {
        self.view.as_ref().map_or(&[], |v| v.plan.edges.as_slice())
    }

    pub fn selected_edge(&self) -> Option<&EdgePlan> {
        self.table.selected_row(self.edges())
    }

    pub fn task_done(&mut self, id: TaskId) {
        if self.pending == Some(id) {
            self.pending = None;
        }
    }

    /// Start a plan (unless one is already running).
    fn request_plan(&mut self, ctx: &mut Ctx) {
        if self.pending.is_some() {
            ctx.set_flash("a plan is already running", FlashLevel::Info);
            return;
        }
        self.pending = ctx.start_task(TaskRequest::PlanIntegrations);
    }
}

impl Pane for IntegrationsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Integrations"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "edge detail"),
            Binding::new(Key::ch('p'), PLAN_DIFF, "plan diff"),
            Binding::new(Key::ch('a'), APPLY, "apply plan").mutating(),
            Binding::new(Key::ch('t'), TEST_ALL, "test all"),
            Binding::new(Key::ch('s'), SYNC_INDEXERS, "sync indexers").mutating(),
            Binding::new(Key::ch('x'), REMOVE_STALE, "remove stale").mutating(),
            Binding::new(Key::ch('r'), Action::RELOAD, "re-plan"),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
        ];
        own.extend(Listing::<EdgePlan>::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["integrations", "int", "graph"],
            "integration graph: plan, apply, test",
        )]
    }

    /// Entering the pane: plan once when nothing is loaded yet.
    fn on_enter(&mut self, ctx: &mut Ctx, _view: &View) -> bool {
        if self.view.is_none() && self.pending.is_none() {
            self.request_plan(ctx);
        }
        true
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            Action::ENTER => {
                if let Some(e) = self.selected_edge() {
                    ctx.push(edge_detail::view(e.id.clone()));
                }
            }
            PLAN_DIFF => {
                if self.view.is_some() {
                    ctx.push(View::new(plan_diff::ID));
                } else {
                    ctx.set_flash("no plan yet (r plans)", FlashLevel::Warn);
                }
            }
            APPLY => confirm_apply(ctx, self.view.as_ref()),
            SYNC_INDEXERS => confirm_sync_indexers(ctx, self.edges()),
            REMOVE_STALE => confirm_remove_stale(ctx, self.view.as_ref()),
            TEST_ALL => {
                ctx.start_task(TaskRequest::TestIntegrations);
            }
            Action::RELOAD => self.request_plan(ctx),
            _ => {
                let edges = self.view.as_ref().map_or(&[][..], |v| &v.plan.edges[..]);
                match action.sort_key() {
                    Some(key) => self.table.sort_by_key(key, COLUMNS, edges),
                    None => self.table.on_action(action, edges),
                };
            }
        }
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.table.filter_text().to_string())
    }

    fn set_filter(&mut self, _ctx: &Ctx, text: &str) {
        let edges = self.view.as_ref().map_or(&[][..], |v| &v.plan.edges[..]);
        self.table.set_filter(text, COLUMNS, edges);
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Integrations(view) => self.set_view((**view).clone()),
            Msg::TaskDone { id, .. } => self.task_done(*id),
            _ => {}
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        render(self, f, area, ctx);
    }
}

/// `a`: the confirm dialog summarising the writes (nothing to confirm: a flash).
pub fn confirm_apply(ctx: &mut Ctx, view: Option<&IntegrationsView>) {
    if ctx.readonly() {
        ctx.set_flash("read-only mode: apply is disabled", FlashLevel::Warn);
        return;
    }
    let Some(view) = view else {
        ctx.set_flash("no plan yet (r plans)", FlashLevel::Warn);
        return;
    };
    let plan = &view.plan;
    let writes = plan.writes();
    if writes == 0 {
        let manual = plan.manual_steps();
        let text = if manual > 0 {
            format!("nothing to apply; {manual} manual step(s) left (p shows them)")
        } else {
            "nothing to apply: every edge is as desired".to_string()
        };
        ctx.set_flash(text, FlashLevel::Info);
        return;
    }
    ctx.open_modal(Modal::Confirm(Confirm::new(
        "Apply integration plan",
        plan_text::apply_summary(plan),
        format!("Apply {writes} write{}", if writes == 1 { "" } else { "s" }),
        Reply::Task(TaskRequest::ApplyIntegrations),
    )));
}

/// `s`: confirm asking Prowlarr to push its indexers to the apps it knows.
fn confirm_sync_indexers(ctx: &mut Ctx, edges: &[EdgePlan]) {
    if ctx.readonly() {
        ctx.set_flash("read-only mode: sync is disabled", FlashLevel::Warn);
        return;
    }
    let edges: Vec<&EdgePlan> = edges
        .iter()
        .filter(|e| e.kind == crate::integrate::EdgeKind::ProwlarrApp)
        .collect();
    let mut lines = vec![(
        "Prowlarr pushes its indexers to the apps it holds (ApplicationIndexerSync).".to_string(),
        Role::Base,
    )];
    for e in &edges {
        let (text, role) = match &e.state {
            EdgeState::Configured => (format!("✔ {}: gets the indexers", e.label), Role::Ok),
            s => (
                format!("{} {}: not wired yet, apply first", s.symbol(), e.label),
                Role::Warn,
            ),
        };
        lines.push((text, role));
    }
    if edges.is_empty() {
        lines.push((
            "no Prowlarr application edge is known yet".into(),
            Role::Muted,
        ));
    }
    ctx.open_modal(Modal::Confirm(Confirm::new(
        "Sync indexers",
        lines,
        "Sync indexers",
        Reply::Task(TaskRequest::SyncIndexers),
    )));
}

/// `x`: the stale root folders of the plan (inaccessible, beside a working one), removed only
/// after this confirmation; prune stays off for everything else.
fn confirm_remove_stale(ctx: &mut Ctx, view: Option<&IntegrationsView>) {
    if ctx.readonly() {
        ctx.set_flash("read-only mode: removal is disabled", FlashLevel::Warn);
        return;
    }
    let stale = view.map_or(&[][..], |v| &v.plan.stale[..]);
    if stale.is_empty() {
        ctx.set_flash("no stale root folder in the plan", FlashLevel::Info);
        return;
    }
    let mut lines = vec![(
        format!(
            "Remove {} root folder(s) the apps report inaccessible (a working one stays):",
            stale.len()
        ),
        Role::Base,
    )];
    lines.extend(stale.iter().map(|s| (format!("✘ {} in {}", s.path, s.app_name), Role::Warn)));
    ctx.open_modal(Modal::Confirm(Confirm::new(
        "Remove stale root folders",
        lines,
        "Remove",
        Reply::Task(TaskRequest::RemoveStaleRootFolders),
    )));
}

/// Theme role of an edge state.
pub fn state_role(s: &EdgeState) -> Role {
    match s {
        EdgeState::Configured => Role::Ok,
        EdgeState::Missing => Role::Error,
        EdgeState::Drift { .. } => Role::Warn,
        EdgeState::Unknown { .. } => Role::Muted,
        EdgeState::Blocked { .. } => Role::Error,
    }
}

/// The REASON cell: drift reason, why unknown, or what the plan would do.
pub fn reason(e: &EdgePlan) -> String {
    match &e.state {
        EdgeState::Configured => "configured".into(),
        EdgeState::Drift { reasons } => match reasons.len() {
            0 => "drift".into(),
            1 => reasons[0].clone(),
            n => format!("{} (+{} more)", reasons[0], n - 1),
        },
        EdgeState::Unknown { why } => why.clone(),
        EdgeState::Blocked { why } => format!("blocked: {why}"),
        EdgeState::Missing => e.changes.first().map_or("missing".into(), |c| c.describe()),
    }
}

fn block<'a>(title: Line<'a>, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(title)
}

fn render(st: &IntegrationsState, f: &mut Frame, area: Rect, app: &Ctx) {
    let edges = st.edges();
    // The side block takes what the edge table leaves, between 5 and 10 rows.
    let table_need = edges.len() as u16 + 3;
    let side_h = match &st.view {
        Some(_) if area.height >= 16 => area.height.saturating_sub(table_need).clamp(5, 10),
        _ => 0,
    };
    let [table_area, side_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(side_h)]).areas(area);
    let count = |pred: fn(&EdgeState) -> bool| edges.iter().filter(|e| pred(&e.state)).count();
    let mut tctx = TableCtx::new("Integrations", &app.theme, app.now)
        .empty("no edges: the integration file asks for nothing, or no app was discovered")
        .refreshing(st.pending.is_some() && st.view.is_some());
    match &st.view {
        None => {
            tctx = tctx.loading(if st.pending.is_some() {
                "planning: reading every app's settings…"
            } else {
                "no plan yet (r plans)"
            });
        }
        Some(view) => {
            let writes = view.plan.writes();
            tctx = tctx
                .checked(Some(view.fetched_at))
                .stale_after(ON_DEMAND_STALE.0, ON_DEMAND_STALE.1)
                .error(view.error.as_deref())
                .note(format!("✔ {}", count(|s| *s == EdgeState::Configured)), Role::Ok)
                .note(format!("✘ {}", count(|s| *s == EdgeState::Missing)), Role::Error)
                .note(
                    format!("⚠ {}", count(|s| matches!(s, EdgeState::Drift { .. }))),
                    Role::Warn,
                )
                .note(
                    format!("? {}", count(|s| matches!(s, EdgeState::Unknown { .. }))),
                    Role::Muted,
                )
                .note(format!("{writes} write(s) pending"), Role::Accent);
        }
    }
    table::render(f, table_area, COLUMNS, edges, &st.table, &tctx);
    if let (Some(view), true) = (&st.view, side_h > 0) {
        render_side(f, side_area, view, &app.theme);
    }
}

/// Data read on demand (a plan, a key check) is called stale after 10 minutes, red after an
/// hour: `r` reads it again.
pub const ON_DEMAND_STALE: (i64, i64) = (600, 3_600);

fn render_side(f: &mut Frame, area: Rect, view: &IntegrationsView, theme: &Theme) {
    // Below 110 columns the boxes share the width (indexer counts need little) and wrap.
    let widths = if area.width >= 110 {
        [
            Constraint::Length(30),
            Constraint::Length(46),
            Constraint::Fill(1),
        ]
    } else {
        [
            Constraint::Length(20),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ]
    };
    let [idx, rf, health] = Layout::horizontal(widths).areas(area);
    // Paths line up in the wide layout; the narrow one wraps instead.
    let pad = if area.width >= 110 { 20 } else { 0 };
    let muted = theme.style(Role::Muted);
    let base = theme.style(Role::Base);

    let mut lines: Vec<Line> = view
        .indexers
        .iter()
        .map(|c| match &c.count {
            Ok(n) => Line::from(vec![
                Span::styled(format!("{:<10}", c.kind.display()), base),
                Span::styled(
                    format!("{n:>4}"),
                    theme.style(if *n == 0 { Role::Warn } else { Role::Ok }),
                ),
            ]),
            Err(e) => Line::from(vec![
                Span::styled(format!("{:<10}", c.kind.display()), base),
                Span::styled(format!("   ? {}", sanitize(e)), muted),
            ]),
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("none reported", muted));
    }
    let title = Line::styled(" Indexers ", theme.style(Role::Title));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title, theme)),
        idx,
    );

    let mut lines: Vec<Line> = view
        .root_folders
        .iter()
        .map(|r| {
            let (mark, role) = if r.accessible {
                ("✔", Role::Ok)
            } else {
                ("✘", Role::Error)
            };
            let free = match (r.accessible, r.free_space) {
                (false, _) => "not accessible".to_string(),
                (true, Some(b)) => format!("{} free", bytes(b)),
                (true, None) => String::new(),
            };
            Line::from(vec![
                Span::styled(format!("{mark} "), theme.style(role)),
                Span::styled(format!("{:<7}", r.kind.display()), base),
                Span::styled(format!("{:<pad$} ", sanitize(&r.path)), base),
                Span::styled(free, theme.style(if r.accessible { Role::Muted } else { role })),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("none reported", muted));
    }
    let title = Line::styled(" Root folders ", theme.style(Role::Title));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title, theme)),
        rf,
    );

    let mut lines: Vec<Line> = view
        .health
        .iter()
        .map(|h| {
            let role = match h.issue.level {
                IssueLevel::Error => Role::Error,
                IssueLevel::Warning => Role::Warn,
                _ => Role::Base,
            };
            Line::from(vec![
                Span::styled(format!("{} ", h.kind.display()), theme.style(Role::Accent)),
                Span::styled(
                    format!("{} ", issue_label(h.issue.level)),
                    theme.style(role),
                ),
                Span::styled(sanitize(&h.issue.message), base),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(
            "no messages about download clients or indexers",
            theme.style(Role::Ok),
        ));
    }
    let title = Line::styled(" App health ", theme.style(Role::Title));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title, theme)),
        health,
    );
}
