//! Services pane: the main table. Windowed: only the rows that fit are built each frame.

use crate::tui::app::App;
use crate::tui::rows::{age, data_age_cell, Cell as VCell, Tone};
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

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

const WIDTHS: [Constraint; 10] = [
    Constraint::Min(12),
    Constraint::Length(11),
    Constraint::Length(10),
    Constraint::Length(22),
    Constraint::Length(8),
    Constraint::Length(7),
    Constraint::Length(15),
    Constraint::Length(22),
    Constraint::Length(11),
    Constraint::Length(8),
];

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let total = app.rows.len();
    let shown = app.visible.len();
    let ns = app
        .cluster
        .as_ref()
        .map(|c| c.namespaces.join(","))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "all".into());
    let mut title = vec![Span::styled(
        format!(" Services({ns})[{shown}"),
        theme.style("title"),
    )];
    if shown != total {
        title.push(Span::styled(format!("/{total}"), theme.style("title")));
    }
    title.push(Span::styled("] ", theme.style("title")));
    if let Some(flt) = &app.filter {
        title.push(Span::styled(
            format!("</{}> ", flt.text),
            theme.style("accent"),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("border_focus"))
        .title(Line::from(title));

    if app.cluster.is_none() {
        let p = Paragraph::new(Line::styled(
            "  connecting to the cluster…",
            theme.style("muted"),
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
            Paragraph::new(Line::styled(msg, theme.style("muted"))).block(block),
            area,
        );
        return;
    }

    // Border (2) + header row (1).
    let height = usize::from(area.height.saturating_sub(3));
    let off = app.services.window(shown, height);
    let cell = |c: &VCell, row_style: Style| -> Cell<'static> {
        let style = if c.tone == Tone::Normal {
            row_style
        } else {
            theme.style(c.tone.role())
        };
        Cell::from(c.text.clone()).style(style)
    };
    let rows: Vec<Row> = app
        .visible
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(pos, &i)| {
            let r = &app.rows[i];
            let is_cursor = pos == app.services.index;
            let row_style = if is_cursor {
                theme.style("table.cursor")
            } else {
                theme.style(Tone::of_severity(r.worst).role())
            };
            // The cursor row is drawn in one style, like k9s.
            let cell = |c: &VCell| {
                if is_cursor {
                    Cell::from(c.text.clone()).style(row_style)
                } else {
                    cell(c, row_style)
                }
            };
            let cells = vec![
                Cell::from(r.name.clone()).style(row_style),
                Cell::from(r.kind.clone()).style(row_style),
                Cell::from(r.namespace.clone()).style(row_style),
                cell(&r.pod),
                cell(&r.restarts),
                Cell::from(age(r.started, app.now)).style(row_style),
                cell(&r.http),
                cell(&r.health),
                cell(&r.vpn),
                cell(&data_age_cell(r.observed_at, app.now)),
            ];
            Row::new(cells).style(row_style)
        })
        .collect();
    let table = Table::new(rows, WIDTHS)
        .header(Row::new(HEADERS).style(theme.style("table.header")))
        .block(block);
    f.render_widget(table, area);
}
