//! The default face: the TUI on a live cluster (or the simulated one, via `demo`).

use crate::config::{Config, Paths};
use crate::tui::{runtime, App, AppOptions, Theme};
use tokio::sync::mpsc;

pub async fn run(cfg: Config, paths: &Paths) -> anyhow::Result<u8> {
    let (theme, theme_warning) = Theme::load(&cfg.theme, Some(&paths.themes_dir));
    let size = crossterm::terminal::size().unwrap_or((120, 40));
    let mut app = App::new(AppOptions {
        readonly: cfg.read_only,
        theme,
        theme_warning,
        now: jiff::Timestamp::now(),
        size,
    });
    app.budget = crate::engine::budget(&cfg);
    let (msg_tx, msg_rx) = mpsc::channel(runtime::MSG_CAPACITY);
    let (eff_tx, eff_rx) = mpsc::unbounded_channel();
    let files = crate::engine::runtime::EngineFiles::from_paths(paths);
    let engine = tokio::spawn(crate::engine::runtime::run_with(cfg, files, msg_tx, eff_rx));
    // The UI returns on quit and drops its effect sender: the engine then cancels running tasks
    // and lets their clean-up steps finish (bounded) before the process ends.
    let result = runtime::run(app, msg_rx, eff_tx).await;
    let grace = crate::engine::runtime::SHUTDOWN_GRACE + std::time::Duration::from_secs(2);
    if tokio::time::timeout(grace, engine).await.is_err() {
        tracing::warn!("engine did not stop within {} s", grace.as_secs());
    }
    result.map(|_| 0)
}
