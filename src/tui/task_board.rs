//! The task list the UI keeps: every task started from the UI (or announced by the engine's first
//! progress report), its typed progress, its log lines and log file, and how it ended. Pure; the
//! header counts the running ones and the Tasks pane lists them.

use super::msg::{TaskId, TaskOutcome, TaskProgress, UnitKind, Units};
use super::rows::sanitize;
use jiff::Timestamp;
use std::collections::HashSet;
use std::path::PathBuf;

/// Finished tasks kept in the list.
pub const KEEP_FINISHED: usize = 20;
/// Log lines kept per task (the log file has them all).
pub const TASK_LOG_CAP: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Running,
    /// Cancel asked; clean-up steps may still report progress.
    Cancelling,
    Done(TaskOutcome),
}

/// The last progress report: step `step` of `steps` (0: unknown) named `stage`, and the bytes
/// or items of that step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub stage: String,
    pub step: u32,
    pub steps: u32,
    pub units: Option<Units>,
}

impl Progress {
    /// `verify 2/4`, `download 1/3 · 12.0 MiB/40.0 MiB`, `wire edges 3/5 · 4/17 items`.
    pub fn text(&self) -> String {
        let mut out = self.stage.clone();
        if self.steps > 0 {
            out.push_str(&format!(" {}/{}", self.step, self.steps));
        }
        if let Some(u) = &self.units {
            out.push_str(" · ");
            out.push_str(&units_text(u));
        }
        out
    }
}

/// `12.0 MiB/40.0 MiB`, `4/17 items`, `3 items` (total unknown).
pub fn units_text(u: &Units) -> String {
    let one = |n: u64| match u.kind {
        UnitKind::Bytes => bytes(n),
        UnitKind::Items => n.to_string(),
    };
    let suffix = match u.kind {
        UnitKind::Bytes => "",
        UnitKind::Items => " items",
    };
    match u.total {
        Some(t) => format!("{}/{}{suffix}", one(u.done), one(t)),
        None => format!("{}{suffix}", one(u.done)),
    }
}

/// `1.8 TiB`, `512 GiB`, `0 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 || v >= 100.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEntry {
    pub id: TaskId,
    pub title: String,
    pub state: TaskState,
    pub progress: Progress,
    /// In-memory log (the last [`TASK_LOG_CAP`] lines).
    pub log: Vec<String>,
    /// The task's log file, from its first progress report.
    pub log_file: Option<PathBuf>,
    pub started: Timestamp,
    pub finished: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskBoard {
    /// Newest first.
    pub list: Vec<TaskEntry>,
    /// Every task that ended, also those pruned from `list`: their late reports are dropped.
    ended: HashSet<TaskId>,
    /// Bumped on every change (panes rebuild their rows when it moved).
    pub version: u64,
}

impl TaskBoard {
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
        self.version += 1;
        self.list.insert(
            0,
            TaskEntry {
                id,
                title,
                state: TaskState::Running,
                progress: Progress {
                    stage: "starting".into(),
                    ..Progress::default()
                },
                log: Vec::new(),
                log_file: None,
                started: now,
                finished: None,
            },
        );
    }

    /// A progress report. The first one for an unknown id registers the task (the engine may
    /// start tasks of its own); one for a task that already ended is dropped — it neither
    /// revives the task nor brings back a pruned one.
    pub fn progress(&mut self, p: &TaskProgress, now: Timestamp) {
        if self.ended.contains(&p.id) {
            return;
        }
        if self.get(p.id).is_none() {
            self.register(p.id, p.title.clone(), now);
        }
        let Some(t) = self.list.iter_mut().find(|t| t.id == p.id) else {
            return;
        };
        self.version += 1;
        t.progress = Progress {
            stage: p.stage.clone(),
            step: p.step,
            steps: p.steps,
            units: p.units,
        };
        if t.log_file.is_none() {
            t.log_file.clone_from(&p.log);
        }
        t.log.extend(p.lines.iter().map(|l| sanitize(l)));
        let over = t.log.len().saturating_sub(TASK_LOG_CAP);
        t.log.drain(..over);
    }

    /// The user asked to cancel: `true` when the task was running (send the cancel then).
    pub fn cancel(&mut self, id: TaskId) -> bool {
        match self.list.iter_mut().find(|t| t.id == id) {
            Some(t) if t.state == TaskState::Running => {
                self.version += 1;
                t.state = TaskState::Cancelling;
                true
            }
            _ => false,
        }
    }

    /// Mark a task finished; returns the flash text. Keeps the last [`KEEP_FINISHED`] finished.
    pub fn done(&mut self, id: TaskId, outcome: TaskOutcome, now: Timestamp) -> Option<String> {
        if !self.ended.insert(id) {
            return None;
        }
        let t = self.list.iter_mut().find(|t| t.id == id)?;
        self.version += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: u64, stage: &str) -> TaskProgress {
        TaskProgress {
            id: TaskId(id),
            title: "restore".into(),
            stage: stage.into(),
            step: 1,
            steps: 3,
            units: None,
            lines: vec![format!("{stage} line")],
            log: None,
        }
    }

    fn t0() -> Timestamp {
        Timestamp::UNIX_EPOCH
    }

    #[test]
    fn late_reports_never_revive_or_resurrect_a_task() {
        let mut b = TaskBoard::default();
        b.progress(&report(1, "scale down"), t0());
        assert_eq!(b.list.len(), 1, "unknown id registers");
        assert!(b.cancel(TaskId(1)));
        assert!(!b.cancel(TaskId(1)));
        // Clean-up steps still report while cancelling.
        b.progress(&report(1, "scale up"), t0());
        assert_eq!(b.get(TaskId(1)).unwrap().state, TaskState::Cancelling);
        assert_eq!(b.get(TaskId(1)).unwrap().progress.stage, "scale up");
        b.done(TaskId(1), TaskOutcome::Cancelled, t0());
        b.progress(&report(1, "late"), t0());
        let t = b.get(TaskId(1)).unwrap();
        assert_eq!(t.state, TaskState::Done(TaskOutcome::Cancelled));
        assert!(!t.log.iter().any(|l| l.contains("late")));
        // Pruned after KEEP_FINISHED newer tasks ended: still no ghost.
        for i in 2..=(KEEP_FINISHED as u64 + 2) {
            b.register(TaskId(i), "x".into(), t0());
            b.done(TaskId(i), TaskOutcome::Succeeded("ok".into()), t0());
        }
        assert!(b.get(TaskId(1)).is_none());
        b.progress(&report(1, "later still"), t0());
        assert!(b.get(TaskId(1)).is_none());
        assert_eq!(b.running(), 0);
        assert_eq!(b.done(TaskId(1), TaskOutcome::Cancelled, t0()), None);
    }

    #[test]
    fn progress_text_with_units() {
        let mut p = Progress {
            stage: "download".into(),
            step: 1,
            steps: 3,
            units: Some(Units {
                kind: UnitKind::Bytes,
                done: 12 * 1024 * 1024,
                total: Some(40 * 1024 * 1024),
            }),
        };
        assert_eq!(p.text(), "download 1/3 · 12.0 MiB/40.0 MiB");
        p.units = Some(Units {
            kind: UnitKind::Items,
            done: 4,
            total: None,
        });
        p.steps = 0;
        assert_eq!(p.text(), "download · 4 items");
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(2_000_000_000_000), "1.8 TiB");
        assert_eq!(bytes(512 * 1024 * 1024 * 1024), "512 GiB");
    }
}
