//! `k8s-nas demo`: the simulated NAS on loopback, with the console on top (or alone, `--serve`).
//! The console reaches the simulator through a kubeconfig, exactly as it reaches a real cluster.

use crate::cli::{Cmd, DemoArgs};
use crate::config::{Config, Paths};
use crate::sim::nas::SimNas;
use crate::sim::scenario::Scenario;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The `demo` entry the `k8s-nas-demo` binary hands to [`crate::cli::main_with`].
pub fn entry<'a>(cfg: Config, paths: &'a Paths, args: DemoArgs) -> Cmd<'a> {
    Box::pin(run(
        cfg,
        paths,
        args.scenario,
        args.serve,
        args.port,
        args.kubeconfig_out,
    ))
}

pub async fn run(
    mut cfg: Config,
    paths: &Paths,
    scenario: String,
    serve: bool,
    port: Option<u16>,
    kubeconfig_out: Option<(PathBuf, bool)>,
) -> anyhow::Result<u8> {
    let scenario = Scenario::parse(&scenario)?;
    if let Some((p, false)) = &kubeconfig_out {
        // It could be ~/.kube/config (issue 13, point 10).
        if std::fs::symlink_metadata(p).is_ok() {
            anyhow::bail!(
                "{} exists: not overwriting it (pass --force to replace it)",
                p.display()
            );
        }
    }
    let bind = port.map(|p| SocketAddr::from(([127, 0, 0, 1], p)));
    let nas = SimNas::start(scenario.clone(), bind).await?;
    // Each run gets its own kubeconfig (two demos never overwrite each other's); the file holds
    // the simulator's token, so it is written 0600 and removed when the run ends, also when
    // `--kubeconfig-out` put it elsewhere (the server it names is gone then).
    let kc_path = match kubeconfig_out {
        Some((p, _)) => p,
        None => own_kubeconfig_path(&paths.data_dir, std::process::id()),
    };
    let _own = RemoveOnDrop(kc_path.clone());
    if let Some(dir) = kc_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    nas.kube.write_kubeconfig(&kc_path)?;
    // The node's filesystem and a backup root of this run only (removed when it ends): the
    // console reaches the config paths through `backup.node_root`. Last night's backup is
    // taken before the scenario damages anything (`config-corrupted`).
    let demo_dir = paths.data_dir.join("demo");
    let node_root = demo_dir.join(format!("node-{}", std::process::id()));
    let backup_root = demo_dir.join(format!("backups-{}", std::process::id()));
    let _own_backups = RemoveDirOnDrop(backup_root.clone());
    let _node = {
        let root = backup_root.clone();
        let nightly = move |apps: &[(crate::model::AppKind, PathBuf)]| {
            for (kind, dir) in apps {
                let t = crate::backup::Target {
                    service: kind.id().to_string(),
                    kind: Some(*kind),
                    dir: dir.clone(),
                    version: None,
                };
                // Verified, as the daily run does.
                let new = crate::backup::run_and_verify(&t, &root, &Default::default(), &|| {});
                match new {
                    Err(e) => tracing::warn!("demo nightly backup of {}: {e}", kind.id()),
                    Ok(n) if !n.verification.ok => {
                        tracing::warn!("demo nightly backup of {} failed verification", kind.id())
                    }
                    Ok(_) => {}
                }
            }
        };
        nas.node_tree(&node_root, true, &nightly)?
    };
    cfg.backup.node_root = Some(node_root.clone());
    cfg.backup.root = Some(backup_root.clone());
    // The simulated issuer's root, next to the kubeconfig, for judging the served chains.
    let ca_path = kc_path.with_extension("ingress-ca.pem");
    let _own_ca = match nas.tls_ca_pem() {
        Some(pem) => {
            std::fs::write(&ca_path, pem)?;
            Some(RemoveOnDrop(ca_path.clone()))
        }
        None => None,
    };
    if serve {
        crate::out!(
            "simulated NAS ({}) serving on {}",
            scenario.name(),
            nas.kube.url()
        );
        crate::out!("kubeconfig: {}", kc_path.display());
        crate::out!(
            "ingress TLS: {} (config: ingress_address = \"{}\", ingress_http_address = \"{}\", tls_ca_file = \"{}\")",
            nas.ingress.addr,
            nas.ingress.addr,
            nas.ingress.http_addr,
            ca_path.display()
        );
        crate::out!(
            "try: kubectl --kubeconfig {} get pods -A",
            kc_path.display()
        );
        crate::out!(
            "VPN check: k8s-nas --kubeconfig {} vpn --ip-echo-url {}",
            kc_path.display(),
            nas.ip_echo_url()
        );
        crate::out!(
            "backups: node filesystem {} (config: [backup] node_root = \"{}\", root = \"{}\")",
            node_root.display(),
            node_root.display(),
            backup_root.display()
        );
        crate::out!("stop with Ctrl-C");
        wait_for_signal().await;
        return Ok(0);
    }
    cfg.kubeconfig = Some(kc_path);
    cfg.context = None;
    // The simulated internet's IP-echo service tells the console its home IP (unless the
    // config says otherwise).
    if cfg.vpn.home_ip.is_none() && cfg.vpn.ip_echo_url.is_none() {
        cfg.vpn.ip_echo_url = Some(nas.ip_echo_url());
    }
    cfg.ingress_address = Some(nas.ingress.addr.to_string());
    cfg.ingress_http_address = Some(nas.ingress.http_addr.to_string());
    if _own_ca.is_some() {
        cfg.tls_ca_file = Some(ca_path);
    }
    crate::out!(
        "demo backups: {} (node filesystem {})",
        backup_root.display(),
        node_root.display()
    );
    let code = crate::commands::console::run(cfg, paths).await;
    drop(nas);
    code
}

/// `<data>/demo/kubeconfig-<pid>.yaml`: the kubeconfig of one demo run.
pub fn own_kubeconfig_path(data_dir: &Path, pid: u32) -> PathBuf {
    data_dir.join("demo").join(format!("kubeconfig-{pid}.yaml"))
}

/// Removes the file when the run ends (normal return, error or SIGINT/SIGTERM in `--serve`).
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
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

/// A directory of this run only, removed when the run ends.
struct RemoveDirOnDrop(PathBuf);

impl Drop for RemoveDirOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
