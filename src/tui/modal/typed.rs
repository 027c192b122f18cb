//! Typed confirm: for actions that cannot be taken back (a restore), the user types the exact
//! name of what is affected (k9s lesson #1121). Enter with any other text is rejected with a
//! message and the dialog stays open; esc cancels.

use super::dialog::{Dialog, Input};
use super::{ModalOutcome, Reply};
use crate::tui::theme::{Role, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

#[derive(Debug, Clone)]
pub struct TypedConfirm {
    pub title: String,
    /// What will happen, line by line, with its theme role.
    pub lines: Vec<(String, Role)>,
    /// The text to type (`sonarr`).
    pub expected: String,
    pub reply: Reply,
    pub input: Input,
    /// Why the last enter was rejected.
    pub error: Option<String>,
    pub offset: usize,
}

impl TypedConfirm {
    pub fn new(
        title: impl Into<String>,
        lines: Vec<(String, Role)>,
        expected: impl Into<String>,
        reply: Reply,
    ) -> TypedConfirm {
        TypedConfirm {
            title: title.into(),
            lines,
            expected: expected.into(),
            reply,
            input: Input::default(),
            error: None,
            offset: 0,
        }
    }

    pub fn handle_key(&mut self, ev: &KeyEvent) -> ModalOutcome {
        match ev.code {
            KeyCode::Esc => ModalOutcome::Cancel,
            KeyCode::Char('c') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                ModalOutcome::Cancel
            }
            KeyCode::Enter => {
                let typed = self.input.text();
                if typed == self.expected {
                    ModalOutcome::Done(self.reply.clone())
                } else {
                    self.error = Some(if typed.is_empty() {
                        format!("type {} to confirm", self.expected)
                    } else {
                        format!("{typed:?} is not {:?}: nothing done", self.expected)
                    });
                    ModalOutcome::Open
                }
            }
            KeyCode::Down => {
                self.offset = (self.offset + 1).min(self.lines.len().saturating_sub(1));
                ModalOutcome::Open
            }
            KeyCode::Up => {
                self.offset = self.offset.saturating_sub(1);
                ModalOutcome::Open
            }
            _ => {
                self.input.key(ev);
                self.error = None;
                ModalOutcome::Open
            }
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let ask = Line::from(vec![
            Span::styled(" Type ", theme.style(Role::Dialog)),
            Span::styled(self.expected.clone(), theme.style(Role::Accent)),
            Span::styled(" to confirm:", theme.style(Role::Dialog)),
        ]);
        // Placeholder row for the input, as wide as the name plus room to type.
        let input_row = Line::raw(" ".repeat(self.expected.len() + 12));
        let error = match &self.error {
            Some(e) => Line::styled(format!(" {e}"), theme.style(Role::Warn)),
            None => Line::raw(""),
        };
        let hint = Line::styled(
            " enter confirm · esc cancel · ↑/↓ scroll",
            theme.style(Role::Muted),
        );
        let foot = Dialog {
            title: &self.title,
            list: &self.lines,
            offset: self.offset,
            footer: vec![ask, input_row, error, hint],
        }
        .render(f, area, theme);
        if foot.height > 1 {
            self.input
                .render(f, Rect::new(foot.x, foot.y + 1, foot.width, 1), theme);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::msg::TaskRequest;

    fn typed(c: &mut TypedConfirm, text: &str) {
        for ch in text.chars() {
            c.handle_key(&KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
        }
    }

    #[test]
    fn only_the_exact_name_confirms() {
        let reply = Reply::Task(TaskRequest::SyncKeys);
        let mut c = TypedConfirm::new("Restore", vec![], "sonarr", reply.clone());
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(c.handle_key(&enter), ModalOutcome::Open);
        assert!(c.error.as_deref().unwrap().contains("type sonarr"));
        typed(&mut c, "sonar");
        assert_eq!(c.error, None, "editing clears the message");
        assert_eq!(c.handle_key(&enter), ModalOutcome::Open);
        assert!(c
            .error
            .as_deref()
            .unwrap()
            .contains("\"sonar\" is not \"sonarr\""));
        // y and n are text here, not answers.
        typed(&mut c, "y");
        assert_eq!(c.input.text(), "sonary");
        c.handle_key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        typed(&mut c, "r");
        assert_eq!(c.handle_key(&enter), ModalOutcome::Done(reply));
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(c.handle_key(&esc), ModalOutcome::Cancel);
    }
}
