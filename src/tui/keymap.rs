//! The key map: one table of bindings per pane, gathered from the panes themselves (each
//! [`crate::tui::pane::Pane`] declares its bindings). Dispatch, the hint bar and `?` help are all
//! generated from it, so they cannot drift apart. `--readonly` removes mutating bindings when the
//! map is built, so a read-only session never advertises (or runs) them.

use super::view::PaneId;
use super::widgets::table::SortBinding;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::borrow::Cow;

/// A user intent, independent of the key that triggers it. The common verbs are associated
/// constants here; a pane declares its own (`Action::new("logs.follow")`) next to its bindings,
/// so a new pane never edits a central list. Sorting a table by a column is
/// [`Action::sort`] with the column's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Action {
    name: &'static str,
    /// The sort key of [`Action::sort`]; `'\0'` otherwise.
    key: char,
}

impl Action {
    pub const fn new(name: &'static str) -> Action {
        Action { name, key: '\0' }
    }

    /// Sort the table by the column with this key (again: the other direction).
    pub const fn sort(key: char) -> Action {
        Action { name: "sort", key }
    }

    /// The column key, when this is a sort action.
    pub fn sort_key(self) -> Option<char> {
        (self.name == "sort").then_some(self.key)
    }

    pub fn name(self) -> &'static str {
        self.name
    }

    pub const QUIT: Action = Action::new("quit");
    pub const BACK: Action = Action::new("back");
    pub const HELP: Action = Action::new("help");
    pub const COMMAND: Action = Action::new("command");
    pub const FILTER: Action = Action::new("filter");
    pub const REFRESH: Action = Action::new("refresh");
    /// Re-run every check now (a task).
    pub const CHECK_ALL: Action = Action::new("check-all");
    pub const UP: Action = Action::new("up");
    pub const DOWN: Action = Action::new("down");
    pub const PAGE_UP: Action = Action::new("page-up");
    pub const PAGE_DOWN: Action = Action::new("page-down");
    pub const TOP: Action = Action::new("top");
    pub const BOTTOM: Action = Action::new("bottom");
    /// Open what is under the cursor.
    pub const ENTER: Action = Action::new("enter");
    /// Logs of the current service.
    pub const LOGS: Action = Action::new("logs");
    /// Describe the current service's workload.
    pub const DESCRIBE: Action = Action::new("describe");
    pub const WRAP: Action = Action::new("wrap");
    /// Re-read the pane's data (plan again, check keys again, read a log file again).
    pub const RELOAD: Action = Action::new("reload");
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
    pub description: Cow<'static, str>,
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
            description: Cow::Borrowed(description),
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

/// The sort keys of a table's columns (only in `?` help): `N` → `sort by NAME`.
pub fn sort_keys(sorts: &[SortBinding]) -> Vec<Binding> {
    sorts
        .iter()
        .map(|s| Binding {
            key: Key::ch(s.key),
            action: Action::sort(s.key),
            description: Cow::Owned(s.description()),
            mutating: false,
            hint: false,
        })
        .collect()
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
    pub fn hints(&self, pane: PaneId) -> Vec<(String, String)> {
        let shown = self.pane(pane).iter().chain(self.global.iter());
        group(shown.filter(|b| b.hint))
    }

    /// All bindings of a pane for `?` help, grouped: `(keys, description)` per action.
    pub fn help_rows(&self, bindings: &[Binding]) -> Vec<(String, String)> {
        group(bindings.iter())
    }
}

/// Keys bound to the same action share a row; the sort keys of a table share one row too
/// (`N/K/A  sort by NAME, KIND, AGE (again: reverse)`).
fn group<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Vec<(String, String)> {
    const SORT: Action = Action::sort('\0');
    let mut out: Vec<(Action, String, String)> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    for b in bindings {
        let (action, description) = match b.action.sort_key() {
            Some(_) => {
                columns.push(
                    b.description
                        .strip_prefix("sort by ")
                        .unwrap_or(&b.description),
                );
                (SORT, String::new())
            }
            None => (b.action, b.description.to_string()),
        };
        if let Some(e) = out.iter_mut().find(|e| e.0 == action) {
            e.1.push('/');
            e.1.push_str(&b.key.label());
        } else {
            out.push((action, b.key.label(), description));
        }
    }
    out.into_iter()
        .map(|(a, k, d)| match a == SORT {
            true => (
                k,
                format!("sort by {} (again: reverse)", columns.join(", ")),
            ),
            false => (k, d),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    const SYNC: Action = Action::new("test.sync");

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
    fn sort_keys_share_one_help_row_and_stay_out_of_the_hints() {
        let sorts = [
            SortBinding {
                key: 'N',
                column: "NAME",
            },
            SortBinding {
                key: 'A',
                column: "AGE",
            },
        ];
        let mut list = with_navigation(vec![b(Key::ch('l'), Action::LOGS, "logs")]);
        list.extend(sort_keys(&sorts));
        let km = Keymap::build(false, global_bindings(), [("list", list)]);
        let shift_a = KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(km.lookup("list", &shift_a), Some(Action::sort('A')));
        assert_eq!(Action::sort('A').sort_key(), Some('A'));
        assert_eq!(Action::LOGS.sort_key(), None);
        assert!(!km.hints("list").iter().any(|h| h.1.contains("sort")));
        let help = km.help_rows(km.pane("list"));
        assert!(help.contains(&(
            "N/A".to_string(),
            "sort by NAME, AGE (again: reverse)".to_string()
        )));
    }

    #[test]
    fn hints_join_keys_of_one_action() {
        let km = Keymap::build(false, global_bindings(), tables());
        let hints = km.hints("list");
        assert!(hints.contains(&("q".to_string(), "quit".to_string())));
        assert!(!hints.iter().any(|h| h.1 == "down"), "navigation is quiet");
        let help = km.help_rows(km.pane("list"));
        assert!(help.contains(&("j/↓".to_string(), "down".to_string())));
        assert!(km
            .help_rows(km.global())
            .contains(&("q/ctrl-c".to_string(), "quit".to_string())));
    }
}
