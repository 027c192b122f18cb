//! Backups of the apps' config directories and their restore (issue 11).
//!
//! Layout under the backup root, chosen so that no k8s-nas is needed to restore:
//! `<root>/<service>/<UTC-id>.tar.zst` (a plain tar, zstd-compressed; `tar --zstd -xf`),
//! `<id>.sha256` (`sha256sum -c` compatible), `<id>.manifest.json` (per-file path, size, mode,
//! SHA-256; app; a fingerprint of the API key, never the key) and, once verified,
//! `<id>.verify.json`. Work in progress lives in dot-named directories (`.tmp-…`) that the
//! listing ignores, and every file is written to a temp name, fsynced and renamed into place:
//! a killed run leaves no visible partial archive.
//!
//! SQLite databases are captured with SQLite's online backup API while the app runs (never by
//! copying the live `-wal`/`-shm` files).

mod archive;
mod capture;
mod filter;
pub mod flow;
pub mod restic;
mod restore;
mod retention;
pub mod schedule;
pub mod scope;
mod store;
mod verify;

#[cfg(test)]
mod tests;

pub use capture::{run_backup, BackupOptions, Target};
pub use filter::{Filter, DEFAULT_EXCLUDES};
pub use restore::{restore_dir, RestoreOutcome};
pub use retention::{apply_retention, plan_retention, Policy};
pub use scope::{config_dir, config_dirs, filter, policy, service_name};
pub use store::{cleanup_stale, list, service_dir, BackupInfo};
pub use verify::{verify, VerifyRecord};

use serde::{Deserialize, Serialize};

/// A new backup, found under the root and verified.
#[derive(Debug, Clone)]
pub struct NewBackup {
    pub manifest: Manifest,
    pub info: BackupInfo,
    pub verification: VerifyRecord,
}

/// Back up `target` into `root`, then verify the new archive (its checksum and every file's
/// hash; the result is recorded beside it): what `backup run`, the console's "back up now" and
/// the demo's nightly backup do. `verifying` is called between the two (a task's next step).
pub fn run_and_verify(
    target: &Target,
    root: &std::path::Path,
    opts: &BackupOptions<'_>,
    verifying: &dyn Fn(),
) -> Result<NewBackup, BackupError> {
    let manifest = run_backup(target, root, opts)?;
    verifying();
    let info = list(root, Some(&target.service))
        .map_err(|e| BackupError::Other(format!("{}: {e}", root.display())))?
        .into_iter()
        .find(|b| manifest.archive == format!("{}.tar.zst", b.id))
        .ok_or_else(|| {
            BackupError::Other(format!(
                "the new backup {} is not listed under {}",
                manifest.archive,
                root.display()
            ))
        })?;
    let verification = verify(&info, false);
    let mut info = info;
    info.verification = Some(verification.clone());
    Ok(NewBackup {
        manifest,
        info,
        verification,
    })
}

/// Schema tag of the manifest.
pub const MANIFEST_SCHEMA: &str = "k8s-nas/backup-manifest/v1";

/// The manifest written beside each archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub schema: String,
    pub service: String,
    /// App kind id (`sonarr`), when known.
    pub app: Option<String>,
    /// App version (image tag), when known.
    pub app_version: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The directory backed up (as seen by the machine that ran the backup).
    pub source: String,
    /// `sha256:<first 16 hex digits>` of the API key in the app's config file; never the key.
    pub key_fingerprint: Option<String>,
    pub files: Vec<FileEntry>,
    pub archive: String,
    pub archive_size: u64,
    pub archive_sha256: String,
    /// What the capture had to work around (a database copied raw because it was unreadable).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// Unix permission bits, octal string (`0644`).
    pub mode: String,
    pub sha256: String,
    /// Captured with the SQLite online backup API.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sqlite: bool,
}

/// Errors the user can act on, with the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "cannot read {path}: permission denied. The config directory belongs to the app's user \
         (linuxserver images run as PUID 1000; hostPath directories are often root-only): run the \
         command as that user (`sudo -u '#1000' k8s-nas …`) or with sudo; the daily CronJob runs \
         in-cluster as the right user. Nothing was written."
    )]
    Permission { path: String },
    #[error(
        "the disk holding {root} is full ({why}): the partial archive was removed and nothing \
         was deleted (older backups are intact); free space or choose another --root"
    )]
    DiskFull { root: String, why: String },
    #[error("{path} does not exist (is the node path right? set `backup.node_root` when the node's filesystem is mounted elsewhere)")]
    NoSource { path: String },
    #[error("backup cancelled; nothing visible was written")]
    Cancelled,
    #[error("{0}")]
    Other(String),
}

impl BackupError {
    pub(crate) fn io(path: &std::path::Path, e: std::io::Error) -> BackupError {
        match e.kind() {
            std::io::ErrorKind::PermissionDenied => BackupError::Permission {
                path: path.display().to_string(),
            },
            std::io::ErrorKind::NotFound => BackupError::NoSource {
                path: path.display().to_string(),
            },
            _ => BackupError::Other(format!("{}: {e}", path.display())),
        }
    }
}

/// Lower-case hex of a SHA-256 digest.
pub fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<16 hex>` of a secret value: enough to tell two keys apart, useless to use one.
pub fn fingerprint(secret: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, secret.as_bytes());
    format!("sha256:{}", &hex(d.as_ref())[..16])
}

/// A backup id: the UTC time of the run, `20261205T214012Z`.
pub fn id_for(t: jiff::Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The time of a backup id.
pub fn parse_id(id: &str) -> Option<jiff::Timestamp> {
    let dt = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", id).ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}
