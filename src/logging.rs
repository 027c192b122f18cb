//! Logs go to a file (tracing), never to the terminal the TUI owns.

use crate::config::Paths;
use tracing_subscriber::EnvFilter;

/// Lines the log writer thread can have queued.
const LOG_QUEUE_LINES: usize = 1024;

/// Start file logging at `level` (`K8S_NAS_LOG` overrides). The guard flushes on drop.
pub fn init(
    paths: &Paths,
    level: &str,
) -> anyhow::Result<tracing_appender::non_blocking::WorkerGuard> {
    let dir = paths
        .log_file
        .parent()
        .unwrap_or(&paths.state_dir)
        .to_path_buf();
    std::fs::create_dir_all(&dir)?;
    let file = tracing_appender::rolling::never(&dir, "k8s-nas.log");
    // The writer thread's queue is allocated whole up front: the default (128,000 lines) costs
    // 4 MB of resident memory for a log that gets a few lines a minute. When the queue is full,
    // lines are dropped (lossy), never blocking the UI.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(file);
    let filter = EnvFilter::try_from_env("K8S_NAS_LOG")
        .or_else(|_| EnvFilter::try_new(format!("k8s_nas={level},warn")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
