//! The terminal side of a shell session (issue 8, `s`): the runtime suspends the console (its
//! key reader is dropped first, so no keystroke is taken from the shell), leaves the alternate
//! screen with raw mode kept (the container's pseudo-terminal echoes and edits lines, as with
//! `kubectl exec -it`), hands the engine a [`ShellIo`](crate::bus::shell::ShellIo) through
//! [`Effect::Shell`], then pumps stdin to it, its output to stdout and the terminal size on
//! every SIGWINCH, until the shell exits. Then the alternate screen comes back and the next frame
//! is drawn in full.

use crate::bus::shell::{channels, ShellHandle};
use crate::bus::Effect;
use crossterm::{cursor, execute, terminal};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Which container to open a shell in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

/// Read stdin on a thread that checks `stop` every 100 ms (a blocking read could not be
/// interrupted and would keep the first key typed after the shell).
fn read_stdin(tx: mpsc::Sender<Vec<u8>>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let fd = stdin.as_raw_fd();
        let mut buf = [0u8; 1024];
        while !stop.load(Ordering::SeqCst) {
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd for the duration of the call.
            let ready = unsafe { libc::poll(&mut pfd, 1, 100) };
            if ready <= 0 || stop.load(Ordering::SeqCst) {
                continue;
            }
            // SAFETY: reading into a buffer we own, at most its length.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 || tx.blocking_send(buf[..n as usize].to_vec()).is_err() {
                break;
            }
        }
    })
}

/// Run a shell session in the real terminal; returns the line for the status bar.
pub async fn session(effects: &mpsc::UnboundedSender<Effect>, req: ShellRequest) -> String {
    let mut out = std::io::stdout();
    let target = format!("{}/{}:{}", req.namespace, req.pod, req.container);
    let _ = execute!(out, terminal::LeaveAlternateScreen, cursor::Show);
    let _ = write!(
        out,
        "\r\n[k8s-nas] shell in {target}; exit the shell to return to the console\r\n"
    );
    let _ = out.flush();
    let (mut term, io) = channels();
    let note = if effects
        .send(Effect::Shell {
            namespace: req.namespace,
            pod: req.pod,
            container: req.container,
            io: ShellHandle::with(io),
        })
        .is_err()
    {
        Err("shell: the engine has stopped".to_string())
    } else {
        let stop = Arc::new(AtomicBool::new(false));
        let reader = read_stdin(term.input.clone(), stop.clone());
        drop(term.input);
        let note = pump(&mut term.output, &term.resize, &mut term.done).await;
        stop.store(true, Ordering::SeqCst);
        let _ = tokio::task::spawn_blocking(move || reader.join()).await;
        note
    };
    let _ = execute!(out, terminal::EnterAlternateScreen, cursor::Hide);
    match note {
        Ok(s) | Err(s) => s,
    }
}

async fn pump(
    output: &mut mpsc::Receiver<Vec<u8>>,
    resize: &mpsc::Sender<(u16, u16)>,
    done: &mut tokio::sync::oneshot::Receiver<Result<String, String>>,
) -> Result<String, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut out = std::io::stdout();
    if let Ok(size) = terminal::size() {
        let _ = resize.try_send(size);
    }
    let mut winch = signal(SignalKind::window_change()).ok();
    let mut output_open = true;
    loop {
        tokio::select! {
            chunk = output.recv(), if output_open => match chunk {
                Some(bytes) => {
                    let _ = out.write_all(&bytes);
                    let _ = out.flush();
                }
                None => output_open = false,
            },
            _ = async { winch.as_mut()?.recv().await }, if winch.is_some() => {
                if let Ok(size) = terminal::size() {
                    let _ = resize.try_send(size);
                }
            }
            end = &mut *done => {
                // What the shell printed last.
                while let Ok(bytes) = output.try_recv() {
                    let _ = out.write_all(&bytes);
                }
                let _ = out.flush();
                return end.unwrap_or_else(|_| Err("shell: the engine ended the session".into()));
            }
        }
    }
}
