//! Drawing: the shared title, the body states (loading, error, empty, no match) and the windowed
//! rows with fitted columns.

use super::fit::{ellipsize, fit_widths, Fit};
use super::{CellText, Column, Ctx, TableRow, TableState};
use crate::bounds::sanitize;
use crate::bus::rows::age;
use crate::tui::theme::Role;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// Space between columns.
const GAP: u16 = 1;

/// The shared title: ` Title(scope)[shown/total] </filter> · last checked 12s ago `, then the
/// markers (error, refreshing) and the pane's notes. When that is wider than `width`, the scope
/// goes first, then "last checked" shortens to `· 12s ago`; what still does not fit is clipped.
pub fn title_spans(
    ctx: &Ctx<'_>,
    state: &TableState,
    has_rows: bool,
    width: u16,
) -> Vec<Span<'static>> {
    let fits = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>() <= usize::from(width);
    let full = title_parts(ctx, state, has_rows, true, true);
    if fits(&full) {
        return full;
    }
    let no_scope = title_parts(ctx, state, has_rows, false, true);
    if fits(&no_scope) {
        return no_scope;
    }
    title_parts(ctx, state, has_rows, false, false)
}

fn title_parts(
    ctx: &Ctx<'_>,
    state: &TableState,
    has_rows: bool,
    scope: bool,
    long: bool,
) -> Vec<Span<'static>> {
    let th = ctx.theme;
    let (shown, total) = state.counts();
    let mut head = format!(" {}", ctx.title);
    if let (Some(s), true) = (ctx.scope, scope) {
        head.push_str(&format!("({s})"));
    }
    head.push_str(&format!("[{shown}"));
    if shown != total {
        head.push_str(&format!("/{total}"));
    }
    head.push_str("] ");
    let mut spans = vec![Span::styled(head, th.style(Role::Title))];
    if let Some(f) = state.filter() {
        spans.push(Span::styled(
            format!("</{}> ", sanitize(&f.text)),
            th.style(Role::Accent),
        ));
    }
    if let Some(at) = ctx.checked {
        let ago = age(Some(at), ctx.now);
        let (text, role) = match (ctx.staleness(), long) {
            (None, true) => (format!("· last checked {ago} ago "), Role::Muted),
            (None, false) => (format!("· {ago} ago "), Role::Muted),
            (Some(role), true) => (format!("· stale, last checked {ago} ago "), role),
            (Some(role), false) => (format!("· stale {ago} "), role),
        };
        spans.push(Span::styled(text, th.style(role)));
    }
    if let (Some(e), true) = (ctx.error, has_rows) {
        spans.push(Span::styled(
            format!("· error: {} ", sanitize(e)),
            th.style(Role::Error),
        ));
    }
    if ctx.refreshing {
        spans.push(Span::styled("· refreshing… ", th.style(Role::Accent)));
    }
    for (text, role) in &ctx.notes {
        spans.push(Span::styled(
            format!("· {} ", sanitize(text)),
            th.style(*role),
        ));
    }
    spans
}

/// Draw the table in `area` (border included). Only the rows inside the window are formatted.
pub fn render<R: TableRow>(
    f: &mut Frame,
    area: Rect,
    columns: &[Column<R>],
    rows: &[R],
    state: &TableState,
    ctx: &Ctx<'_>,
) {
    debug_assert_eq!(
        state.counts().1,
        rows.len(),
        "TableState::sync was not called after the rows changed"
    );
    let th = ctx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(th.style(Role::BorderFocus))
        .title(Line::from(title_spans(
            ctx,
            state,
            !rows.is_empty(),
            area.width.saturating_sub(2),
        )));

    let message = if rows.is_empty() {
        Some(match (ctx.error, ctx.loading) {
            (Some(e), _) => (format!("  ✘ {}", sanitize(e)), Role::Error),
            (None, Some(text)) => (format!("  {text}"), Role::Muted),
            (None, None) => (format!("  {}", ctx.empty), Role::Muted),
        })
    } else if state.visible().is_empty() {
        Some((
            format!(
                "  no rows match /{} (esc clears it)",
                sanitize(state.filter_text())
            ),
            Role::Muted,
        ))
    } else {
        None
    };
    if let Some((text, role)) = message {
        // The body message keeps the page size honest for the next key press.
        state.window(usize::from(area.height.saturating_sub(3)));
        f.render_widget(
            Paragraph::new(Line::styled(text, th.style(role))).block(block),
            area,
        );
        return;
    }

    // Border (2) + header row (1).
    let height = usize::from(area.height.saturating_sub(3));
    let off = state.window(height);
    let cursor = state.cursor();
    let window: Vec<(bool, &R)> = state
        .visible()
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .filter_map(|(pos, &i)| rows.get(i).map(|r| (pos == cursor, r)))
        .collect();
    let cells: Vec<Vec<CellText>> = window
        .iter()
        .map(|(_, r)| columns.iter().map(|c| (c.cell)(r, ctx)).collect())
        .collect();

    let sorted = state.sort();
    let headers: Vec<String> = columns
        .iter()
        .map(|c| match (sorted, c.sort) {
            (Some(s), Some(k)) if s.key == k.key => {
                format!("{}{}", c.title, if s.descending { "↓" } else { "↑" })
            }
            _ => c.title.to_string(),
        })
        .collect();
    let fits: Vec<Fit> = columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let widest = cells
                .iter()
                .map(|row| row[j].text.width())
                .max()
                .unwrap_or(0)
                .max(headers[j].width());
            let mut natural = u16::try_from(widest).unwrap_or(u16::MAX);
            if !c.whole && c.max > 0 {
                natural = natural.min(c.max.max(headers[j].width() as u16));
            }
            Fit {
                natural,
                // No floor given: the column is shown whole or not at all.
                min: if c.min == 0 { natural } else { c.min },
                whole: c.whole,
                priority: c.priority,
            }
        })
        .collect();
    let widths = fit_widths(&fits, area.width.saturating_sub(2), GAP);
    let kept: Vec<(usize, u16)> = widths
        .iter()
        .enumerate()
        .filter_map(|(j, w)| w.map(|w| (j, w)))
        .collect();

    let header = Row::new(kept.iter().map(|&(j, w)| {
        let text = ellipsize(&headers[j], w).into_owned();
        Cell::from(aligned(text, Style::default(), columns[j].right))
    }))
    .style(th.style(Role::TableHeader));
    let body: Vec<Row> = window
        .iter()
        .zip(cells)
        .map(|(&(is_cursor, r), row_cells)| {
            let row_style = if is_cursor {
                th.style(Role::TableCursor)
            } else {
                th.style(r.role())
            };
            let mut row_cells: Vec<Option<CellText>> = row_cells.into_iter().map(Some).collect();
            Row::new(kept.iter().map(|&(j, w)| {
                let c = row_cells[j].take().unwrap_or_default();
                let style = match c.role {
                    Some(role) if !is_cursor => th.style(role),
                    _ => row_style,
                };
                let text = ellipsize(&c.text, w).into_owned();
                Cell::from(aligned(text, style, columns[j].right))
            }))
            .style(row_style)
        })
        .collect();
    let table = Table::new(body, kept.iter().map(|&(_, w)| Constraint::Length(w)))
        .column_spacing(GAP)
        .header(header)
        .block(block);
    f.render_widget(table, area);
}

fn aligned(text: String, style: Style, right: bool) -> Line<'static> {
    let line = Line::from(Span::styled(text, style));
    if right {
        line.alignment(Alignment::Right)
    } else {
        line
    }
}
