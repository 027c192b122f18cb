//! A headless command whose reader goes away (`k8s-nas info | head -0`) ends quietly with 141
//! instead of panicking.

use std::process::{Command, Stdio};

#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_k8s-nas"))
        .arg("info")
        .env("K8S_NAS_CONFIG_DIR", dir.path().join("config"))
        .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
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
