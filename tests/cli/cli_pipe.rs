//! A headless command whose reader goes away (`k8s-nas info | head -0`) ends quietly with 141
//! instead of panicking.

use crate::common::k8s_nas_blocking;
use std::process::Stdio;

#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = k8s_nas_blocking(dir.path())
        .arg("info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before the first line is written
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(141), "{err}");
}

/// Issue 7: `info` flags a theme file that does not load or that cannot be read (contrast).
#[test]
fn info_flags_a_broken_or_unreadable_theme() {
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("config/themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(themes.join("broken.toml"), "[colors\n").unwrap();
    std::fs::write(
        themes.join("pale.toml"),
        "[theme]\nparent = \"light\"\n[colors]\nmuted = \"gray\"\n",
    )
    .unwrap();
    let info = |theme: &str| {
        let out = k8s_nas_blocking(dir.path())
            .args(["--theme", theme, "info"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = info("broken");
    assert!(
        out.contains("theme problem:") && out.contains("broken.toml"),
        "{out}"
    );
    let out = info("pale");
    assert!(
        out.contains("low contrast: muted on the background"),
        "{out}"
    );
    for builtin in ["default", "light", "high-contrast"] {
        let out = info(builtin);
        assert!(!out.contains("theme problem"), "{builtin}: {out}");
    }
}
