//! Services pane: the main table, one row per discovered app instance. It owns its rows (rebuilt
//! lazily from the shared cluster view, observations and findings), the `/` filter, the cursor
//! and the selection (kept by service id across refreshes). Windowed: only the rows that fit are
//! built each frame.

use super::{describe, detail, findings, logs, tasks};
use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::Msg;
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{age, build_row, data_age_cell, Cell as VCell, Filter, ServiceRow, Tone};
use crate::tui::theme::Role;
use crate::tui::view::{Cursor, PaneId, View};
use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub const ID: PaneId = "services";

const FINDINGS: Action = Action("services.findings");
const TASKS: Action = Action("services.tasks");

pub fn pane() -> Box<dyn Pane> {
    Box::<Services>::default()
}

#[derive(Debug, Default)]
pub struct Services {
    /// All rows, in inventory order; `visible` indexes into it after filtering.
    pub rows: Vec<ServiceRow>,
    pub visible: Vec<usize>,
    /// The shared data changed since the rows were built.
    stale: bool,
    pub filter: Option<Filter>,
    pub cursor: Cursor,
    /// Selection by identity, so it survives refreshes and filtering.
    pub selected: Option<ServiceId>,
}

impl Services {
    /// Recompute `visible` from the filter and put the cursor back on the selected service.
    pub fn refilter(&mut self) {
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| self.filter.as_ref().is_none_or(|f| f.matches(&r.haystack)))
            .map(|(i, _)| i)
            .collect();
        let pos = self
            .selected
            .as_ref()
            .and_then(|id| self.visible.iter().position(|&i| &self.rows[i].id == id));
        self.cursor.index = match pos {
            Some(p) => p,
            None => self.cursor.index.min(self.visible.len().saturating_sub(1)),
        };
        self.remember_selection();
    }

    fn remember_selection(&mut self) {
        if let Some(&i) = self.visible.get(self.cursor.index) {
            self.selected = Some(self.rows[i].id.clone());
        }
    }

    /// The service under the cursor.
    pub fn under_cursor(&self) -> Option<&ServiceId> {
        self.visible
            .get(self.cursor.index)
            .map(|&i| &self.rows[i].id)
    }
}

impl Pane for Services {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Services"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "drill down"),
            Binding::new(Key::ch('l'), Action::LOGS, "logs"),
            Binding::new(Key::ch('d'), Action::DESCRIBE, "describe"),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
            Binding::new(Key::ch('c'), Action::CHECK_ALL, "check all"),
            Binding::new(Key::ch('F'), FINDINGS, "findings"),
            Binding::new(Key::ch('T'), TASKS, "tasks"),
        ])
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["services", "svc", "service", "s"],
            "services table (optional `/filter`)",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let current = self.under_cursor().cloned();
        match action {
            Action::ENTER => {
                if let Some(id) = current {
                    ctx.push(detail::view(id));
                }
            }
            Action::LOGS => {
                if let Some(id) = current {
                    ctx.push(logs::view(id));
                }
            }
            Action::DESCRIBE => {
                if let Some(id) = current {
                    ctx.push(describe::view(id));
                }
            }
            FINDINGS => ctx.go_root(View::new(findings::ID)),
            TASKS => ctx.go_root(View::new(tasks::ID)),
            _ => {
                let len = self.visible.len();
                if self.cursor.apply(action, len, ctx.page()) {
                    self.remember_selection();
                }
            }
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if matches!(
            msg,
            Msg::Cluster(_) | Msg::Observation(..) | Msg::Findings(_)
        ) {
            self.stale = true;
        }
    }

    /// Rebuild rows if the shared data changed since the last call.
    fn sync(&mut self, ctx: &Ctx) {
        if !self.stale {
            return;
        }
        self.stale = false;
        let empty = Vec::new();
        self.rows = match &ctx.cluster {
            None => Vec::new(),
            Some(c) => c
                .inventory
                .services
                .iter()
                .map(|s| {
                    let pods = c.pods.get(&s.id).unwrap_or(&empty);
                    build_row(s, pods, ctx.observations.get(&s.id), &ctx.findings)
                })
                .collect(),
        };
        self.refilter();
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.filter.as_ref().map(|f| f.text.clone()).unwrap_or_default())
    }

    fn set_filter(&mut self, _ctx: &Ctx, text: &str) {
        self.filter = Filter::new(text);
        self.refilter();
    }

    fn current_service<'a>(&'a self, _view: &'a View) -> Option<&'a ServiceId> {
        self.under_cursor()
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        render(self, f, area, ctx);
    }
}

