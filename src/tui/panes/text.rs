//! The scrollable text view several panes are (detail, describe, help, task log, edge detail,
//! plan diff): scroll position (clamped when drawn), optional wrap, a bordered paragraph.

use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct TextView {
    /// First line shown; the renderer clamps it to the text, hence a `Cell`.
    pub scroll: Cell<usize>,
    pub wrap: bool,
}

impl TextView {
    /// Back to the top (a new view).
    pub fn reset(&mut self) {
        self.scroll.set(0);
    }

    /// Scroll or toggle wrap; `false` when the action is neither.
    pub fn on_action(&mut self, action: Action, page: usize) -> bool {
        let s = self.scroll.get();
        let to = match action {
            Action::UP => s.saturating_sub(1),
            Action::DOWN => s.saturating_add(1),
            Action::PAGE_UP => s.saturating_sub(page),
            Action::PAGE_DOWN => s.saturating_add(page),
            Action::TOP => 0,
            Action::BOTTOM => usize::MAX / 2,
            Action::WRAP => {
                self.wrap = !self.wrap;
                return true;
            }
            _ => return false,
        };
        self.scroll.set(to);
        true
    }

    pub fn render(&self, f: &mut Frame, area: Rect, title: Line, lines: Vec<Line>, theme: &Theme) {
        text_pane(f, area, title, lines, &self.scroll, self.wrap, theme);
    }
}

/// A bordered, scrollable text view; clamps the scroll position to the text.
pub fn text_pane(
    f: &mut Frame,
    area: Rect,
    title: Line,
    lines: Vec<Line>,
    scroll: &Cell<usize>,
    wrap: bool,
    theme: &Theme,
) {
    let inner_h = usize::from(area.height.saturating_sub(2));
    let max = lines.len().saturating_sub(inner_h);
    let s = scroll.get().min(max);
    scroll.set(s);
    let mut p = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::BorderFocus))
                .title(title),
        )
        .scroll((u16::try_from(s).unwrap_or(u16::MAX), 0));
    if wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, area);
}
