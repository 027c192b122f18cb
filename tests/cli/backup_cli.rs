//! `k8s-nas backup` and `restore` through the real binary, on a config directory of its own:
//! kill -9 in the middle of a backup leaves no visible partial archive and the older backups
//! intact, kill -9 in the middle of a restore leaves the old or the new config complete and the
//! rerun converges, and the off-machine copy goes into a local restic repository.

use crate::common::{k8s_nas_blocking, write_config};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A home of its own with Sonarr's config directory (`cfg`) and a backup root (`root`).
struct Env {
    dir: tempfile::TempDir,
    cfg: PathBuf,
    root: PathBuf,
}

impl Env {
    /// A fresh home whose Sonarr config, at `rel`, holds `marker` and `big` bytes of bulk.
    fn with_sonarr(rel: &str, marker: &str, big: usize) -> Env {
        let dir = tempfile::tempdir().unwrap();
        write_config(dir.path(), "");
        let (cfg, root) = (dir.path().join(rel), dir.path().join("backups"));
        sonarr_config(&cfg, marker, big);
        Env { dir, cfg, root }
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = k8s_nas_blocking(self.dir.path());
        c.args(args).env("KUBECONFIG", self.p("no-kubeconfig"));
        c
    }
    /// `backup run` of Sonarr's config into the root, with `extra` arguments.
    fn backup(&self, extra: &[&str]) -> Command {
        let mut c = self.cmd(&["backup", "run", "--service", "sonarr", "--path"]);
        c.arg(&self.cfg).arg("--root").arg(&self.root).args(extra);
        c
    }
    /// `args` and then `--root <root>`.
    fn with_root(&self, args: &[&str]) -> Command {
        let mut c = self.cmd(args);
        c.arg("--root").arg(&self.root);
        c
    }
}

/// Runs `c`, asserts success and returns its stdout.
fn ok(mut c: Command) -> String {
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{c:?}: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn sonarr_config(dir: &Path, marker: &str, big: usize) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("config.xml"),
        format!(
            "<Config><ApiKey>0123456789abcdef0123456789abcdef</ApiKey><!-- {marker} --></Config>"
        ),
    )
    .unwrap();
    // Incompressible bulk, so that the work takes long enough to be interrupted.
    let mut bulk = vec![0u8; big];
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for b in bulk.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/bulk.bin"), &bulk).unwrap();
    std::fs::write(dir.join("data/marker"), marker).unwrap();
}

