//! `backup verify`: the archive's checksum and every file's hash against the manifest;
//! `--deep` also restores into a scratch directory, runs `PRAGMA integrity_check` on each
//! database and parses the app's config file (API key present). The result is recorded beside
//! the backup as `<id>.verify.json`.

use super::archive::{sha256_of, write_atomic, HashReader};
use super::{BackupInfo, Manifest};
use crate::model::AppKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VerifyRecord {
    pub at: String,
    pub deep: bool,
    pub ok: bool,
    pub files_checked: usize,
    pub problems: Vec<String>,
}

/// Verify one backup and record the result beside it.
pub fn verify(info: &BackupInfo, deep: bool) -> VerifyRecord {
    let mut problems = Vec::new();
    let mut files_checked = 0;
    match check(info, deep, &mut problems, &mut files_checked) {
        Ok(()) => {}
        Err(e) => problems.push(e),
    }
    let rec = VerifyRecord {
        at: jiff::Timestamp::now().to_string(),
        deep,
        ok: problems.is_empty(),
        files_checked,
        problems,
    };
    if let Ok(json) = serde_json::to_vec_pretty(&rec) {
        // Best effort: a read-only root still gets its answer on stdout.
        let _ = write_atomic(&info.sidecar("verify.json"), &json);
    }
    rec
}

fn check(
    info: &BackupInfo,
    deep: bool,
    problems: &mut Vec<String>,
    files_checked: &mut usize,
) -> Result<(), String> {
    let manifest: Manifest = info.manifest().map_err(|e| e.to_string())?;
    // 1. The archive checksum, as `sha256sum -c` would see it.
    let sha_line = std::fs::read_to_string(info.sidecar("sha256"))
        .map_err(|e| format!("{}: {e}", info.sidecar("sha256").display()))?;
    let want = sha_line.split_whitespace().next().unwrap_or_default();
    let f = std::fs::File::open(&info.archive)
        .map_err(|e| format!("{}: {e}", info.archive.display()))?;
    let (got, _) = sha256_of(f).map_err(|e| format!("{}: {e}", info.archive.display()))?;
    if got != want || got != manifest.archive_sha256 {
        return Err(format!(
            "archive checksum mismatch: {} has sha256 {got}, the .sha256 file says {want}",
            info.archive.display()
        ));
    }
    // 2. Every file against the manifest.
    let want: BTreeMap<&str, &super::FileEntry> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let mut seen = BTreeMap::new();
    let f = std::fs::File::open(&info.archive).map_err(|e| e.to_string())?;
    let dec = zstd::Decoder::new(f).map_err(|e| e.to_string())?;
    let mut ar = tar::Archive::new(dec);
    for entry in ar
        .entries()
        .map_err(|e| format!("archive unreadable: {e}"))?
    {
        let mut entry = entry.map_err(|e| format!("archive unreadable: {e}"))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let len = entry.size();
        let mut r = HashReader::new(&mut entry, len);
        std::io::copy(&mut r, &mut std::io::sink())
            .map_err(|e| format!("archive unreadable at {path}: {e}"))?;
        seen.insert(path, r.digest());
    }
    for (p, e) in &want {
        match seen.get(*p) {
            None => problems.push(format!("{p}: in the manifest, missing from the archive")),
            Some(h) if h != &e.sha256 => problems.push(format!("{p}: SHA-256 differs")),
            Some(_) => *files_checked += 1,
        }
    }
    for p in seen.keys() {
        if !want.contains_key(p.as_str()) {
            problems.push(format!("{p}: in the archive, not in the manifest"));
        }
    }
    if deep && problems.is_empty() {
        deep_check(info, &manifest, problems)?;
    }
    Ok(())
}

fn deep_check(info: &BackupInfo, m: &Manifest, problems: &mut Vec<String>) -> Result<(), String> {
    let parent = info.archive.parent().unwrap_or(Path::new("."));
    let scratch = parent.join(format!(".verify-{}-{}", info.id, std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let res = (|| {
        unpack(&info.archive, &scratch)?;
        for f in m.files.iter().filter(|f| f.sqlite) {
            match integrity(&scratch.join(&f.path)) {
                Ok(s) if s == "ok" => {}
                Ok(s) => problems.push(format!("{}: integrity_check: {s}", f.path)),
                Err(e) => problems.push(format!("{}: {e}", f.path)),
            }
        }
        if let Some(kind) = m.app.as_deref().and_then(AppKind::from_id) {
            if let Some(kf) = crate::keys::parse::key_file(kind) {
                let p = scratch.join(kf.rel_path);
                match std::fs::read_to_string(&p) {
                    Err(e) => problems.push(format!("{}: {e}", kf.rel_path)),
                    Ok(t) => {
                        if let Err(e) = crate::keys::parse::parse_key(kind, &t) {
                            problems.push(format!("{}: {e}", kf.rel_path));
                        }
                    }
                }
            }
        }
        Ok::<(), String>(())
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    res
}

/// Extract `archive` into the existing directory `dir` (permissions and, as root, owners).
pub(crate) fn unpack(archive: &Path, dir: &Path) -> Result<(), String> {
    let f = std::fs::File::open(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    let dec = zstd::Decoder::new(f).map_err(|e| e.to_string())?;
    let mut ar = tar::Archive::new(dec);
    ar.set_preserve_permissions(true);
    ar.set_preserve_mtime(true);
    // SAFETY of the call: geteuid has no preconditions.
    ar.set_preserve_ownerships(unsafe { libc::geteuid() } == 0);
    ar.set_overwrite(true);
    ar.unpack(dir)
        .map_err(|e| format!("extracting {}: {e}", archive.display()))
}

pub(crate) fn integrity(db: &Path) -> Result<String, String> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| e.to_string())?;
    let rows: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| e.to_string())?;
    Ok(rows.join("; "))
}
