//! The key map: one table of bindings per pane, gathered from the panes themselves (each
//! [`crate::tui::pane::Pane`] declares its bindings). Dispatch, the hint bar and `?` help are all
//! generated from it, so they cannot drift apart. `--readonly` removes mutating bindings when the
//! map is built, so a read-only session never advertises (or runs) them.

use super::view::PaneId;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A user intent, independent of the key that triggers it. The common verbs are associated
/// constants here; a pane declares its own (`Action("logs.follow")`) next to its bindings, so a
/// new pane never edits a central list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Action(pub &'static str);

impl Action {
    pub const QUIT: Action = Action("quit");
    pub const BACK: Action = Action("back");
    pub const HELP: Action = Action("help");
    pub const COMMAND: Action = Action("command");
    pub const FILTER: Action = Action("filter");
    pub const REFRESH: Action = Action("refresh");
    /// Re-run every check now (a task).
    pub const CHECK_ALL: Action = Action("check-all");
    pub const UP: Action = Action("up");
    pub const DOWN: Action = Action("down");
    pub const PAGE_UP: Action = Action("page-up");
    pub const PAGE_DOWN: Action = Action("page-down");
    pub const TOP: Action = Action("top");
    pub const BOTTOM: Action = Action("bottom");
    /// Open what is under the cursor.
    pub const ENTER: Action = Action("enter");
    /// Logs of the current service.
    pub const LOGS: Action = Action("logs");
    /// Describe the current service's workload.
    pub const DESCRIBE: Action = Action("describe");
    pub const WRAP: Action = Action("wrap");
    /// Re-read the pane's data (plan again, check keys again, read a log file again).
    pub const RELOAD: Action = Action("reload");
}

/// A key as written in bindings and shown in hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }
    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// Normalise a terminal key event (shift is folded into the character).
    pub fn from_event(ev: &KeyEvent) -> Key {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let code = match ev.code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            KeyCode::BackTab => KeyCode::Tab,
            other => other,
        };
        Key { code, ctrl }
    }

    /// Label for hints and help: `j`, `ctrl-r`, `enter`, `↑`, `pgdn`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::Backspace => "bksp".into(),
            other => format!("{other:?}").to_lowercase(),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}

/// One row of the table: key, action, what it does, and whether it changes anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub description: &'static str,
    /// Removed in read-only mode.
    pub mutating: bool,
    /// Shown in the header's hint bar (navigation keys are only listed in `?`).
    pub hint: bool,
}

impl Binding {
    /// A binding shown in the hint bar.
    pub const fn new(key: Key, action: Action, description: &'static str) -> Binding {
        Binding {
            key,
            action,
            description,
            mutating: false,
            hint: true,
        }
    }

    /// Only listed in `?` help, not in the hint bar.
    pub const fn quiet(mut self) -> Binding {
        self.hint = false;
        self
    }

    /// Changes the cluster or the apps: dropped in read-only mode.
    pub const fn mutating(mut self) -> Binding {
        self.mutating = true;
        self
    }
}

const fn b(key: Key, action: Action, description: &'static str) -> Binding {
    Binding::new(key, action, description)
}

/// Bindings valid in every pane (listed under "General" in help).
pub fn global_bindings() -> Vec<Binding> {
    vec![
        b(Key::ch('?'), Action::HELP, "help"),
        b(Key::ch(':'), Action::COMMAND, "command"),
        b(Key::plain(KeyCode::Esc), Action::BACK, "back"),
        b(Key::ch('q'), Action::QUIT, "quit"),
        b(Key::ctrl('c'), Action::QUIT, "quit").quiet(),
        b(Key::ctrl('r'), Action::REFRESH, "refresh now").quiet(),
    ]
}

/// The movement keys of lists and text panes (only in `?` help).
pub fn navigation() -> Vec<Binding> {
    vec![
        b(Key::ch('j'), Action::DOWN, "down").quiet(),
        b(Key::plain(KeyCode::Down), Action::DOWN, "down").quiet(),
        b(Key::ch('k'), Action::UP, "up").quiet(),
        b(Key::plain(KeyCode::Up), Action::UP, "up").quiet(),
        b(
            Key::plain(KeyCode::PageDown),
            Action::PAGE_DOWN,
            "page down",
        )
        .quiet(),
        b(Key::ctrl('f'), Action::PAGE_DOWN, "page down").quiet(),
        b(Key::plain(KeyCode::PageUp), Action::PAGE_UP, "page up").quiet(),
        b(Key::ctrl('b'), Action::PAGE_UP, "page up").quiet(),
        b(Key::ch('g'), Action::TOP, "top").quiet(),
        b(Key::plain(KeyCode::Home), Action::TOP, "top").quiet(),
        b(Key::ch('G'), Action::BOTTOM, "bottom").quiet(),
        b(Key::plain(KeyCode::End), Action::BOTTOM, "bottom").quiet(),
    ]
}

