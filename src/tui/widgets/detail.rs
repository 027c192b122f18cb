//! The detail box under a resource table: the selected row's facts, then each of its findings
//! with its fix and runbook. One rendering for every pane that shows rows with findings.

use crate::model::Finding;
use crate::tui::rows::Tone;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Split a pane into the table and a detail box below it: half the pane when tall, `medium`
/// rows from 20 rows up, 7 below.
pub fn split(area: Rect, medium: u16) -> [Rect; 2] {
    let detail_h = match area.height {
        h if h >= 30 => h / 2,
        h if h >= 20 => medium,
        _ => 7,
    };
    Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_h)]).areas(area)
}

/// The lines of a selected row: its facts, then each finding (severity, code, message), its
/// fix and its runbook. `None` selected says so.
pub fn lines<'a>(theme: &Theme, selected: Option<(&'a [String], &'a [Finding])>) -> Vec<Line<'a>> {
    let Some((detail, findings)) = selected else {
        return vec![Line::styled("nothing selected", theme.style(Role::Muted))];
    };
    let mut v: Vec<Line> = detail
        .iter()
        .map(|l| Line::styled(l.as_str(), theme.style(Role::Base)))
        .collect();
    for x in findings {
        v.push(Line::from(vec![
            Span::styled(
                format!("{} ", x.severity.label()),
                theme.style(Tone::of_severity(x.severity).into()),
            ),
            Span::styled(format!("{} ", x.code), theme.style(Role::Accent)),
            Span::styled(x.message.as_str(), theme.style(Role::Base)),
        ]));
        v.push(Line::from(vec![
            Span::styled("fix: ", theme.style(Role::Accent)),
            Span::styled(x.remediation.as_str(), theme.style(Role::Base)),
        ]));
        if let Some(rb) = &x.runbook {
            v.push(Line::from(vec![
                Span::styled("see: ", theme.style(Role::Accent)),
                Span::styled(rb.as_str(), theme.style(Role::Muted)),
            ]));
        }
    }
    v
}

/// A table above the detail box of its selected row: `table` draws into `areas[0]`, the box
/// titled `title` into `areas[1]` with [`lines`] of `selected`.
pub fn with_table<'a>(
    f: &mut Frame,
    areas: [Rect; 2],
    theme: &Theme,
    table: impl FnOnce(&mut Frame, Rect),
    title: &str,
    selected: Option<(&'a [String], &'a [Finding])>,
) {
    let [table_area, detail_area] = areas;
    table(f, table_area);
    render(f, detail_area, theme, title, lines(theme, selected));
}

/// Draw `lines` wrapped in a bordered box titled `title`.
pub fn render(f: &mut Frame, area: Rect, theme: &Theme, title: &str, lines: Vec<Line>) {
    let detail = Paragraph::new(lines).wrap(Wrap { trim: true }).block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::Border))
            .title(Line::styled(format!(" {title} "), theme.style(Role::Title))),
    );
    f.render_widget(detail, area);
}
