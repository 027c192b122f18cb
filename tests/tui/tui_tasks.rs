//! The Tasks pane on typed progress: a late report after cancel makes no ghost task, typed
//! progress and refusals show in their rows, and a task's log file is read through the engine.

use crate::tui_common;

use k8s_nas::tui::msg::{UnitKind, Units};
use k8s_nas::tui::panes::{task_log, tasks};
use k8s_nas::tui::view::View;
use k8s_nas::tui::{Effect, Msg, TaskId, TaskOutcome, TaskProgress};
use std::path::PathBuf;
use tui_common::*;

/// The table row of the screen that starts with `first` (after the border).
fn row_of<'a>(screen: &'a str, first: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.trim_start_matches('│').starts_with(first))
        .unwrap_or("")
}

fn report(id: u64, stage: &str, step: u32, units: Option<Units>) -> Msg {
    Msg::TaskProgress(TaskProgress {
        id: TaskId(id),
        title: "restore".into(),
        stage: stage.into(),
        step,
        steps: 3,
        units,
        lines: vec![format!("{stage}…")],
        log: None,
    })
}

#[test]
fn late_progress_after_cancel_creates_no_ghost_task() {
    let mut h = Harness::healthy();
    h.press("c"); // task #1
    h.feed(report(1, "probing", 1, None));
    h.press(":tasks<enter>");
    assert_eq!(h.press("x"), vec![Effect::CancelTask(TaskId(1))]);
    // Clean-up still reports while cancelling, and shows.
    h.feed(report(1, "scale up", 3, None));
    let screen = h.frame();
    assert!(
        row_of(&screen, "#1").contains("cancelling scale up 3/3"),
        "{screen}"
    );
    h.feed(Msg::TaskDone {
        id: TaskId(1),
        outcome: TaskOutcome::Cancelled,
    });
    h.feed(report(1, "late", 2, None));
    assert_eq!(h.app.tasks.list.len(), 1);
    assert_eq!(h.app.tasks.running(), 0);
    let screen = h.frame();
    assert!(
        screen.contains("cancelled") && !screen.contains("late"),
        "{screen}"
    );
    assert!(screen.contains("none running"), "{screen}");
    // Still none after it was pruned by newer finished tasks.
    for id in 2..=25 {
        h.feed(report(id, "x", 1, None));
        h.feed(Msg::TaskDone {
            id: TaskId(id),
            outcome: TaskOutcome::Succeeded("ok".into()),
        });
    }
    assert!(h.app.tasks.get(TaskId(1)).is_none());
    h.feed(report(1, "later still", 3, None));
    assert!(h.app.tasks.get(TaskId(1)).is_none());
    assert_eq!(h.app.tasks.running(), 0);
}

#[test]
fn tasks_show_typed_progress_and_refusals() {
    let mut h = Harness::healthy();
    let mib = 1024 * 1024;
    h.feed(report(
        4,
        "copy /config",
        2,
        Some(Units {
            kind: UnitKind::Bytes,
            done: 12 * mib,
            total: Some(40 * mib),
        }),
    ));
    h.feed(report(
        5,
        "wire edges",
        1,
        Some(Units {
            kind: UnitKind::Items,
            done: 4,
            total: Some(17),
        }),
    ));
    h.feed(Msg::TaskDone {
        id: TaskId(5),
        outcome: TaskOutcome::Refused("media/sonarr is locked by task #4 (restore)".into()),
    });
    h.press(":tasks<enter>");
    let screen = h.frame();
    assert!(
        screen.contains("copy /config 2/3 · 12.0 MiB/40.0 MiB"),
        "{screen}"
    );
    assert!(
        row_of(&screen, "#5").contains("refused media/sonarr is locked by task #4"),
        "{screen}"
    );
    assert!(h.frame().contains("refused: media/sonarr is locked"));
}

#[test]
fn task_log_reads_the_log_file_through_the_engine() {
    let mut h = Harness::healthy();
    let path = PathBuf::from("/data/k8s-nas/tasks/7-restore.log");
    h.feed(Msg::TaskProgress(TaskProgress {
        id: TaskId(7),
        title: "restore".into(),
        stage: "scale down".into(),
        step: 1,
        steps: 3,
        units: None,
        lines: vec!["in memory".into()],
        log: Some(path.clone()),
    }));
    h.press(":tasks<enter>");
    let fx = h.press("l");
    assert_eq!(h.app.view(), &task_log::view(TaskId(7)));
    assert_eq!(
        fx,
        vec![Effect::ReadTaskLog {
            id: TaskId(7),
            path: path.clone()
        }]
    );
    assert!(h.frame().contains("reading…"));
    // An answer for another task is not ours.
    h.feed(Msg::TaskLogFile {
        id: TaskId(8),
        lines: Ok(vec!["other task".into()]),
    });
    h.feed(Msg::TaskLogFile {
        id: TaskId(7),
        lines: Ok(vec!["12:00:01 scaled media/sonarr to 0".into()]),
    });
    let screen = h.frame();
    assert!(screen.contains("scaled media/sonarr to 0"), "{screen}");
    assert!(screen.contains("7-restore.log") && !screen.contains("other task"));
    // When the task ends the file is read again; `r` reads it on demand.
    let fx = h.feed(Msg::TaskDone {
        id: TaskId(7),
        outcome: TaskOutcome::Succeeded("restored".into()),
    });
    assert!(matches!(fx.as_slice(), [Effect::ReadTaskLog { .. }]));
    h.feed(Msg::TaskLogFile {
        id: TaskId(7),
        lines: Err("permission denied".into()),
    });
    let screen = h.frame();
    assert!(screen.contains("cannot read the log file: permission denied"));
    assert!(
        screen.contains("in memory"),
        "falls back to the reported lines"
    );
    assert!(matches!(
        h.press("r").as_slice(),
        [Effect::ReadTaskLog { .. }]
    ));
    // A task without a file shows its reported lines, as before.
    h.press("<esc>");
    assert_eq!(h.app.view(), &View::new(tasks::ID));
}
