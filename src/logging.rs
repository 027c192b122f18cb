//! Logs go to a file (tracing), never to the terminal the TUI owns.
//!
//! Secrets never reach the file (issue 13, point 2): every line passes [`redact`] on its way
//! out (API keys in query strings such as SABnzbd's `apikey=`, Bazarr's test URLs, passwords in
//! forms, `<ApiKey>` in config files, bearer tokens), the WebSocket crates that would log exec
//! payloads at trace level are held at `info`, and the file is created 0600 in a 0700 directory.

use crate::config::Paths;
use std::io::Write;
use std::sync::LazyLock;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The levels `--log-level` accepts.
pub const LEVELS: &[&str] = &["error", "warn", "info", "debug", "trace"];

static SECRET_PATTERNS: LazyLock<[(regex::Regex, &'static str); 3]> = LazyLock::new(|| {
    [
        (
            // key=value, key: value, "key": "value" (query strings, forms, INI, YAML, JSON)
            regex::Regex::new(
                r#"(?i)((?:api[_-]?key|apikey|nzb_key|token|password|passwd|secret|x-api-key|authorization)["']?\s*[=:]\s*["']?)(?:bearer\s+|basic\s+)?[^&\s"',;<>}]+"#,
            )
            .expect("static regex"),
            "${1}<redacted>",
        ),
        (
            // config.xml: <ApiKey>…</ApiKey>
            regex::Regex::new(r"(?i)(<apikey>)[^<]*").expect("static regex"),
            "${1}<redacted>",
        ),
        (
            regex::Regex::new(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+").expect("static regex"),
            "${1}<redacted>",
        ),
    ]
});

/// `line` with every value that looks like a credential replaced by `<redacted>`.
pub fn redact(line: &str) -> std::borrow::Cow<'_, str> {
    let mut out = std::borrow::Cow::Borrowed(line);
    for (re, with) in SECRET_PATTERNS.iter() {
        if re.is_match(&out) {
            out = std::borrow::Cow::Owned(re.replace_all(&out, *with).into_owned());
        }
    }
    out
}

/// A writer that redacts each formatted event before it reaches the file.
struct Redacting<W>(W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[derive(Clone)]
struct RedactingMaker<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMaker<M> {
    type Writer = Redacting<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Redacting(self.0.make_writer())
    }
}

/// Create (or tighten) the log directory 0700 and the log file 0600.
fn private_file(dir: &std::path::Path, file: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)?;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
}

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
    private_file(&dir, &dir.join("k8s-nas.log"))?;
    let file = tracing_appender::rolling::never(&dir, "k8s-nas.log");
    // The writer thread's queue is allocated whole up front: the default (128,000 lines) costs
    // 4 MB of resident memory for a log that gets a few lines a minute. When the queue is full,
    // lines are dropped (lossy), never blocking the UI.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(file);
    let mut filter = EnvFilter::try_from_env("K8S_NAS_LOG")
        .or_else(|_| EnvFilter::try_new(format!("k8s_nas={level},warn")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // At trace level these print every WebSocket frame: the payload of an exec (`cat
    // config.xml`) is an app's whole config with its key.
    for quiet in ["tungstenite=info", "tokio_tungstenite=info"] {
        if let Ok(d) = quiet.parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingMaker(writer))
        .with_ansi(false)
        .try_init();
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn every_key_shape_is_redacted() {
        let k = "0123456789abcdef0123456789abcdef";
        for line in [
            format!("GET /api?mode=queue&output=json&apikey={k} HTTP/1.1"),
            format!("uri=/test/sonarr/sonarr.media:8989/api/v3/system/status?apikey={k}"),
            format!("<Config><ApiKey>{k}</ApiKey></Config>"),
            format!("[misc]\napi_key = {k}\nnzb_key = {k}"),
            format!("{{\"auth\": {{\"apikey\": \"{k}\"}}}}"),
            format!("username=admin&password={k}"),
            format!("authorization: Bearer {k}"),
            format!("x-api-key: {k}"),
        ] {
            let r = redact(&line);
            assert!(!r.contains(k), "{r}");
            assert!(r.contains("<redacted>"), "{r}");
        }
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn log_file_and_dir_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("state");
        let file = dir.join("k8s-nas.log");
        super::private_file(&dir, &file).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&file), 0o600);
    }
}
