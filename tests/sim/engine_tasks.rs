//! The task runtime on its own (no cluster): clean-up order on cancel and on failure, no
//! progress after a cancel, lock refusal, pruning, typed steps and the task's log file.

use futures::future::BoxFuture;
use k8s_nas::bus::{Msg, TaskId, TaskOutcome, TaskProgress, UnitKind, Units};
use k8s_nas::engine::sched::{Scheduler, TaskBody, TaskCtx, TaskSpec};
use k8s_nas::model::Secret;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

type Trail = Arc<Mutex<Vec<String>>>;

/// A clean-up that writes its label to the trail.
fn cleanup(trail: &Trail, label: &str) -> impl FnOnce() -> BoxFuture<'static, anyhow::Result<()>> {
    let (trail, label) = (trail.clone(), label.to_string());
    move || {
        Box::pin(async move {
            trail.lock().unwrap().push(label);
            Ok(())
        })
    }
}

fn body<F, Fut>(f: F) -> TaskBody
where
    F: FnOnce(TaskCtx) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<String>> + Send + 'static,
{
    Box::new(move |ctx| Box::pin(f(ctx)))
}

async fn next(rx: &mut mpsc::Receiver<Msg>) -> Msg {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a message within 10 s")
        .expect("channel open")
}

/// Messages until the `TaskDone` of `id`: its progress reports and its outcome.
async fn until_done(rx: &mut mpsc::Receiver<Msg>, id: TaskId) -> (Vec<TaskProgress>, TaskOutcome) {
    let mut progress = Vec::new();
    loop {
        match next(rx).await {
            Msg::TaskProgress(p) if p.id == id => progress.push(p),
            Msg::TaskDone { id: done, outcome } if done == id => return (progress, outcome),
            _ => {}
        }
    }
}

