//! A one-question list picker on the wizard slot (the shell's container, issue 8): `j`/`k` or
//! the arrows move, enter picks (the choice goes back to the pane as a
//! [`Reply::ToPane`](super::Reply::ToPane)), esc cancels.

use super::wizard::{Wizard, WizardStep};
use super::{ModalOutcome, Reply};
use crate::tui::theme::{Role, Theme};
use crate::tui::view::PaneId;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    /// What is picked (`container`).
    pub label: String,
    /// `(value, note)`: the value goes back; the note is shown beside it.
    pub items: Vec<(String, String)>,
    pub cursor: usize,
    pub pane: PaneId,
    pub tag: &'static str,
}

impl Picker {
    pub fn new(
        title: impl Into<String>,
        label: impl Into<String>,
        items: Vec<(String, String)>,
        pane: PaneId,
        tag: &'static str,
    ) -> Picker {
        Picker {
            title: title.into(),
            label: label.into(),
            items,
            cursor: 0,
            pane,
            tag,
        }
    }
}

impl Wizard for Picker {
    fn title(&self) -> String {
        self.title.clone()
    }

    fn step(&self) -> WizardStep {
        WizardStep {
            index: 1,
            count: 1,
            label: self.label.clone(),
        }
    }

    fn on_input(&mut self, key: &KeyEvent) -> ModalOutcome {
        match key.code {
            KeyCode::Esc => ModalOutcome::Cancel,
            KeyCode::Char('j') | KeyCode::Down | KeyCode::Tab => {
                self.cursor = (self.cursor + 1).min(self.items.len().saturating_sub(1));
                ModalOutcome::Open
            }
            KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab => {
                self.cursor = self.cursor.saturating_sub(1);
                ModalOutcome::Open
            }
            KeyCode::Enter => match self.items.get(self.cursor) {
                Some((value, _)) => ModalOutcome::Done(Reply::ToPane {
                    pane: self.pane,
                    tag: self.tag,
                    value: value.clone(),
                }),
                None => ModalOutcome::Cancel,
            },
            _ => ModalOutcome::Open,
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let room = usize::from(area.height).max(1);
        let first = self.cursor.saturating_sub(room - 1);
        let lines: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .skip(first)
            .take(room)
            .map(|(i, (value, note))| {
                let role = if i == self.cursor {
                    Role::TableCursor
                } else {
                    Role::Dialog
                };
                let mark = if i == self.cursor { '›' } else { ' ' };
                Line::styled(format!(" {mark} {value:<20} {note}"), theme.style(role))
            })
            .collect();
        f.render_widget(Paragraph::new(lines), area);
    }

    fn height(&self) -> u16 {
        self.items.len().clamp(1, 8) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn moves_picks_and_cancels() {
        let items = vec![
            ("qbittorrent".to_string(), "app".to_string()),
            ("gluetun".to_string(), "VPN sidecar".to_string()),
        ];
        let mut p = Picker::new("Shell", "container", items, "services", "t");
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(p.on_input(&key(KeyCode::Char('j'))), ModalOutcome::Open);
        assert_eq!(p.on_input(&key(KeyCode::Down)), ModalOutcome::Open);
        assert_eq!(p.cursor, 1, "stops at the last");
        assert_eq!(
            p.on_input(&key(KeyCode::Enter)),
            ModalOutcome::Done(Reply::ToPane {
                pane: "services",
                tag: "t",
                value: "gluetun".into()
            })
        );
        assert_eq!(p.on_input(&key(KeyCode::Esc)), ModalOutcome::Cancel);
    }
}
