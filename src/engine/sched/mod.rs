//! The task runtime (in the spirit of yazi's scheduler): long actions declared by a
//! [`TaskSpec`] — title, whether it mutates, the resources it locks, its steps — and run as their
//! own tokio task with a [`TaskCtx`] for typed progress, a cancellation token, clean-up steps
//! and a log file.
//!
//! Rules, in order of a task's life:
//!
//! 1. **Admission.** A mutating task takes every lock of its spec (resource ids such as
//!    `media/sonarr` or `secret:media/starr-secrets`); when one is held it is not started and
//!    ends at once with `TaskOutcome::Refused("media/sonarr is locked by integrate apply #3")`.
//!    Non-mutating tasks take no lock and are never refused for one.
//! 2. **Start.** The log file `<data>/tasks/<UTC>-<id>-<slug>.log` (0600) is created and the
//!    first `TaskProgress` (step 0, "starting") carries its path.
//! 3. **Run.** The body reports steps (`step i of n` with the spec's label), lines and units.
//! 4. **End.** On success the registered clean-ups are dropped unrun. On **failure** (an error
//!    or a panic) and on **cancel**, the body is dropped first (it never runs beside its
//!    clean-ups), then the clean-ups run **last registered first** (like `defer`), each bounded
//!    by [`CLEANUP_TIMEOUT`]; one failing does not stop the others, and is named in the outcome.
//!    From the moment of the cancel no `TaskProgress` (or other message) of that task is sent;
//!    the only message left is its `TaskDone`, sent after the clean-ups, with `Cancelled` (or
//!    `Failed` when a clean-up failed, so an app left scaled down is never silent).
//! 5. **Prune.** The locks are released and the task is forgotten by the runtime *before* its
//!    `TaskDone` goes out, so a task started in reaction to it is not refused.

mod ctx;
pub mod logfile;

pub use ctx::{CleanupFn, CleanupId, TaskCtx};

use crate::bus::{Msg, TaskId, TaskOutcome};
use futures::future::BoxFuture;
use futures::FutureExt;
use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long one clean-up step may take.
pub const CLEANUP_TIMEOUT: Duration = Duration::from_secs(60);

/// What a task declares before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    pub title: String,
    /// Changes something in the cluster or the apps (gated by `--readonly`, takes locks).
    pub mutates: bool,
    /// Resource ids a mutating task holds while it runs (and while its clean-ups run).
    pub locks: Vec<String>,
    /// Step labels, in order; progress says "step i of n".
    pub steps: Vec<String>,
}

