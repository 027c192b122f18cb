//! Command line: flags, subcommands and exit codes (0 ok, 1 findings, 2 could not run).

use crate::config::{AccessMode, Config, Paths};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "k8s-nas",
    version,
    about = "A k9s-style console for a Kubernetes home media server"
)]
pub struct Cli {
    /// kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Namespaces to watch (repeatable); default: all namespaces.
    #[arg(short = 'n', long = "namespace", global = true)]
    pub namespaces: Vec<String>,
    /// Offer no action that changes anything.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Theme name (built-in: default, light, high-contrast) or a file in the config dir's themes/.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Config file (default: <config dir>/config.toml).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// How to reach the apps.
    #[arg(long, global = true, value_enum)]
    pub access: Option<AccessMode>,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info")]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Discover the stack, probe every service once, print inventory and findings.
    /// Exit 0 healthy, 1 findings (warning or worse), 2 could not run.
    Check {
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// Print the config, theme, log and data paths.
    Info,
    /// Certificates: cert-manager Certificates, TLS Secrets and copies, served certificates.
    Certs {
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// API keys: each app's own key against the key Secret, verified against the app.
    /// Exit 0 all in sync and valid, 1 drift or a rejected key, 2 could not run.
    Keys {
        /// Write the keys that differ into the Secret (merge patch; other keys untouched).
        #[arg(long)]
        sync: bool,
        /// Print the key values (the only way the console shows a key).
        #[arg(long)]
        show: bool,
        /// Do not ask before writing (required when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// The integration graph (download clients, root folders, Prowlarr, Jellyseerr, Bazarr).
    Integrate {
        #[command(subcommand)]
        action: crate::commands::integrate::IntegrateAction,
    },
    /// The VPN check: does the download traffic stay in the tunnel? Leak verdict per VPN
    /// pod and the isolation audit. Exit 0 all SECURE, 1 LEAK/DOWN/UNKNOWN or an audit
    /// finding, 2 could not run.
    Vpn {
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
        /// The home (non-VPN) egress IP (overrides `[vpn] home_ip`).
        #[arg(long)]
        home_ip: Option<String>,
        /// An IP-echo URL giving the home IP (overrides `[vpn] ip_echo_url`).
        #[arg(long)]
        ip_echo_url: Option<String>,
    },
    /// Backups of the apps' config directories: run, verify, list.
    Backup {
        #[command(subcommand)]
        action: crate::commands::backup::BackupAction,
    },
    /// Restore a service's config directory from a backup (steps shown with their time).
    Restore(crate::commands::restore::RestoreArgs),
    /// Run the simulated NAS and the console against it.
    Demo {
        /// Fault scenario: healthy, degraded, fresh, miswired, vpn-leak, vpn-down, vpn-eth0,
        /// vpn-firewalled, vpn-auth, cert-stale, cert-failing, config-corrupted, ops-faults,
        /// other-names; several joined by commas are layered in order (`degraded,miswired`).
        #[arg(long, default_value = "healthy")]
        scenario: String,
        /// Run only the simulator; print the kubeconfig path; run until SIGINT/SIGTERM.
        #[arg(long)]
        serve: bool,
        /// Port for the simulated API server (default: any free port).
        #[arg(long)]
        port: Option<u16>,
        /// Where to write the kubeconfig (default: a file of this run only,
        /// <data dir>/demo/kubeconfig-<pid>.yaml). Written 0600, removed on exit.
        #[arg(long)]
        kubeconfig_out: Option<PathBuf>,
        /// Overwrite an existing `--kubeconfig-out` file.
        #[arg(long)]
        force: bool,
    },
}

/// Settings after merging flags over the config file.
pub fn effective_config(cli: &Cli) -> anyhow::Result<(Config, PathBuf)> {
    let (mut cfg, path) = Config::load(cli.config.as_deref())?;
    if cli.kubeconfig.is_some() {
        cfg.kubeconfig = cli.kubeconfig.clone();
    }
    if cli.context.is_some() {
        cfg.context = cli.context.clone();
    }
    if !cli.namespaces.is_empty() {
        cfg.namespaces = cli.namespaces.clone();
    }
    if cli.readonly {
        cfg.read_only = true;
    }
    if let Some(t) = &cli.theme {
        cfg.theme = t.clone();
    }
    if let Some(a) = cli.access {
        cfg.access = a;
    }
    Ok((cfg, path))
}

/// How `demo` runs: given by the binary that links the simulator (`k8s-nas-demo`).
pub type DemoFn = for<'a> fn(Config, &'a Paths, DemoArgs) -> Cmd<'a>;

/// A command's future, boxed so the dispatch can bound it with one deadline.
pub type Cmd<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<u8>> + 'a>>;

/// The `demo` subcommand's arguments.
#[derive(Debug)]
pub struct DemoArgs {
    pub scenario: String,
    pub serve: bool,
    pub port: Option<u16>,
    pub kubeconfig_out: Option<(PathBuf, bool)>,
}

/// The console binary (`k8s-nas`): everything but the simulated NAS, whose code lives in the
/// `k8s-nas-demo` binary only, so the console an admin runs carries none of it (issue 6: the
/// console's code is nearly all resident, so its size is its idle memory). `demo` here hands
/// over to `k8s-nas-demo` installed beside it.
pub fn main() -> ExitCode {
    main_with(None)
}

/// `main` with the simulator: the `k8s-nas-demo` binary (`cargo run -- demo`).
pub fn main_with(demo: Option<DemoFn>) -> ExitCode {
    crate::init_tls();
    let cli = Cli::parse();
    let code = match run(cli, demo) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("k8s-nas: {}", crate::bounds::sanitize(&error_chain(&e)));
            2
        }
    };
    ExitCode::from(code)
}

