use super::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn sonarr_tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::create_dir_all(dir.join("MediaCover/1")).unwrap();
    std::fs::write(
        dir.join("config.xml"),
        "<Config>\n  <ApiKey>0123456789abcdef0123456789abcdef</ApiKey>\n  <UrlBase>/sonarr</UrlBase>\n</Config>\n",
    )
    .unwrap();
    std::fs::write(dir.join("logs/sonarr.txt"), "log line\n").unwrap();
    std::fs::write(dir.join("MediaCover/1/poster.jpg"), vec![7u8; 4096]).unwrap();
    let c = rusqlite::Connection::open(dir.join("sonarr.db")).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.execute_batch(
        "CREATE TABLE Series (Id INTEGER PRIMARY KEY, Title TEXT NOT NULL, Path TEXT);
         INSERT INTO Series (Title, Path) VALUES ('Severance', '/tv/Severance');",
    )
    .unwrap();
}

fn target(dir: &Path) -> Target {
    Target {
        service: "sonarr".into(),
        kind: Some(crate::model::AppKind::Sonarr),
        dir: dir.to_path_buf(),
        version: Some("4.0.14".into()),
    }
}

fn one(root: &Path) -> BackupInfo {
    let v = list(root, Some("sonarr")).unwrap();
    v.last().cloned().expect("a backup")
}

#[test]
fn backup_is_restorable_with_tar_and_sha256sum_alone() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("config");
    sonarr_tree(&src);
    let root = t.path().join("backups");
    let m = run_backup(&target(&src), &root, &BackupOptions::default()).unwrap();
    let names: Vec<_> = m.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        names,
        ["config.xml", "sonarr.db"],
        "logs and MediaCover left out"
    );
    assert!(m.files[1].sqlite);
    let fp = m.key_fingerprint.as_deref().unwrap();
    assert!(fp.starts_with("sha256:") && !fp.contains("0123456789abcdef0123"));
    let b = one(&root);
    let sdir = root.join("sonarr");
    let ok = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg(format!("{}.sha256", b.id))
        .current_dir(&sdir)
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let out = t.path().join("plain");
    std::fs::create_dir(&out).unwrap();
    let st = std::process::Command::new("tar")
        .args(["--zstd", "-xf"])
        .arg(&b.archive)
        .arg("-C")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let c = rusqlite::Connection::open(out.join("sonarr.db")).unwrap();
    let title: String = c
        .query_row("SELECT Title FROM Series", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "Severance");
    assert!(!out.join("sonarr.db-wal").exists());
    let rec = verify(&b, true);
    assert!(rec.ok, "{rec:?}");
    assert_eq!(rec.files_checked, 2);
    assert!(
        one(&root).verified_ok(),
        "the result is recorded beside the backup"
    );
}

#[test]
fn sqlite_under_concurrent_writes_stays_consistent() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("config");
    sonarr_tree(&src);
    let db = src.join("sonarr.db");
    let stop = Arc::new(AtomicBool::new(false));
    let committed = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let writer = {
        let (stop, committed, db) = (stop.clone(), committed.clone(), db.clone());
        std::thread::spawn(move || {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let mut i = 0i64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let tx = c.unchecked_transaction().unwrap();
                tx.execute(
                    "INSERT INTO Series (Title, Path) VALUES (?1, ?2)",
                    (format!("show {i}"), "x".repeat(2000)),
                )
                .unwrap();
                tx.commit().unwrap();
                committed.store(i, Ordering::SeqCst);
            }
        })
    };
    while committed.load(Ordering::SeqCst) < 200 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let root = t.path().join("backups");
    let before = committed.load(Ordering::SeqCst);
    run_backup(&target(&src), &root, &BackupOptions::default()).unwrap();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let b = one(&root);
    let rec = verify(&b, true);
    assert!(rec.ok, "{rec:?}");
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    verify::unpack(&b.archive, &out).unwrap();
    assert_eq!(verify::integrity(&out.join("sonarr.db")).unwrap(), "ok");
    let c = rusqlite::Connection::open(out.join("sonarr.db")).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM Series WHERE Title LIKE 'show %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        n >= before,
        "rows committed before the backup ({before}) are in it ({n})"
    );
}

#[test]
fn a_flipped_byte_is_caught_by_verify() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("config");
    sonarr_tree(&src);
    let root = t.path().join("backups");
    run_backup(&target(&src), &root, &BackupOptions::default()).unwrap();
    let b = one(&root);
    let mut bytes = std::fs::read(&b.archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&b.archive, bytes).unwrap();
    let rec = verify(&b, false);
    assert!(!rec.ok);
    assert!(rec.problems[0].contains("checksum mismatch"), "{rec:?}");
    assert!(!one(&root).verified_ok());
}

