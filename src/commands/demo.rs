//! `k8s-nas demo`: the simulated NAS on loopback, with the console on top (or alone, `--serve`).
//! The console reaches the simulator through a kubeconfig, exactly as it reaches a real cluster.

use crate::config::{Config, Paths};
use crate::sim::nas::SimNas;
use crate::sim::scenario::Scenario;
use std::net::SocketAddr;
use std::path::PathBuf;

pub async fn run(
    mut cfg: Config,
    paths: &Paths,
    scenario: &str,
    serve: bool,
    port: Option<u16>,
    kubeconfig_out: Option<PathBuf>,
) -> anyhow::Result<u8> {
    let scenario = Scenario::parse(scenario)?;
    let bind = port.map(|p| SocketAddr::from(([127, 0, 0, 1], p)));
    let nas = SimNas::start(scenario.clone(), bind).await?;
    let kc_path = kubeconfig_out.unwrap_or_else(|| paths.data_dir.join("demo-kubeconfig.yaml"));
    if let Some(dir) = kc_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    nas.kube.write_kubeconfig(&kc_path)?;
    if serve {
        crate::out!(
            "simulated NAS ({}) serving on http://{}",
            scenario.name(),
            nas.kube.addr()
        );
        crate::out!("kubeconfig: {}", kc_path.display());
        crate::out!(
            "try: kubectl --kubeconfig {} get pods -A",
            kc_path.display()
        );
        crate::out!("stop with Ctrl-C");
        wait_for_signal().await;
        return Ok(0);
    }
    cfg.kubeconfig = Some(kc_path);
    cfg.context = None;
    let code = crate::commands::console::run(cfg, paths).await;
    drop(nas);
    code
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
