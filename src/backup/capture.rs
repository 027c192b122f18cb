//! `backup run`: walk the config directory, snapshot each SQLite database with the online
//! backup API, stream everything into `<id>.tar.zst` while hashing, then publish the manifest,
//! the `.sha256` and finally the archive by rename.

use super::archive::{fsync_dir, write_atomic, HashReader, HashWriter};
use super::{fingerprint, id_for, parse_id, BackupError, FileEntry, Filter, Manifest};
use crate::model::AppKind;
use std::io::{BufReader, BufWriter};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What to back up: a service and its config directory (node path, `node_root` applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Directory name under the root (`sonarr`).
    pub service: String,
    pub kind: Option<AppKind>,
    pub dir: PathBuf,
    pub version: Option<String>,
}

#[derive(Default)]
pub struct BackupOptions<'a> {
    pub filter: Filter,
    /// zstd level (default 3, like `zstd -3`).
    pub level: Option<i32>,
    /// When a database cannot be opened (corrupted), store its raw files instead of failing
    /// (the safety backup before a restore must capture a damaged config as it is).
    pub raw_fallback: bool,
    /// Bytes done / total, for progress bars.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
    pub cancel: Option<&'a AtomicBool>,
    /// Fail like a full disk after this many archive bytes (tests).
    pub fail_after_bytes: Option<u64>,
}

enum Kind {
    Dir,
    File,
    Db,
    Symlink(PathBuf),
}

struct Item {
    rel: String,
    abs: PathBuf,
    kind: Kind,
    meta: std::fs::Metadata,
}

