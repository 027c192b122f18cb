//! Findings pane (`:findings`, `:alerts`): every finding, worst first, with its remediation.

use super::detail;
use crate::model::Finding;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::Msg;
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{subject_is, Filter, Tone};
use crate::tui::theme::Role;
use crate::tui::view::{Cursor, FlashLevel, PaneId, View};
use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub const ID: PaneId = "findings";

pub fn pane() -> Box<dyn Pane> {
    Box::<FindingsState>::default()
}

#[derive(Debug, Clone, Default)]
pub struct FindingsState {
    /// Indexes into the shared findings ([`Ctx::findings`]), worst first, filtered.
    pub order: Vec<usize>,
    pub cursor: Cursor,
    pub filter: Option<Filter>,
}

impl FindingsState {
    pub fn resort(&mut self, all: &[Finding]) {
        let mut order: Vec<usize> = (0..all.len())
            .filter(|&i| {
                self.filter
                    .as_ref()
                    .is_none_or(|f| f.matches(&haystack(&all[i])))
            })
            .collect();
        order.sort_by(|&a, &b| {
            (all[b].severity, &all[a].subject, &all[a].code).cmp(&(
                all[a].severity,
                &all[b].subject,
                &all[b].code,
            ))
        });
        self.order = order;
        self.cursor.index = self.cursor.index.min(self.order.len().saturating_sub(1));
    }

    pub fn apply_filter(&mut self, filter: Option<Filter>, all: &[Finding]) {
        self.filter = filter;
        self.resort(all);
    }

    pub fn selected<'a>(&self, all: &'a [Finding]) -> Option<&'a Finding> {
        self.order.get(self.cursor.index).and_then(|&i| all.get(i))
    }
}

fn haystack(f: &Finding) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        f.severity.label(),
        f.code,
        f.subject,
        f.message
    )
    .to_lowercase()
}

impl Pane for FindingsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Findings"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "go to service"),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
            Binding::new(Key::ch('c'), Action::CHECK_ALL, "check all"),
        ])
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["findings", "alerts", "alert", "finding", "fi"],
            "all findings with remediation",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            Action::ENTER => {
                let Some(f) = self.selected(&ctx.findings) else {
                    return;
                };
                let target = ctx.cluster.as_ref().and_then(|c| {
                    c.inventory
                        .services
                        .iter()
                        .find(|s| subject_is(&f.subject, &s.id))
                        .map(|s| s.id.clone())
                });
                match target {
                    Some(id) => ctx.push(detail::view(id)),
                    None => {
                        let text = format!("{} is not a service", f.subject);
                        ctx.set_flash(text, FlashLevel::Info);
                    }
                }
            }
            _ => {
                let len = self.order.len();
                self.cursor.apply(action, len, ctx.page());
            }
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Findings(all) = msg {
            self.resort(all);
        }
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.filter.as_ref().map(|f| f.text.clone()).unwrap_or_default())
    }

    fn set_filter(&mut self, ctx: &Ctx, text: &str) {
        self.apply_filter(Filter::new(text), &ctx.findings);
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        render(self, f, area, ctx);
    }
}

fn render(st: &FindingsState, f: &mut Frame, area: Rect, app: &Ctx) {
    let theme = &app.theme;
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(area);
    // Two lines per finding: what is wrong, then what to do about it.
    let height = usize::from(table_area.height.saturating_sub(3)) / 2;
    let off = st.cursor.window(st.order.len(), height);
    let rows: Vec<Row> = st
        .order
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .filter_map(|(pos, &i)| app.findings.get(i).map(|x| (pos, x)))
        .map(|(pos, x)| {
            let style = if pos == st.cursor.index {
                theme.style(Role::TableCursor)
            } else {
                theme.style(Tone::of_severity(x.severity).into())
            };
            let fix_style = if pos == st.cursor.index {
                style
            } else {
                theme.style(Role::Muted)
            };
            let what = Text::from(vec![
                Line::styled(x.message.clone(), style),
                Line::styled(format!("→ {}", x.remediation), fix_style),
            ]);
            Row::new(vec![
                Cell::from(x.severity.label().to_string()),
                Cell::from(x.subject.clone()),
                Cell::from(x.code.clone()),
                Cell::from(what),
            ])
            .height(2)
            .style(style)
        })
        .collect();
    let mut title = format!(" Findings[{}] ", st.order.len());
    if let Some(flt) = &st.filter {
        title.push_str(&format!("</{}> ", flt.text));
    }
    // SUBJECT and CODE as wide as their widest visible value, within bounds.
    let shown = || {
        st.order
            .iter()
            .skip(off)
            .take(height)
            .filter_map(|&i| app.findings.get(i))
    };
    let subject_w = shown()
        .map(|x| x.subject.width())
        .max()
        .unwrap_or(0)
        .clamp(7, 30);
    let code_w = shown()
        .map(|x| x.code.width())
        .max()
        .unwrap_or(0)
        .clamp(4, 24);
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(subject_w as u16),
            Constraint::Length(code_w as u16),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(["SEVERITY", "SUBJECT", "CODE", "FINDING / REMEDIATION"])
            .style(theme.style(Role::TableHeader)),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::BorderFocus))
            .title(Line::styled(title, theme.style(Role::Title))),
    );
    f.render_widget(table, table_area);

    let lines = match st.selected(&app.findings) {
        None => vec![Line::styled("no findings", theme.style(Role::Muted))],
        Some(x) => {
            let mut v = vec![
                Line::from(vec![
                    Span::styled(
                        format!("{} ", x.severity.label()),
                        theme.style(Tone::of_severity(x.severity).into()),
                    ),
                    Span::styled(x.message.clone(), theme.style(Role::Base)),
                ]),
                Line::from(vec![
                    Span::styled("fix: ", theme.style(Role::Accent)),
                    Span::styled(x.remediation.clone(), theme.style(Role::Base)),
                ]),
            ];
            if let Some(r) = &x.runbook {
                v.push(Line::from(vec![
                    Span::styled("see: ", theme.style(Role::Accent)),
                    Span::styled(r.clone(), theme.style(Role::Muted)),
                ]));
            }
            v
        }
    };
    let detail = Paragraph::new(lines).wrap(Wrap { trim: true }).block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::Border))
            .title(Line::styled(" remediation ", theme.style(Role::Title))),
    );
    f.render_widget(detail, detail_area);
}