#[test]
fn a_full_disk_gives_a_clear_error_and_deletes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("config");
    sonarr_tree(&src);
    let root = t.path().join("backups");
    run_backup(&target(&src), &root, &BackupOptions::default()).unwrap();
    let before = list(&root, None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let opts = BackupOptions {
        fail_after_bytes: Some(100),
        ..Default::default()
    };
    let e = run_backup(&target(&src), &root, &opts).unwrap_err();
    assert!(matches!(e, BackupError::DiskFull { .. }), "{e}");
    assert!(e.to_string().contains("nothing was deleted"), "{e}");
    let after = list(&root, None).unwrap();
    assert_eq!(after.len(), before.len());
    assert_eq!(after[0].id, before[0].id);
    let left: Vec<_> = std::fs::read_dir(root.join("sonarr"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(&before[0].id))
        .collect();
    assert!(left.is_empty(), "no partial files: {left:?}");
}

#[test]
fn stale_work_of_a_killed_run_is_invisible_and_cleaned() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("config");
    sonarr_tree(&src);
    let root = t.path().join("backups");
    let sdir = root.join("sonarr");
    // What a run killed mid-write leaves: a work dir of a dead pid, an orphan sidecar.
    let dead = sdir.join(".tmp-20260101T000000Z-999999999");
    std::fs::create_dir_all(&dead).unwrap();
    std::fs::write(dead.join("archive.tar.zst"), b"partial").unwrap();
    std::fs::write(sdir.join("20260101T000000Z.sha256"), b"x").unwrap();
    assert!(list(&root, None).unwrap().is_empty());
    run_backup(&target(&src), &root, &BackupOptions::default()).unwrap();
    assert!(!dead.exists());
    assert!(!sdir.join("20260101T000000Z.sha256").exists());
    assert_eq!(list(&root, None).unwrap().len(), 1);
}

#[test]
fn a_missing_source_names_the_path() {
    let t = tempfile::tempdir().unwrap();
    let e = run_backup(
        &target(&t.path().join("nope")),
        t.path(),
        &BackupOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("nope") && e.to_string().contains("node_root"));
}

fn fake(id: &str, verified: bool) -> BackupInfo {
    BackupInfo {
        service: "sonarr".into(),
        id: id.into(),
        created: parse_id(id).unwrap(),
        archive: PathBuf::from(format!("/nonexistent/{id}.tar.zst")),
        size: 1,
        files: 1,
        verification: verified.then(|| VerifyRecord {
            at: String::new(),
            deep: false,
            ok: true,
            files_checked: 1,
            problems: vec![],
        }),
        manifest_ok: true,
    }
}

#[test]
fn retention_keeps_7_daily_4_weekly_6_monthly_and_the_newest_verified() {
    // One backup a day for a year, two on the newest day.
    let start = parse_id("20250101T030000Z").unwrap();
    let mut all: Vec<BackupInfo> = (0..365)
        .map(|d| {
            let t = start
                .checked_add(jiff::SignedDuration::from_hours(24 * d))
                .unwrap();
            fake(&id_for(t), false)
        })
        .collect();
    all.push(fake("20251231T120000Z", false));
    let gone = plan_retention(&all, Policy::default());
    let kept: Vec<_> = all
        .iter()
        .filter(|b| !gone.iter().any(|g| g.id == b.id))
        .map(|b| b.id.as_str())
        .collect();
    // 7 daily (Dec 25–31, the newest of Dec 31), weekly Sundays beyond them, month ends.
    assert!(kept.contains(&"20251231T120000Z"));
    assert!(!kept.contains(&"20251231T030000Z"));
    assert!(kept.contains(&"20251225T030000Z"));
    assert!(!kept.contains(&"20251224T030000Z") || kept.contains(&"20251221T030000Z"));
    assert!(
        kept.contains(&"20250731T030000Z"),
        "6th month end: {kept:?}"
    );
    assert!(!kept.contains(&"20250630T030000Z"), "{kept:?}");
    assert!(kept.len() <= 7 + 4 + 6, "{}", kept.len());
    // The newest verified backup survives even when old.
    all[10] = fake(&all[10].id.clone(), true);
    let gone = plan_retention(&all, Policy::default());
    assert!(!gone.iter().any(|g| g.id == all[10].id));
}

#[test]
fn filters_match_names_and_paths() {
    let f = Filter::with(&["data/metadata".into()], &["logs/keep.txt".into()]);
    assert!(f.excluded("logs/sonarr.txt"));
    assert!(f.excluded("Logs"));
    assert!(f.excluded("MediaCover/1/poster.jpg"));
    assert!(f.excluded("sonarr.log.1"));
    assert!(f.excluded("data/metadata/x"));
    assert!(!f.excluded("config.xml"));
    assert!(!f.excluded("logs/keep.txt"));
    assert!(filter::glob("*.db", "sonarr.DB"));
}

#[test]
fn restore_swaps_and_keeps_the_old_directory() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("config");
    sonarr_tree(&src);
    let root = t.path().join("backups");
    run_backup(&target(&src), &root, &BackupOptions::default()).unwrap();
    std::fs::write(src.join("config.xml"), "garbage").unwrap();
    // A temp dir of a killed restore is cleaned up, never taken for the config.
    std::fs::create_dir(t.path().join(".config.restore-tmp-20260101T000000Z")).unwrap();
    let out = restore_dir(&one(&root), &src).unwrap();
    let prev = out.previous.unwrap();
    assert_eq!(
        std::fs::read_to_string(prev.join("config.xml")).unwrap(),
        "garbage"
    );
    assert!(std::fs::read_to_string(src.join("config.xml"))
        .unwrap()
        .contains("<ApiKey>"));
    assert_eq!(verify::integrity(&src.join("sonarr.db")).unwrap(), "ok");
    let names: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("restore-tmp")),
        "{names:?}"
    );
}
