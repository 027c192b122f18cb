//! Services pane: the main table. Windowed: only the rows that fit are built each frame.

use crate::tui::app::App;
use crate::tui::rows::{age, data_age_cell, Cell as VCell, Tone};
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

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
    let cell = |c: &VCell, row_style: Style, cursor: bool| -> (String, Style) {
        let style = if cursor || c.tone == Tone::Normal {
            row_style
        } else {
            theme.style(c.tone.role())
        };
        (c.text.clone(), style)
    };
    let texts: Vec<Vec<(String, Style)>> = app
        .visible
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(pos, &i)| {
            let r = &app.rows[i];
            // The cursor row is drawn in one style, like k9s.
            let cursor = pos == app.services.index;
            let rs = if cursor {
                theme.style("table.cursor")
            } else {
                theme.style(Tone::of_severity(r.worst).role())
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
                cell(
                    &data_age_cell(r.observed_at, app.now, &app.budget),
                    rs,
                    cursor,
                ),
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
        .header(Row::new(HEADERS).style(theme.style("table.header")))
        .block(block);
    f.render_widget(table, area);
}
