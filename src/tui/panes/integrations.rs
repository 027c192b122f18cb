//! Integrations pane (`:integrations`, `:int`, `:graph`): one row per edge of the integration
//! graph with its state (✔ ✘ ⚠ ?) and reason, and below it the indexer counts per app, root
//! folders with accessibility and free space, and the apps' health messages about download
//! clients and indexers. `enter` opens an edge's fields, `p` the plan as a diff; `a` applies and
//! `s` syncs indexers after a confirm dialog; `t` tests all; `r` plans again.

use super::confirm::Confirm;
use super::plan_text;
use crate::integrate::{EdgePlan, EdgeState};
use crate::model::IssueLevel;
use crate::tui::app::{App, Cursor, FlashLevel, View};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, TaskId, TaskRequest};
use crate::tui::rows::{age, issue_label, sanitize};
use crate::tui::theme::Theme;
use crate::tui::views::IntegrationsView;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

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
}

/// The id of the task an effect list starts.
pub fn started(fx: &[Effect]) -> Option<TaskId> {
    fx.iter().find_map(|e| match e {
        Effect::RunTask { id, .. } => Some(*id),
        _ => None,
    })
}

/// Start a plan (unless one is already running).
pub fn request_plan(app: &mut App) -> Vec<Effect> {
    if app.integrations.pending.is_some() {
        app.set_flash("a plan is already running", FlashLevel::Info);
        return vec![];
    }
    let fx = app.start_task(TaskRequest::PlanIntegrations);
    app.integrations.pending = started(&fx);
    fx
}

/// Entering the pane: plan once when nothing is loaded yet.
pub fn on_enter(app: &mut App) -> Vec<Effect> {
    if app.integrations.view.is_none() && app.integrations.pending.is_none() {
        request_plan(app)
    } else {
        vec![]
    }
}

pub fn on_action(app: &mut App, action: Action, page: usize) -> Vec<Effect> {
    match action {
        Action::Enter => {
            if let Some(e) = app.integrations.selected_edge() {
                let id = e.id.clone();
                app.push(View::EdgeDetail(id));
            }
            vec![]
        }
        Action::PlanDiff => {
            if app.integrations.view.is_some() {
                app.push(View::PlanDiff);
            } else {
                app.set_flash("no plan yet (r plans)", FlashLevel::Warn);
            }
            vec![]
        }
        Action::Apply => confirm_apply(app),
        Action::SyncIndexers => confirm_sync_indexers(app),
        Action::TestAll => app.start_task(TaskRequest::TestIntegrations),
        Action::Reload => request_plan(app),
        _ => {
            let len = app.integrations.edges().len();
            if app.integrations.cursor.apply(action, len, page) {
                let st = &mut app.integrations;
                st.selected = st.edges().get(st.cursor.index).map(|e| e.id.clone());
            }
            vec![]
        }
    }
}

/// `a`: the confirm dialog summarising the writes (nothing to confirm: a flash).
pub fn confirm_apply(app: &mut App) -> Vec<Effect> {
    if app.readonly() {
        app.set_flash("read-only mode: apply is disabled", FlashLevel::Warn);
        return vec![];
    }
    let Some(view) = &app.integrations.view else {
        app.set_flash("no plan yet (r plans)", FlashLevel::Warn);
        return vec![];
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
        app.set_flash(text, FlashLevel::Info);
        return vec![];
    }
    let lines = plan_text::apply_summary(plan);
    app.confirm = Some(Confirm::new(
        "Apply integration plan",
        lines,
        format!("Apply {writes} write{}", if writes == 1 { "" } else { "s" }),
        TaskRequest::ApplyIntegrations,
    ));
    vec![]
}

/// `s`: confirm asking Prowlarr to push its indexers to the apps it knows.
pub fn confirm_sync_indexers(app: &mut App) -> Vec<Effect> {
    if app.readonly() {
        app.set_flash("read-only mode: sync is disabled", FlashLevel::Warn);
        return vec![];
    }
    let edges: Vec<&EdgePlan> = app
        .integrations
        .edges()
        .iter()
        .filter(|e| e.kind == crate::integrate::EdgeKind::ProwlarrApp)
        .collect();
    let mut lines = vec![(
        "Prowlarr pushes its indexers to the apps it holds (ApplicationIndexerSync).".to_string(),
        "base",
    )];
    for e in &edges {
        let (text, role) = match &e.state {
            EdgeState::Configured => (format!("✔ {}: gets the indexers", e.label), "ok"),
            s => (
                format!("{} {}: not wired yet, apply first", s.symbol(), e.label),
                "warn",
            ),
        };
        lines.push((text, role));
    }
    if edges.is_empty() {
        lines.push(("no Prowlarr application edge is known yet".into(), "muted"));
    }
    app.confirm = Some(Confirm::new(
        "Sync indexers",
        lines,
        "Sync indexers",
        TaskRequest::SyncIndexers,
    ));
    vec![]
}

