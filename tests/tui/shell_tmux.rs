//! `s` end to end in a real terminal (issue 8): the console on `demo --scenario degraded` in a
//! private tmux server, `s` on Sonarr's row suspends the console (the alternate screen is left,
//! the simulator's shell prompt shows), `pwd` answers, `exit` brings the console back intact.

use crate::tui_common::tmux::Tmux;
use std::time::Duration;

/// The Services table's NAME column, top to bottom.
fn names(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|l| !l.starts_with("│NAME"))
        .skip(1)
        .take_while(|l| l.starts_with('│'))
        .filter_map(|l| l.trim_start_matches('│').split_whitespace().next())
        .filter(|w| !w.starts_with('│'))
        .map(str::to_string)
        .collect()
}

#[test]
fn shell_suspends_the_console_and_restores_it() {
    Tmux::require();
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "env K8S_NAS_CONFIG_DIR={0}/config K8S_NAS_DATA_DIR={0}/data {1} demo --scenario degraded; echo EXIT=$?; sleep 60",
        dir.path().display(),
        env!("CARGO_BIN_EXE_k8s-nas"),
    );
    let socket = format!("k8s-nas-shell-test-{}", std::process::id());
    let t = Tmux::start(socket, &cmd, Duration::from_secs(60));
    let before = t.wait_for("│sabnzbd");
    assert_eq!(t.alternate_on(), "1");
    let rows = names(&before);
    assert_eq!(rows.first().map(String::as_str), Some("sonarr"), "{before}");
    assert_eq!(rows.len(), 9, "{before}");

    t.keys(&["s"]);
    let shell = t.wait_for("root@sonarr-");
    assert!(
        shell.contains("[k8s-nas] shell in media/sonarr-"),
        "{shell}"
    );
    assert_eq!(
        t.alternate_on(),
        "0",
        "the console left the alternate screen"
    );
    t.keys(&["pwd", "Enter"]);
    t.wait_for("# pwd\n/\n");
    t.keys(&["ls /config", "Enter"]);
    t.wait_for("config.xml");
    t.keys(&["exit", "Enter"]);

    let after = t.wait_for("exited (0)");
    assert_eq!(t.alternate_on(), "1", "the console is back");
    assert_eq!(names(&after), rows, "{after}");
    assert!(after.contains("Services(all)[9]"), "{after}");
    assert!(!after.contains("root@sonarr-"), "{after}");
    // Keys reach the console again (nothing left with the shell's reader).
    t.keys(&["j", "Enter"]);
    t.wait_for("── pods");
    t.keys(&["Escape"]);
    t.wait_for("Services(all)[9]");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
}
