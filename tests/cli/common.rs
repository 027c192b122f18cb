//! What the binary tests share: the binary with a test's own config, data and state directories
//! (the developer's own config and logs stay out of every run), a simulated NAS with a
//! kubeconfig for it, the config lines that reach its Ingress hosts, and JSON output parsed with
//! the run's output in the panic message.

use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// `k8s-nas` with `home`'s `config`, `data` and `state` directories, for a blocking test.
pub fn k8s_nas_blocking(home: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_k8s-nas"));
    c.env("K8S_NAS_CONFIG_DIR", home.join("config"))
        .env("K8S_NAS_DATA_DIR", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"));
    c
}

/// `k8s-nas` with `home`'s `config`, `data` and `state` directories.
pub fn k8s_nas(home: &Path) -> tokio::process::Command {
    k8s_nas_blocking(home).into()
}

/// `nas`'s kubeconfig, written to `dir/kubeconfig.yaml`.
pub fn kubeconfig(nas: &SimNas, dir: &Path) -> PathBuf {
    let kc = dir.join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    kc
}

/// `home/config/config.toml` with `text`.
pub fn write_config(home: &Path, text: &str) {
    std::fs::create_dir_all(home.join("config")).unwrap();
    std::fs::write(home.join("config/config.toml"), text).unwrap();
}

/// `k8s-nas --kubeconfig <kubeconfig> <args>` in a fresh temporary home.
pub async fn run(kubeconfig: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    k8s_nas(home.path())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .await
        .unwrap()
}

/// The simulated NAS for `s`, and its kubeconfig (`kubeconfig.yaml`) in a temporary directory.
pub async fn start(s: Scenario) -> (SimNas, tempfile::TempDir, PathBuf) {
    let nas = SimNas::start(s, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(&nas, dir.path());
    (nas, dir, kc)
}

/// Config lines that reach the simulated Ingress hosts at the simulator's ingress listeners and
/// trust its CA (written to `dir/ca.pem`), as `demo` sets.
pub fn ingress_config(nas: &SimNas, dir: &Path) -> String {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, nas.tls_ca_pem().expect("the world's ca.crt")).unwrap();
    format!(
        "ingress_address = \"{}\"\ningress_http_address = \"{}\"\ntls_ca_file = \"{}\"\n",
        nas.ingress.addr,
        nas.ingress.http_addr,
        ca.display()
    )
}

/// The `findings` array of a JSON report.
pub fn findings(v: &Value) -> impl Iterator<Item = &Value> {
    v["findings"].as_array().expect("a findings array").iter()
}

/// `(a, b)` string fields of every finding (each must be there).
pub fn finding_pairs(v: &Value, a: &str, b: &str) -> Vec<(String, String)> {
    let s = |f: &Value, k: &str| f[k].as_str().unwrap().to_string();
    findings(v).map(|f| (s(f, a), s(f, b))).collect()
}

/// Stdout as JSON; a panic shows stdout and stderr.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
