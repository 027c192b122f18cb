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
        // not under `cargo run`: no build is tried
        .env_remove("CARGO")
        .env_remove("CARGO_MANIFEST_DIR")
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

/// Under `cargo run` (CARGO and CARGO_MANIFEST_DIR set), a missing demo binary is built with
/// that cargo for the same profile, without the variables `cargo run` added, then run with the
/// same arguments. A stand-in cargo records its arguments and environment and "builds" a
/// stand-in demo binary that prints what it was given.
#[test]
fn demo_under_cargo_run_builds_the_demo_binary_then_runs_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let release = dir.path().join("target").join("release");
    std::fs::create_dir_all(&release).unwrap();
    let lone = release.join("k8s-nas");
    std::fs::copy(CONSOLE, &lone).unwrap();
    let manifest_dir = dir.path().join("checkout");
    std::fs::create_dir_all(&manifest_dir).unwrap();
    std::fs::write(manifest_dir.join("Cargo.toml"), "[package]\n").unwrap();
    let log = dir.path().join("cargo.log");
    let cargo = dir.path().join("cargo");
    let demo = release.join("k8s-nas-demo");
    let script = format!(
        "#!/bin/sh\necho \"args: $*\" > {log}\necho \"pkg: ${{CARGO_PKG_NAME:-unset}} ld: ${{LD_LIBRARY_PATH:-unset}}\" >> {log}\n\
         printf '#!/bin/sh\\necho \"demo ran: $*\"\\n' > {demo}\nchmod +x {demo}\n",
        log = log.display(),
        demo = demo.display()
    );
    std::fs::write(&cargo, script).unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(&lone)
        .args(["demo", "--scenario", "degraded", "--serve"])
        .env("CARGO", &cargo)
        .env("CARGO_MANIFEST_DIR", &manifest_dir)
        .env("CARGO_PKG_NAME", "k8s-nas")
        .env(
            "LD_LIBRARY_PATH",
            format!("{}:/opt/keep", release.join("deps").display()),
        )
        .env("K8S_NAS_CONFIG_DIR", dir.path().join("config"))
        .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let recorded = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(out.status.success(), "{stdout}{stderr}{recorded}");
    assert!(
        recorded.contains(&format!(
            "args: build --bin k8s-nas-demo --manifest-path {} --profile release",
            manifest_dir.join("Cargo.toml").display()
        )),
        "{recorded}"
    );
    assert!(recorded.contains("pkg: unset ld: /opt/keep"), "{recorded}");
    assert!(
        stderr.contains("building the simulated NAS once"),
        "{stderr}"
    );
    assert_eq!(stdout.trim(), "demo ran: demo --scenario degraded --serve");
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
