//! Backup benchmark (issue 11): on a generated realistic tree (SQLite databases in WAL mode,
//! thousands of small files; `BACKUP_BENCH_MB`, default 300), prints backup throughput as a
//! ratio to `tar -cf - DIR | zstd -3` on the same tree (goal ≥ 0.8), verify throughput, and the
//! time of a restore (extract + swap) of one service. `cargo bench --bench backup`.

use k8s_nas::backup::{self, BackupOptions, Target};
use std::path::Path;
use std::time::Instant;

fn fill(buf: &mut [u8], seed: &mut u64, compressible: bool) {
    for (i, b) in buf.iter_mut().enumerate() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *b = if compressible && i % 4 != 0 {
            b"abcdefgh"[(*seed % 8) as usize]
        } else {
            *seed as u8
        };
    }
}

fn generate(dir: &Path, mb: usize) {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("config.xml"),
        "<Config><ApiKey>0123456789abcdef0123456789abcdef</ApiKey></Config>\n",
    )
    .unwrap();
    // Half the bytes in a WAL-mode database with rows of mixed text.
    make_db(dir, mb / 2, &mut seed);
    // The rest in thousands of small files (metadata, NFOs, images).
    let small = 16 * 1024;
    let n = (mb / 2) * 1024 * 1024 / small;
    let mut buf = vec![0u8; small];
    for i in 0..n {
        let d = dir.join(format!("metadata/{:03}", i % 200));
        std::fs::create_dir_all(&d).unwrap();
        fill(&mut buf, &mut seed, i % 3 != 0);
        std::fs::write(d.join(format!("item-{i}.nfo")), &buf).unwrap();
    }
}

/// A WAL-mode database of about `mb` MB: rows of mixed text, like a Servarr history table.
fn make_db(dir: &Path, mb: usize, seed: &mut u64) {
    let c = rusqlite::Connection::open(dir.join("app.db")).unwrap();
    let _: String = c
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    c.execute_batch("CREATE TABLE History (Id INTEGER PRIMARY KEY, Title TEXT, Data BLOB);")
        .unwrap();
    let mut buf = vec![0u8; 2048];
    let rows = mb * 1024 * 1024 / 2200;
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..rows {
        fill(&mut buf, seed, true);
        tx.execute(
            "INSERT INTO History (Title, Data) VALUES (?1, ?2)",
            (format!("Show.S01E{i:04}.1080p"), &buf),
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn main() {
    let mb: usize = std::env::var("BACKUP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // BACKUP_BENCH_DIR: generate the tree there once and keep it (repeated runs, profiling).
    let keep = std::env::var_os("BACKUP_BENCH_DIR").map(std::path::PathBuf::from);
    let t = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("k8s-nas-backup-bench-{}", std::process::id()))
    });
    let src = t.join("node/config/sonarr");
    if !src.exists() {
        generate(&src, mb);
    }
    let _ = std::fs::remove_dir_all(t.join("backups"));
    let bytes: u64 = walk_size(&src);
    println!("tree: {} MB in {}", bytes / (1 << 20), src.display());

    let (c0, t0) = (cpu(libc::RUSAGE_CHILDREN), Instant::now());
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "tar -cf - -C '{}' . | zstd -3 -q -f -o '{}'",
            src.display(),
            t.join("ref.tar.zst").display()
        ))
        .status()
        .unwrap();
    assert!(st.success());
    let reference = t0.elapsed().as_secs_f64();
    let reference_cpu = cpu(libc::RUSAGE_CHILDREN) - c0;

    let root = t.join("backups");
    let target = Target {
        service: "sonarr".into(),
        kind: None,
        dir: src.clone(),
        version: None,
    };
    let (c0, t0) = (cpu(libc::RUSAGE_SELF), Instant::now());
    let m = backup::run_backup(&target, &root, &BackupOptions::default()).unwrap();
    let ours = t0.elapsed().as_secs_f64();
    let ours_cpu = cpu(libc::RUSAGE_SELF) - c0;
    let info = backup::list(&root, Some("sonarr")).unwrap().pop().unwrap();
    let t0 = Instant::now();
    let rec = backup::verify(&info, false);
    let verify = t0.elapsed().as_secs_f64();
    assert!(rec.ok, "{rec:?}");
    let t0 = Instant::now();
    // Into a sibling (the generated tree stays as it is for the next run with BACKUP_BENCH_DIR).
    let out = backup::restore_dir(&info, &t.join("node/config/restored")).unwrap();
    let restore = t0.elapsed().as_secs_f64();
    if let Some(prev) = out.previous {
        let _ = std::fs::remove_dir_all(prev);
    }

    let mbs = |s: f64| bytes as f64 / (1 << 20) as f64 / s;
    println!(
        "tar | zstd -3: {reference:.2} s ({:.0} MB/s); k8s-nas backup: {ours:.2} s ({:.0} MB/s, archive {} MB); ratio {:.2} (goal >= 0.8)",
        mbs(reference),
        mbs(ours),
        m.archive_size / (1 << 20),
        reference / ours
    );
    println!(
        "CPU time (user + system): tar | zstd -3 {reference_cpu:.2} s, k8s-nas backup {ours_cpu:.2} s"
    );
    println!("verify: {verify:.2} s ({:.0} MB/s)", mbs(verify));
    println!("restore (extract, fsync, swap) of one service: {restore:.2} s (goal <= 10 s)");
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&t);
    }
}

/// User + system CPU seconds of this process or of its waited-for children.
fn cpu(who: i32) -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(u.ru_utime) + s(u.ru_stime)
}

fn walk_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk_size(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}
