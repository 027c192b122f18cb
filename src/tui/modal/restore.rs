//! The guided restore in the wizard slot (issue 11): choose a backup (age, size, verified?) →
//! its checksum (the recorded verification; the task verifies the archive again before it
//! touches anything) → type the service name → the `RestoreBackup` task, whose steps (safety
//! backup, scale 0, swap, scale back, wait Ready, post-checks) show in `:tasks` with state and
//! elapsed time, cancellable with rollback. Pure: the backups are given when it is built.

use super::dialog::Input;
use super::wizard::{Wizard, WizardStep};
use super::{ModalOutcome, Reply};
use crate::backup::BackupInfo;
use crate::bus::rows::age;
use crate::model::ServiceId;
use crate::tui::msg::TaskRequest;
use crate::tui::task_board::bytes;
use crate::tui::theme::{Role, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const STEPS: [&str; 3] = ["choose backup", "verify checksum", "type the service name"];

#[derive(Debug)]
pub struct RestoreWizard {
    /// The backup name (`sonarr`): what the user types.
    pub service: String,
    pub id: ServiceId,
    /// Newest first.
    pub backups: Vec<BackupInfo>,
    pub now: Timestamp,
    pub step: usize,
    pub cursor: usize,
    pub input: Input,
    pub error: Option<String>,
}

impl RestoreWizard {
    pub fn new(
        service: &str,
        id: ServiceId,
        backups: Vec<BackupInfo>,
        now: Timestamp,
    ) -> RestoreWizard {
        RestoreWizard {
            service: service.to_string(),
            id,
            backups,
            now,
            step: 1,
            cursor: 0,
            input: Input::default(),
            error: None,
        }
    }

    fn chosen(&self) -> Option<&BackupInfo> {
        self.backups.get(self.cursor)
    }

    fn verified(b: &BackupInfo) -> &'static str {
        match &b.verification {
            None => "never verified",
            Some(v) if v.ok && v.deep => "deep-verified ok",
            Some(v) if v.ok => "verified ok",
            Some(_) => "verification FAILED",
        }
    }
}

impl Wizard for RestoreWizard {
    fn title(&self) -> String {
        format!("Restore {}", self.service)
    }

    fn step(&self) -> WizardStep {
        WizardStep {
            index: self.step,
            count: STEPS.len(),
            label: STEPS[self.step - 1].to_string(),
        }
    }

