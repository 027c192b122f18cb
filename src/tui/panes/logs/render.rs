//! The logs pane's frame: a title with the stream's source and its flags (ended, previous run,
//! container, lines and drops, search matches, since, timestamps, follow, wrap), and the visible
//! window of the buffer with the search's matches highlighted.

use super::{LogsState, SINCE};
use crate::tui::ctx::Ctx;
use crate::tui::theme::Role;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(l: &LogsState, f: &mut Frame, area: Rect, ctx: &Ctx) {
    let theme = &ctx.theme;
    let mut flags = Vec::new();
    match &l.ended {
        Some(Some(e)) => flags.push(format!("stream ended: {e}")),
        Some(None) => flags.push("stream ended".into()),
        None => {}
    }
    if l.previous {
        flags.push(if l.auto_previous {
            "previous run (current has no output yet)".to_string()
        } else {
            "previous run".to_string()
        });
    }
    if l.containers.len() > 1 {
        flags.push(format!("container {}/{}", l.container + 1, l.containers.len()));
    }
    flags.push(format!("{}/{} lines", l.lines.len(), l.cap));
    if l.dropped > 0 {
        flags.push(format!("{} dropped", l.dropped));
    }
    if !l.search().is_empty() {
        flags.push(format!("/{} {} matches", l.search(), l.match_count()));
    }
    flags.push(format!("since:{}", SINCE[l.since].0));
    flags.push(format!("ts:{}", if l.timestamps { "on" } else { "off" }));
    flags.push(format!("follow:{}", if l.follow { "on" } else { "off" }));
    flags.push(format!("wrap:{}", if l.wrap { "on" } else { "off" }));
    let title = Line::from(vec![
        Span::styled(format!(" logs {} ", l.source), theme.style(Role::Title)),
        Span::styled(
            format!(" {} ", flags.join(" · ")),
            theme.style(Role::LogIndicator),
        ),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(title);
    let inner_h = usize::from(area.height.saturating_sub(2)).max(1);
    let top = if l.follow {
        l.lines.len().saturating_sub(inner_h)
    } else {
        l.top.min(l.lines.len().saturating_sub(1))
    };
    let lines: Vec<Line> = if l.lines.is_empty() {
        let text = match &l.ended {
            Some(_) => "no output",
            None => "waiting for log lines…",
        };
        vec![Line::styled(text, theme.style(Role::Muted))]
    } else {
        l.lines
            .iter()
            .enumerate()
            .skip(top)
            .take(inner_h)
            .map(|(i, s)| {
                let role = if l.hit == Some(i) {
                    Role::TableCursor
                } else if l.hit_at(i) {
                    Role::Accent
                } else {
                    Role::Log
                };
                Line::styled(s.as_str(), theme.style(role))
            })
            .collect()
    };
    let mut p = Paragraph::new(lines).block(block);
    if l.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, area);
}
