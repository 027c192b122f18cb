//! Tasks pane (`:tasks`, `T`): running and recently finished long actions on the resource table
//! widget, with their typed progress (step i/n and its label, bytes or items), how they ended
//! (done, failed, cancelled, refused), `enter`/`l` for a task's log, `x` to cancel. The list
//! itself is shared ([`crate::tui::task_board::TaskBoard`] in the [`Ctx`]): the header counts
//! it too.

use super::listing::{Listing, TableCtx};
use super::task_log;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::msg::{Effect, TaskId, TaskOutcome};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::age;
use crate::tui::task_board::{TaskEntry, TaskState};
use crate::tui::theme::Role;
use crate::tui::view::{PaneId, View};
use crate::tui::widgets::table::{haystack, Column, TableRow};
use crossterm::event::KeyCode;
use jiff::Timestamp;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "tasks";

const CANCEL: Action = Action::new("tasks.cancel");

pub fn pane() -> Box<dyn Pane> {
    Box::new(Tasks {
        list: Listing::new(COLUMNS),
        seen: None,
    })
}

/// `(state, stage or result, role)` of a task.
pub fn state_text(t: &TaskEntry) -> (String, String, Role) {
    match &t.state {
        TaskState::Running => ("running".into(), t.progress.text(), Role::Accent),
        TaskState::Cancelling => ("cancelling".into(), t.progress.text(), Role::Warn),
        TaskState::Done(TaskOutcome::Succeeded(s)) => ("done".into(), s.clone(), Role::Ok),
        TaskState::Done(TaskOutcome::Failed(e)) => ("failed".into(), e.clone(), Role::Error),
        TaskState::Done(TaskOutcome::Cancelled) => {
            ("cancelled".into(), String::new(), Role::Muted)
        }
        TaskState::Done(TaskOutcome::Refused(why)) => ("refused".into(), why.clone(), Role::Warn),
    }
}

/// One task as the table shows it.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: TaskId,
    key: String,
    pub title: String,
    pub state: String,
    pub detail: String,
    role: Role,
    pub started: Timestamp,
    haystack: String,
}

impl TaskRow {
    fn new(t: &TaskEntry) -> TaskRow {
        let (state, detail, role) = state_text(t);
        TaskRow {
            id: t.id,
            key: t.id.to_string(),
            haystack: haystack([t.title.as_str(), &state, &detail]),
            title: t.title.clone(),
            state,
            detail,
            role,
            started: t.started,
        }
    }
}

impl TableRow for TaskRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.key)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        self.role
    }
}

type C = Column<TaskRow>;

static COLUMNS: &[C] = &[
    C::new("ID", |r, _| r.key.as_str().into()),
    C::new("TASK", |r, _| r.title.as_str().into()).min(10).max(32),
    C::new("STATE", |r, _| r.state.as_str().into()),
    C::new("STAGE / RESULT", |r, _| r.detail.as_str().into()).min(16),
    // Ascending = the newest first.
    C::new("STARTED", |r, ctx| age(Some(r.started), ctx.now).into())
        .whole()
        .priority(1)
        .sort('A', |a, b| b.started.cmp(&a.started)),
];

pub struct Tasks {
    pub list: Listing<TaskRow>,
    /// The task list version the rows were built from.
    seen: Option<u64>,
}

impl Pane for Tasks {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Tasks"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "task log"),
            Binding::new(Key::ch('l'), Action::ENTER, "task log"),
            Binding::new(Key::ch('x'), CANCEL, "cancel task"),
        ];
        own.extend(Listing::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["tasks", "task", "t"],
            "running and finished tasks",
        )]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let selected = self.list.selected().map(|t| t.id);
        match (action, selected) {
            (Action::ENTER, Some(id)) => ctx.push(task_log::view(id)),
            (CANCEL, Some(id)) => {
                if ctx.tasks.cancel(id) {
                    ctx.emit(Effect::CancelTask(id));
                }
            }
            _ => {
                self.list.on_action(action);
            }
        }
    }

    fn sync(&mut self, ctx: &Ctx) {
        if self.seen == Some(ctx.tasks.version) {
            return;
        }
        self.seen = Some(ctx.tasks.version);
        self.list
            .set_rows(ctx.tasks.list.iter().map(TaskRow::new).collect());
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let tctx = TableCtx::new("Tasks", &ctx.theme, ctx.now)
            .empty("no tasks yet: c checks, :int plans, :keys checks keys");
        self.list.render(f, area, &tctx);
    }
}