    fn on_input(&mut self, ev: &KeyEvent) -> ModalOutcome {
        if ev.code == KeyCode::Esc
            || (ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL))
        {
            return ModalOutcome::Cancel;
        }
        match (self.step, ev.code) {
            (1, KeyCode::Down) => self.cursor = (self.cursor + 1).min(self.backups.len() - 1),
            (1, KeyCode::Up) => self.cursor = self.cursor.saturating_sub(1),
            (1, KeyCode::Enter) if self.chosen().is_some() => self.step = 2,
            (2, KeyCode::Enter) => match self.chosen().and_then(|b| b.verification.as_ref()) {
                Some(v) if !v.ok => {
                    self.error = Some("this backup failed verification: choose another".into());
                }
                _ => {
                    self.error = None;
                    self.step = 3;
                }
            },
            (2 | 3, KeyCode::Backspace) if self.step == 2 || self.input.text().is_empty() => {
                self.error = None;
                self.step -= 1;
            }
            (3, KeyCode::Enter) => {
                let typed = self.input.text();
                if typed == self.service {
                    let backup = self.chosen().map(|b| b.id.clone()).unwrap_or_default();
                    return ModalOutcome::Done(Reply::Task(TaskRequest::RestoreBackup {
                        service: self.id.clone(),
                        backup,
                    }));
                }
                self.error = Some(if typed.is_empty() {
                    format!("type {} to confirm", self.service)
                } else {
                    format!("{typed:?} is not {:?}: nothing done", self.service)
                });
            }
            (3, _) => {
                self.input.key(ev);
                self.error = None;
            }
            _ => {}
        }
        ModalOutcome::Open
    }

    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let base = theme.style(Role::Dialog);
        let mut lines: Vec<Line> = Vec::new();
        match self.step {
            1 => {
                lines.push(Line::styled(" ↑/↓ choose, enter next:", base));
                let from = self.cursor.saturating_sub(4);
                for (i, b) in self.backups.iter().enumerate().skip(from).take(5) {
                    let mark = if i == self.cursor { "›" } else { " " };
                    let text = format!(
                        " {mark} {}  {:>6}  {:>9}  {}",
                        b.id,
                        age(Some(b.created), self.now),
                        bytes(b.size),
                        Self::verified(b)
                    );
                    let role = if i == self.cursor {
                        Role::Accent
                    } else {
                        Role::Dialog
                    };
                    lines.push(Line::styled(text, theme.style(role)));
                }
            }
            2 => {
                if let Some(b) = self.chosen() {
                    lines.push(Line::styled(format!(" Backup {}", b.id), base));
                    lines.push(Line::styled(
                        format!(
                            " {} files, {}: {}",
                            b.files,
                            bytes(b.size),
                            Self::verified(b)
                        ),
                        base,
                    ));
                }
                lines.push(Line::styled(
                    " The restore checks the archive's SHA-256 first and stops if it differs.",
                    base,
                ));
                lines.push(Line::styled(" enter next · backspace back", base));
            }
            _ => {
                let id = self.chosen().map(|b| b.id.as_str()).unwrap_or("?");
                lines.push(Line::styled(
                    format!(" Restore {} from {id}: safety backup, scale", self.service),
                    base,
                ));
                lines.push(Line::styled(
                    " to 0, swap, scale back, wait Ready, post-checks.",
                    base,
                ));
                lines.push(Line::styled(
                    format!(" Type {} to confirm:", self.service),
                    theme.style(Role::Accent),
                ));
                lines.push(Line::raw(""));
            }
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(format!(" {e}"), theme.style(Role::Warn)));
        }
        let n = lines.len() as u16;
        f.render_widget(Paragraph::new(lines), area);
        if self.step == 3 && area.height > 4 {
            let row = Rect::new(area.x + 1, area.y + 3, area.width.saturating_sub(2), 1);
            self.input.render(f, row, theme);
        }
        let _ = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::{parse_id, VerifyRecord};

    fn b(id: &str, ok: Option<bool>) -> BackupInfo {
        BackupInfo {
            service: "sonarr".into(),
            id: id.into(),
            created: parse_id(id).unwrap(),
            archive: format!("/r/sonarr/{id}.tar.zst").into(),
            size: 2048,
            files: 3,
            verification: ok.map(|ok| VerifyRecord {
                at: String::new(),
                deep: false,
                ok,
                files_checked: 3,
                problems: vec![],
            }),
            manifest_ok: true,
        }
    }

    fn key(w: &mut RestoreWizard, code: KeyCode) -> ModalOutcome {
        w.on_input(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn choose_verify_type_then_restore_task() {
        let now = parse_id("20261205T120000Z").unwrap();
        let id = ServiceId::new("media", "sonarr");
        let backups = vec![
            b("20261205T030000Z", Some(false)),
            b("20261204T030000Z", Some(true)),
        ];
        let mut w = RestoreWizard::new("sonarr", id.clone(), backups, now);
        assert_eq!(w.step().index, 1);
        assert_eq!(key(&mut w, KeyCode::Enter), ModalOutcome::Open);
        // The newest failed verification: refused at the checksum step.
        assert_eq!(key(&mut w, KeyCode::Enter), ModalOutcome::Open);
        assert_eq!(w.step().index, 2);
        assert!(w.error.as_deref().unwrap().contains("failed verification"));
        key(&mut w, KeyCode::Backspace);
        key(&mut w, KeyCode::Down);
        key(&mut w, KeyCode::Enter);
        key(&mut w, KeyCode::Enter);
        assert_eq!(w.step().label, "type the service name");
        for c in "sonar".chars() {
            key(&mut w, KeyCode::Char(c));
        }
        assert_eq!(key(&mut w, KeyCode::Enter), ModalOutcome::Open);
        assert!(w.error.as_deref().unwrap().contains("is not"));
        key(&mut w, KeyCode::Char('r'));
        assert_eq!(
            key(&mut w, KeyCode::Enter),
            ModalOutcome::Done(Reply::Task(TaskRequest::RestoreBackup {
                service: id,
                backup: "20261204T030000Z".into(),
            }))
        );
        assert_eq!(key(&mut w, KeyCode::Esc), ModalOutcome::Cancel);
    }
}
