//! `k8s-nas backup` and `restore` through the real binary, on a config directory of its own:
//! kill -9 in the middle of a backup leaves no visible partial archive and the older backups
//! intact, kill -9 in the middle of a restore leaves the old or the new config complete and the
//! rerun converges, and the off-machine copy goes into a local restic repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new(config_toml: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/config.toml"), config_toml).unwrap();
        Env { dir }
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_k8s-nas"));
        c.args(args)
            .env("K8S_NAS_CONFIG_DIR", self.p("config"))
            .env("K8S_NAS_DATA_DIR", self.p("data"))
            .env("XDG_STATE_HOME", self.p("state"))
            .env("KUBECONFIG", self.p("no-kubeconfig"));
        c
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }
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
    let env = Env::new("");
    let cfgdir = env.p("sonarr-config");
    sonarr_config(&cfgdir, "v1", 1 << 20);
    let root = env.p("backups");
    let (cfg, rootp) = (cfgdir.to_str().unwrap(), root.to_str().unwrap());
    env.ok(&[
        "backup",
        "run",
        "--service",
        "sonarr",
        "--path",
        cfg,
        "--root",
        rootp,
    ]);
    let sdir = root.join("sonarr");
    let first = archives(&sdir);
    assert_eq!(first.len(), 1);
    sonarr_config(&cfgdir, "v2", 96 << 20);
    std::thread::sleep(Duration::from_millis(1100));
    let mut child = env
        .cmd(&[
            "backup",
            "run",
            "--service",
            "sonarr",
            "--path",
            cfg,
            "--root",
            rootp,
        ])
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
    let list = env.ok(&["backup", "list", "--root", rootp, "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v["backups"].as_array().unwrap().len(), 1);
    env.ok(&["backup", "verify", "--root", rootp, "--deep"]);
    // The rerun converges: retention keeps the newest of the day; the dead run's work
    // directory is gone.
    env.ok(&[
        "backup",
        "run",
        "--service",
        "sonarr",
        "--path",
        cfg,
        "--root",
        rootp,
    ]);
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
    let env = Env::new("");
    let cfgdir = env.p("node/sonarr");
    sonarr_config(&cfgdir, "new", 48 << 20);
    let root = env.p("backups");
    let (cfg, rootp) = (cfgdir.to_str().unwrap(), root.to_str().unwrap());
    env.ok(&[
        "backup",
        "run",
        "--service",
        "sonarr",
        "--path",
        cfg,
        "--root",
        rootp,
    ]);
    let id = archives(&root.join("sonarr"))[0]
        .trim_end_matches(".tar.zst")
        .to_string();
    let restore = [
        "restore",
        "sonarr",
        "--backup",
        &id,
        "--path",
        cfg,
        "--root",
        rootp,
        "--no-scale",
        "--yes",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for delay_ms in [0u64, 150, 300, 500, 800, 1200] {
        std::fs::remove_dir_all(&cfgdir).unwrap();
        sonarr_config(&cfgdir, "old", 1 << 10);
        let mut child = env
            .cmd(&restore)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        seen.insert(old_or_new(&cfgdir));
        // The rerun converges on the new config whatever the kill left.
        env.ok(&restore);
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
    let env = Env::new("");
    let repo = env.p("restic-repo");
    let pw = env.p("restic-password");
    std::fs::write(&pw, "correct horse battery staple\n").unwrap();
    std::fs::write(
        env.p("config/config.toml"),
        format!(
            "[backup]\nrestic_repository = \"{}\"\nrestic_password_file = \"{}\"\n",
            repo.display(),
            pw.display()
        ),
    )
    .unwrap();
    let cfgdir = env.p("sonarr-config");
    sonarr_config(&cfgdir, "v1", 1 << 12);
    let (cfg, rootp) = (cfgdir.to_str().unwrap(), env.p("b"));
    let out = env.ok(&[
        "backup",
        "run",
        "--service",
        "sonarr",
        "--path",
        cfg,
        "--root",
        rootp.to_str().unwrap(),
    ]);
    assert!(out.contains("restic: snapshot "), "{out}");
    assert!(
        !out.contains("correct horse"),
        "the password is never printed"
    );
    let out = env.ok(&[
        "backup",
        "verify",
        "--restic",
        "--root",
        rootp.to_str().unwrap(),
    ]);
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
        .cmd(&[
            "backup",
            "verify",
            "--restic",
            "--root",
            rootp.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrong password"));
}
