//! The `:` command prompt and the `/` filter prompt (tui-textarea), and the command table built
//! from the registered panes' [`CommandSpec`]s plus the global commands, with aliases and
//! fish-style completion.

use super::keymap::Action;
use super::pane::CommandSpec;
use super::view::PaneId;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptMode {
    Command,
    Filter,
}

/// What a `:` command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandTarget {
    /// Open the pane as a top-level view.
    Pane(PaneId),
    /// Run a global action (help, check, refresh, quit).
    Action(Action),
}

/// What followed a command's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandArg {
    /// `/text`: the pane's filter (`:svc /son`).
    Filter(String),
    /// A word the pane acts on (`:ns media`).
    Word(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandEntry {
    pub spec: CommandSpec,
    pub target: CommandTarget,
}

/// Every `:` command, in the order help lists them.
#[derive(Debug, Clone, Default)]
pub struct Commands(Vec<CommandEntry>);

impl Commands {
    pub fn new(entries: Vec<CommandEntry>) -> Commands {
        Commands(entries)
    }

    pub fn entries(&self) -> &[CommandEntry] {
        &self.0
    }

    /// Parse `name [/filter | word]`. Errors are one line for the status bar.
    pub fn parse(&self, input: &str) -> Result<(CommandEntry, Option<CommandArg>), String> {
        let input = input.trim();
        let (name, rest) = match input.split_once(char::is_whitespace) {
            Some((n, r)) => (n, r.trim()),
            None => (input, ""),
        };
        let name = name.to_lowercase();
        let Some(entry) = self
            .0
            .iter()
            .find(|e| e.spec.names.contains(&name.as_str()))
        else {
            return Err(format!("unknown command :{name} (try :help)"));
        };
        let arg = match rest {
            "" => None,
            r => match r.strip_prefix('/') {
                Some(f) if entry.spec.filter => Some(CommandArg::Filter(f.to_string())),
                None if entry.spec.arg.is_some() && !r.contains(char::is_whitespace) => {
                    Some(CommandArg::Word(r.to_string()))
                }
                _ => return Err(format!(":{name} takes no argument {r:?}")),
            },
        };
        Ok((*entry, arg))
    }

    /// The commands without those that open one of `hidden`.
    pub fn available(&self, hidden: &[PaneId]) -> Commands {
        Commands(
            self.0
                .iter()
                .filter(|e| !matches!(e.target, CommandTarget::Pane(p) if hidden.contains(&p)))
                .copied()
                .collect(),
        )
    }

    /// Names in completion order: canonical names first, then every alias.
    pub fn completion_order(&self) -> Vec<&'static str> {
        let canonical = self.0.iter().filter_map(|e| e.spec.names.first().copied());
        let all = self.0.iter().flat_map(|e| e.spec.names.iter().copied());
        canonical.chain(all).collect()
    }

    /// The completion for a command prefix: the first name (canonical first) that extends it.
    pub fn complete(&self, prefix: &str) -> Option<&'static str> {
        complete_in(&self.completion_order(), prefix)
    }
}