/// Back up `target` into `<root>/<service>/`. Returns the manifest of the new backup.
pub fn run_backup(
    target: &Target,
    root: &Path,
    opts: &BackupOptions<'_>,
) -> Result<Manifest, BackupError> {
    let meta = std::fs::metadata(&target.dir).map_err(|e| BackupError::io(&target.dir, e))?;
    if !meta.is_dir() {
        return Err(BackupError::Other(format!(
            "{} is not a directory",
            target.dir.display()
        )));
    }
    // Read everything we need before writing anything: a permission error leaves no trace.
    let mut items = Vec::new();
    walk(&target.dir, "", &opts.filter, &mut items)?;
    let total: u64 = items.iter().map(|i| i.meta.len()).sum();

    let sdir = super::service_dir(root, &target.service);
    std::fs::create_dir_all(&sdir).map_err(|e| out_err(root, &sdir, e))?;
    super::cleanup_stale(&sdir);
    let mut now = jiff::Timestamp::now();
    let mut id = id_for(now);
    while sdir.join(format!("{id}.tar.zst")).exists() {
        now = now
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap_or(now);
        id = id_for(now);
    }
    debug_assert!(parse_id(&id).is_some());
    let staging = sdir.join(format!(".tmp-{id}-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(|e| out_err(root, &staging, e))?;
    let res = build(target, root, opts, &items, total, &sdir, &staging, &id, now);
    let _ = std::fs::remove_dir_all(&staging);
    res
}

#[allow(clippy::too_many_arguments)]
fn build(
    target: &Target,
    root: &Path,
    opts: &BackupOptions<'_>,
    items: &[Item],
    total: u64,
    sdir: &Path,
    staging: &Path,
    id: &str,
    now: jiff::Timestamp,
) -> Result<Manifest, BackupError> {
    let tmp_archive = staging.join("archive.tar.zst");
    let file = std::fs::File::create(&tmp_archive).map_err(|e| out_err(root, &tmp_archive, e))?;
    let hw = HashWriter::new(
        BufWriter::with_capacity(1 << 20, file),
        opts.fail_after_bytes,
    );
    let mut enc =
        zstd::Encoder::new(hw, opts.level.unwrap_or(3)).map_err(|e| out_err(root, sdir, e))?;
    // Compression in zstd's worker threads: this thread reads, hashes and writes tar meanwhile.
    enc.multithread(zstd_workers())
        .map_err(|e| out_err(root, sdir, e))?;
    // Large writes into zstd (tar writes in 512-byte headers and 8 KiB chunks).
    let mut tar = tar::Builder::new(BufWriter::with_capacity(1 << 20, enc));
    tar.follow_symlinks(false);
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut done = 0u64;
    // The databases are snapshotted on a second thread while the other files stream into the
    // archive, and appended last, each as soon as its snapshot is ready.
    let dbs: Vec<usize> = (0..items.len())
        .filter(|n| matches!(items[*n].kind, Kind::Db))
        .collect();
    let order: Vec<usize> = (0..items.len())
        .filter(|n| !matches!(items[*n].kind, Kind::Db))
        .chain(dbs.iter().copied())
        .collect();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop, dbs) = (&stop, &dbs);
        s.spawn(move || {
            for &n in dbs {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let r = snapshot_db(&items[n].abs, &staging.join(format!("db-{n}")));
                if tx.send(r).is_err() {
                    break;
                }
            }
        });
        let res = (|| {
            for n in order {
                let it = &items[n];
                if opts.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return Err(BackupError::Cancelled);
                }
                let mut h = tar::Header::new_gnu();
                h.set_metadata(&it.meta);
                match &it.kind {
                    Kind::Dir => {
                        h.set_size(0);
                        tar.append_data(&mut h, &it.rel, std::io::empty())
                            .map_err(|e| out_err(root, sdir, e))?;
                    }
                    Kind::Symlink(to) => {
                        h.set_size(0);
                        tar.append_link(&mut h, &it.rel, to)
                            .map_err(|e| out_err(root, sdir, e))?;
                    }
                    Kind::File | Kind::Db => {
                        let (src, sqlite) = match &it.kind {
                            Kind::Db => {
                                let snap = staging.join(format!("db-{n}"));
                                let snapshot = rx
                                    .recv()
                                    .unwrap_or_else(|_| Err("the snapshot thread ended".into()));
                                match snapshot {
                                    Ok(()) => (snap, true),
                                    Err(e) if opts.raw_fallback => {
                                        notes.push(format!("{}: copied raw ({e})", it.rel));
                                        (it.abs.clone(), false)
                                    }
                                    Err(e) => {
                                        return Err(BackupError::Other(format!(
                                            "{}: SQLite backup failed: {e}",
                                            it.abs.display()
                                        )))
                                    }
                                }
                            }
                            _ => (it.abs.clone(), false),
                        };
                        let f = std::fs::File::open(&src).map_err(|e| BackupError::io(&src, e))?;
                        let len = f.metadata().map_err(|e| BackupError::io(&src, e))?.len();
                        h.set_size(len);
                        let mut r = HashReader::new(BufReader::with_capacity(256 * 1024, f), len);
                        tar.append_data(&mut h, &it.rel, &mut r).map_err(|e| {
                            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                                BackupError::Other(format!("{}: {e}", it.abs.display()))
                            } else {
                                out_err(root, sdir, e)
                            }
                        })?;
                        files.push(FileEntry {
                            path: it.rel.clone(),
                            size: len,
                            mode: format!("{:04o}", it.meta.permissions().mode() & 0o7777),
                            sha256: r.digest(),
                            sqlite,
                        });
                        done += it.meta.len();
                        if let Some(p) = opts.progress {
                            p(done, total);
                        }
                    }
                }
            }
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        res
    })?;
    let buffered = tar.into_inner().map_err(|e| out_err(root, sdir, e))?;
    let enc = buffered
        .into_inner()
        .map_err(|e| out_err(root, sdir, e.into_error()))?;
    let hw = enc.finish().map_err(|e| out_err(root, sdir, e))?;
    let (bufw, archive_sha, archive_size) = hw.finish();
    let file = bufw
        .into_inner()
        .map_err(|e| out_err(root, sdir, e.into_error()))?;
    file.sync_all().map_err(|e| out_err(root, sdir, e))?;
    drop(file);

    let key_fingerprint = target.kind.and_then(|k| {
        let kf = crate::keys::parse::key_file(k)?;
        let text = std::fs::read_to_string(target.dir.join(kf.rel_path)).ok()?;
        crate::keys::parse::parse_key(k, &text)
            .ok()
            .map(|s| fingerprint(s.expose()))
    });
    let manifest = Manifest {
        schema: super::MANIFEST_SCHEMA.into(),
        service: target.service.clone(),
        app: target.kind.map(|k| k.id().to_string()),
        app_version: target.version.clone(),
        created_at: now.to_string(),
        source: target.dir.display().to_string(),
        key_fingerprint,
        files,
        archive: format!("{id}.tar.zst"),
        archive_size,
        archive_sha256: archive_sha.clone(),
        notes,
    };
    let json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Other(e.to_string()))?;
    let man_path = sdir.join(format!("{id}.manifest.json"));
    write_atomic(&man_path, &json).map_err(|e| out_err(root, &man_path, e))?;
    let sha_path = sdir.join(format!("{id}.sha256"));
    let line = format!("{archive_sha}  {id}.tar.zst\n");
    write_atomic(&sha_path, line.as_bytes()).map_err(|e| out_err(root, &sha_path, e))?;
    // The archive last: it is what makes the backup visible.
    let final_path = sdir.join(format!("{id}.tar.zst"));
    std::fs::rename(&tmp_archive, &final_path).map_err(|e| out_err(root, &final_path, e))?;
    fsync_dir(sdir).map_err(|e| out_err(root, sdir, e))?;
    Ok(manifest)
}

