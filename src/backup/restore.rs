//! Restoring a config directory from a backup: extract into a sibling temp directory, fsync,
//! then swap it with the live directory in one atomic `renameat2(RENAME_EXCHANGE)`; the old
//! directory is kept as `<dir>.pre-restore-<ts>`. A kill at any point leaves `<dir>` either
//! the old or the new config, complete; a rerun removes the leftovers and converges.

use super::archive::{fsync_dir, sync_tree};
use super::BackupInfo;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOutcome {
    /// Where the replaced directory now is (none when there was no directory).
    pub previous: Option<PathBuf>,
    pub files: usize,
}

/// Replace `dir` with the contents of `backup`. The caller has verified the checksum and
/// stopped the app.
pub fn restore_dir(backup: &BackupInfo, dir: &Path) -> anyhow::Result<RestoreOutcome> {
    let parent = dir
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{} has no parent directory", dir.display()))?;
    let name = dir
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} has no name", dir.display()))?
        .to_string_lossy()
        .into_owned();
    let prefix = format!(".{name}.restore-tmp-");
    let ready_prefix = format!(".{name}.restore-ready-");
    // Leftovers of a killed run, never the live directory: a partial extraction is removed; a
    // complete one (`restore-ready`: the new config not yet swapped in, or the old one swapped
    // out) is kept as a `pre-restore` directory.
    if let Ok(rd) = std::fs::read_dir(parent) {
        for e in rd.filter_map(Result::ok) {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            } else if let Some(ts) = n.strip_prefix(&ready_prefix) {
                let _ = std::fs::rename(
                    e.path(),
                    parent.join(format!("{name}.pre-restore-{ts}-recovered")),
                );
            }
        }
    }
    let ts = super::id_for(jiff::Timestamp::now());
    let extracting = parent.join(format!("{prefix}{ts}"));
    let tmp = parent.join(format!("{ready_prefix}{ts}"));
    std::fs::create_dir(&extracting)
        .map_err(|e| anyhow::anyhow!("{}: {e}", extracting.display()))?;
    let swapped = std::cell::Cell::new(false);
    let res = (|| -> anyhow::Result<RestoreOutcome> {
        super::verify::unpack(&backup.archive, &extracting).map_err(anyhow::Error::msg)?;
        sync_tree(&extracting)?;
        std::fs::rename(&extracting, &tmp)?;
        // The new directory gets the old one's owner and mode (PUID 1000, 0755 …).
        if let Ok(m) = std::fs::metadata(dir) {
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(m.mode() & 0o7777))?;
            if unsafe { libc::geteuid() } == 0 {
                std::os::unix::fs::chown(&tmp, Some(m.uid()), Some(m.gid()))?;
            }
        }
        fsync_dir(&tmp)?;
        fsync_dir(parent)?;
        let files = backup.manifest().map(|m| m.files.len()).unwrap_or(0);
        if !dir.exists() {
            std::fs::rename(&tmp, dir)?;
            fsync_dir(parent)?;
            return Ok(RestoreOutcome {
                previous: None,
                files,
            });
        }
        exchange(&tmp, dir)?;
        swapped.set(true);
        fsync_dir(parent)?;
        let mut previous = parent.join(format!("{name}.pre-restore-{ts}"));
        let mut n = 1;
        while previous.exists() {
            n += 1;
            previous = parent.join(format!("{name}.pre-restore-{ts}-{n}"));
        }
        std::fs::rename(&tmp, &previous)?;
        fsync_dir(parent)?;
        Ok(RestoreOutcome {
            previous: Some(previous),
            files,
        })
    })();
    if res.is_err() {
        let _ = std::fs::remove_dir_all(&extracting);
        if !swapped.get() {
            // Not swapped: tmp holds the unused new config.
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
    res
}

/// Atomically swap two paths (Linux `renameat2(RENAME_EXCHANGE)`).
fn exchange(a: &Path, b: &Path) -> anyhow::Result<()> {
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; renameat2 has no other preconditions.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        anyhow::bail!(
            "cannot swap {} and {}: {e} (the filesystem must support renameat2 RENAME_EXCHANGE)",
            a.display(),
            b.display()
        );
    }
    Ok(())
}