impl TaskSpec {
    /// A read-only task.
    pub fn read(title: impl Into<String>, steps: &[&str]) -> Self {
        TaskSpec {
            title: title.into(),
            mutates: false,
            locks: Vec::new(),
            steps: steps.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A mutating task holding `locks`.
    pub fn mutating(title: impl Into<String>, locks: Vec<String>, steps: &[&str]) -> Self {
        TaskSpec {
            mutates: true,
            locks,
            ..TaskSpec::read(title, steps)
        }
    }
}

/// The work of a task; its `Ok` is the one-line summary of `TaskOutcome::Succeeded`.
pub type TaskBody = Box<dyn FnOnce(TaskCtx) -> BoxFuture<'static, anyhow::Result<String>> + Send>;

struct Running {
    title: String,
    cancel: CancellationToken,
    handle: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct State {
    running: HashMap<TaskId, Running>,
    /// Resource id → the task holding it.
    locks: BTreeMap<String, TaskId>,
}

struct Shared {
    tx: mpsc::Sender<Msg>,
    log_dir: Option<PathBuf>,
    state: Mutex<State>,
    changed: Notify,
}

/// Starts, cancels and forgets tasks. Cheap to clone.
#[derive(Clone)]
pub struct Scheduler(Arc<Shared>);

impl Scheduler {
    /// Reports go to `tx`; task logs under `log_dir` (none when `None`).
    pub fn new(tx: mpsc::Sender<Msg>, log_dir: Option<PathBuf>) -> Self {
        Scheduler(Arc::new(Shared {
            tx,
            log_dir,
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        }))
    }

    /// Start a task, or refuse it (the refusal is also sent as its `TaskDone`).
    pub async fn start(&self, id: TaskId, spec: TaskSpec, body: TaskBody) -> Result<(), String> {
        let cancel = CancellationToken::new();
        let refusal = {
            let mut st = self.state();
            match refusal(&st, id, &spec) {
                Some(why) => Some(why),
                None => {
                    if spec.mutates {
                        for r in &spec.locks {
                            st.locks.insert(r.clone(), id);
                        }
                    }
                    st.running.insert(
                        id,
                        Running {
                            title: spec.title.clone(),
                            cancel: cancel.clone(),
                            handle: None,
                        },
                    );
                    None
                }
            }
        };
        if let Some(why) = refusal {
            let outcome = TaskOutcome::Refused(why.clone());
            let _ = self.0.tx.send(Msg::TaskDone { id, outcome }).await;
            return Err(why);
        }
        let mut st = self.state();
        let handle = tokio::spawn(run(self.0.clone(), id, spec, body, cancel));
        if let Some(r) = st.running.get_mut(&id) {
            r.handle = Some(handle);
        }
        Ok(())
    }

    /// Cancel a running task; false when it is not running (finished, refused, unknown).
    pub fn cancel(&self, id: TaskId) -> bool {
        match self.state().running.get(&id) {
            Some(r) => {
                r.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Ids of the tasks still running (finished ones are pruned).
    pub fn running(&self) -> Vec<TaskId> {
        let mut v: Vec<TaskId> = self.state().running.keys().copied().collect();
        v.sort();
        v
    }

    /// Held locks: resource id → task.
    pub fn locks(&self) -> BTreeMap<String, TaskId> {
        self.state().locks.clone()
    }

    /// Cancel every task and wait (up to `grace`) for their clean-ups; then abort what is left.
    pub async fn shutdown(&self, grace: Duration) {
        for r in self.state().running.values() {
            r.cancel.cancel();
        }
        let idle = async {
            loop {
                let changed = self.0.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if self.state().running.is_empty() {
                    return;
                }
                changed.await;
            }
        };
        if tokio::time::timeout(grace, idle).await.is_err() {
            for (_, r) in self.state().running.drain() {
                if let Some(h) = r.handle {
                    h.abort();
                }
            }
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn refusal(st: &State, id: TaskId, spec: &TaskSpec) -> Option<String> {
    if st.running.contains_key(&id) {
        return Some(format!("task {id} is already running"));
    }
    if !spec.mutates {
        return None;
    }
    spec.locks.iter().find_map(|r| {
        let holder = st.locks.get(r)?;
        let title = st
            .running
            .get(holder)
            .map_or("a task", |t| t.title.as_str());
        Some(format!("{r} is locked by {title} {holder}"))
    })
}

enum Ended {
    Done(String),
    Failed(String),
    Cancelled,
}

async fn run(
    shared: Arc<Shared>,
    id: TaskId,
    spec: TaskSpec,
    body: TaskBody,
    cancel: CancellationToken,
) {
    let log = shared.log_dir.as_ref().and_then(|dir| {
        logfile::TaskLog::create(dir, jiff::Timestamp::now(), id.0, &spec.title)
            .map_err(|e| tracing::warn!("task {id}: no log file in {}: {e}", dir.display()))
            .ok()
    });
    if let Some(l) = &log {
        l.line(&format!(
            "task {id} {}: {}mutating; locks [{}]; steps [{}]",
            spec.title,
            if spec.mutates { "" } else { "not " },
            spec.locks.join(", "),
            spec.steps.join(", ")
        ));
    }
    let ctx = TaskCtx::new(id, spec, shared.tx.clone(), cancel.clone(), log);
    ctx.announce().await;
    let work = AssertUnwindSafe(body(ctx.clone())).catch_unwind();
    let ended = tokio::select! {
        biased;
        _ = cancel.cancelled() => Ended::Cancelled,
        r = work => match r {
            Ok(Ok(summary)) => Ended::Done(summary),
            Ok(Err(e)) => Ended::Failed(format!("{e:#}")),
            Err(p) => Ended::Failed(format!("the task panicked: {}", panic_text(&p))),
        },
    };
    let outcome = match ended {
        Ended::Done(summary) => {
            let unrun = ctx.take_cleanups().len();
            if unrun > 0 {
                ctx.log(&format!("{unrun} clean-up step(s) not needed"));
            }
            TaskOutcome::Succeeded(summary)
        }
        Ended::Failed(e) => {
            ctx.log(&format!("failed: {e}"));
            match run_cleanups(&ctx).await {
                None => TaskOutcome::Failed(e),
                Some(c) => TaskOutcome::Failed(format!("{e}; {c}")),
            }
        }
        Ended::Cancelled => {
            ctx.log("cancelled");
            match run_cleanups(&ctx).await {
                None => TaskOutcome::Cancelled,
                Some(c) => TaskOutcome::Failed(format!("cancelled; {c}")),
            }
        }
    };
    ctx.log(&format!("outcome: {outcome:?}"));
    {
        let mut st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        st.running.remove(&id);
        st.locks.retain(|_, holder| *holder != id);
    }
    shared.changed.notify_waiters();
    let _ = shared.tx.send(Msg::TaskDone { id, outcome }).await;
}

/// Run the clean-ups, last registered first; `Some(text)` names those that failed.
async fn run_cleanups(ctx: &TaskCtx) -> Option<String> {
    let mut failed = Vec::new();
    for c in ctx.take_cleanups().into_iter().rev() {
        ctx.log(&format!("clean-up: {}", c.label));
        let r =
            tokio::time::timeout(CLEANUP_TIMEOUT, AssertUnwindSafe((c.run)()).catch_unwind()).await;
        let err = match r {
            Ok(Ok(Ok(()))) => None,
            Ok(Ok(Err(e))) => Some(format!("{e:#}")),
            Ok(Err(p)) => Some(format!("panicked: {}", panic_text(&p))),
            Err(_) => Some(format!("timed out after {} s", CLEANUP_TIMEOUT.as_secs())),
        };
        match err {
            None => ctx.log(&format!("clean-up done: {}", c.label)),
            Some(e) => {
                ctx.log(&format!("clean-up FAILED: {}: {e}", c.label));
                failed.push(format!("{}: {e}", c.label));
            }
        }
    }
    (!failed.is_empty()).then(|| format!("clean-up failed: {}", failed.join("; ")))
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
