//! `--readonly` refuses every headless command that would change something, before it touches
//! the cluster or an app.

use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_k8s-nas"))
        .args(args)
        .env("K8S_NAS_CONFIG_DIR", dir.path().join("config"))
        .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        // no cluster anywhere: a command that tried to connect would fail differently
        .env("KUBECONFIG", dir.path().join("none.yaml"))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn readonly_refuses_mutating_commands() {
    let (code, err) = run(&["--readonly", "keys", "--sync", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("read-only"), "{err}");
    let (code, err) = run(&["--readonly", "integrate", "apply", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("read-only"), "{err}");
    // a read-only command is allowed and fails only for lack of a cluster
    let (code, err) = run(&["--readonly", "integrate", "plan"]);
    assert_eq!(code, Some(2));
    assert!(!err.contains("read-only"), "{err}");
}
