//! `--readonly` refuses every headless command that would change something, before it touches
//! the cluster or an app.

use crate::common::k8s_nas_blocking;

fn run(args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = k8s_nas_blocking(dir.path())
        .args(args)
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
