//! The two kube clients of one connection.
//!
//! kube-rs's default client speaks HTTP/1.1 only, so every watch holds a TLS connection of its
//! own and every burst of proxied probes leaves pooled connections behind (44 connections at
//! idle on the demo). The console's main client offers HTTP/2 the way kubectl does: the API
//! server multiplexes every watch, list and proxied request over one connection (a server
//! without h2 answers HTTP/1.1 as before). HTTP/2 carries no `Upgrade`, so `exec` (WebSocket)
//! gets a second client that speaks HTTP/1.1 only, as client-go does for upgrades.

use anyhow::Context;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use kube::client::ConfigExt;
use std::time::Duration;

use super::MAX_API_REPLY;

/// Idle connections kept per host: a probe burst opens more, then they close.
const POOL_IDLE_PER_HOST: usize = 2;
/// How long an unused connection stays open.
const POOL_IDLE: Duration = Duration::from_secs(30);
/// HTTP/2 pings on the shared connection: a server that stops answering is noticed.
const H2_PING_EVERY: Duration = Duration::from_secs(20);
const H2_PING_TIMEOUT: Duration = Duration::from_secs(10);
/// Every API call gets its reply's head within this, or fails (issue 13, point 4). Watches,
/// log follows and exec answer their head at once and then stream.
pub const REPLY_HEAD_DEADLINE: Duration = Duration::from_secs(30);

/// The main client (HTTP/2 where the server offers it) and the upgrade client (HTTP/1.1).
pub fn build(config: &kube::Config) -> anyhow::Result<(kube::Client, kube::Client)> {
    let main = client(config, true)?;
    let upgrade = client(config, false)?;
    Ok((main, upgrade))
}

fn client(config: &kube::Config, h2: bool) -> anyhow::Result<kube::Client> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(config.connect_timeout);
    let tls = config
        .rustls_client_config()
        .context("TLS settings of the kubeconfig")?;
    let mut builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    if let Some(name) = &config.tls_server_name {
        let name = rustls::pki_types::ServerName::try_from(name.clone())
            .with_context(|| format!("tls-server-name {name:?} is not a valid name"))?;
        builder =
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name));
    }
    let mut pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
    pool.pool_max_idle_per_host(POOL_IDLE_PER_HOST)
        .pool_idle_timeout(POOL_IDLE)
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new());
    let hyper = if h2 {
        pool.http2_keep_alive_interval(H2_PING_EVERY)
            .http2_keep_alive_timeout(H2_PING_TIMEOUT)
            .http2_keep_alive_while_idle(true);
        pool.build(builder.enable_all_versions().wrap_connector(http))
    } else {
        pool.build(builder.enable_http1().wrap_connector(http))
    };
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer().context("kubeconfig credentials")?)
        .layer(
            config
                .extra_headers_layer()
                .context("kubeconfig impersonation headers")?,
        )
        .map_err(tower::BoxError::from)
        .layer(tower::timeout::TimeoutLayer::new(REPLY_HEAD_DEADLINE))
        .service(hyper);
    // Every API server reply is read up to MAX_API_REPLY (issue 13, point 1): a hostile or broken
    // server streaming an endless body ends that one call with an error. A watch connection
    // counts all its events (the watcher reconnects; kube restarts watches every ~5 minutes).
    Ok(
        kube::client::ClientBuilder::new(service, config.default_namespace.clone())
            .with_layer(&tower::util::MapResponseLayer::new(
                |r: http::Response<_>| r.map(|b| http_body_util::Limited::new(b, MAX_API_REPLY)),
            ))
            .build(),
    )
}
