//! Tasks pane (`:tasks`, `T`): running and recently finished long actions with their typed
//! progress (step i/n and its label, bytes or items), how they ended (done, failed, cancelled,
//! refused), `enter`/`l` for a task's log, `x` to cancel. The list itself is shared
//! ([`crate::tui::task_board::TaskBoard`] in the [`Ctx`]): the header counts it too.

use super::task_log;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{Effect, TaskOutcome};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::age;
use crate::tui::task_board::{TaskEntry, TaskState};
use crate::tui::theme::Role;
use crate::tui::view::{Cursor, PaneId, View};
use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Row, Table};
use ratatui::Frame;

pub const ID: PaneId = "tasks";

const CANCEL: Action = Action::new("tasks.cancel");

pub fn pane() -> Box<dyn Pane> {
    Box::<Tasks>::default()
}

#[derive(Debug, Default)]
pub struct Tasks {
    pub cursor: Cursor,
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

impl Pane for Tasks {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Tasks"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "task log"),
            Binding::new(Key::ch('l'), Action::ENTER, "task log"),
            Binding::new(Key::ch('x'), CANCEL, "cancel task"),
        ])
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["tasks", "task", "t"],
            "running and finished tasks",
        )]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let selected = ctx.tasks.list.get(self.cursor.index).map(|t| t.id);
        match action {
            Action::ENTER => {
                if let Some(id) = selected {
                    ctx.push(task_log::view(id));
                }
            }
            CANCEL => {
                if let Some(id) = selected {
                    if ctx.tasks.cancel(id) {
                        ctx.emit(Effect::CancelTask(id));
                    }
                }
            }
            _ => {
                let len = ctx.tasks.list.len();
                self.cursor.apply(action, len, ctx.page());
            }
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let list = &ctx.tasks.list;
        let height = usize::from(area.height.saturating_sub(3));
        let off = self.cursor.window(list.len(), height);
        let rows: Vec<Row> = list
            .iter()
            .enumerate()
            .skip(off)
            .take(height)
            .map(|(i, t)| {
                let (state, detail, role) = state_text(t);
                let style = if i == self.cursor.index {
                    theme.style(Role::TableCursor)
                } else {
                    theme.style(role)
                };
                Row::new(vec![
                    t.id.to_string(),
                    t.title.clone(),
                    state,
                    detail,
                    age(Some(t.started), ctx.now),
                ])
                .style(style)
            })
            .collect();
        let title = Line::styled(format!(" Tasks[{}] ", list.len()), theme.style(Role::Title));
        let table = Table::new(
            rows,
            [
                Constraint::Length(5),
                Constraint::Length(24),
                Constraint::Length(11),
                Constraint::Fill(1),
                Constraint::Length(8),
            ],
        )
        .header(
            Row::new(["ID", "TASK", "STATE", "STAGE / RESULT", "STARTED"])
                .style(theme.style(Role::TableHeader)),
        )
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::BorderFocus))
                .title(title),
        );
        f.render_widget(table, area);
    }
}
