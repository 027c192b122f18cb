//! The off-machine copy: after a verified local backup, the archive and its sidecars go into a
//! restic repository (any restic backend: local path, SFTP, S3, rest-server) with the real
//! `restic` program. Repository and password come from the config (`backup.restic_repository`,
//! `backup.restic_password_file`), a Secret (`backup.restic_secret`, keys `RESTIC_REPOSITORY`
//! and `RESTIC_PASSWORD`) or restic's own environment; the password reaches restic only through
//! its environment and is never printed.

use super::BackupInfo;
use crate::config::Config;
use crate::model::Secret;
use tokio::process::Command;

pub struct Settings {
    pub repository: String,
    password: Password,
}

enum Password {
    File(std::path::PathBuf),
    Value(Secret),
    /// restic's own environment (`RESTIC_PASSWORD[_FILE|_COMMAND]`).
    Inherited,
}

/// The configured repository, `None` when no restic copy is wanted.
pub async fn settings(cfg: &Config) -> Option<anyhow::Result<Settings>> {
    let b = &cfg.backup;
    if let Some(sref) = &b.restic_secret {
        let (ns, name) = Config::split_ref(sref);
        let r = async {
            let conn =
                crate::cluster::connect(cfg.kubeconfig.as_deref(), cfg.context.as_deref()).await?;
            let keys = crate::engine::live::read_secret(&conn, &ns, &name)
                .await?
                .ok_or_else(|| anyhow::anyhow!("Secret {sref} does not exist"))?;
            let repo = keys
                .get("RESTIC_REPOSITORY")
                .map(|s| s.expose().to_string())
                .or_else(|| b.restic_repository.clone())
                .ok_or_else(|| anyhow::anyhow!("Secret {sref} has no RESTIC_REPOSITORY"))?;
            let pw = keys
                .get("RESTIC_PASSWORD")
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("Secret {sref} has no RESTIC_PASSWORD"))?;
            Ok(Settings {
                repository: repo,
                password: Password::Value(pw),
            })
        }
        .await;
        return Some(r);
    }
    let repo = b
        .restic_repository
        .clone()
        .or_else(|| std::env::var("RESTIC_REPOSITORY").ok())?;
    let password = match &b.restic_password_file {
        Some(f) => Password::File(f.clone()),
        None => Password::Inherited,
    };
    Some(Ok(Settings {
        repository: repo,
        password,
    }))
}

impl Settings {
    pub fn new_with_password_file(repository: String, file: std::path::PathBuf) -> Self {
        Settings {
            repository,
            password: Password::File(file),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("restic");
        c.env("RESTIC_REPOSITORY", &self.repository)
            .env_remove("RESTIC_REPOSITORY_FILE")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        match &self.password {
            Password::File(f) => {
                c.env("RESTIC_PASSWORD_FILE", f)
                    .env_remove("RESTIC_PASSWORD");
            }
            Password::Value(s) => {
                c.env("RESTIC_PASSWORD", s.expose())
                    .env_remove("RESTIC_PASSWORD_FILE");
            }
            Password::Inherited => {}
        }
        c
    }

    async fn run(
        &self,
        args: &[&str],
        cwd: Option<&std::path::Path>,
    ) -> anyhow::Result<(i32, String, String)> {
        let mut c = self.cmd();
        c.args(args);
        if let Some(d) = cwd {
            c.current_dir(d);
        }
        let out = c.output().await.map_err(|e| {
            anyhow::anyhow!("cannot run restic ({e}); install it (Debian: apt install restic)")
        })?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }

    /// Create the repository when it does not exist yet (restic exit 10: no repository).
    pub async fn ensure_repo(&self) -> anyhow::Result<()> {
        let (code, _, err) = self.run(&["cat", "config"], None).await?;
        // restic ≥ 0.17 exits 10 for "no repository"; older ones exit 1 and say so.
        let missing = code == 10
            || (code == 1
                && (err.contains("unable to open config file")
                    || err.contains("Is there a repository")));
        match code {
            0 => Ok(()),
            _ if missing => {
                let (c, _, e) = self.run(&["init"], None).await?;
                if c == 0 {
                    Ok(())
                } else {
                    anyhow::bail!("restic init failed: {}", last_line(&e))
                }
            }
            _ if code == 12 || err.contains("wrong password") => {
                anyhow::bail!("restic: wrong password for the repository")
            }
            _ => anyhow::bail!(
                "restic cat config failed (exit {code}): {}",
                last_line(&err)
            ),
        }
    }

    /// Copy one backup (archive + sidecars); the snapshot id.
    pub async fn copy(&self, b: &BackupInfo) -> anyhow::Result<String> {
        self.ensure_repo().await?;
        let dir = b
            .archive
            .parent()
            .ok_or_else(|| anyhow::anyhow!("archive has no directory"))?;
        let names = [
            format!("{}.tar.zst", b.id),
            format!("{}.sha256", b.id),
            format!("{}.manifest.json", b.id),
        ];
        let tag = format!("service={}", b.service);
        let mut args = vec![
            "backup", "--json", "--tag", "k8s-nas", "--tag", &tag, "--host", "k8s-nas",
        ];
        args.extend(names.iter().map(String::as_str));
        let (code, out, err) = self.run(&args, Some(dir)).await?;
        if code != 0 {
            anyhow::bail!("restic backup failed (exit {code}): {}", last_line(&err));
        }
        out.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["message_type"] == "summary")
            .and_then(|v| v["snapshot_id"].as_str().map(str::to_string))
            .ok_or_else(|| anyhow::anyhow!("restic backup gave no summary"))
    }

    /// `restic check`; exit codes per restic-check(1).
    pub async fn check(&self) -> anyhow::Result<String> {
        let (code, out, err) = self.run(&["check"], None).await?;
        match code {
            0 => Ok(last_line(&out)),
            10 => anyhow::bail!("restic repository does not exist"),
            11 => anyhow::bail!("restic repository is locked"),
            _ if code == 12 || err.contains("wrong password") => {
                anyhow::bail!("restic: wrong password")
            }
            _ => anyhow::bail!("restic check failed (exit {code}): {}", last_line(&err)),
        }
    }
}

fn last_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

/// After a verified local backup: copy it when a repository is configured. `None` when none is.
pub async fn copy_if_configured(cfg: &Config, b: &BackupInfo) -> Option<String> {
    let s = match settings(cfg).await? {
        Ok(s) => s,
        Err(e) => return Some(format!("FAILED: {e:#}")),
    };
    Some(match s.copy(b).await {
        Ok(id) => format!("snapshot {id} in {}", redact(&s.repository)),
        Err(e) => format!("FAILED: {e:#}"),
    })
}

/// `restic check` on the configured repository.
pub async fn check(cfg: &Config) -> anyhow::Result<String> {
    let s = settings(cfg).await.ok_or_else(|| {
        anyhow::anyhow!("no restic repository configured (backup.restic_repository)")
    })??;
    s.check().await
}

/// A repository URL without credentials (`s3:https://key:secret@host/…`, `rest:https://u:p@…`).
pub fn redact(repo: &str) -> String {
    match (repo.find("://"), repo.rfind('@')) {
        (Some(i), Some(j)) if j > i => format!("{}://***@{}", &repo[..i], &repo[j + 1..]),
        _ => repo.to_string(),
    }
}
