//! `k8s-nas demo` in the console binary: the simulated NAS is linked into `k8s-nas-demo` only
//! (issue 6: the console's code is nearly all resident at idle, so simulator code in it would
//! be memory), so `demo` runs that binary, installed beside this one. Nothing here may reach
//! `crate::sim` (`tests/cli/binaries.rs` checks the console binary's symbols).

/// The file name of the binary that links the simulated NAS.
pub const DEMO_BINARY: &str = "k8s-nas-demo";

/// `k8s-nas demo …` becomes `k8s-nas-demo demo …` (same arguments, same process id, so a
/// supervisor that signals the pid reaches the simulator).
pub fn exec() -> anyhow::Result<u8> {
    let me = std::env::current_exe()?;
    let demo = me.with_file_name(format!("{DEMO_BINARY}{}", std::env::consts::EXE_SUFFIX));
    if !demo.is_file() {
        build_demo_binary_under_cargo(&demo)?;
    }
    if !demo.is_file() {
        anyhow::bail!(
            "demo: the simulated NAS is the {DEMO_BINARY} binary, not found beside {} \
             (`cargo run --release -- demo` builds and runs it; `cargo install` installs both)",
            me.display()
        );
    }
    let mut cmd = std::process::Command::new(&demo);
    cmd.args(std::env::args_os().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(anyhow::Error::new(err).context(format!("demo: cannot run {}", demo.display())))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status()?;
        Ok(status.code().map_or(2, |c| c.clamp(0, 255) as u8))
    }
}

/// Under `cargo run` (cargo sets `CARGO` and `CARGO_MANIFEST_DIR` for the program it runs),
/// `demo` builds the demo binary into the same target directory and profile first, so
/// `cargo run --release -- demo` works from a fresh clone. Outside cargo: nothing.
fn build_demo_binary_under_cargo(demo: &std::path::Path) -> anyhow::Result<()> {
    let (Some(cargo), Some(manifest_dir)) = (
        std::env::var_os("CARGO"),
        std::env::var_os("CARGO_MANIFEST_DIR"),
    ) else {
        return Ok(());
    };
    let manifest = std::path::Path::new(&manifest_dir).join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(());
    }
    // target/<dir>/k8s-nas: "debug" is the dev profile, any other directory its own profile.
    let profile = demo
        .parent()
        .and_then(|d| d.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let mut cmd = std::process::Command::new(&cargo);
    cmd.args(["build", "--bin", DEMO_BINARY, "--manifest-path"])
        .arg(&manifest);
    // What `cargo run` added to this program's environment, taken out again: build scripts
    // track some of it (ring: CARGO_PKG_NAME), and a changed value rebuilds them and everything
    // above them, here and again at the user's next `cargo build`.
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "OUT_DIR",
                "RUST_RECURSION_COUNT",
            ]
            .contains(&k.as_ref())
        {
            cmd.env_remove(&key);
        }
    }
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        // cargo run puts the target directory and the toolchain's libraries in front.
        let target = demo.parent().and_then(|d| d.parent());
        let kept: Vec<_> = std::env::split_paths(&paths)
            .filter(|p| {
                !target.is_some_and(|t| p.starts_with(t))
                    && !p.components().any(|c| c.as_os_str() == "toolchains")
            })
            .collect();
        match kept.is_empty() {
            true => cmd.env_remove("LD_LIBRARY_PATH"),
            false => cmd.env("LD_LIBRARY_PATH", std::env::join_paths(kept)?),
        };
    }
    if profile != "debug" {
        cmd.args(["--profile", profile]);
    }
    eprintln!(
        "k8s-nas: building the simulated NAS once ({DEMO_BINARY}, profile {profile}): cargo build --bin {DEMO_BINARY}"
    );
    let status = cmd
        .status()
        .map_err(|e| anyhow::anyhow!("demo: cannot run cargo to build {DEMO_BINARY}: {e}"))?;
    if !status.success() {
        anyhow::bail!("demo: `cargo build --bin {DEMO_BINARY}` failed ({status})");
    }
    Ok(())
}
