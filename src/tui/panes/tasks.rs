//! Tasks pane: running and recently finished long actions, with their stage and log.

use crate::tui::app::{App, View};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, TaskId, TaskOutcome, TaskProgress};
use crate::tui::rows::age;
use crate::tui::theme::Theme;
use jiff::Timestamp;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Row, Table};
use ratatui::Frame;

/// Finished tasks kept for the Tasks pane.
pub const KEEP_FINISHED: usize = 20;
/// Log lines kept per task.
pub const TASK_LOG_CAP: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Running {
        stage: String,
        step: u32,
        steps: u32,
    },
    Cancelling,
    Done(TaskOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEntry {
    pub id: TaskId,
    pub title: String,
    pub state: TaskState,
    pub log: Vec<String>,
    pub started: Timestamp,
    pub finished: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct TasksState {
    /// Newest first.
    pub list: Vec<TaskEntry>,
    pub cursor: crate::tui::app::Cursor,
}

impl TasksState {
    pub fn running(&self) -> usize {
        self.list
            .iter()
            .filter(|t| !matches!(t.state, TaskState::Done(_)))
            .count()
    }

    pub fn get(&self, id: TaskId) -> Option<&TaskEntry> {
        self.list.iter().find(|t| t.id == id)
    }

    pub fn register(&mut self, id: TaskId, title: String, now: Timestamp) {
        self.list.insert(
            0,
            TaskEntry {
                id,
                title,
                state: TaskState::Running {
                    stage: "starting".into(),
                    step: 0,
                    steps: 0,
                },
                log: Vec::new(),
                started: now,
                finished: None,
            },
        );
    }

    pub fn progress(&mut self, p: TaskProgress, now: Timestamp) {
        if self.get(p.id).is_none() {
            self.register(p.id, p.title.clone(), now);
        }
        if let Some(t) = self.list.iter_mut().find(|t| t.id == p.id) {
            if matches!(t.state, TaskState::Running { .. }) {
                t.state = TaskState::Running {
                    stage: p.stage,
                    step: p.step,
                    steps: p.steps,
                };
            }
            t.log
                .extend(p.lines.iter().map(|l| crate::tui::rows::sanitize(l)));
            let over = t.log.len().saturating_sub(TASK_LOG_CAP);
            t.log.drain(..over);
        }
    }

    /// Mark a task finished; returns the flash text.
    pub fn done(&mut self, id: TaskId, outcome: TaskOutcome, now: Timestamp) -> Option<String> {
        let t = self.list.iter_mut().find(|t| t.id == id)?;
        let text = match &outcome {
            TaskOutcome::Succeeded(s) => format!("{} {id} done: {s}", t.title),
            TaskOutcome::Failed(e) => format!("{} {id} failed: {e}", t.title),
            TaskOutcome::Cancelled => format!("{} {id} cancelled", t.title),
            TaskOutcome::Refused(why) => format!("{} {id} refused: {why}", t.title),
        };
        t.state = TaskState::Done(outcome);
        t.finished = Some(now);
        let mut finished = 0;
        self.list.retain(|t| {
            if matches!(t.state, TaskState::Done(_)) {
                finished += 1;
                finished <= KEEP_FINISHED
            } else {
                true
            }
        });
        Some(text)
    }
}

pub fn on_action(app: &mut App, action: Action, page: usize) -> Vec<Effect> {
    let selected = app.tasks.list.get(app.tasks.cursor.index).map(|t| t.id);
    match action {
        Action::Enter => {
            if let Some(id) = selected {
                app.push(View::TaskLog(id));
            }
            vec![]
        }
        Action::CancelTask => {
            let Some(t) = app.tasks.list.iter_mut().find(|t| Some(t.id) == selected) else {
                return vec![];
            };
            if matches!(t.state, TaskState::Running { .. }) {
                t.state = TaskState::Cancelling;
                vec![Effect::CancelTask(t.id)]
            } else {
                vec![]
            }
        }
        _ => {
            let len = app.tasks.list.len();
            app.tasks.cursor.apply(action, len, page);
            vec![]
        }
    }
}

fn state_text(s: &TaskState) -> (String, String, &'static str) {
    match s {
        TaskState::Running { stage, step, steps } => {
            let prog = if *steps > 0 {
                format!("{step}/{steps}")
            } else {
                String::new()
            };
            ("running".into(), format!("{stage} {prog}"), "accent")
        }
        TaskState::Cancelling => ("cancelling".into(), String::new(), "warn"),
        TaskState::Done(TaskOutcome::Succeeded(s)) => ("done".into(), s.clone(), "ok"),
        TaskState::Done(TaskOutcome::Failed(e)) => ("failed".into(), e.clone(), "error"),
        TaskState::Done(TaskOutcome::Cancelled) => ("cancelled".into(), String::new(), "muted"),
        TaskState::Done(TaskOutcome::Refused(why)) => ("refused".into(), why.clone(), "warn"),
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let list = &app.tasks.list;
    let height = usize::from(area.height.saturating_sub(3));
    let off = app.tasks.cursor.window(list.len(), height);
    let rows: Vec<Row> = list
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(i, t)| {
            let (state, detail, role) = state_text(&t.state);
            let style = if i == app.tasks.cursor.index {
                theme.style("table.cursor")
            } else {
                theme.style(role)
            };
            Row::new(vec![
                t.id.to_string(),
                t.title.clone(),
                state,
                detail,
                age(Some(t.started), app.now),
            ])
            .style(style)
        })
        .collect();
    let title = Line::styled(format!(" Tasks[{}] ", list.len()), theme.style("title"));
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
            .style(theme.style("table.header")),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style("border_focus"))
            .title(title),
    );
    f.render_widget(table, area);
}

/// The log of one task, as text lines for the text pane.
pub fn log_lines(app: &App, id: TaskId) -> (String, Vec<String>) {
    match app.tasks.get(id) {
        Some(t) => {
            let (state, detail, _) = state_text(&t.state);
            let mut lines = vec![format!("{state}: {detail}"), String::new()];
            lines.extend(t.log.iter().cloned());
            (format!("task {id} {}", t.title), lines)
        }
        None => (format!("task {id}"), vec!["no such task (expired)".into()]),
    }
}
