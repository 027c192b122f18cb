//! Integrations pane (`:integrations`, `:int`, `:graph`): one row per edge of the integration
//! graph with its state (✔ ✘ ⚠ ?) and reason, and below it the indexer counts per app, root
//! folders with accessibility and free space, and the apps' health messages about download
//! clients and indexers. `enter` opens an edge's fields, `p` the plan as a diff; `a` applies and
//! `s` syncs indexers after a confirm dialog; `t` tests all; `r` plans again.

use super::{edge_detail, plan_diff, plan_text};
use crate::integrate::{EdgePlan, EdgeState};
use crate::model::IssueLevel;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Msg, TaskId, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{age, issue_label, sanitize};
use crate::tui::task_board::bytes;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{Cursor, FlashLevel, PaneId, View};
use crate::tui::views::IntegrationsView;
use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub const ID: PaneId = "integrations";

const PLAN_DIFF: Action = Action::new("integrations.plan-diff");
/// Apply the plan (after confirmation); also bound in the plan diff.
pub const APPLY: Action = Action::new("integrations.apply");
const TEST_ALL: Action = Action::new("integrations.test-all");
const SYNC_INDEXERS: Action = Action::new("integrations.sync-indexers");

pub fn pane() -> Box<dyn Pane> {
    Box::<IntegrationsState>::default()
}

#[derive(Debug, Clone, Default)]
pub struct IntegrationsState {
    pub view: Option<IntegrationsView>,
    pub cursor: Cursor,
    /// Selection by edge id, so it survives a re-plan.
    pub selected: Option<String>,
    /// The plan task in flight (entering the pane does not start a second one).
    pub pending: Option<TaskId>,
}

impl IntegrationsState {
    /// Replace the view; the cursor stays on the selected edge when it is still there.
    pub fn set_view(&mut self, view: IntegrationsView) {
        let edges = &view.plan.edges;
        let pos = self
            .selected
            .as_ref()
            .and_then(|id| edges.iter().position(|e| &e.id == id));
        self.cursor.index = pos.unwrap_or(self.cursor.index.min(edges.len().saturating_sub(1)));
        self.selected = edges.get(self.cursor.index).map(|e| e.id.clone());
        self.view = Some(view);
    }

    pub fn edges(&self) -> &[EdgePlan] {
        self.view.as_ref().map_or(&[], |v| v.plan.edges.as_slice())
    }

    pub fn selected_edge(&self) -> Option<&EdgePlan> {
        self.edges().get(self.cursor.index)
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
        with_navigation(vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "edge detail"),
            Binding::new(Key::ch('p'), PLAN_DIFF, "plan diff"),
            Binding::new(Key::ch('a'), APPLY, "apply plan").mutating(),
            Binding::new(Key::ch('t'), TEST_ALL, "test all"),
            Binding::new(Key::ch('s'), SYNC_INDEXERS, "sync indexers").mutating(),
            Binding::new(Key::ch('r'), Action::RELOAD, "re-plan"),
        ])
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
            TEST_ALL => {
                ctx.start_task(TaskRequest::TestIntegrations);
            }
            Action::RELOAD => self.request_plan(ctx),
            _ => {
                let len = self.edges().len();
                if self.cursor.apply(action, len, ctx.page()) {
                    self.selected = self.edges().get(self.cursor.index).map(|e| e.id.clone());
                }
            }
        }
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

/// Theme role of an edge state.
pub fn state_role(s: &EdgeState) -> Role {
    match s {
        EdgeState::Configured => Role::Ok,
        EdgeState::Missing => Role::Error,
        EdgeState::Drift { .. } => Role::Warn,
        EdgeState::Unknown { .. } => Role::Muted,
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
    let theme = &app.theme;
    let Some(view) = &st.view else {
        let text = if st.pending.is_some() {
            "  planning: reading every app's settings…"
        } else {
            "  no plan yet (r plans)"
        };
        let title = Line::styled(" Integrations ", theme.style(Role::Title));
        f.render_widget(
            Paragraph::new(Line::styled(text, theme.style(Role::Muted))).block(block(title, theme)),
            area,
        );
        return;
    };
    // The side block takes what the edge table leaves, between 5 and 10 rows.
    let table_need = view.plan.edges.len() as u16 + 3;
    let side_h = if area.height >= 16 {
        area.height.saturating_sub(table_need).clamp(5, 10)
    } else {
        0
    };
    let [table_area, side_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(side_h)]).areas(area);
    render_table(f, table_area, st, app, view, theme);
    if side_h > 0 {
        render_side(f, side_area, view, theme);
    }
}