/// A pane's own bindings followed by the navigation keys.
pub fn with_navigation(mut own: Vec<Binding>) -> Vec<Binding> {
    own.extend(navigation());
    own
}

/// The effective key map: built once at startup from the registered panes, with the read-only
/// flag applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub readonly: bool,
    global: Vec<Binding>,
    panes: Vec<(PaneId, Vec<Binding>)>,
}

impl Keymap {
    /// Build from explicit tables (mutating entries are dropped when `readonly`).
    pub fn build(
        readonly: bool,
        global: Vec<Binding>,
        per_pane: impl IntoIterator<Item = (PaneId, Vec<Binding>)>,
    ) -> Keymap {
        let keep = |v: Vec<Binding>| -> Vec<Binding> {
            v.into_iter()
                .filter(|b| !(readonly && b.mutating))
                .collect()
        };
        Keymap {
            readonly,
            global: keep(global),
            panes: per_pane.into_iter().map(|(p, v)| (p, keep(v))).collect(),
        }
    }

    pub fn global(&self) -> &[Binding] {
        &self.global
    }

    pub fn pane(&self, pane: PaneId) -> &[Binding] {
        self.panes
            .iter()
            .find(|(p, _)| *p == pane)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }

    /// The action bound to a key in a pane; pane bindings win over global ones.
    pub fn lookup(&self, pane: PaneId, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        self.pane(pane)
            .iter()
            .chain(self.global.iter())
            .find(|b| b.key == key)
            .map(|b| b.action)
    }

    /// `(keys, description)` for the hint bar: pane hints first, then global ones; keys bound to
    /// the same action are joined (`j/↓`).
    pub fn hints(&self, pane: PaneId) -> Vec<(String, &'static str)> {
        let shown = self.pane(pane).iter().chain(self.global.iter());
        group(shown.filter(|b| b.hint))
    }

    /// All bindings of a pane for `?` help, grouped: `(keys, description)` per action.
    pub fn help_rows(&self, bindings: &[Binding]) -> Vec<(String, &'static str)> {
        group(bindings.iter())
    }
}

fn group<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Vec<(String, &'static str)> {
    let mut out: Vec<(Action, String, &'static str)> = Vec::new();
    for b in bindings {
        if let Some(e) = out.iter_mut().find(|e| e.0 == b.action) {
            e.1.push('/');
            e.1.push_str(&b.key.label());
        } else {
            out.push((b.action, b.key.label(), b.description));
        }
    }
    out.into_iter().map(|(_, k, d)| (k, d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    const SYNC: Action = Action("test.sync");

    fn tables() -> Vec<(PaneId, Vec<Binding>)> {
        vec![
            (
                "list",
                with_navigation(vec![
                    b(Key::ch('l'), Action::LOGS, "logs"),
                    b(Key::ch('I'), SYNC, "integrate").mutating(),
                ]),
            ),
            ("text", vec![b(Key::ch('w'), Action::WRAP, "wrap")]),
        ]
    }

    #[test]
    fn pane_bindings_win_and_globals_apply() {
        let km = Keymap::build(false, global_bindings(), tables());
        assert_eq!(km.lookup("list", &key('j')), Some(Action::DOWN));
        assert_eq!(km.lookup("text", &key('q')), Some(Action::QUIT));
        assert_eq!(km.lookup("text", &key('w')), Some(Action::WRAP));
        assert_eq!(km.lookup("list", &key('w')), None);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup("list", &ctrl_c), Some(Action::QUIT));
        let shift_i = KeyEvent::new(KeyCode::Char('I'), KeyModifiers::SHIFT);
        assert_eq!(km.lookup("list", &shift_i), Some(SYNC));
    }

    #[test]
    fn readonly_drops_mutating_bindings() {
        let rw = Keymap::build(false, global_bindings(), tables());
        let ro = Keymap::build(true, global_bindings(), tables());
        assert_eq!(rw.lookup("list", &key('I')), Some(SYNC));
        assert_eq!(ro.lookup("list", &key('I')), None);
        assert!(rw.hints("list").iter().any(|h| h.1 == "integrate"));
        assert!(!ro.hints("list").iter().any(|h| h.1 == "integrate"));
        assert!(ro.pane("list").iter().all(|b| !b.mutating));
    }

    #[test]
    fn hints_join_keys_of_one_action() {
        let km = Keymap::build(false, global_bindings(), tables());
        let hints = km.hints("list");
        assert!(hints.contains(&("q".to_string(), "quit")));
        assert!(!hints.iter().any(|h| h.1 == "down"), "navigation is quiet");
        let help = km.help_rows(km.pane("list"));
        assert!(help.contains(&("j/↓".to_string(), "down")));
        assert!(km
            .help_rows(km.global())
            .contains(&("q/ctrl-c".to_string(), "quit")));
    }
}
