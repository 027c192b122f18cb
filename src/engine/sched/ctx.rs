//! What a running task holds: its spec, typed progress reporting, its cancellation token, its
//! clean-up steps and its log file.

use super::logfile::TaskLog;
use super::TaskSpec;
use crate::bus::{Msg, TaskId, TaskProgress, Units};
use futures::future::BoxFuture;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A registered clean-up step: undoes what the task did so far (e.g. scale the app back up).
pub type CleanupFn = Box<dyn FnOnce() -> BoxFuture<'static, anyhow::Result<()>> + Send>;

/// Handle of a registered clean-up step, to dismiss it once it is no longer needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupId(u64);

pub(super) struct Cleanup {
    pub id: CleanupId,
    pub label: String,
    pub run: CleanupFn,
}

struct Inner {
    id: TaskId,
    spec: TaskSpec,
    tx: mpsc::Sender<Msg>,
    cancel: CancellationToken,
    log: Option<TaskLog>,
    /// Whether the first report (with the log path) went out.
    announced: AtomicBool,
    step: AtomicU32,
    cleanups: Mutex<Vec<Cleanup>>,
    next_cleanup: Mutex<u64>,
}

/// The running task's side of the runtime. Cheap to clone; every report after the task was
/// cancelled is dropped, so the UI never hears of a cancelled task again except its end.
#[derive(Clone)]
pub struct TaskCtx(Arc<Inner>);

impl TaskCtx {
    pub(super) fn new(
        id: TaskId,
        spec: TaskSpec,
        tx: mpsc::Sender<Msg>,
        cancel: CancellationToken,
        log: Option<TaskLog>,
    ) -> Self {
        TaskCtx(Arc::new(Inner {
            id,
            spec,
            tx,
            cancel,
            log,
            announced: AtomicBool::new(false),
            step: AtomicU32::new(0),
            cleanups: Mutex::new(Vec::new()),
            next_cleanup: Mutex::new(0),
        }))
    }

    pub fn id(&self) -> TaskId {
        self.0.id
    }

    pub fn spec(&self) -> &TaskSpec {
        &self.0.spec
    }

    /// Cancelled by the user (or the engine shutting down).
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.0.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancel.is_cancelled()
    }

    pub fn log_path(&self) -> Option<&std::path::Path> {
        self.0.log.as_ref().map(|l| l.path())
    }

    /// Write a line to the task's log file only.
    pub fn log(&self, line: &str) {
        if let Some(l) = &self.0.log {
            l.line(line);
        }
    }

    /// Enter step `n` (1-based, of the spec's steps).
    pub async fn step(&self, n: u32) {
        self.0.step.store(n, Ordering::SeqCst);
        let label = self.label(n);
        self.log(&format!("step {n}/{}: {label}", self.0.spec.steps.len()));
        self.report(Vec::new(), None).await;
    }

    /// Log lines of the current step.
    pub async fn lines(&self, lines: Vec<String>) {
        for l in &lines {
            self.log(l);
        }
        self.report(lines, None).await;
    }

    /// Bytes or items done within the current step.
    pub async fn units(&self, units: Units) {
        self.report(Vec::new(), Some(units)).await;
    }

    /// Send a message to the UI (a refreshed view), unless the task was cancelled.
    pub async fn send(&self, msg: Msg) {
        self.deliver(msg).await;
    }

    /// Register a clean-up step. Clean-ups run when the task is cancelled or fails, last
    /// registered first (like `defer`); a task that succeeds drops them unrun.
    pub fn on_cleanup<F>(&self, label: impl Into<String>, run: F) -> CleanupId
    where
        F: FnOnce() -> BoxFuture<'static, anyhow::Result<()>> + Send + 'static,
    {
        let id = {
            let mut n = lock(&self.0.next_cleanup);
            *n += 1;
            CleanupId(*n)
        };
        let label = label.into();
        self.log(&format!("clean-up registered: {label}"));
        lock(&self.0.cleanups).push(Cleanup {
            id,
            label,
            run: Box::new(run),
        });
        id
    }

    /// Drop a clean-up step that is no longer needed (what it undoes was undone by the task).
    pub fn dismiss_cleanup(&self, id: CleanupId) {
        lock(&self.0.cleanups).retain(|c| c.id != id);
    }

    pub(super) fn take_cleanups(&self) -> Vec<Cleanup> {
        std::mem::take(&mut *lock(&self.0.cleanups))
    }

    fn label(&self, n: u32) -> String {
        let steps = &self.0.spec.steps;
        n.checked_sub(1)
            .and_then(|i| steps.get(i as usize))
            .cloned()
            .unwrap_or_else(|| "starting".into())
    }

    /// The first report: step 0, with the log file's path.
    pub(super) async fn announce(&self) {
        self.report(Vec::new(), None).await;
    }

    async fn report(&self, lines: Vec<String>, units: Option<Units>) {
        let step = self.0.step.load(Ordering::SeqCst);
        let first = !self.0.announced.swap(true, Ordering::SeqCst);
        let p = TaskProgress {
            id: self.0.id,
            title: self.0.spec.title.clone(),
            stage: self.label(step),
            step,
            steps: self.0.spec.steps.len() as u32,
            units,
            lines,
            log: first
                .then(|| self.log_path().map(|p| p.to_path_buf()))
                .flatten(),
        };
        self.deliver(Msg::TaskProgress(p)).await;
    }

    /// Send unless cancelled; a send still waiting for room when the cancel comes is dropped.
    async fn deliver(&self, msg: Msg) {
        if self.0.cancel.is_cancelled() {
            return;
        }
        tokio::select! {
            biased;
            _ = self.0.cancel.cancelled() => {}
            _ = self.0.tx.send(msg) => {}
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
