//! Navigation state shared by the core and the panes: the crumb stack entries ([`View`]), list
//! cursors with their remembered window, and flash messages.

use super::keymap::{Action, PaneKind};
use super::msg::TaskId;
use crate::model::ServiceId;
use jiff::Timestamp;
use std::cell::Cell;

/// One entry of the crumb stack; the bottom is always [`View::Services`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Services,
    Detail(ServiceId),
    Logs,
    Describe,
    Help(PaneKind),
    Findings,
    Tasks,
    TaskLog(TaskId),
    Integrations,
    /// `enter` on an edge: current vs desired fields; the edge id.
    EdgeDetail(String),
    /// `p`: the plan as a diff.
    PlanDiff,
    Keys,
}

impl View {
    pub fn pane(&self) -> PaneKind {
        match self {
            View::Services => PaneKind::Services,
            View::Detail(_) => PaneKind::Detail,
            View::Logs => PaneKind::Logs,
            View::Describe | View::TaskLog(_) => PaneKind::Describe,
            View::Help(_) => PaneKind::Help,
            View::Findings => PaneKind::Findings,
            View::Tasks => PaneKind::Tasks,
            View::Integrations => PaneKind::Integrations,
            View::EdgeDetail(_) => PaneKind::EdgeDetail,
            View::PlanDiff => PaneKind::PlanDiff,
            View::Keys => PaneKind::Keys,
        }
    }

    pub fn crumb(&self) -> String {
        match self {
            View::Services => "services".into(),
            View::Detail(id) => id.to_string(),
            View::Logs => "logs".into(),
            View::Describe => "describe".into(),
            View::Help(_) => "help".into(),
            View::Findings => "findings".into(),
            View::Tasks => "tasks".into(),
            View::TaskLog(id) => format!("task {id}"),
            View::Integrations => "integrations".into(),
            View::EdgeDetail(_) => "edge".into(),
            View::PlanDiff => "plan".into(),
            View::Keys => "keys".into(),
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
    pub fn apply(&mut self, action: Action, len: usize, page: usize) -> bool {
        let last = len.saturating_sub(1);
        let new = match action {
            Action::Up => self.index.saturating_sub(1),
            Action::Down => (self.index + 1).min(last),
            Action::PageUp => self.index.saturating_sub(page),
            Action::PageDown => (self.index + page).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return false,
        };
        self.index = new;
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
