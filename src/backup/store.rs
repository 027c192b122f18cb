//! The backup root on disk: listing, stale work clean-up, deletion.

use super::{parse_id, Manifest, VerifyRecord};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub fn service_dir(root: &Path, service: &str) -> PathBuf {
    root.join(service)
}

/// One backup as found under the root.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub service: String,
    pub id: String,
    #[serde(serialize_with = "ser_ts")]
    pub created: jiff::Timestamp,
    pub archive: PathBuf,
    pub size: u64,
    pub files: usize,
    /// The last verification recorded beside the backup.
    pub verification: Option<VerifyRecord>,
    /// The manifest is missing or unreadable.
    pub manifest_ok: bool,
}

fn ser_ts<S: serde::Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_string())
}

impl BackupInfo {
    pub fn sidecar(&self, ext: &str) -> PathBuf {
        self.archive.with_file_name(format!("{}.{ext}", self.id))
    }

    pub fn manifest(&self) -> anyhow::Result<Manifest> {
        let p = self.sidecar("manifest.json");
        let text =
            std::fs::read(&p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
        serde_json::from_slice(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    }

    pub fn verified_ok(&self) -> bool {
        self.verification.as_ref().is_some_and(|v| v.ok)
    }
}

/// Every backup under `root` (one service or all), oldest first per service.
pub fn list(root: &Path, service: Option<&str>) -> std::io::Result<Vec<BackupInfo>> {
    let services: Vec<String> = match service {
        Some(s) => vec![s.to_string()],
        None => match std::fs::read_dir(root) {
            Ok(rd) => {
                let mut v: Vec<String> = rd
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect();
                v.sort();
                v
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
            Err(e) => return Err(e),
        },
    };
    let mut out = Vec::new();
    for svc in services {
        let dir = service_dir(root, &svc);
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut v = Vec::new();
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".tar.zst") else {
                continue;
            };
            let Some(created) = parse_id(id) else {
                continue;
            };
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            let mut info = BackupInfo {
                service: svc.clone(),
                id: id.to_string(),
                created,
                archive: e.path(),
                size,
                files: 0,
                verification: None,
                manifest_ok: false,
            };
            if let Ok(m) = info.manifest() {
                info.files = m.files.len();
                info.manifest_ok = true;
            }
            info.verification = std::fs::read(info.sidecar("verify.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            v.push(info);
        }
        v.sort_by(|a, b| a.id.cmp(&b.id));
        out.extend(v);
    }
    Ok(out)
}

/// Remove what killed runs left in a service directory: `.tmp-*` work directories of
/// processes that are gone, and sidecars whose archive never appeared.
pub fn cleanup_stale(sdir: &Path) {
    let names = || -> Vec<String> {
        std::fs::read_dir(sdir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    for n in names() {
        let p = sdir.join(&n);
        if let Some(rest) = n
            .strip_prefix(".tmp-")
            .or_else(|| n.strip_prefix(".verify-"))
        {
            let pid = rest.rsplit('-').next().and_then(|s| s.parse::<u32>().ok());
            if pid.is_some_and(|pid| !alive(pid)) {
                let _ = std::fs::remove_dir_all(&p);
            }
        }
    }
    let names = names();
    for n in &names {
        let p = sdir.join(n);
        if n.ends_with(".tmp-write") {
            let _ = std::fs::remove_file(&p);
        } else if let Some(id) = n
            .strip_suffix(".manifest.json")
            .or_else(|| n.strip_suffix(".sha256"))
        {
            let working = format!(".tmp-{id}-");
            if !names
                .iter()
                .any(|m| m == &format!("{id}.tar.zst") || m.starts_with(&working))
            {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Delete a backup: the archive first (it is what makes it visible), then its sidecars.
pub fn delete(info: &BackupInfo) -> std::io::Result<()> {
    std::fs::remove_file(&info.archive)?;
    for ext in ["sha256", "manifest.json", "verify.json"] {
        let _ = std::fs::remove_file(info.sidecar(ext));
    }
    Ok(())
}
