//! Two binaries (issue 6, idle memory): `k8s-nas`, the console an admin runs, links none of the
//! simulated NAS; `k8s-nas-demo` links it, and `k8s-nas demo` hands over to it.

use std::path::Path;
use std::process::Command;

const CONSOLE: &str = env!("CARGO_BIN_EXE_k8s-nas");
const DEMO: &str = env!("CARGO_BIN_EXE_k8s-nas-demo");

/// Whether the binary's symbol table names a function of the `k8s_nas::sim` module (legacy
/// mangling `_ZN7k8s_nas3sim…`, v0 `…7k8s_nas3sim…`): the test binaries keep their symbols.
fn links_the_simulator(bin: &str) -> bool {
    let bytes = std::fs::read(bin).expect("read the binary");
    let needle = b"7k8s_nas3sim";
    bytes.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_console_binary_carries_no_simulator_code_and_the_demo_binary_does() {
    assert!(
        links_the_simulator(DEMO),
        "the demo binary should link k8s_nas::sim (else this test proves nothing)"
    );
    assert!(
        !links_the_simulator(CONSOLE),
        "the console binary links k8s_nas::sim: something outside `commands::demo::entry` \
         reaches the simulator"
    );
}

#[test]
fn demo_without_the_demo_binary_beside_it_says_where_the_simulator_is() {
    let dir = tempfile::tempdir().unwrap();
    let lone = dir.path().join("k8s-nas");
    std::fs::copy(CONSOLE, &lone).unwrap();
    let out = Command::new(&lone)
        .args(["demo", "--serve"])
        .env("K8S_NAS_CONFIG_DIR", dir.path().join("config"))
        .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("k8s-nas-demo binary, not found beside")
            && err.contains(&dir.path().display().to_string()),
        "{err}"
    );
    // Nothing of a demo run was started or written.
    assert!(!Path::new(&dir.path().join("data").join("demo")).exists());
}

#[test]
fn both_binaries_answer_as_k8s_nas() {
    for bin in [CONSOLE, DEMO] {
        let out = Command::new(bin).arg("--version").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("k8s-nas "), "{bin}: {text}");
    }
}
