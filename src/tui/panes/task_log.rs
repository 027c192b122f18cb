//! Task log (`enter`/`l` on a task): the task's log file when it has one — read by the engine
//! ([`Effect::ReadTaskLog`]), again when the task ends and on `r` — else the lines it reported.

use super::tasks::state_text;
use super::text::TextView;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{Effect, Msg, TaskId};
use crate::tui::pane::Pane;
use crate::tui::rows::sanitize;
use crate::tui::theme::Role;
use crate::tui::view::{PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;
use std::path::PathBuf;

pub const ID: PaneId = "task-log";

pub fn pane() -> Box<dyn Pane> {
    Box::<TaskLog>::default()
}

/// The log of a task.
pub fn view(id: TaskId) -> View {
    View::with(ID, ViewArg::Task(id))
}

/// The log file of the task shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    pub task: TaskId,
    pub path: PathBuf,
    /// `None` while the engine reads it.
    pub lines: Option<Result<Vec<String>, String>>,
}

#[derive(Debug, Default)]
pub struct TaskLog {
    pub file: Option<LogFile>,
    text: TextView,
}

impl TaskLog {
    fn read(&mut self, ctx: &mut Ctx) {
        if let Some(f) = self.file.as_mut() {
            f.lines = None;
            ctx.emit(Effect::ReadTaskLog {
                id: f.task,
                path: f.path.clone(),
            });
        }
    }
}

impl Pane for TaskLog {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Task log"
    }

    fn crumb(&self, view: &View) -> String {
        view.task()
            .map_or_else(|| "task".to_string(), |id| format!("task {id}"))
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::ch('w'), Action::WRAP, "wrap"),
            Binding::new(Key::ch('r'), Action::RELOAD, "read again"),
        ])
    }

    fn on_enter(&mut self, ctx: &mut Ctx, view: &View) -> bool {
        let Some(id) = view.task() else {
            return false;
        };
        self.text.reset();
        self.file = ctx
            .tasks
            .get(id)
            .and_then(|t| t.log_file.clone())
            .map(|path| LogFile {
                task: id,
                path,
                lines: None,
            });
        self.read(ctx);
        true
    }

    fn on_leave(&mut self, _ctx: &mut Ctx) {
        self.file = None;
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        if action == Action::RELOAD {
            self.read(ctx);
        } else {
            self.text.on_action(action, ctx.page());
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        let shown = self.file.as_ref().map(|f| f.task);
        match msg {
            Msg::TaskLogFile { id, lines } if Some(*id) == shown => {
                if let Some(f) = self.file.as_mut() {
                    f.lines = Some(match lines {
                        Ok(l) => Ok(l.iter().map(|l| sanitize(l)).collect()),
                        Err(e) => Err(e.clone()),
                    });
                }
            }
            // The file is complete now: read it again.
            Msg::TaskDone { id, .. } if Some(*id) == shown => self.read(ctx),
            _ => {}
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, view: &View) {
        let theme = &ctx.theme;
        let id = view.task().unwrap_or(TaskId(0));
        let (title, lines) = match ctx.tasks.get(id) {
            Some(t) => {
                let (state, detail, _) = state_text(t);
                let mut lines = vec![Line::raw(format!("{state}: {detail}"))];
                match self.file.as_ref().filter(|f| f.task == id) {
                    None => {
                        lines.push(Line::raw(""));
                        lines.extend(t.log.iter().map(|l| Line::raw(l.clone())));
                    }
                    Some(file) => {
                        lines.push(Line::styled(
                            format!("log file {}", file.path.display()),
                            theme.style(Role::Muted),
                        ));
                        lines.push(Line::raw(""));
                        match &file.lines {
                            None => lines.push(Line::styled("reading…", theme.style(Role::Muted))),
                            Some(Ok(file_lines)) => {
                                lines.extend(file_lines.iter().map(|l| Line::raw(l.clone())));
                            }
                            Some(Err(e)) => {
                                lines.push(Line::styled(
                                    format!("cannot read the log file: {e}"),
                                    theme.style(Role::Warn),
                                ));
                                lines.extend(t.log.iter().map(|l| Line::raw(l.clone())));
                            }
                        }
                    }
                }
                (format!("task {id} {}", t.title), lines)
            }
            None => (
                format!("task {id}"),
                vec![Line::raw("no such task (expired)")],
            ),
        };
        let title = Line::styled(format!(" {title} "), theme.style(Role::Title));
        self.text.render(f, area, title, lines, theme);
    }
}
