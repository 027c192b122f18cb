//! Build script: link the console with packed relative relocations where the toolchain has
//! them. A position-independent Rust binary carries one 24-byte relocation per pointer in its
//! read-only data (about 0.7 MB here), which the loader reads at every start and which stays
//! resident; `-z pack-relative-relocs` (GNU ld >= 2.38, glibc >= 2.36) stores them as a bitmap
//! of a few KB, keeping PIE and ASLR.

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-env-changed=K8S_NAS_NO_RELR");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu && std::env::var_os("K8S_NAS_NO_RELR").is_none() && glibc_has_relr() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C library the binary links against supports DT_RELR (glibc 2.36 or newer,
/// which is what the option needs at run time).
fn glibc_has_relr() -> bool {
    let Ok(out) = std::process::Command::new("ldd").arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().last())
    else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