/// An error and its causes on one line, each cause said once: a cause whose text the line
/// already holds ("No such file or directory (os error 2)" twice) is left out.
pub fn error_chain(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn run(cli: Cli, demo: Option<DemoFn>) -> anyhow::Result<u8> {
    let paths = Paths::resolve();
    let (cfg, cfg_path) = effective_config(&cli)?;
    if !crate::logging::LEVELS.contains(&cli.log_level.as_str()) {
        anyhow::bail!(
            "--log-level {}: not a level (one of {})",
            crate::bounds::sanitize(&cli.log_level),
            crate::logging::LEVELS.join(", ")
        );
    }
    let deadline = std::time::Duration::from_secs(cfg.deadline_seconds);
    let _log_guard = crate::logging::init(&paths, &cli.log_level)?;
    // The console's UI loop runs on this thread (`block_on`) and the engine's tasks on one
    // worker: a second worker (and its malloc arena) bought nothing but idle memory. Headless
    // commands and the simulator keep a worker per core.
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if cli.command.is_none() {
        rt.worker_threads(1);
        crate::heap::tune_for_idle();
    }
    let rt = rt.enable_all().build()?;
    // Every headless command that talks to the cluster finishes within the deadline (issue 13,
    // point 4): a server that accepts and never answers is exit 2 with the reason.
    let bounded_by = |deadline: std::time::Duration, fut: Cmd<'_>| {
        rt.block_on(async {
            match tokio::time::timeout(deadline, fut).await {
                Ok(r) => r,
                Err(_) => Err(anyhow::anyhow!(
                    "did not finish within {} s (deadline_seconds in the config): the API server \
                     or an app stopped answering",
                    deadline.as_secs()
                )),
            }
        })
    };
    let bounded = |fut: Cmd<'_>| bounded_by(deadline, fut);
    let code = match cli.command {
        Some(Command::Info) => {
            crate::commands::info::print(&cfg, &cfg_path, &paths);
            Ok(0)
        }
        Some(Command::Check { output }) => {
            bounded(Box::pin(crate::commands::check::run(&cfg, output)))
        }
        Some(Command::Certs { output }) => {
            bounded(Box::pin(crate::commands::certs::run(&cfg, output)))
        }
        Some(Command::Keys {
            sync,
            show,
            yes,
            output,
        }) => bounded(Box::pin(crate::commands::keys::run(
            &cfg,
            crate::commands::keys::KeysArgs {
                sync,
                show,
                yes,
                output,
            },
        ))),
        Some(Command::Integrate { action }) => {
            bounded(Box::pin(crate::commands::integrate::run(&cfg, action)))
        }
        Some(Command::Vpn {
            output,
            home_ip,
            ip_echo_url,
        }) => {
            let mut cfg = cfg;
            if home_ip.is_some() {
                cfg.vpn.home_ip = home_ip;
            }
            if ip_echo_url.is_some() {
                cfg.vpn.ip_echo_url = ip_echo_url;
            }
            // the test download has its own limit
            let test = std::time::Duration::from_secs(cfg.vpn.test_timeout_seconds.unwrap_or(120));
            let limit = deadline.max(test + std::time::Duration::from_secs(30));
            bounded_by(limit, Box::pin(crate::commands::vpn::run(&cfg, output)))
        }
        Some(Command::Backup { action }) => {
            rt.block_on(crate::commands::backup::run(&cfg, &paths, action))
        }
        Some(Command::Restore(args)) => {
            rt.block_on(crate::commands::restore::run(&cfg, &paths, args))
        }
        Some(Command::Demo {
            scenario,
            serve,
            port,
            kubeconfig_out,
            force,
        }) => match demo {
            Some(demo) => rt.block_on(demo(
                cfg,
                &paths,
                DemoArgs {
                    scenario,
                    serve,
                    port,
                    kubeconfig_out: kubeconfig_out.map(|p| (p, force)),
                },
            )),
            None => crate::commands::demo_binary::exec(),
        },
        None => rt.block_on(crate::commands::console::run(cfg, &paths)),
    };
    // A timed-out command may leave a blocked read behind: do not wait for it.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_chains_say_each_cause_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let text = io.to_string();
        let e = anyhow::Error::new(io)
            .context(format!("cannot read kubeconfig /x: {text}"))
            .context("check");
        assert_eq!(
            super::error_chain(&e),
            format!("check: cannot read kubeconfig /x: {text}")
        );
    }
}