async fn wait_pruned(s: &Scheduler) {
    for _ in 0..100 {
        if s.running().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("tasks never pruned: {:?}", s.running());
}

#[tokio::test(flavor = "current_thread")]
async fn cancel_runs_cleanups_last_first_and_nothing_is_reported_after_it() {
    // Capacity 1: the task is blocked sending when the cancel comes.
    let (tx, mut rx) = mpsc::channel(1);
    let sched = Scheduler::new(tx, None);
    let trail: Trail = Arc::default();
    let t = trail.clone();
    let spec = TaskSpec::mutating(
        "restore",
        vec!["media/sonarr".into()],
        &["scale down", "copy"],
    );
    let id = TaskId(1);
    sched
        .start(
            id,
            spec,
            body(move |ctx| async move {
                ctx.step(1).await;
                ctx.on_cleanup("scale media/sonarr back up", cleanup(&t, "scale up"));
                ctx.on_cleanup("remove the partial copy", cleanup(&t, "remove copy"));
                ctx.on_cleanup("unmount the backup", cleanup(&t, "unmount"));
                ctx.step(2).await;
                // A helper of the task reports too (as apply's event forwarder does).
                let helper = ctx.clone();
                tokio::spawn(async move {
                    while !helper.is_cancelled() {
                        helper.lines(vec!["copied a file".into()]).await;
                    }
                });
                let mut done = 0;
                loop {
                    done += 1;
                    ctx.units(Units {
                        kind: UnitKind::Bytes,
                        done,
                        total: None,
                    })
                    .await;
                }
            }),
        )
        .await
        .unwrap();
    // Let it run: a few progress reports arrive.
    let mut seen = 0;
    while seen < 5 {
        if let Msg::TaskProgress(p) = next(&mut rx).await {
            assert_eq!(p.id, id);
            seen += 1;
        }
    }
    assert!(sched.cancel(id));
    let (late, outcome) = until_done(&mut rx, id).await;
    assert_eq!(outcome, TaskOutcome::Cancelled);
    // At most the one report already queued before the cancel (the channel holds one).
    // The test does not yield between its last receive and the cancel (one-thread runtime), so
    // nothing was queued then: every report seen now would have been sent after the cancel.
    assert!(late.is_empty(), "progress after the cancel: {late:?}");
    assert_eq!(
        *trail.lock().unwrap(),
        ["unmount", "remove copy", "scale up"]
    );
    // Nothing more about this task, ever.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err());
    assert!(sched.running().is_empty(), "finished tasks are pruned");
    assert!(sched.locks().is_empty());
    assert!(!sched.cancel(id), "a finished task cannot be cancelled");
}

#[tokio::test]
async fn failure_runs_cleanups_last_first_success_drops_them() {
    let (tx, mut rx) = mpsc::channel(64);
    let sched = Scheduler::new(tx, None);
    let trail: Trail = Arc::default();

    let t = trail.clone();
    sched
        .start(
            TaskId(1),
            TaskSpec::read("fails", &["one"]),
            body(move |ctx| async move {
                ctx.on_cleanup("a", cleanup(&t, "a"));
                ctx.on_cleanup("b", cleanup(&t, "b"));
                let dismissed = ctx.on_cleanup("c", cleanup(&t, "c"));
                ctx.dismiss_cleanup(dismissed);
                anyhow::bail!("disk full")
            }),
        )
        .await
        .unwrap();
    let (_, outcome) = until_done(&mut rx, TaskId(1)).await;
    assert_eq!(outcome, TaskOutcome::Failed("disk full".into()));
    assert_eq!(*trail.lock().unwrap(), ["b", "a"]);

    trail.lock().unwrap().clear();
    let t = trail.clone();
    sched
        .start(
            TaskId(2),
            TaskSpec::read("succeeds", &["one"]),
            body(move |ctx| async move {
                ctx.on_cleanup("a", cleanup(&t, "a"));
                Ok("fine".into())
            }),
        )
        .await
        .unwrap();
    let (_, outcome) = until_done(&mut rx, TaskId(2)).await;
    assert_eq!(outcome, TaskOutcome::Succeeded("fine".into()));
    assert!(
        trail.lock().unwrap().is_empty(),
        "no clean-up after a success"
    );

    // A panic is a failure: the clean-ups run too.
    let t = trail.clone();
    sched
        .start(
            TaskId(3),
            TaskSpec::read("panics", &["one"]),
            body(move |ctx| async move {
                ctx.on_cleanup("a", cleanup(&t, "a"));
                if ctx.id() == TaskId(3) {
                    panic!("bug");
                }
                Ok(String::new())
            }),
        )
        .await
        .unwrap();
    let (_, outcome) = until_done(&mut rx, TaskId(3)).await;
    assert_eq!(
        outcome,
        TaskOutcome::Failed("the task panicked: bug".into())
    );
    assert_eq!(*trail.lock().unwrap(), ["a"]);
    wait_pruned(&sched).await;
}

#[tokio::test]
async fn a_failing_cleanup_after_cancel_is_not_silent_and_the_others_still_run() {
    let (tx, mut rx) = mpsc::channel(64);
    let sched = Scheduler::new(tx, None);
    let trail: Trail = Arc::default();
    let t = trail.clone();
    let (started_tx, started) = tokio::sync::oneshot::channel();
    sched
        .start(
            TaskId(7),
            TaskSpec::mutating("restore", vec!["media/radarr".into()], &["scale down"]),
            body(move |ctx| async move {
                ctx.on_cleanup("scale media/radarr back up", cleanup(&t, "scale up"));
                ctx.on_cleanup("unlock", || -> BoxFuture<'static, anyhow::Result<()>> {
                    Box::pin(async { anyhow::bail!("API server said 409") })
                });
                let _ = started_tx.send(());
                std::future::pending::<()>().await;
                Ok(String::new())
            }),
        )
        .await
        .unwrap();
    started.await.unwrap();
    sched.cancel(TaskId(7));
    let (_, outcome) = until_done(&mut rx, TaskId(7)).await;
    assert_eq!(
        outcome,
        TaskOutcome::Failed("cancelled; clean-up failed: unlock: API server said 409".into())
    );
    assert_eq!(*trail.lock().unwrap(), ["scale up"]);
}

