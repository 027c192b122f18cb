//! The `:` command prompt and the `/` filter prompt (tui-textarea), with command aliases and
//! fish-style completion.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptMode {
    Command,
    Filter,
}

/// What a `:` command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Services,
    Findings,
    Tasks,
    Help,
    Quit,
    Check,
    Refresh,
    Integrations,
    Keys,
}

/// `(aliases, command, description)`; the first alias is the canonical name.
pub const COMMANDS: &[(&[&str], Command, &str)] = &[
    (
        &["services", "svc", "service", "s"],
        Command::Services,
        "services table (optional `/filter`)",
    ),
    (
        &["findings", "alerts", "alert", "finding", "fi"],
        Command::Findings,
        "all findings with remediation",
    ),
    (
        &["tasks", "task", "t"],
        Command::Tasks,
        "running and finished tasks",
    ),
    (
        &["integrations", "int", "graph"],
        Command::Integrations,
        "integration graph: plan, apply, test",
    ),
    (
        &["keys", "key", "apikeys"],
        Command::Keys,
        "API keys: verdicts and Secret drift",
    ),
    (&["help", "h", "?"], Command::Help, "key bindings"),
    (&["check", "checks"], Command::Check, "run every check now"),
    (
        &["refresh", "r"],
        Command::Refresh,
        "refresh cluster and apps now",
    ),
    (&["quit", "q", "q!", "exit"], Command::Quit, "quit"),
];

/// Parse `name [/filter]`. Errors are one line for the status bar.
pub fn parse_command(input: &str) -> Result<(Command, Option<String>), String> {
    let input = input.trim();
    let (name, rest) = match input.split_once(char::is_whitespace) {
        Some((n, r)) => (n, r.trim()),
        None => (input, ""),
    };
    let name = name.to_lowercase();
    let Some((_, cmd, _)) = COMMANDS.iter().find(|(a, _, _)| a.contains(&name.as_str())) else {
        return Err(format!("unknown command :{name} (try :help)"));
    };
    let arg = match rest {
        "" => None,
        r => match r.strip_prefix('/') {
            Some(f) if *cmd == Command::Services || *cmd == Command::Findings => {
                Some(f.to_string())
            }
            _ => return Err(format!(":{name} takes no argument {r:?}")),
        },
    };
    Ok((*cmd, arg))
}

/// The completion for a command prefix: the first alias (canonical names first) that extends it.
pub fn complete(prefix: &str) -> Option<&'static str> {
    let p = prefix.trim_start().to_lowercase();
    if p.is_empty() || p.contains(char::is_whitespace) {
        return None;
    }
    let canonical = COMMANDS.iter().map(|(a, _, _)| a[0]);
    let all = COMMANDS.iter().flat_map(|(a, _, _)| a.iter().copied());
    canonical
        .chain(all)
        .find(|a| a.starts_with(&p) && a.len() > p.len())
}

pub enum PromptOutcome {
    /// Still editing (text may have changed).
    Editing,
    Cancel,
    Submit(String),
}

pub struct Prompt {
    pub mode: PromptMode,
    pub input: TextArea<'static>,
}

impl Prompt {
    pub fn new(mode: PromptMode, initial: &str) -> Prompt {
        let mut input = TextArea::new(vec![initial.to_string()]);
        input.move_cursor(tui_textarea::CursorMove::End);
        Prompt { mode, input }
    }

    pub fn text(&self) -> String {
        self.input.lines().first().cloned().unwrap_or_default()
    }

    /// The greyed remainder shown after the cursor (command mode only).
    pub fn suggestion(&self) -> Option<String> {
        if self.mode != PromptMode::Command {
            return None;
        }
        let text = self.text();
        complete(&text).map(|full| full[text.trim_start().len()..].to_string())
    }

    pub fn handle_key(&mut self, ev: KeyEvent) -> PromptOutcome {
        match ev.code {
            KeyCode::Esc => PromptOutcome::Cancel,
            KeyCode::Char('c') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                PromptOutcome::Cancel
            }
            KeyCode::Enter => PromptOutcome::Submit(self.text()),
            KeyCode::Tab | KeyCode::Right if self.suggestion().is_some() => {
                if let Some(rest) = self.suggestion() {
                    self.input.move_cursor(tui_textarea::CursorMove::End);
                    self.input.insert_str(rest);
                }
                PromptOutcome::Editing
            }
            KeyCode::Backspace if self.text().is_empty() => PromptOutcome::Cancel,
            // Single line: never insert newlines or tabs.
            KeyCode::Tab => PromptOutcome::Editing,
            KeyCode::Char('m') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                PromptOutcome::Submit(self.text())
            }
            _ => {
                self.input.input(ev);
                PromptOutcome::Editing
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_arguments() {
        assert_eq!(parse_command("svc").unwrap(), (Command::Services, None));
        assert_eq!(
            parse_command(" alerts ").unwrap(),
            (Command::Findings, None)
        );
        assert_eq!(parse_command("q").unwrap(), (Command::Quit, None));
        assert_eq!(
            parse_command("svc /son").unwrap(),
            (Command::Services, Some("son".into()))
        );
        assert!(parse_command("nope")
            .unwrap_err()
            .contains("unknown command"));
        assert!(parse_command("tasks extra").is_err());
        assert_eq!(parse_command("int").unwrap(), (Command::Integrations, None));
        assert_eq!(
            parse_command("graph").unwrap(),
            (Command::Integrations, None)
        );
        assert_eq!(parse_command("keys").unwrap(), (Command::Keys, None));
    }

    #[test]
    fn completion_prefers_canonical_names() {
        assert_eq!(complete("fin"), Some("findings"));
        assert_eq!(complete("al"), Some("alerts"));
        assert_eq!(complete("ta"), Some("tasks"));
        assert_eq!(complete("in"), Some("integrations"));
        assert_eq!(complete("ke"), Some("keys"));
        assert_eq!(complete("tasks"), None);
        assert_eq!(complete(""), None);
        let mut p = Prompt::new(PromptMode::Command, "fin");
        assert_eq!(p.suggestion().as_deref(), Some("dings"));
        p.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(p.text(), "findings");
    }
}