/// zstd worker threads: one per core, at most 4 (level 3 is fast; more only adds memory).
fn zstd_workers() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32)
}

/// A write error on the backup side: a full disk gets its own message.
fn out_err(root: &Path, path: &Path, e: std::io::Error) -> BackupError {
    if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(libc::ENOSPC) {
        return BackupError::DiskFull {
            root: root.display().to_string(),
            why: e.to_string(),
        };
    }
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        return BackupError::Other(format!(
            "cannot write {}: permission denied (the backup root must be writable by this user)",
            path.display()
        ));
    }
    BackupError::Other(format!("{}: {e}", path.display()))
}

fn is_db(name: &str) -> bool {
    name.ends_with(".db") || name.ends_with(".sqlite") || name.ends_with(".sqlite3")
}

fn is_db_sidecar(name: &str) -> bool {
    ["-wal", "-shm", "-journal"]
        .iter()
        .any(|s| name.strip_suffix(s).is_some_and(is_db))
}

fn walk(dir: &Path, rel: &str, filter: &Filter, out: &mut Vec<Item>) -> Result<(), BackupError> {
    let rd = std::fs::read_dir(dir).map_err(|e| BackupError::io(dir, e))?;
    let mut entries: Vec<_> = rd
        .collect::<Result<_, _>>()
        .map_err(|e| BackupError::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if filter.excluded(&r) || is_db_sidecar(&name) {
            continue;
        }
        let abs = e.path();
        let meta = std::fs::symlink_metadata(&abs).map_err(|e| BackupError::io(&abs, e))?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            let to = std::fs::read_link(&abs).map_err(|e| BackupError::io(&abs, e))?;
            out.push(Item {
                rel: r,
                abs,
                kind: Kind::Symlink(to),
                meta,
            });
        } else if ft.is_dir() {
            out.push(Item {
                rel: r.clone(),
                abs: abs.clone(),
                kind: Kind::Dir,
                meta,
            });
            walk(&abs, &r, filter, out)?;
        } else if ft.is_file() {
            // Open now: a file we may not read stops the run before anything is written.
            std::fs::File::open(&abs).map_err(|e| BackupError::io(&abs, e))?;
            let kind = if is_db(&name) { Kind::Db } else { Kind::File };
            out.push(Item {
                rel: r,
                abs,
                kind,
                meta,
            });
        }
        // Sockets, fifos, devices: not config.
    }
    Ok(())
}

/// A consistent copy of a live database: one backup step over all pages runs inside one read
/// transaction, so the copy is the database as of one commit (WAL readers do not block the
/// app's writers). The copy is switched to rollback-journal mode so it is one self-contained file.
pub(crate) fn snapshot_db(src: &Path, dst: &Path) -> Result<(), String> {
    snapshot_inner(src, dst).map_err(|e| e.to_string())
}

fn snapshot_inner(src: &Path, dst: &Path) -> Result<(), rusqlite::Error> {
    use rusqlite::{Connection, OpenFlags};
    let s = Connection::open_with_flags(
        src,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    s.busy_timeout(Duration::from_secs(30))?;
    let mut d = Connection::open(dst)?;
    // The copy is a scratch file read once into the archive (which is fsynced): no fsyncs
    // of 100 MB that is deleted a moment later.
    d.pragma_update(None, "synchronous", "OFF")?;
    {
        let b = rusqlite::backup::Backup::new(&s, &mut d)?;
        // -1: every page in one step, i.e. inside one read transaction. Busy/Locked: retry.
        let mut tries = 0;
        loop {
            match b.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                _ if tries < 1500 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                r => {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some(format!("database stayed busy ({r:?})")),
                    ))
                }
            }
        }
    }
    let _: String = d.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
    d.close().map_err(|(_, e)| e)?;
    Ok(())
}
