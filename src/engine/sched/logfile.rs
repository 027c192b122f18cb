//! One log file per task: `<data>/tasks/<UTC>-<id>-<slug>.log`, created 0600 in a 0700
//! directory. Only what the task reports goes in (titles, step labels, progress lines, clean-up
//! results, the outcome) — the same masked text the Tasks pane shows, never a secret value.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct TaskLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

/// `Integrate apply!` → `integrate-apply`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "task".into()
    } else {
        out.chars().take(40).collect()
    }
}

/// The file name: `20261128T120000Z-3-integrate-apply.log`.
pub fn file_name(started: jiff::Timestamp, id: u64, title: &str) -> String {
    format!(
        "{}-{id}-{}.log",
        started.strftime("%Y%m%dT%H%M%SZ"),
        slug(title)
    )
}

impl TaskLog {
    /// Create the log file under `dir` (made when missing).
    pub fn create(
        dir: &Path,
        started: jiff::Timestamp,
        id: u64,
        title: &str,
    ) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(file_name(started, id, title));
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            opts.mode(0o600);
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let file = opts.open(&path)?;
        Ok(TaskLog {
            path,
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one line, stamped with the UTC time.
    pub fn line(&self, text: &str) {
        let stamp = jiff::Timestamp::now().strftime("%H:%M:%S");
        if let Ok(mut f) = self.file.lock() {
            for l in text.lines() {
                let _ = writeln!(f, "{stamp} {l}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(slug("integrate apply"), "integrate-apply");
        assert_eq!(slug("  Sync keys!! "), "sync-keys");
        assert_eq!(slug("…"), "task");
        let t: jiff::Timestamp = "2026-11-28T12:00:05Z".parse().unwrap();
        assert_eq!(
            file_name(t, 3, "integrate apply"),
            "20261128T120005Z-3-integrate-apply.log"
        );
    }

    #[cfg(unix)]
    #[test]
    fn created_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let log =
            TaskLog::create(&dir.path().join("tasks"), jiff::Timestamp::now(), 1, "x").unwrap();
        log.line("hello\nworld");
        let mode = std::fs::metadata(log.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(
            text.contains(" hello\n") && text.contains(" world\n"),
            "{text}"
        );
    }
}
