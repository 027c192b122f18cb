//! A private tmux server for the tests that need a real terminal (the runtime loop, `s` shell):
//! one 120×40 session `t` running a command, keys in with `send-keys`, the screen out with
//! `capture-pane`; the server (its own `-L` socket) is killed when the value drops.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
    /// How long [`Tmux::wait_for`] waits before it fails the test.
    timeout: Duration,
}

impl Tmux {
    /// Fail the test when tmux is not installed.
    pub fn require() {
        if Command::new("tmux").arg("-V").output().is_err() {
            panic!("tmux is required for this test (apt-get install tmux)");
        }
    }

    /// Start a private server on `socket` with one 120×40 session `t` running `cmd`.
    pub fn start(socket: String, cmd: &str, timeout: Duration) -> Tmux {
        let ok = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null"])
            .args(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", cmd])
            .status()
            .expect("tmux starts");
        let tmux = Tmux { socket, timeout };
        assert!(ok.success());
        tmux
    }

    pub fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "t"])
    }

    pub fn alternate_on(&self) -> String {
        self.cmd(&["display-message", "-p", "-t", "t", "#{alternate_on}"])
            .trim()
            .to_string()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        self.cmd(&args);
    }

    /// The screen once it shows `needle`; fails the test after the timeout.
    pub fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < self.timeout,
                "timed out waiting for {needle:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our private server only (-L socket), started by this test.
        self.cmd(&["kill-server"]);
    }
}