/// Theme role of an edge state.
pub fn state_role(s: &EdgeState) -> &'static str {
    match s {
        EdgeState::Configured => "ok",
        EdgeState::Missing => "error",
        EdgeState::Drift { .. } => "warn",
        EdgeState::Unknown { .. } => "muted",
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

/// `1.8 TiB`, `512 GiB`, `0 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 || v >= 100.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn block<'a>(title: Line<'a>, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("border_focus"))
        .title(title)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let st = &app.integrations;
    let Some(view) = &st.view else {
        let text = if st.pending.is_some() {
            "  planning: reading every app's settings…"
        } else {
            "  no plan yet (r plans)"
        };
        let title = Line::styled(" Integrations ", theme.style("title"));
        f.render_widget(
            Paragraph::new(Line::styled(text, theme.style("muted"))).block(block(title, theme)),
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
    render_table(f, table_area, app, view, theme);
    if side_h > 0 {
        render_side(f, side_area, view, theme);
    }
}

fn render_table(f: &mut Frame, area: Rect, app: &App, view: &IntegrationsView, theme: &Theme) {
    let st = &app.integrations;
    let edges = &view.plan.edges;
    let count = |pred: fn(&EdgeState) -> bool| edges.iter().filter(|e| pred(&e.state)).count();
    let mut title = vec![
        Span::styled(
            format!(" Integrations[{}] ", edges.len()),
            theme.style("title"),
        ),
        Span::styled(
            format!("✔ {} ", count(|s| *s == EdgeState::Configured)),
            theme.style("ok"),
        ),
        Span::styled(
            format!("✘ {} ", count(|s| *s == EdgeState::Missing)),
            theme.style("error"),
        ),
        Span::styled(
            format!("⚠ {} ", count(|s| matches!(s, EdgeState::Drift { .. }))),
            theme.style("warn"),
        ),
        Span::styled(
            format!("? {} ", count(|s| matches!(s, EdgeState::Unknown { .. }))),
            theme.style("muted"),
        ),
        Span::styled(
            format!("· {} write(s) pending ", view.plan.writes()),
            theme.style("accent"),
        ),
        Span::styled(
            format!("· planned {} ago ", age(Some(view.fetched_at), app.now)),
            theme.style("muted"),
        ),
    ];
    if st.pending.is_some() {
        title.push(Span::styled("· re-planning… ", theme.style("accent")));
    }
    if let Some(e) = &view.error {
        title.push(Span::styled(
            format!("· last plan failed: {} ", sanitize(e)),
            theme.style("error"),
        ));
    }
    let b = block(Line::from(title), theme);
    if edges.is_empty() {
        let p = Paragraph::new(Line::styled(
            "  no edges: the integration file asks for nothing, or no app was discovered",
            theme.style("muted"),
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
                theme.style("table.cursor")
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
    .header(Row::new(["", "EDGE", "KIND", "REASON"]).style(theme.style("table.header")))
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
    let muted = theme.style("muted");
    let base = theme.style("base");

    let mut lines: Vec<Line> = view
        .indexers
        .iter()
        .map(|c| match &c.count {
            Ok(n) => Line::from(vec![
                Span::styled(format!("{:<10}", c.kind.display()), base),
                Span::styled(
                    format!("{n:>4}"),
                    theme.style(if *n == 0 { "warn" } else { "ok" }),
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
    let title = Line::styled(" Indexers ", theme.style("title"));
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
                ("✔", "ok")
            } else {
                ("✘", "error")
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
                Span::styled(free, theme.style(if r.accessible { "muted" } else { role })),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("none reported", muted));
    }
    let title = Line::styled(" Root folders ", theme.style("title"));
    f.render_widget(Paragraph::new(lines).block(block(title, theme)), rf);

    let mut lines: Vec<Line> = view
        .health
        .iter()
        .map(|h| {
            let role = match h.issue.level {
                IssueLevel::Error => "error",
                IssueLevel::Warning => "warn",
                _ => "base",
            };
            Line::from(vec![
                Span::styled(format!("{} ", h.kind.display()), theme.style("accent")),
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
            theme.style("ok"),
        ));
    }
    let title = Line::styled(" App health ", theme.style("title"));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title, theme)),
        health,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(2_000_000_000_000), "1.8 TiB");
        assert_eq!(bytes(512 * 1024 * 1024 * 1024), "512 GiB");
    }
}
