//! SIGTERM and SIGHUP end the console like ctrl-c (issue 13, point 11): the terminal leaves the
//! alternate screen and shows the cursor again. The console runs in a pseudo-terminal made by
//! `script` (util-linux); the test reads everything it wrote to the terminal.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let children = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
            for c in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                out.push(c);
                todo.push(c);
            }
        }
    }
    out
}

fn console_pid(script: u32) -> Option<u32> {
    descendants(script).into_iter().find(|p| {
        std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "k8s-nas")
    })
}

fn ends_cleanly_on(signal: i32) {
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "{} --kubeconfig {}",
        env!("CARGO_BIN_EXE_k8s-nas"),
        dir.path().join("missing.yaml").display()
    );
    let mut child = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("K8S_NAS_CONFIG_DIR", dir.path().join("config"))
        .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux) is required for this test");
    let deadline = Instant::now() + Duration::from_secs(20);
    let pid = loop {
        if let Some(p) = console_pid(child.id()) {
            break p;
        }
        assert!(Instant::now() < deadline, "the console did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(1500)); // first frame drawn
                                                     // SAFETY: kill(2) on a pid we just found as our own descendant.
    assert_eq!(unsafe { libc::kill(pid as i32, signal) }, 0);
    let mut out = Vec::new();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let waited = Instant::now() + Duration::from_secs(15);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            Instant::now() < waited,
            "the console did not end on signal {signal}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = String::from_utf8_lossy(&reader.join().unwrap()).to_string();
    let entered = out
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = out.rfind("\x1b[?1049l").unwrap_or_else(|| {
        panic!(
            "signal {signal}: the alternate screen was not left: {:?}",
            &out[out.len().saturating_sub(200)..]
        )
    });
    assert!(left > entered);
    assert!(
        out[entered..].contains("\x1b[?25h"),
        "signal {signal}: cursor not shown again"
    );
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    ends_cleanly_on(libc::SIGTERM);
    ends_cleanly_on(libc::SIGHUP);
}
