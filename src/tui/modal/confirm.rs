//! The confirm dialog in front of every mutating task: every change that will be written (or
//! "… and N more" when they do not fit; j/k scroll), and two buttons. Focus starts on Cancel;
//! `y` confirms, `n`/esc cancels, tab/←/→ move the focus, enter presses the focused button.

use super::dialog::Dialog;
use super::{ModalOutcome, Reply};
use crate::tui::theme::{Role, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// Summary lines with their theme role.
    pub lines: Vec<(String, Role)>,
    /// Label of the confirming button (`Apply 17 writes`).
    pub confirm_label: String,
    pub reply: Reply,
    /// The confirming button has the focus (starts `false`: Cancel).
    pub focus_confirm: bool,
    /// First list line shown.
    pub offset: usize,
}

impl Confirm {
    pub fn new(
        title: impl Into<String>,
        lines: Vec<(String, Role)>,
        confirm_label: impl Into<String>,
        reply: Reply,
    ) -> Confirm {
        Confirm {
            title: title.into(),
            lines,
            confirm_label: confirm_label.into(),
            reply,
            focus_confirm: false,
            offset: 0,
        }
    }

    pub fn handle_key(&mut self, ev: &KeyEvent) -> ModalOutcome {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match ev.code {
            KeyCode::Char('y' | 'Y') if !ctrl => ModalOutcome::Done(self.reply.clone()),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => ModalOutcome::Cancel,
            KeyCode::Char('c') if ctrl => ModalOutcome::Cancel,
            KeyCode::Enter => {
                if self.focus_confirm {
                    ModalOutcome::Done(self.reply.clone())
                } else {
                    ModalOutcome::Cancel
                }
            }
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                self.focus_confirm = !self.focus_confirm;
                ModalOutcome::Open
            }
            KeyCode::Char('h') => {
                self.focus_confirm = false;
                ModalOutcome::Open
            }
            KeyCode::Char('l') => {
                self.focus_confirm = true;
                ModalOutcome::Open
            }
            KeyCode::Char('j') | KeyCode::Down => {
                self.offset = (self.offset + 1).min(self.lines.len().saturating_sub(1));
                ModalOutcome::Open
            }
            KeyCode::Char('k') | KeyCode::Up => {
                self.offset = self.offset.saturating_sub(1);
                ModalOutcome::Open
            }
            _ => ModalOutcome::Open,
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let (cancel_role, confirm_role) = if self.focus_confirm {
            (Role::Dialog, Role::TableCursor)
        } else {
            (Role::TableCursor, Role::Dialog)
        };
        let buttons = Line::from(vec![
            Span::raw(" "),
            Span::styled("[ Cancel ]", theme.style(cancel_role)),
            Span::raw("  "),
            Span::styled(
                format!("[ {} ]", self.confirm_label),
                theme.style(confirm_role),
            ),
        ]);
        let hint = Line::styled(
            " y confirm · n/esc cancel · tab switch · enter press",
            theme.style(Role::Muted),
        );
        Dialog {
            title: &self.title,
            list: &self.lines,
            offset: self.offset,
            footer: vec![buttons, hint],
        }
        .render(f, area, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::msg::TaskRequest;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn focus_starts_on_cancel() {
        let apply = Reply::Task(TaskRequest::ApplyIntegrations);
        let mut c = Confirm::new("t", vec![], "Apply", apply.clone());
        assert_eq!(c.handle_key(&key(KeyCode::Enter)), ModalOutcome::Cancel);
        assert_eq!(c.handle_key(&key(KeyCode::Tab)), ModalOutcome::Open);
        assert_eq!(
            c.handle_key(&key(KeyCode::Enter)),
            ModalOutcome::Done(apply)
        );
        let sync = Reply::Task(TaskRequest::SyncKeys);
        let mut c = Confirm::new("t", vec![], "Sync", sync.clone());
        assert_eq!(
            c.handle_key(&key(KeyCode::Char('y'))),
            ModalOutcome::Done(sync)
        );
        assert_eq!(
            c.handle_key(&key(KeyCode::Char('q'))),
            ModalOutcome::Open,
            "other keys do nothing while the dialog is open"
        );
        assert_eq!(c.handle_key(&key(KeyCode::Esc)), ModalOutcome::Cancel);
    }
}
