//! The simulated Kubernetes API server over the real wire, one binary: kube-rs watchers and
//! exec, the real `kubectl`, key reading by `pods/exec` on the simulated NAS, and the engine
//! (task runtime, one connection, sources, pod proxy) against it. One module per
//! former test file.
//!
//! `keys_podexec_sim` sets `K8S_NAS_CONFIG_DIR`/`K8S_NAS_DATA_DIR` for its process: it lives in
//! this binary because no other test here reads them or starts `k8s-nas`.

mod alerts_sim;
mod backups_engine;
mod certs_renew;
mod client_h2;
mod config_corrupted;
mod engine_pod_proxy;
mod engine_sim;
mod engine_stall;
mod engine_tasks;
mod gitops_sim;
mod jellyfin_admin;
mod jobs_run_sim;
mod keys_podexec_sim;
mod kinds_kubectl;
mod kinds_wire;
mod kube_sim_exec;
mod kube_sim_watch;
mod kubectl_common;
mod kubectl_sim;
mod nodes_view;
mod secrets_referenced;
mod shell_tty;
mod trouble_actions;
mod trouble_logs;
mod vpn_engine;
mod vpn_wire;
