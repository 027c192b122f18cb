//! The key map: one table of bindings per pane. Dispatch, the hint bar and `?` help are all
//! generated from it, so they cannot drift apart. `--readonly` removes mutating bindings when the
//! map is built, so a read-only session never advertises (or runs) them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The panes of the console; each has its own bindings on top of the global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneKind {
    Services,
    Detail,
    Logs,
    Describe,
    Help,
    Findings,
    Tasks,
    Integrations,
    EdgeDetail,
    PlanDiff,
    Keys,
}

impl PaneKind {
    pub const ALL: [PaneKind; 11] = [
        PaneKind::Services,
        PaneKind::Detail,
        PaneKind::Logs,
        PaneKind::Describe,
        PaneKind::Help,
        PaneKind::Findings,
        PaneKind::Tasks,
        PaneKind::Integrations,
        PaneKind::EdgeDetail,
        PaneKind::PlanDiff,
        PaneKind::Keys,
    ];
}

/// A user intent, independent of the key that triggers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Back,
    Help,
    CommandMode,
    FilterMode,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Enter,
    Logs,
    Describe,
    Refresh,
    CheckAll,
    ToggleFollow,
    ToggleWrap,
    ClearLogs,
    CancelTask,
    Findings,
    Tasks,
    /// Integrations: show the plan as a diff.
    PlanDiff,
    /// Integrations: apply the plan (after confirmation).
    Apply,
    /// Integrations: run every edge's connection test.
    TestAll,
    /// Integrations: Prowlarr pushes its indexers to the apps (after confirmation).
    SyncIndexers,
    /// Keys: write the keys that differ into the Secret (after confirmation).
    SyncKeys,
    /// Re-read the pane's data (plan again, check keys again).
    Reload,
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

const fn b(key: Key, action: Action, description: &'static str, hint: bool) -> Binding {
    Binding {
        key,
        action,
        description,
        mutating: false,
        hint,
    }
}

/// A binding that changes the cluster or the apps: dropped in read-only mode.
const fn m(key: Key, action: Action, description: &'static str) -> Binding {
    Binding {
        key,
        action,
        description,
        mutating: true,
        hint: true,
    }
}

/// Bindings valid in every pane (listed under "General" in help).
pub fn global_bindings() -> Vec<Binding> {
    vec![
        b(Key::ch('?'), Action::Help, "help", true),
        b(Key::ch(':'), Action::CommandMode, "command", true),
        b(Key::plain(KeyCode::Esc), Action::Back, "back", true),
        b(Key::ch('q'), Action::Quit, "quit", true),
        b(Key::ctrl('c'), Action::Quit, "quit", false),
        b(Key::ctrl('r'), Action::Refresh, "refresh now", false),
    ]
}

fn navigation() -> Vec<Binding> {
    vec![
        b(Key::ch('j'), Action::Down, "down", false),
        b(Key::plain(KeyCode::Down), Action::Down, "down", false),
        b(Key::ch('k'), Action::Up, "up", false),
        b(Key::plain(KeyCode::Up), Action::Up, "up", false),
        b(
            Key::plain(KeyCode::PageDown),
            Action::PageDown,
            "page down",
            false,
        ),
        b(Key::ctrl('f'), Action::PageDown, "page down", false),
        b(
            Key::plain(KeyCode::PageUp),
            Action::PageUp,
            "page up",
            false,
        ),
        b(Key::ctrl('b'), Action::PageUp, "page up", false),
        b(Key::ch('g'), Action::Top, "top", false),
        b(Key::plain(KeyCode::Home), Action::Top, "top", false),
        b(Key::ch('G'), Action::Bottom, "bottom", false),
        b(Key::plain(KeyCode::End), Action::Bottom, "bottom", false),
    ]
}

/// The built-in bindings of one pane (before read-only filtering).
pub fn pane_bindings(pane: PaneKind) -> Vec<Binding> {
    let mut v = match pane {
        PaneKind::Services => vec![
            b(
                Key::plain(KeyCode::Enter),
                Action::Enter,
                "drill down",
                true,
            ),
            b(Key::ch('l'), Action::Logs, "logs", true),
            b(Key::ch('d'), Action::Describe, "describe", true),
            b(Key::ch('/'), Action::FilterMode, "filter", true),
            b(Key::ch('c'), Action::CheckAll, "check all", true),
            b(Key::ch('F'), Action::Findings, "findings", true),
            b(Key::ch('T'), Action::Tasks, "tasks", true),
        ],
        PaneKind::Detail => vec![
            b(Key::ch('l'), Action::Logs, "logs", true),
            b(Key::ch('d'), Action::Describe, "describe", true),
        ],
        PaneKind::Logs => vec![
            b(Key::ch('f'), Action::ToggleFollow, "follow", true),
            b(Key::ch('w'), Action::ToggleWrap, "wrap", true),
            b(Key::ch('C'), Action::ClearLogs, "clear", true),
        ],
        PaneKind::Describe => vec![b(Key::ch('w'), Action::ToggleWrap, "wrap", true)],
        PaneKind::Help => vec![],
        PaneKind::Findings => vec![
            b(
                Key::plain(KeyCode::Enter),
                Action::Enter,
                "go to service",
                true,
            ),
            b(Key::ch('/'), Action::FilterMode, "filter", true),
            b(Key::ch('c'), Action::CheckAll, "check all", true),
        ],
        PaneKind::Tasks => vec![
            b(Key::plain(KeyCode::Enter), Action::Enter, "task log", true),
            b(Key::ch('x'), Action::CancelTask, "cancel task", true),
        ],
        PaneKind::Integrations => vec![
            b(
                Key::plain(KeyCode::Enter),
                Action::Enter,
                "edge detail",
                true,
            ),
            b(Key::ch('p'), Action::PlanDiff, "plan diff", true),
            m(Key::ch('a'), Action::Apply, "apply plan"),
            b(Key::ch('t'), Action::TestAll, "test all", true),
            m(Key::ch('s'), Action::SyncIndexers, "sync indexers"),
            b(Key::ch('r'), Action::Reload, "re-plan", true),
        ],
        PaneKind::EdgeDetail => vec![b(Key::ch('w'), Action::ToggleWrap, "wrap", true)],
        PaneKind::PlanDiff => vec![
            m(Key::ch('a'), Action::Apply, "apply plan"),
            b(Key::ch('w'), Action::ToggleWrap, "wrap", true),
        ],
        PaneKind::Keys => vec![
            m(Key::ch('S'), Action::SyncKeys, "sync keys"),
            b(Key::ch('r'), Action::Reload, "re-check", true),
        ],
    };
    v.extend(navigation());
    v
}

