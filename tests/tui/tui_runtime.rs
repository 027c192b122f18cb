//! The runtime loop in a real terminal: this test runs itself inside tmux (a private tmux server)
//! as the child, drives it with `tmux send-keys`, reads the screen with `capture-pane`, and
//! checks that the alternate screen and raw mode are left on quit (ctrl-c) and on panic.

use crate::tui_common;

use k8s_nas::tui::runtime::run;
use k8s_nas::tui::{App, Effect, Msg};
use std::io::Write;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tui_common::tmux::Tmux;
use tui_common::*;

const CHILD_ENV: &str = "K8S_NAS_TUI_RUNTIME_CHILD";
const EFFECTS_ENV: &str = "K8S_NAS_TUI_EFFECTS_FILE";

/// Child side: a fake engine that sends the healthy fixture and logs every effect to a file.
fn child(mode: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let effects_path = std::env::var(EFFECTS_ENV).unwrap();
    rt.block_on(async move {
        let app = App::new(options(false));
        let (tx, rx) = mpsc::channel::<Msg>(64);
        let (etx, mut erx) = mpsc::unbounded_channel::<Effect>();
        let engine = tokio::spawn(async move {
            let _ = tx.send(Msg::Cluster(Box::new(healthy_view()))).await;
            for (i, o) in healthy_observations() {
                let _ = tx.send(Msg::Observation(i, o)).await;
            }
            let mut file = std::fs::File::create(&effects_path).unwrap();
            while let Some(e) = erx.recv().await {
                writeln!(file, "{e:?}").unwrap();
                file.flush().unwrap();
            }
            drop(tx);
        });
        match mode {
            "panic" => {
                let boom = async {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    panic!("deliberate test panic");
                };
                let (r, ()) = futures::future::join(run(app, rx, etx), boom).await;
                r.unwrap();
            }
            _ => run(app, rx, etx).await.unwrap(),
        }
        // `run` dropped its effect sender: the engine drains what is left and ends.
        engine.await.unwrap();
    });
    println!(
        "RAW={}",
        crossterm::terminal::is_raw_mode_enabled().unwrap()
    );
}

fn start_child(mode: &str, effects: &std::path::Path) -> Tmux {
    let exe = std::env::current_exe().unwrap();
    let socket = format!("k8s-nas-tui-test-{}-{mode}", std::process::id());
    // The harness names a test by its module path without the crate: `tui_runtime::…` here.
    let test = match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::runtime_in_a_real_terminal"),
        None => "runtime_in_a_real_terminal".to_string(),
    };
    let cmd = format!(
        "env RUST_BACKTRACE=0 {CHILD_ENV}={mode} {EFFECTS_ENV}={} {} --exact {test} --nocapture --test-threads=1; echo EXIT=$?; sleep 60",
        effects.display(),
        exe.display()
    );
    Tmux::start(socket, &cmd, Duration::from_secs(30))
}

#[test]
fn runtime_in_a_real_terminal() {
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        child(&mode);
        return;
    }
    Tmux::require();
    let dir = tempfile::tempdir().unwrap();

    // Quit path: draw, navigate, open logs, resize, ctrl-c.
    let effects = dir.path().join("effects-quit.txt");
    let t = start_child("quit", &effects);
    let screen = t.wait_for("Services(media,qbittorrent)[9]");
    assert!(screen.contains("sabnzbd"), "{screen}");
    assert_eq!(t.alternate_on(), "1");
    t.cmd(&["send-keys", "-t", "t", "j", "Enter"]);
    t.wait_for("── pods");
    t.cmd(&["send-keys", "-t", "t", "l"]);
    t.wait_for("waiting for log lines");
    // One key per write: two escapes in one read are one (alt-)escape to the terminal.
    t.cmd(&["send-keys", "-t", "t", "Escape"]);
    t.wait_for("── pods");
    t.cmd(&["send-keys", "-t", "t", "Escape"]);
    t.wait_for("<enter> drill down");
    t.cmd(&["resize-window", "-t", "t", "-x", "100", "-y", "30"]);
    let start = Instant::now();
    loop {
        let s = t.screen();
        let border = s
            .lines()
            .find(|l| l.starts_with("┌ Services"))
            .unwrap_or("");
        if border.chars().count() == 100 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no redraw after resize:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    t.cmd(&["send-keys", "-t", "t", "C-c"]);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("RAW=false"), "{screen}");
    assert_eq!(t.alternate_on(), "0");
    let log = std::fs::read_to_string(&effects).unwrap();
    assert!(log.contains("StreamLogs"), "{log}");
    assert!(log.contains("StopLogs"), "{log}");
    assert!(log.trim_end().ends_with("Quit"), "{log}");
    drop(t);

    // Panic path: the hook leaves the alternate screen before the message is printed.
    let effects = dir.path().join("effects-panic.txt");
    let t = start_child("panic", &effects);
    t.wait_for("Services(media,qbittorrent)[9]");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("deliberate test panic"), "{screen}");
    assert!(screen.contains("EXIT=101"), "{screen}");
    assert_eq!(t.alternate_on(), "0");
}
