//! The `k8s-nas` binary from the outside, one binary: `check` against the simulated NAS,
//! `demo --serve` with the real `kubectl`, `--readonly` refusals, a closed pipe, and the shipped
//! manifests. One module per former test file.

mod common;

mod assets;
mod backup_assets;
mod backup_cli;
mod backup_sim;
mod binaries;
mod certs_sim;
mod check_sim;
mod cli_pipe;
mod demo_serve_kubectl;
mod engine_demo;
mod findings_sim;
mod hostile_cli;
mod keys_file;
mod monitoring;
mod ops_sim;
mod readonly_cli;
mod secrets_by_evidence;
mod truth_cli;
mod vpn_cli;