/// The effective key map: built once at startup with the read-only flag applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub readonly: bool,
    global: Vec<Binding>,
    panes: Vec<(PaneKind, Vec<Binding>)>,
}

impl Keymap {
    pub fn new(readonly: bool) -> Keymap {
        Keymap::from_tables(readonly, global_bindings(), pane_bindings)
    }

    /// Build from explicit tables (mutating entries are dropped when `readonly`).
    pub fn from_tables(
        readonly: bool,
        global: Vec<Binding>,
        per_pane: impl Fn(PaneKind) -> Vec<Binding>,
    ) -> Keymap {
        let keep = |v: Vec<Binding>| -> Vec<Binding> {
            v.into_iter()
                .filter(|b| !(readonly && b.mutating))
                .collect()
        };
        Keymap {
            readonly,
            global: keep(global),
            panes: PaneKind::ALL
                .into_iter()
                .map(|p| (p, keep(per_pane(p))))
                .collect(),
        }
    }

    pub fn global(&self) -> &[Binding] {
        &self.global
    }

    pub fn pane(&self, pane: PaneKind) -> &[Binding] {
        self.panes
            .iter()
            .find(|(p, _)| *p == pane)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }

    /// The action bound to a key in a pane; pane bindings win over global ones.
    pub fn lookup(&self, pane: PaneKind, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        self.pane(pane)
            .iter()
            .chain(self.global.iter())
            .find(|b| b.key == key)
            .map(|b| b.action)
    }

    /// `(keys, description)` for the hint bar: pane hints first, then global ones; keys bound to
    /// the same action are joined (`j/↓`).
    pub fn hints(&self, pane: PaneKind) -> Vec<(String, &'static str)> {
        let mut out: Vec<(Action, String, &'static str)> = Vec::new();
        for b in self.pane(pane).iter().chain(self.global.iter()) {
            if !b.hint {
                continue;
            }
            if let Some(e) = out.iter_mut().find(|e| e.0 == b.action) {
                e.1.push('/');
                e.1.push_str(&b.key.label());
            } else {
                out.push((b.action, b.key.label(), b.description));
            }
        }
        out.into_iter().map(|(_, k, d)| (k, d)).collect()
    }

    /// All bindings of a pane for `?` help, grouped: `(keys, description)` per action.
    pub fn help_rows(&self, bindings: &[Binding]) -> Vec<(String, &'static str)> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn pane_bindings_win_and_globals_apply() {
        let km = Keymap::new(false);
        assert_eq!(km.lookup(PaneKind::Services, &key('j')), Some(Action::Down));
        assert_eq!(km.lookup(PaneKind::Logs, &key('q')), Some(Action::Quit));
        assert_eq!(
            km.lookup(PaneKind::Logs, &key('w')),
            Some(Action::ToggleWrap)
        );
        assert_eq!(km.lookup(PaneKind::Services, &key('w')), None);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(PaneKind::Services, &ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn readonly_drops_mutating_bindings() {
        let mut table = pane_bindings(PaneKind::Services);
        table.push(Binding {
            key: Key::ch('I'),
            action: Action::CancelTask,
            description: "integrate",
            mutating: true,
            hint: true,
        });
        let rw = Keymap::from_tables(false, global_bindings(), |_| table.clone());
        let ro = Keymap::from_tables(true, global_bindings(), |_| table.clone());
        assert_eq!(
            rw.lookup(PaneKind::Services, &key('I')),
            Some(Action::CancelTask)
        );
        assert_eq!(ro.lookup(PaneKind::Services, &key('I')), None);
        assert!(rw
            .hints(PaneKind::Services)
            .iter()
            .any(|h| h.1 == "integrate"));
        assert!(!ro
            .hints(PaneKind::Services)
            .iter()
            .any(|h| h.1 == "integrate"));
    }

    #[test]
    fn hints_join_keys_of_one_action() {
        let km = Keymap::new(false);
        let hints = km.hints(PaneKind::Services);
        assert!(hints.contains(&("q".to_string(), "quit")));
        let help = km.help_rows(km.pane(PaneKind::Services));
        assert!(help.contains(&("j/↓".to_string(), "down")));
    }
}