fn complete_in(names: &[&'static str], prefix: &str) -> Option<&'static str> {
    let p = prefix.trim_start().to_lowercase();
    if p.is_empty() || p.contains(char::is_whitespace) {
        return None;
    }
    names
        .iter()
        .copied()
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
    /// Command names in completion order (command mode).
    names: Vec<&'static str>,
    /// The words each command taking an argument completes from (`:ns` → namespaces).
    args: Vec<(&'static [&'static str], Vec<String>)>,
    /// Fresher argument values were asked for during this prompt.
    arg_asked: bool,
}

impl Prompt {
    pub fn filter(initial: &str) -> Prompt {
        Prompt::new(PromptMode::Filter, initial, vec![])
    }

    /// Command mode; the commands of the `hidden` panes (unavailable on this cluster) do not
    /// complete.
    pub fn command(commands: &Commands, hidden: &[PaneId]) -> Prompt {
        let names = commands.available(hidden).completion_order();
        Prompt::new(PromptMode::Command, "", names)
    }

    fn new(mode: PromptMode, initial: &str, names: Vec<&'static str>) -> Prompt {
        let mut input = TextArea::new(vec![initial.to_string()]);
        input.move_cursor(tui_textarea::CursorMove::End);
        Prompt {
            mode,
            input,
            names,
            args: vec![],
            arg_asked: false,
        }
    }

    /// The words the argument of each of these commands completes from.
    pub fn with_args(mut self, args: Vec<(&'static [&'static str], Vec<String>)>) -> Prompt {
        self.args = args;
        self
    }

    /// `true` the first time it is called for this prompt (ask for argument values once).
    pub fn first_arg_ask(&mut self) -> bool {
        !std::mem::replace(&mut self.arg_asked, true)
    }

    /// Replace the words the arguments complete from (fresher values arrived).
    pub fn set_args(&mut self, args: Vec<(&'static [&'static str], Vec<String>)>) {
        self.args = args;
    }

    /// The completion of a command's argument (`ns me` → `media`), or `None`.
    fn complete_arg(&self, text: &str) -> Option<String> {
        let (name, word) = text.trim_start().split_once(char::is_whitespace)?;
        let word = word.trim_start();
        if word.is_empty() || word.contains(char::is_whitespace) {
            return None;
        }
        let name = name.to_lowercase();
        let (_, values) = self.args.iter().find(|(n, _)| n.contains(&name.as_str()))?;
        values
            .iter()
            .find(|v| v.starts_with(word) && v.len() > word.len())
            .map(|v| v[word.len()..].to_string())
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
        if let Some(rest) = self.complete_arg(&text) {
            return Some(rest);
        }
        complete_in(&self.names, &text).map(|full| full[text.trim_start().len()..].to_string())
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

    fn table() -> Commands {
        let pane = |names, filter| CommandEntry {
            spec: CommandSpec {
                names,
                description: "",
                filter,
                arg: None,
            },
            target: CommandTarget::Pane(names[0]),
        };
        Commands::new(vec![
            pane(&["services", "svc", "service", "s"], true),
            pane(&["findings", "alerts", "alert", "finding", "fi"], true),
            pane(&["tasks", "task", "t"], false),
            pane(&["integrations", "int", "graph"], false),
            pane(&["keys", "key", "apikeys"], false),
            CommandEntry {
                spec: CommandSpec::new(&["quit", "q", "q!", "exit"], "quit"),
                target: CommandTarget::Action(Action::QUIT),
            },
        ])
    }

    fn target(c: &Commands, input: &str) -> (CommandTarget, Option<String>) {
        let (e, arg) = c.parse(input).unwrap();
        let arg = arg.map(|a| match a {
            CommandArg::Filter(f) => f,
            CommandArg::Word(w) => panic!("word {w:?} where a filter was expected"),
        });
        (e.target, arg)
    }

    #[test]
    fn aliases_and_arguments() {
        let c = table();
        use CommandTarget::{Action as A, Pane as P};
        assert_eq!(target(&c, "svc"), (P("services"), None));
        assert_eq!(target(&c, " alerts "), (P("findings"), None));
        assert_eq!(target(&c, "q"), (A(Action::QUIT), None));
        assert_eq!(target(&c, "svc /son"), (P("services"), Some("son".into())));
        assert!(c.parse("nope").unwrap_err().contains("unknown command"));
        assert!(c.parse("tasks extra").is_err());
        assert!(c.parse("tasks /x").is_err(), "tasks takes no filter");
        assert_eq!(target(&c, "int"), (P("integrations"), None));
        assert_eq!(target(&c, "graph"), (P("integrations"), None));
        assert_eq!(target(&c, "keys"), (P("keys"), None));
    }

    #[test]
    fn completion_prefers_canonical_names() {
        let c = table();
        assert_eq!(c.complete("fin"), Some("findings"));
        assert_eq!(c.complete("al"), Some("alerts"));
        assert_eq!(c.complete("ta"), Some("tasks"));
        assert_eq!(c.complete("in"), Some("integrations"));
        assert_eq!(c.complete("ke"), Some("keys"));
        assert_eq!(c.complete("tasks"), None);
        assert_eq!(c.complete(""), None);
        let mut p = Prompt::command(&c, &[]);
        p.input.insert_str("fin");
        assert_eq!(p.suggestion().as_deref(), Some("dings"));
        p.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(p.text(), "findings");
    }

    #[test]
    fn a_command_with_an_argument_takes_a_word_that_completes_from_its_values() {
        let mut entries = table().entries().to_vec();
        entries.push(CommandEntry {
            spec: CommandSpec::new(&["ns", "namespaces"], "").with_arg("NAME|all"),
            target: CommandTarget::Pane("namespaces"),
        });
        let c = Commands::new(entries);
        let (e, arg) = c.parse("ns media").unwrap();
        assert_eq!(e.target, CommandTarget::Pane("namespaces"));
        assert_eq!(arg, Some(CommandArg::Word("media".into())));
        assert_eq!(c.parse("ns").unwrap().1, None);
        assert!(c.parse("ns a b").is_err(), "one word only");
        assert!(c.parse("svc media").is_err(), "svc takes no word");
        let values = vec!["media".to_string(), "monitoring".to_string()];
        let mut p = Prompt::command(&c, &[]).with_args(vec![(&["ns", "namespaces"], values)]);
        p.input.insert_str("ns mo");
        assert_eq!(p.suggestion().as_deref(), Some("nitoring"));
        p.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(p.text(), "ns monitoring");
        let mut p = Prompt::command(&c, &[]).with_args(vec![(&["ns"], vec!["media".into()])]);
        p.input.insert_str("svc me");
        assert_eq!(p.suggestion(), None, "only :ns completes namespaces");
    }
}
