//! Kubernetes access: a client from the kubeconfig, the registry of watched kinds
//! ([`kinds`]) driving a one-shot listing for headless commands and scoped watchers feeding
//! debounced snapshots for the TUI, pod logs and describe text.

mod client;
pub mod describe;
pub mod json;
mod kind;
pub mod kinds;
pub mod list;
pub mod logs;
pub mod metrics;
pub mod secret_watch;
pub mod watch;
pub mod workload;

pub use kind::{Custom, Select, Typed};

use anyhow::Context;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::path::Path;

/// A connected (not yet verified) cluster: the client and what the header shows.
#[derive(Clone)]
pub struct ClusterConn {
    /// Lists, watches, proxied requests (HTTP/2 where the server offers it).
    pub client: kube::Client,
    /// `exec` and other upgraded streams (HTTP/1.1 only: HTTP/2 carries no `Upgrade`).
    pub exec: kube::Client,
    /// kubeconfig context name.
    pub context: String,
    /// API server URL.
    pub server: String,
}

impl ClusterConn {
    /// A connection over one client for everything (tests: kube-rs's default client speaks
    /// HTTP/1.1, so `exec` works through it too).
    pub fn with_client(client: kube::Client, context: &str, server: &str) -> ClusterConn {
        ClusterConn {
            exec: client.clone(),
            client,
            context: context.into(),
            server: server.into(),
        }
    }
}

/// Largest reply read from the API server (one list of a big cluster is tens of MiB).
pub const MAX_API_REPLY: usize = 128 << 20;

/// Build a client from a kubeconfig file (or the usual discovery: `$KUBECONFIG`, `~/.kube/config`,
/// in-cluster) and an optional context. Fails with a clear message on a missing or malformed
/// kubeconfig or an unknown context; an unreachable server is only noticed on the first call.
pub async fn connect(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> anyhow::Result<ClusterConn> {
    crate::init_tls();
    let opts = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let (mut config, ctx_name) = match kubeconfig {
        Some(path) => {
            // the parser's message may quote a token: line and column only (issue 13, point 8)
            let kc = Kubeconfig::read_from(path).map_err(|e| {
                anyhow::anyhow!(
                    "cannot read kubeconfig {}: {}",
                    path.display(),
                    crate::bounds::without_values(&crate::root_cause(&e))
                )
            })?;
            let name = context
                .map(str::to_string)
                .or_else(|| kc.current_context.clone())
                .unwrap_or_default();
            let cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
                .await
                .with_context(|| format!("kubeconfig {} is not usable", path.display()))?;
            (cfg, name)
        }
        None => {
            let name = Kubeconfig::read()
                .ok()
                .and_then(|kc| context.map(str::to_string).or(kc.current_context))
                .unwrap_or_else(|| "in-cluster".into());
            let cfg = if context.is_some() {
                kube::Config::from_kubeconfig(&opts)
                    .await
                    .context("kubeconfig is not usable")?
            } else {
                kube::Config::infer()
                    .await
                    .context("no kubeconfig found (set --kubeconfig or $KUBECONFIG)")?
            };
            (cfg, name)
        }
    };
    // kube retries 429/503/504 with delays growing to minutes. A 503 "no endpoints" from the
    // service proxy is an answer the console must show at once, and watchers have their own
    // backoff, so the client does not retry by itself.
    config.default_retry = false;
    // A server that does not accept within seconds is down; reads keep kube's long timeout
    // (watches wait minutes for an event), every one-shot call has its own deadline.
    config.connect_timeout = Some(std::time::Duration::from_secs(5));
    let server = config.cluster_url.to_string();
    let (client, exec) = client::build(&config).context("cannot build a Kubernetes client")?;
    Ok(ClusterConn {
        client,
        exec,
        context: ctx_name,
        server: server.trim_end_matches('/').to_string(),
    })
}

/// Turn a kube error into one line for a banner or `check`'s stderr.
pub fn explain(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 401 => {
            "401 Unauthorized: the kubeconfig's credentials were rejected (expired token or certificate?)"
                .into()
        }
        kube::Error::Api(s) if s.code == 403 => format!("403 Forbidden: {}", s.message),
        kube::Error::Api(s) => format!("{} {}: {}", s.code, s.reason, s.message),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            format!("cluster unreachable: {}", crate::root_cause(e))
        }
        other => crate::root_cause(other),
    }
}
