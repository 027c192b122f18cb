//! Navigation state shared by the core and the panes: the crumb stack entries ([`View`]: a pane
//! id and its argument), list cursors with their remembered window, and flash messages.

use super::keymap::Action;
use super::msg::TaskId;
use crate::model::ServiceId;
use jiff::Timestamp;
use std::cell::Cell;

/// A pane's registry id (`"services"`, `"logs"` …); each pane module exports its own as `ID`.
pub type PaneId = &'static str;

/// What a view on the crumb stack is about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ViewArg {
    #[default]
    None,
    Service(ServiceId),
    Task(TaskId),
    /// Help: the pane whose keys are shown.
    Pane(PaneId),
    /// Anything else a pane names by a string (an edge id …).
    Text(String),
    /// A cluster object (describe and logs from the generic resource views).
    Object(ObjectRef),
}

/// A cluster object a view is about: `Pod`, `Deployment` … in a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// Pods: the containers, then the init containers (the logs picker).
    pub containers: Vec<String>,
    /// Pods: restarts (a previous run exists).
    pub restarts: u32,
}

/// One entry of the crumb stack: which pane shows what. The bottom is the first registered pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub pane: PaneId,
    pub arg: ViewArg,
}

impl View {
    pub const fn new(pane: PaneId) -> View {
        View {
            pane,
            arg: ViewArg::None,
        }
    }

    pub fn with(pane: PaneId, arg: ViewArg) -> View {
        View { pane, arg }
    }

    pub fn service(&self) -> Option<&ServiceId> {
        match &self.arg {
            ViewArg::Service(id) => Some(id),
            _ => None,
        }
    }

    pub fn task(&self) -> Option<TaskId> {
        match self.arg {
            ViewArg::Task(id) => Some(id),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match &self.arg {
            ViewArg::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A cursor over a list plus the first visible row (kept by the renderer, hence a `Cell`).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub index: usize,
    pub offset: Cell<usize>,
}

impl Cursor {
    /// Apply a navigation action; `false` when the action is not a movement.
    pub fn apply(&mut self, action: Action, len: usize, page: usize) -> bool {
        let last = len.saturating_sub(1);
        self.index = match action {
            Action::UP => self.index.saturating_sub(1),
            Action::DOWN => (self.index + 1).min(last),
            Action::PAGE_UP => self.index.saturating_sub(page),
            Action::PAGE_DOWN => (self.index + page).min(last),
            Action::TOP => 0,
            Action::BOTTOM => last,
            _ => return false,
        };
        true
    }

    /// Keep the cursor inside a window of `height` rows over `len` rows; returns the offset.
    pub fn window(&self, len: usize, height: usize) -> usize {
        let height = height.max(1);
        let mut off = self.offset.get();
        if self.index < off {
            off = self.index;
        } else if self.index >= off + height {
            off = self.index + 1 - height;
        }
        off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        off
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashLevel {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub level: FlashLevel,
    pub at: Timestamp,
}