const HEADERS: [&str; 10] = [
    "NAME",
    "KIND",
    "NAMESPACE",
    "POD",
    "RESTARTS",
    "AGE",
    "HTTP",
    "HEALTH",
    "VPN",
    "DATA AGE",
];

/// Columns narrowed, in this order, down to a floor each, when the table is too wide:
/// HEALTH, KIND, NAMESPACE, NAME, POD.
const SHRINK_ORDER: [(usize, usize); 5] = [(7, 14), (1, 8), (2, 9), (0, 10), (3, 12)];

/// Column widths fitted to the visible rows: each column as wide as its widest cell, then
/// columns are narrowed in [`SHRINK_ORDER`] until the table fits `avail`.
pub fn fit_widths(rows: &[Vec<(String, Style)>], avail: u16) -> Vec<Constraint> {
    let mut w: Vec<usize> = HEADERS.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, (text, _)) in r.iter().enumerate() {
            w[i] = w[i].max(text.width());
        }
    }
    let spacing = HEADERS.len() - 1;
    let mut excess = (w.iter().sum::<usize>() + spacing).saturating_sub(usize::from(avail));
    for (i, floor) in SHRINK_ORDER {
        let cut = excess.min(w[i].saturating_sub(floor));
        w[i] -= cut;
        excess -= cut;
    }
    w.into_iter()
        .map(|x| Constraint::Length(x as u16))
        .collect()
}

fn render(st: &Services, f: &mut Frame, area: Rect, app: &Ctx) {
    let theme = &app.theme;
    let total = st.rows.len();
    let shown = st.visible.len();
    let ns = app
        .cluster
        .as_ref()
        .map(|c| c.namespaces.join(","))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "all".into());
    let mut title = vec![Span::styled(
        format!(" Services({ns})[{shown}"),
        theme.style(Role::Title),
    )];
    if shown != total {
        title.push(Span::styled(format!("/{total}"), theme.style(Role::Title)));
    }
    title.push(Span::styled("] ", theme.style(Role::Title)));
    if let Some(flt) = &st.filter {
        title.push(Span::styled(
            format!("</{}> ", flt.text),
            theme.style(Role::Accent),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::from(title));

    if app.cluster.is_none() {
        let p = Paragraph::new(Line::styled(
            "  connecting to the cluster…",
            theme.style(Role::Muted),
        ))
        .block(block);
        f.render_widget(p, area);
        return;
    }
    if shown == 0 {
        let msg = if total == 0 {
            "  no media services discovered in the watched namespaces"
        } else {
            "  no service matches the filter (esc clears it)"
        };
        f.render_widget(
            Paragraph::new(Line::styled(msg, theme.style(Role::Muted))).block(block),
            area,
        );
        return;
    }

    // Border (2) + header row (1).
    let height = usize::from(area.height.saturating_sub(3));
    let off = st.cursor.window(shown, height);
    let cell = |c: &VCell, row_style: Style, cursor: bool| -> (String, Style) {
        let style = if cursor || c.tone == Tone::Normal {
            row_style
        } else {
            theme.style(c.tone.into())
        };
        (c.text.clone(), style)
    };
    let texts: Vec<Vec<(String, Style)>> = st
        .visible
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(pos, &i)| {
            let r = &st.rows[i];
            // The cursor row is drawn in one style, like k9s.
            let cursor = pos == st.cursor.index;
            let rs = if cursor {
                theme.style(Role::TableCursor)
            } else {
                theme.style(Tone::of_severity(r.worst).into())
            };
            vec![
                (r.name.clone(), rs),
                (r.kind.clone(), rs),
                (r.namespace.clone(), rs),
                cell(&r.pod, rs, cursor),
                cell(&r.restarts, rs, cursor),
                (age(r.started, app.now), rs),
                cell(&r.http, rs, cursor),
                cell(&r.health, rs, cursor),
                cell(&r.vpn, rs, cursor),
                cell(&data_age_cell(r.observed_at, app.now), rs, cursor),
            ]
        })
        .collect();
    let widths = fit_widths(&texts, area.width.saturating_sub(2));
    let rows: Vec<Row> = texts
        .into_iter()
        .map(|cells| {
            let row_style = cells.first().map(|c| c.1).unwrap_or_default();
            Row::new(cells.into_iter().map(|(t, st)| Cell::from(t).style(st))).style(row_style)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(HEADERS).style(theme.style(Role::TableHeader)))
        .block(block);
    f.render_widget(table, area);
}
