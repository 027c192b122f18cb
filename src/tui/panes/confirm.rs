//! The confirm dialog in front of every mutating task: a summary of what will be written, and
//! two buttons. Focus starts on Cancel; `y` confirms, `n`/esc cancels, tab/←/→ move the focus,
//! enter presses the focused button.

use crate::tui::msg::TaskRequest;
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// Most summary lines shown; the rest is counted in one line.
const MAX_LINES: usize = 14;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// Summary lines with their theme role (`base`, `warn`, `muted` …).
    pub lines: Vec<(String, &'static str)>,
    /// Label of the confirming button (`Apply 17 writes`).
    pub confirm_label: String,
    pub request: TaskRequest,
    /// The confirming button has the focus (starts `false`: Cancel).
    pub focus_confirm: bool,
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Open,
    Cancel,
    Confirm(TaskRequest),
}

impl Confirm {
    pub fn new(
        title: impl Into<String>,
        lines: Vec<(String, &'static str)>,
        confirm_label: impl Into<String>,
        request: TaskRequest,
    ) -> Confirm {
        Confirm {
            title: title.into(),
            lines,
            confirm_label: confirm_label.into(),
            request,
            focus_confirm: false,
        }
    }

    pub fn handle_key(&mut self, ev: &KeyEvent) -> ConfirmOutcome {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match ev.code {
            KeyCode::Char('y' | 'Y') if !ctrl => ConfirmOutcome::Confirm(self.request.clone()),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => ConfirmOutcome::Cancel,
            KeyCode::Char('c') if ctrl => ConfirmOutcome::Cancel,
            KeyCode::Enter => {
                if self.focus_confirm {
                    ConfirmOutcome::Confirm(self.request.clone())
                } else {
                    ConfirmOutcome::Cancel
                }
            }
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                self.focus_confirm = !self.focus_confirm;
                ConfirmOutcome::Open
            }
            KeyCode::Char('h') => {
                self.focus_confirm = false;
                ConfirmOutcome::Open
            }
            KeyCode::Char('l') => {
                self.focus_confirm = true;
                ConfirmOutcome::Open
            }
            _ => ConfirmOutcome::Open,
        }
    }
}

/// Draw the dialog centred over `area`.
pub fn render(f: &mut Frame, area: Rect, c: &Confirm, theme: &Theme) {
    let mut body: Vec<Line> = c
        .lines
        .iter()
        .take(MAX_LINES)
        .map(|(t, role)| Line::styled(format!(" {t}"), theme.style(role)))
        .collect();
    if c.lines.len() > MAX_LINES {
        body.push(Line::styled(
            format!(" … and {} more", c.lines.len() - MAX_LINES),
            theme.style("muted"),
        ));
    }
    let cancel = " Cancel ";
    let confirm = format!(" {} ", c.confirm_label);
    let widest = body
        .iter()
        .map(|l| l.width())
        .chain([c.title.width() + 4, cancel.width() + confirm.width() + 8])
        .max()
        .unwrap_or(20);
    let w = (widest as u16 + 4).min(area.width).max(20.min(area.width));
    // Border (2), blank (1), buttons (1), hint (1).
    let h = (body.len() as u16 + 5).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("border_focus"))
        .style(theme.style("dialog"))
        .title(Line::styled(format!(" {} ", c.title), theme.style("title")));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let [text, _, buttons, hint] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(body).style(theme.style("dialog")), text);
    let (cancel_role, confirm_role) = if c.focus_confirm {
        ("dialog", "table.cursor")
    } else {
        ("table.cursor", "dialog")
    };
    let line = Line::from(vec![
        Span::raw(" "),
        Span::styled(format!("[{cancel}]"), theme.style(cancel_role)),
        Span::raw("  "),
        Span::styled(format!("[{confirm}]"), theme.style(confirm_role)),
    ]);
    f.render_widget(Paragraph::new(line).style(theme.style("dialog")), buttons);
    f.render_widget(
        Paragraph::new(Line::styled(
            " y confirm · n/esc cancel · tab switch · enter press",
            theme.style("muted"),
        ))
        .style(theme.style("dialog")),
        hint,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn focus_starts_on_cancel() {
        let mut c = Confirm::new("t", vec![], "Apply", TaskRequest::ApplyIntegrations);
        assert_eq!(c.handle_key(&key(KeyCode::Enter)), ConfirmOutcome::Cancel);
        assert_eq!(c.handle_key(&key(KeyCode::Tab)), ConfirmOutcome::Open);
        assert_eq!(
            c.handle_key(&key(KeyCode::Enter)),
            ConfirmOutcome::Confirm(TaskRequest::ApplyIntegrations)
        );
        let mut c = Confirm::new("t", vec![], "Sync", TaskRequest::SyncKeys);
        assert_eq!(
            c.handle_key(&key(KeyCode::Char('y'))),
            ConfirmOutcome::Confirm(TaskRequest::SyncKeys)
        );
        assert_eq!(
            c.handle_key(&key(KeyCode::Char('q'))),
            ConfirmOutcome::Open,
            "other keys do nothing while the dialog is open"
        );
        assert_eq!(c.handle_key(&key(KeyCode::Esc)), ConfirmOutcome::Cancel);
    }
}