#[tokio::test]
async fn a_second_mutating_task_on_a_locked_resource_is_refused_with_the_reason() {
    let (tx, mut rx) = mpsc::channel(64);
    let sched = Scheduler::new(tx, None);
    let (release_tx, release) = tokio::sync::oneshot::channel::<()>();
    let locks = vec!["media/sonarr".to_string(), "media/prowlarr".to_string()];
    sched
        .start(
            TaskId(3),
            TaskSpec::mutating("integrate apply", locks, &["apply"]),
            body(move |_| async move {
                let _ = release.await;
                Ok("applied".into())
            }),
        )
        .await
        .unwrap();
    let refused = sched
        .start(
            TaskId(4),
            TaskSpec::mutating("sync indexers", vec!["media/prowlarr".into()], &["sync"]),
            body(|_| async { Ok("never".into()) }),
        )
        .await;
    let why = "media/prowlarr is locked by integrate apply #3";
    assert_eq!(refused, Err(why.to_string()));
    let (progress, outcome) = until_done(&mut rx, TaskId(4)).await;
    assert!(progress.is_empty(), "a refused task never starts");
    assert_eq!(outcome, TaskOutcome::Refused(why.into()));
    // Reading needs no lock.
    sched
        .start(
            TaskId(5),
            TaskSpec::read("integrate plan", &["read"]),
            body(|_| async { Ok("planned".into()) }),
        )
        .await
        .unwrap();
    assert_eq!(
        until_done(&mut rx, TaskId(5)).await.1,
        TaskOutcome::Succeeded("planned".into())
    );
    // Other resources are free.
    sched
        .start(
            TaskId(6),
            TaskSpec::mutating(
                "sync keys",
                vec!["secret:media/starr-secrets".into()],
                &["write"],
            ),
            body(|_| async { Ok("synced".into()) }),
        )
        .await
        .unwrap();
    assert_eq!(
        until_done(&mut rx, TaskId(6)).await.1,
        TaskOutcome::Succeeded("synced".into())
    );
    // Once the holder ends, its locks are free before its end is announced.
    release_tx.send(()).unwrap();
    until_done(&mut rx, TaskId(3)).await;
    assert!(sched.locks().is_empty());
    sched
        .start(
            TaskId(8),
            TaskSpec::mutating("sync indexers", vec!["media/prowlarr".into()], &["sync"]),
            body(|_| async { Ok("synced".into()) }),
        )
        .await
        .unwrap();
    assert_eq!(
        until_done(&mut rx, TaskId(8)).await.1,
        TaskOutcome::Succeeded("synced".into())
    );
    wait_pruned(&sched).await;
}

#[tokio::test]
async fn steps_are_typed_and_the_log_file_is_announced_first() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("tasks");
    let (tx, mut rx) = mpsc::channel(64);
    let sched = Scheduler::new(tx, Some(logs.clone()));
    let key = Secret::new("0123456789abcdef0123456789abcdef");
    sched
        .start(
            TaskId(9),
            TaskSpec::read("check keys", &["read keys", "verify keys"]),
            body(move |ctx| async move {
                ctx.step(1).await;
                ctx.lines(vec![format!("sonarr key {key}")]).await;
                ctx.step(2).await;
                ctx.units(Units {
                    kind: UnitKind::Items,
                    done: 3,
                    total: Some(7),
                })
                .await;
                Ok("7 keys checked".into())
            }),
        )
        .await
        .unwrap();
    let (progress, outcome) = until_done(&mut rx, TaskId(9)).await;
    assert_eq!(outcome, TaskOutcome::Succeeded("7 keys checked".into()));
    let steps: Vec<(u32, u32, &str)> = progress
        .iter()
        .map(|p| (p.step, p.steps, p.stage.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (0, 2, "starting"),
            (1, 2, "read keys"),
            (1, 2, "read keys"),
            (2, 2, "verify keys"),
            (2, 2, "verify keys"),
        ]
    );
    assert_eq!(
        progress[4].units,
        Some(Units {
            kind: UnitKind::Items,
            done: 3,
            total: Some(7)
        })
    );
    let path = progress[0]
        .log
        .clone()
        .expect("the first report names the log");
    assert!(progress[1..].iter().all(|p| p.log.is_none()));
    assert_eq!(path.parent(), Some(logs.as_path()));
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.ends_with("-9-check-keys.log"), "{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("step 2/2: verify keys"), "{text}");
    assert!(text.contains("outcome: Succeeded"), "{text}");
    assert!(
        !text.contains("0123456789abcdef"),
        "a key in the log:\n{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn shutdown_cancels_running_tasks_and_waits_for_their_cleanups() {
    let (tx, mut rx) = mpsc::channel(64);
    let sched = Scheduler::new(tx, None);
    let trail: Trail = Arc::default();
    let t = trail.clone();
    let (started_tx, started) = tokio::sync::oneshot::channel();
    sched
        .start(
            TaskId(1),
            TaskSpec::mutating("restore", vec!["media/sonarr".into()], &["copy"]),
            body(move |ctx| async move {
                let t2 = t.clone();
                ctx.on_cleanup(
                    "scale up",
                    move || -> BoxFuture<'static, anyhow::Result<()>> {
                        Box::pin(async move {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            t2.lock().unwrap().push("scaled up".into());
                            Ok(())
                        })
                    },
                );
                let _ = started_tx.send(());
                std::future::pending::<()>().await;
                Ok(String::new())
            }),
        )
        .await
        .unwrap();
    started.await.unwrap();
    sched.shutdown(Duration::from_secs(5)).await;
    assert_eq!(*trail.lock().unwrap(), ["scaled up"]);
    assert!(sched.running().is_empty());
    assert_eq!(
        until_done(&mut rx, TaskId(1)).await.1,
        TaskOutcome::Cancelled
    );
}
