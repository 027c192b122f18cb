//! A one-line text prompt with a validator: enter hands the text to the pane that asked (as
//! [`Reply::ToPane`]) when the validator accepts it, or shows why not and stays open.

use super::dialog::{Dialog, Input};
use super::{ModalOutcome, Reply};
use crate::tui::theme::{Role, Theme};
use crate::tui::view::PaneId;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

/// Accepts the text, or says why not (one line).
pub type Validator = fn(&str) -> Result<(), String>;

#[derive(Debug, Clone)]
pub struct TextPrompt {
    pub title: String,
    /// The question (`Name of the new backup:`).
    pub label: String,
    pub input: Input,
    pub validate: Validator,
    /// Who gets the answer, and under which tag.
    pub pane: PaneId,
    pub tag: &'static str,
    pub error: Option<String>,
}

impl TextPrompt {
    pub fn new(
        title: impl Into<String>,
        label: impl Into<String>,
        initial: &str,
        validate: Validator,
        pane: PaneId,
        tag: &'static str,
    ) -> TextPrompt {
        let mut input = Input::default();
        input.area.insert_str(initial);
        TextPrompt {
            title: title.into(),
            label: label.into(),
            input,
            validate,
            pane,
            tag,
            error: None,
        }
    }

    pub fn handle_key(&mut self, ev: &KeyEvent) -> ModalOutcome {
        match ev.code {
            KeyCode::Esc => ModalOutcome::Cancel,
            KeyCode::Char('c') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                ModalOutcome::Cancel
            }
            KeyCode::Enter => {
                let value = self.input.text();
                match (self.validate)(&value) {
                    Ok(()) => ModalOutcome::Done(Reply::ToPane {
                        pane: self.pane,
                        tag: self.tag,
                        value,
                    }),
                    Err(e) => {
                        self.error = Some(e);
                        ModalOutcome::Open
                    }
                }
            }
            _ => {
                self.input.key(ev);
                self.error = None;
                ModalOutcome::Open
            }
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let label = Line::styled(format!(" {}", self.label), theme.style(Role::Dialog));
        let input_row = Line::raw(" ".repeat(40));
        let error = match &self.error {
            Some(e) => Line::styled(format!(" {e}"), theme.style(Role::Warn)),
            None => Line::raw(""),
        };
        let hint = Line::styled(" enter accept · esc cancel", theme.style(Role::Muted));
        let foot = Dialog {
            title: &self.title,
            list: &[],
            offset: 0,
            footer: vec![label, input_row, error, hint],
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

    fn not_empty(s: &str) -> Result<(), String> {
        if s.trim().is_empty() {
            Err("a name is needed".into())
        } else {
            Ok(())
        }
    }

    #[test]
    fn the_validator_decides() {
        let mut p = TextPrompt::new("New backup", "Name:", "", not_empty, "backups", "name");
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(p.handle_key(&enter), ModalOutcome::Open);
        assert_eq!(p.error.as_deref(), Some("a name is needed"));
        p.handle_key(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
        assert_eq!(
            p.handle_key(&enter),
            ModalOutcome::Done(Reply::ToPane {
                pane: "backups",
                tag: "name",
                value: "x".into()
            })
        );
    }
}
