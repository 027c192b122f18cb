//! The runtime loop: owns the terminal, feeds `update`, draws when dirty, forwards effects.
//!
//! - [`TerminalGuard`] enters raw mode + the alternate screen and restores both on drop; a panic
//!   hook restores the terminal before the panic message is printed; SIGINT/ctrl-c also end the
//!   loop normally so the guard runs, and so do SIGTERM and SIGHUP (issue 13, point 11).
//! - Every frame is scrubbed before it reaches the terminal: a cell whose symbol holds a control
//!   character (an escape sequence from an app or an Event that slipped past
//!   [`crate::bounds::sanitize`]) is drawn as its visible Control Picture (`␛`), never raw.
//! - The first frame is drawn before anything else happens.
//! - One `select!` over terminal events (biased first), engine messages, a 1 Hz tick and the
//!   frame deadline; frames are drawn only when something changed, at most ~30 per second, which
//!   also coalesces bursts of resize events into one redraw.
//! - [`Effect::Shell`] is the runtime's own: it suspends the console for the shell
//!   ([`super::shell`]) and carries on with a full redraw when the shell exits.

use super::app::{update, App};
use super::msg::{Effect, Msg};
use super::render::render;
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::{cursor, execute, terminal};
use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

/// Suggested capacity of the bounded engine → UI channel (`mpsc::channel::<Msg>(MSG_CAPACITY)`).
/// Senders should batch log lines into one [`Msg::Logs`] rather than send one message per line.
pub const MSG_CAPACITY: usize = 1024;
/// Minimum time between two frames (~30 fps).
pub const FRAME: Duration = Duration::from_millis(33);
/// Engine messages handled per loop turn before input gets another chance.
const DRAIN_MAX: usize = 256;

/// Is the terminal in raw mode + alternate screen because of us? Restoring twice would be
/// harmful: a second "leave alternate screen" moves the cursor back to where it was when the UI
/// started, and the panic message printed in between gets overwritten.
static ENTERED: AtomicBool = AtomicBool::new(false);

fn restore_terminal() {
    if ENTERED.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
        let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show);
    }
}

/// Raw mode and the alternate screen for as long as it lives.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn new() -> anyhow::Result<TerminalGuard> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        ENTERED.store(true, Ordering::SeqCst);
        if let Err(e) = execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide) {
            restore_terminal();
            return Err(e.into());
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e.into())
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Restore the terminal before the default hook prints the panic (once per process).
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// Render one frame, then scrub it (see the module doc).
fn draw(f: &mut ratatui::Frame<'_>, app: &App) {
    render(f, app);
    scrub(f.buffer_mut());
}

/// Replace every cell symbol that holds a control character by its Control Picture (U+2400 +
/// code for C0, `␡` for DEL, `�` for C1): what reaches the terminal is only printable text.
pub fn scrub(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if sym.chars().any(char::is_control) {
            let shown: String = sym
                .chars()
                .map(|c| match c as u32 {
                    u @ 0..=0x1f => char::from_u32(0x2400 + u).unwrap_or('?'),
                    0x7f => '\u{2421}',
                    0x80..=0x9f => '\u{fffd}',
                    _ => c,
                })
                .take(1)
                .collect();
            cell.set_symbol(&shown);
        }
    }
}

/// Run the UI until the user quits (or the terminal goes away). Effects go to the engine through
/// `effects`; the engine's messages arrive on `rx`. When the engine drops its sender the UI keeps
/// running on the data it has.
pub async fn run(
    mut app: App,
    mut rx: mpsc::Receiver<Msg>,
    effects: mpsc::UnboundedSender<Effect>,
) -> anyhow::Result<()> {
    let mut guard = TerminalGuard::new()?;
    let size = guard.terminal.size()?;
    update(&mut app, Msg::Resize(size.width, size.height));
    app.sync();
    guard.terminal.draw(|f| draw(f, &app))?;
    app.dirty = false;
    let mut last_draw = Instant::now();

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut rx_open = true;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;

    let shell_wanted = std::cell::RefCell::new(None);
    let dispatch = |app: &mut App, msg: Msg| {
        for e in update(app, msg) {
            if let Effect::Shell {
                namespace,
                pod,
                container,
                ..
            } = e
            {
                *shell_wanted.borrow_mut() = Some(super::shell::ShellRequest {
                    namespace,
                    pod,
                    container,
                });
                continue;
            }
            // The engine may already be gone when quitting; nothing to do about it then.
            let _ = effects.send(e);
        }
    };

    while !app.quit {
        let next_frame = last_draw + FRAME;
        tokio::select! {
            biased;
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    dispatch(&mut app, Msg::Key(k));
                }
                Some(Ok(Event::Resize(w, h))) => dispatch(&mut app, Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(anyhow::anyhow!("reading terminal events: {e}")),
                None => break,
            },
            _ = &mut ctrl_c => {
                let _ = effects.send(Effect::Quit);
                break;
            }
            _ = sigterm.recv() => {
                let _ = effects.send(Effect::Quit);
                break;
            }
            _ = sighup.recv() => {
                let _ = effects.send(Effect::Quit);
                break;
            }
            m = rx.recv(), if rx_open => match m {
                Some(m) => {
                    dispatch(&mut app, m);
                    for _ in 0..DRAIN_MAX {
                        match rx.try_recv() {
                            Ok(m) => dispatch(&mut app, m),
                            Err(_) => break,
                        }
                    }
                }
                None => rx_open = false,
            },
            _ = tick.tick() => dispatch(&mut app, Msg::Tick(jiff::Timestamp::now())),
            _ = tokio::time::sleep_until(next_frame), if app.dirty => {
                app.sync();
                guard.terminal.draw(|f| draw(f, &app))?;
                app.dirty = false;
                last_draw = Instant::now();
            }
        }
        let wanted = shell_wanted.borrow_mut().take();
        if let Some(req) = wanted {
            // The key reader goes first: it would take the shell's keystrokes.
            drop(events);
            let note = super::shell::session(&effects, req).await;
            events = EventStream::new();
            guard.terminal.clear()?;
            let size = guard.terminal.size()?;
            dispatch(&mut app, Msg::Resize(size.width, size.height));
            dispatch(&mut app, Msg::Flash(note));
            app.dirty = true;
        }
    }
    drop(guard);
    Ok(())
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::text::Span;
    use ratatui::widgets::Widget;

    #[test]
    fn a_raw_escape_in_a_span_never_reaches_the_terminal() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        Span::raw("\x1b]0;pwned\x07\x1b[2J").render(buf.area, &mut buf);
        super::scrub(&mut buf);
        for c in buf.content.iter() {
            assert!(
                !c.symbol().chars().any(char::is_control),
                "{:?}",
                c.symbol()
            );
        }
        assert_eq!(buf.content[0].symbol(), "\u{241b}");
    }
}