fn render_table(
    f: &mut Frame,
    area: Rect,
    st: &IntegrationsState,
    app: &Ctx,
    view: &IntegrationsView,
    theme: &Theme,
) {
    let edges = &view.plan.edges;
    let count = |pred: fn(&EdgeState) -> bool| edges.iter().filter(|e| pred(&e.state)).count();
    let mut title = vec![
        Span::styled(
            format!(" Integrations[{}] ", edges.len()),
            theme.style(Role::Title),
        ),
        Span::styled(
            format!("✔ {} ", count(|s| *s == EdgeState::Configured)),
            theme.style(Role::Ok),
        ),
        Span::styled(
            format!("✘ {} ", count(|s| *s == EdgeState::Missing)),
            theme.style(Role::Error),
        ),
        Span::styled(
            format!("⚠ {} ", count(|s| matches!(s, EdgeState::Drift { .. }))),
            theme.style(Role::Warn),
        ),
        Span::styled(
            format!("? {} ", count(|s| matches!(s, EdgeState::Unknown { .. }))),
            theme.style(Role::Muted),
        ),
        Span::styled(
            format!("· {} write(s) pending ", view.plan.writes()),
            theme.style(Role::Accent),
        ),
        Span::styled(
            format!("· planned {} ago ", age(Some(view.fetched_at), app.now)),
            theme.style(Role::Muted),
        ),
    ];
    if st.pending.is_some() {
        title.push(Span::styled("· re-planning… ", theme.style(Role::Accent)));
    }
    if let Some(e) = &view.error {
        title.push(Span::styled(
            format!("· last plan failed: {} ", sanitize(e)),
            theme.style(Role::Error),
        ));
    }
    let b = block(Line::from(title), theme);
    if edges.is_empty() {
        let p = Paragraph::new(Line::styled(
            "  no edges: the integration file asks for nothing, or no app was discovered",
            theme.style(Role::Muted),
        ));
        f.render_widget(p.block(b), area);
        return;
    }
    let height = usize::from(area.height.saturating_sub(3));
    let off = st.cursor.window(edges.len(), height);
    let label_w = edges
        .iter()
        .map(|e| e.label.width())
        .max()
        .unwrap_or(4)
        .max(4);
    let kind_w = edges
        .iter()
        .map(|e| e.kind.slug().width())
        .max()
        .unwrap_or(4);
    let rows: Vec<Row> = edges
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(i, e)| {
            let style = if i == st.cursor.index {
                theme.style(Role::TableCursor)
            } else {
                theme.style(state_role(&e.state))
            };
            Row::new(vec![
                e.state.symbol().to_string(),
                e.label.clone(),
                e.kind.slug().to_string(),
                sanitize(&reason(e)),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(label_w as u16),
            Constraint::Length(kind_w as u16),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["", "EDGE", "KIND", "REASON"]).style(theme.style(Role::TableHeader)))
    .block(b);
    f.render_widget(table, area);
}

fn render_side(f: &mut Frame, area: Rect, view: &IntegrationsView, theme: &Theme) {
    let [idx, rf, health] = Layout::horizontal([
        Constraint::Length(30),
        Constraint::Length(46),
        Constraint::Fill(1),
    ])
    .areas(area);
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
                Span::styled(format!("{:<20} ", sanitize(&r.path)), base),
                Span::styled(free, theme.style(if r.accessible { Role::Muted } else { role })),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("none reported", muted));
    }
    let title = Line::styled(" Root folders ", theme.style(Role::Title));
    f.render_widget(Paragraph::new(lines).block(block(title, theme)), rf);

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
