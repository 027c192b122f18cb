//! [`Ctx`]: what is truly global in the UI — the shared data the panes read (cluster view,
//! observations, findings, tasks), the crumb stack, the modal, the prompts, the flash, the theme
//! and the key map — and the API a pane acts through: navigate ([`Ctx::push`], [`Ctx::go_root`],
//! [`Ctx::back`]), open a modal, start a task, flash, emit an [`Effect`]. Navigation is queued and
//! carried out by the core after the pane returns (the core calls the panes' `on_enter` /
//! `on_leave`); effects are collected and returned by [`crate::tui::update`].

use super::keymap::Keymap;
use super::modal::Modal;
use super::msg::{ClusterView, Effect, StreamId, TaskId, TaskRequest};
use super::prompt::{Commands, Prompt};
use super::task_board::TaskBoard;
use super::theme::Theme;
use super::view::{Flash, FlashLevel, PaneId, View};
use crate::model::{Finding, ServiceId, ServiceObservation};
use jiff::Timestamp;
use std::collections::{HashMap, VecDeque};

/// A queued navigation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    Push(View),
    /// Pop to the bottom view, then push this one (unless it is the bottom view).
    Root(View),
    Back,
}

pub struct Ctx {
    pub keymap: Keymap,
    pub theme: Theme,
    pub now: Timestamp,
    pub size: (u16, u16),
    pub cluster: Option<ClusterView>,
    /// Banner text while the cluster is unreachable.
    pub banner: Option<String>,
    pub observations: HashMap<ServiceId, ServiceObservation>,
    pub findings: Vec<Finding>,
    /// The configured thresholds the findings use; the cells colour by the same values.
    pub budget: crate::checks::Budget,
    /// Running and recently finished tasks (the header counts them; the Tasks pane lists them).
    pub tasks: TaskBoard,
    pub stack: Vec<View>,
    /// The dialog in front of everything; takes every key while open.
    pub modal: Option<Modal>,
    /// The `:` command line or the `/` filter line.
    pub prompt: Option<Prompt>,
    pub flash: Option<Flash>,
    /// Every `:` command: the panes' and the global ones.
    pub commands: Commands,
    /// `(id, title)` of every registered pane, in registry order.
    pub titles: Vec<(PaneId, &'static str)>,
    /// `(pane, kind)`: the watched kind each pane needs ([`crate::tui::pane::Pane::requires_kind`]).
    pub requires: Vec<(PaneId, &'static str)>,
    /// Workload actions RBAC denies (issue 8): not offered, with a note.
    pub access: crate::bus::AccessView,
    /// The namespace the generic resource views show (`:ns`; `None`: all).
    pub namespace: Option<String>,
    pub next_stream: u64,
    pub next_task: u64,
    pub quit: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
    pub(crate) out: Vec<Effect>,
    pub(crate) nav: VecDeque<Nav>,
}

impl Ctx {
    pub fn readonly(&self) -> bool {
        self.keymap.readonly
    }

    /// The view on top of the crumb stack.
    pub fn view(&self) -> &View {
        self.stack.last().unwrap_or(&self.stack[0])
    }

    /// The bottom view (the first registered pane).
    pub fn root(&self) -> &View {
        &self.stack[0]
    }

    /// A pane's title for help (its id when unknown).
    pub fn title(&self, pane: PaneId) -> &'static str {
        self.titles
            .iter()
            .find(|(id, _)| *id == pane)
            .map_or(pane, |(_, t)| t)
    }

    /// Why a pane is unavailable on this cluster (the kind it needs is absent, with the
    /// cluster's note), or `None` when it is available or not known yet.
    pub fn unavailable(&self, pane: PaneId) -> Option<String> {
        let (_, kind) = self.requires.iter().find(|(id, _)| *id == pane)?;
        self.cluster.as_ref()?.kind_absent(kind)
    }

    /// The panes unavailable right now (left out of completion, greyed in help).
    pub fn unavailable_panes(&self) -> Vec<PaneId> {
        self.requires
            .iter()
            .filter(|(id, _)| self.unavailable(id).is_some())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Rows that fit a page of the body (for PgUp/PgDn).
    pub fn page(&self) -> usize {
        usize::from(self.size.1).saturating_sub(12).max(1)
    }

    pub fn set_flash(&mut self, text: impl Into<String>, level: FlashLevel) {
        self.flash = Some(Flash {
            text: text.into(),
            level,
            at: self.now,
        });
    }

    /// Ask the outside world to do something.
    pub fn emit(&mut self, effect: Effect) {
        self.out.push(effect);
    }

    /// Drill down: push a view (its pane's `on_enter` may refuse).
    pub fn push(&mut self, view: View) {
        self.nav.push_back(Nav::Push(view));
    }

    /// Go to a top-level view: pop everything above the bottom view, then push it.
    pub fn go_root(&mut self, view: View) {
        self.nav.push_back(Nav::Root(view));
    }

    /// Pop one crumb.
    pub fn back(&mut self) {
        self.nav.push_back(Nav::Back);
    }

    pub fn open_modal(&mut self, modal: Modal) {
        self.modal = Some(modal);
    }

    pub fn new_stream(&mut self) -> StreamId {
        self.next_stream += 1;
        StreamId(self.next_stream)
    }

    /// Start a task: registered in the task list, flashed, sent to the engine. A mutating task
    /// is refused in read-only mode (`None`).
    pub fn start_task(&mut self, request: TaskRequest) -> Option<TaskId> {
        if request.is_mutating() && self.readonly() {
            self.set_flash(
                "read-only mode: not starting a mutating task",
                FlashLevel::Warn,
            );
            return None;
        }
        self.next_task += 1;
        let id = TaskId(self.next_task);
        self.tasks.register(id, request.title(), self.now);
        self.set_flash(
            format!("started {} ({id})", request.title()),
            FlashLevel::Info,
        );
        self.emit(Effect::RunTask { id, request });
        Some(id)
    }
}
