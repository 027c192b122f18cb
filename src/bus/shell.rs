//! The plumbing of a shell session (issue 8, `s`): the terminal side (the TUI runtime, which
//! suspends the console) and the cluster side (the engine, which runs `pods/exec` with a TTY)
//! talk over these channels. The runtime fills a [`ShellHandle`] in before it hands
//! [`crate::bus::Effect::Shell`] to the engine; the engine takes the [`ShellIo`] out of it.

use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// The engine's end of a shell session.
#[derive(Debug)]
pub struct ShellIo {
    /// Keystrokes from the terminal (ends when the terminal's stdin ends).
    pub input: mpsc::Receiver<Vec<u8>>,
    /// What the shell writes, for the terminal.
    pub output: mpsc::Sender<Vec<u8>>,
    /// Terminal sizes `(columns, rows)`, the first one at once.
    pub resize: mpsc::Receiver<(u16, u16)>,
    /// How the session ended, in words (for the status line); `Err` when it could not start.
    pub done: oneshot::Sender<Result<String, String>>,
}

/// The terminal's end of a shell session.
#[derive(Debug)]
pub struct ShellTerm {
    pub input: mpsc::Sender<Vec<u8>>,
    pub output: mpsc::Receiver<Vec<u8>>,
    pub resize: mpsc::Sender<(u16, u16)>,
    pub done: oneshot::Receiver<Result<String, String>>,
}

/// Both ends of a new session.
pub fn channels() -> (ShellTerm, ShellIo) {
    let (in_tx, in_rx) = mpsc::channel(64);
    let (out_tx, out_rx) = mpsc::channel(64);
    let (rs_tx, rs_rx) = mpsc::channel(8);
    let (done_tx, done_rx) = oneshot::channel();
    (
        ShellTerm {
            input: in_tx,
            output: out_rx,
            resize: rs_tx,
            done: done_rx,
        },
        ShellIo {
            input: in_rx,
            output: out_tx,
            resize: rs_rx,
            done: done_tx,
        },
    )
}

/// A slot for the engine's end, carried by the effect. Handles compare equal whatever they hold
/// (the effect's identity is the pod and container, not the plumbing).
#[derive(Debug, Clone, Default)]
pub struct ShellHandle(Arc<Mutex<Option<ShellIo>>>);

impl ShellHandle {
    pub fn with(io: ShellIo) -> ShellHandle {
        ShellHandle(Arc::new(Mutex::new(Some(io))))
    }

    /// Take the engine's end (once).
    pub fn take(&self) -> Option<ShellIo> {
        self.0.lock().ok()?.take()
    }
}

impl PartialEq for ShellHandle {
    fn eq(&self, _: &ShellHandle) -> bool {
        true
    }
}

impl Eq for ShellHandle {}
