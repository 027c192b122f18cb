//! `k8s-nas-demo`: the console with the simulated NAS linked in (`cargo run --release -- demo`).
//! The console binary `k8s-nas` carries no simulator code; its `demo` runs this binary.

fn main() -> std::process::ExitCode {
    k8s_nas::cli::main_with(Some(k8s_nas::commands::demo::entry))
}