fn archives(sdir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(sdir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tar.zst"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn kill_9_mid_backup_leaves_no_partial_archive_and_older_backups_intact() {
    let env = Env::with_sonarr("sonarr-config", "v1", 1 << 20);
    ok(env.backup(&[]));
    let sdir = env.root.join("sonarr");
    let first = archives(&sdir);
    assert_eq!(first.len(), 1);
    sonarr_config(&env.cfg, "v2", 96 << 20);
    std::thread::sleep(Duration::from_millis(1100));
    let mut child = env
        .backup(&[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it is writing (its work directory exists), then kill -9.
    let t0 = Instant::now();
    loop {
        let busy = std::fs::read_dir(&sdir).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        });
        if busy {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the backup never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_millis(30));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(archives(&sdir), first, "no visible partial archive");
    let list = ok(env.with_root(&["backup", "list", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v["backups"].as_array().unwrap().len(), 1);
    ok(env.with_root(&["backup", "verify", "--deep"]));
    // The rerun converges: retention keeps the newest of the day; the dead run's work
    // directory is gone.
    ok(env.backup(&[]));
    let now = archives(&sdir);
    assert_eq!(now.len(), 1);
    assert_ne!(now, first);
    let leftovers: Vec<_> = std::fs::read_dir(&sdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The config is exactly one of the two versions, complete.
fn old_or_new(dir: &Path) -> &'static str {
    let marker = std::fs::read_to_string(dir.join("data/marker")).expect("a complete config dir");
    let xml = std::fs::read_to_string(dir.join("config.xml")).unwrap();
    let bulk = std::fs::metadata(dir.join("data/bulk.bin")).unwrap().len();
    match marker.as_str() {
        "new" => {
            assert!(
                xml.contains("new") && bulk == 48 << 20,
                "new config incomplete"
            );
            "new"
        }
        "old" => {
            assert!(
                xml.contains("old") && bulk == 1 << 10,
                "old config incomplete"
            );
            "old"
        }
        m => panic!("unexpected marker {m}"),
    }
}

#[test]
fn kill_9_mid_restore_leaves_old_or_new_complete_and_the_rerun_converges() {
    let env = Env::with_sonarr("node/sonarr", "new", 48 << 20);
    let cfgdir = env.cfg.clone();
    ok(env.backup(&[]));
    let id = archives(&env.root.join("sonarr"))[0]
        .trim_end_matches(".tar.zst")
        .to_string();
    let restore = || {
        let mut c = env.cmd(&["restore", "sonarr", "--backup", &id, "--path"]);
        c.arg(&cfgdir).arg("--root").arg(&env.root);
        c.args(["--no-scale", "--yes"]);
        c
    };
    let mut seen = std::collections::BTreeSet::new();
    for delay_ms in [0u64, 150, 300, 500, 800, 1200] {
        std::fs::remove_dir_all(&cfgdir).unwrap();
        sonarr_config(&cfgdir, "old", 1 << 10);
        let mut child = restore()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        seen.insert(old_or_new(&cfgdir));
        // The rerun converges on the new config whatever the kill left.
        ok(restore());
        assert_eq!(old_or_new(&cfgdir), "new");
        let temps: Vec<_> = std::fs::read_dir(cfgdir.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("restore-tmp"))
            .collect();
        assert!(temps.is_empty(), "{temps:?}");
    }
    assert!(
        seen.contains("old"),
        "some kill landed before the swap: {seen:?}"
    );
}

#[test]
fn verified_backups_are_copied_into_a_local_restic_repository() {
    let env = Env::with_sonarr("sonarr-config", "v1", 1 << 12);
    let repo = env.p("restic-repo");
    let pw = env.p("restic-password");
    std::fs::write(&pw, "correct horse battery staple\n").unwrap();
    write_config(
        env.dir.path(),
        &format!(
            "[backup]\nrestic_repository = \"{}\"\nrestic_password_file = \"{}\"\n",
            repo.display(),
            pw.display()
        ),
    );
    let out = ok(env.backup(&[]));
    assert!(out.contains("restic: snapshot "), "{out}");
    assert!(
        !out.contains("correct horse"),
        "the password is never printed"
    );
    let out = ok(env.with_root(&["backup", "verify", "--restic"]));
    assert!(out.contains("restic check: ok"), "{out}");
    let snaps = Command::new("restic")
        .args(["snapshots", "--json", "--tag", "service=sonarr"])
        .env("RESTIC_REPOSITORY", &repo)
        .env("RESTIC_PASSWORD_FILE", &pw)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&snaps.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    // A wrong password is a clear failure, not a silent skip.
    std::fs::write(&pw, "wrong\n").unwrap();
    let out = env
        .with_root(&["backup", "verify", "--restic"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrong password"));
}

#[test]
fn dry_run_shows_what_retention_would_delete_and_writes_nothing() {
    let env = Env::with_sonarr("sonarr-config", "v1", 1 << 10);
    let sdir = env.root.join("sonarr");
    std::fs::create_dir_all(&sdir).unwrap();
    // Two backups of the same day: daily retention keeps only the newer one.
    for id in ["20260101T010000Z", "20260101T020000Z"] {
        std::fs::write(sdir.join(format!("{id}.tar.zst")), b"x").unwrap();
    }
    let out = ok(env.backup(&["--dry-run"]));
    assert!(
        out.contains("retention would delete 20260101T010000Z"),
        "{out}"
    );
    assert!(!out.contains("would delete 20260101T020000Z"), "{out}");
    assert_eq!(archives(&sdir).len(), 2, "nothing deleted, nothing written");
}
