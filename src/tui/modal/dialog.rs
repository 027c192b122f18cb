//! The frame every modal is drawn in: a centred box with a title, a list that is shown whole or
//! cut with a visible "… and N more" (never silently), and fixed footer lines (buttons, input,
//! key hints) that always stay visible.

use crate::tui::theme::{Role, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use tui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

/// The lines of `list` that fit in `room` rows from `offset` on: when some do not fit, the last
/// row says how many more follow (and the first how many are above, when scrolled).
pub fn fit_list<'a>(
    list: &[(String, Role)],
    room: usize,
    offset: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    if room == 0 {
        return vec![];
    }
    let offset = offset.min(list.len().saturating_sub(1));
    let mut out = Vec::new();
    let mut room = room;
    if offset > 0 {
        out.push(Line::styled(
            format!(" … {offset} more above"),
            theme.style(Role::Muted),
        ));
        room -= 1;
    }
    let rest = &list[offset..];
    let (shown, more) = if rest.len() <= room {
        (rest.len(), 0)
    } else {
        let shown = room.saturating_sub(1);
        (shown, rest.len() - shown)
    };
    out.extend(
        rest[..shown]
            .iter()
            .map(|(t, role)| Line::styled(format!(" {t}"), theme.style(*role))),
    );
    if more > 0 {
        out.push(Line::styled(
            format!(" … and {more} more"),
            theme.style(Role::Muted),
        ));
    }
    out
}

/// A dialog to draw: title, list, footer.
pub struct Dialog<'a> {
    pub title: &'a str,
    pub list: &'a [(String, Role)],
    pub offset: usize,
    pub footer: Vec<Line<'a>>,
}

impl Dialog<'_> {
    /// Draw centred over `area`; returns the footer's area (one row per footer line) so a caller
    /// can draw an input widget over its placeholder row.
    pub fn render(self, f: &mut Frame, area: Rect, theme: &Theme) -> Rect {
        let list_w = self
            .list
            .iter()
            .map(|(t, _)| t.width() + 1)
            .max()
            .unwrap_or(0);
        let widest = self
            .footer
            .iter()
            .map(Line::width)
            .chain([list_w, self.title.width() + 4])
            .max()
            .unwrap_or(20);
        let w = (widest as u16 + 4).min(area.width).max(20.min(area.width));
        // Border (2), footer, and a blank line between list and footer when there is a list.
        let gap = u16::from(!self.list.is_empty());
        let chrome = 2 + self.footer.len() as u16 + gap;
        let room = usize::from(area.height.saturating_sub(chrome));
        let body = fit_list(self.list, room, self.offset, theme);
        let h = (body.len() as u16 + chrome).min(area.height);
        let rect = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        f.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::BorderFocus))
            .style(theme.style(Role::Dialog))
            .title(Line::styled(
                format!(" {} ", self.title),
                theme.style(Role::Title),
            ));
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        let body_h = (body.len() as u16).min(inner.height);
        let text = Rect::new(inner.x, inner.y, inner.width, body_h);
        f.render_widget(Paragraph::new(body).style(theme.style(Role::Dialog)), text);
        let foot_y = inner.y + body_h + gap;
        let foot_h = (inner.y + inner.height).saturating_sub(foot_y);
        let foot = Rect::new(
            inner.x,
            foot_y.min(inner.y + inner.height),
            inner.width,
            foot_h,
        );
        f.render_widget(
            Paragraph::new(self.footer).style(theme.style(Role::Dialog)),
            foot,
        );
        foot
    }
}

/// One line of text input for a modal: a tui-textarea that never takes newlines or tabs.
#[derive(Debug, Clone)]
pub struct Input {
    pub area: TextArea<'static>,
}

impl Default for Input {
    fn default() -> Input {
        Input {
            area: TextArea::new(vec![String::new()]),
        }
    }
}

impl Input {
    pub fn text(&self) -> String {
        self.area.lines().first().cloned().unwrap_or_default()
    }

    /// Edit with a key (enter, tab and esc are the caller's).
    pub fn key(&mut self, ev: &KeyEvent) {
        match ev.code {
            KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc => {}
            KeyCode::Char('m' | 'j') if ev.modifiers.contains(KeyModifiers::CONTROL) => {}
            _ => {
                self.area.input(*ev);
            }
        }
    }

    /// Draw into one row: a `> ` sigil, then the text with its cursor.
    pub fn render(&self, f: &mut Frame, row: Rect, theme: &Theme) {
        if row.width < 4 || row.height == 0 {
            return;
        }
        let row = Rect::new(row.x, row.y, row.width, 1);
        f.render_widget(
            Paragraph::new(Line::styled(" > ", theme.style(Role::Prompt))),
            Rect::new(row.x, row.y, 3, 1),
        );
        let mut area = self.area.clone();
        area.set_style(theme.style(Role::Prompt));
        area.set_cursor_line_style(Style::default());
        f.render_widget(&area, Rect::new(row.x + 3, row.y, row.width - 3, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_long_list_says_how_many_more() {
        let theme = Theme::builtin_default();
        let list: Vec<(String, Role)> = (1..=30).map(|i| (format!("c{i}"), Role::Base)).collect();
        assert_eq!(
            texts(&fit_list(&list[..3], 5, 0, &theme)),
            [" c1", " c2", " c3"]
        );
        let fitted = texts(&fit_list(&list, 5, 0, &theme));
        assert_eq!(fitted, [" c1", " c2", " c3", " c4", " … and 26 more"]);
        let scrolled = texts(&fit_list(&list, 5, 10, &theme));
        assert_eq!(
            scrolled,
            [" … 10 more above", " c11", " c12", " c13", " … and 17 more"]
        );
        let end = texts(&fit_list(&list, 5, 27, &theme));
        assert_eq!(end, [" … 27 more above", " c28", " c29", " c30"]);
        assert!(fit_list(&list, 0, 0, &theme).is_empty());
    }
}
