//! Findings pane (`:findings`, `:alerts`): every finding, worst first, with its remediation.

use crate::model::Finding;
use crate::tui::app::{App, Cursor, View};
use crate::tui::keymap::Action;
use crate::tui::msg::Effect;
use crate::tui::rows::{Filter, Tone};
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Default)]
pub struct FindingsState {
    /// Indexes into `App::findings`, worst first, filtered.
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

    pub fn set_filter(&mut self, filter: Option<Filter>, all: &[Finding]) {
        self.filter = filter;
        self.resort(all);
    }

    pub fn filter_text(&self) -> String {
        self.filter
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default()
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

pub fn on_action(app: &mut App, action: Action, page: usize) -> Vec<Effect> {
    match action {
        Action::Enter => {
            let Some(f) = app.findings_view.selected(&app.findings) else {
                return vec![];
            };
            let target = app.cluster.as_ref().and_then(|c| {
                c.inventory
                    .services
                    .iter()
                    .find(|s| f.is_about(&s.id))
                    .map(|s| s.id.clone())
            });
            match target {
                Some(id) => app.push(View::Detail(id)),
                None => app.set_flash(
                    format!("{} is not a service", f.subject),
                    crate::tui::app::FlashLevel::Info,
                ),
            }
            vec![]
        }
        _ => {
            let len = app.findings_view.order.len();
            app.findings_view.cursor.apply(action, len, page);
            vec![]
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(area);
    let st = &app.findings_view;
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
                theme.style("table.cursor")
            } else {
                theme.style(Tone::of_severity(x.severity).role())
            };
            let fix_style = if pos == st.cursor.index {
                style
            } else {
                theme.style("muted")
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
            .style(theme.style("table.header")),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style("border_focus"))
            .title(Line::styled(title, theme.style("title"))),
    );
    f.render_widget(table, table_area);

    let lines = match st.selected(&app.findings) {
        None => vec![Line::styled("no findings", theme.style("muted"))],
        Some(x) => {
            let mut v = vec![
                Line::from(vec![
                    Span::styled(
                        format!("{} ", x.severity.label()),
                        theme.style(Tone::of_severity(x.severity).role()),
                    ),
                    Span::styled(x.message.clone(), theme.style("base")),
                ]),
                Line::from(vec![
                    Span::styled("fix: ", theme.style("accent")),
                    Span::styled(x.remediation.clone(), theme.style("base")),
                ]),
            ];
            if let Some(r) = &x.runbook {
                v.push(Line::from(vec![
                    Span::styled("see: ", theme.style("accent")),
                    Span::styled(r.clone(), theme.style("muted")),
                ]));
            }
            v
        }
    };
    let detail = Paragraph::new(lines).wrap(Wrap { trim: true }).block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style("border"))
            .title(Line::styled(" remediation ", theme.style("title"))),
    );
    f.render_widget(detail, detail_area);
}
