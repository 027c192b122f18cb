//! Shared helpers of the `servarr_*` wire tests: spawn simulators on 127.0.0.1:0 and point
//! clients at them.
#![allow(dead_code)]

pub mod standins;

use k8s_nas::clients::servarr::ServarrClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppKind, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, RunningApp, Seed, SimDns};
use std::time::Duration;

pub const KINDS: [AppKind; 4] = [
    AppKind::Sonarr,
    AppKind::Radarr,
    AppKind::Lidarr,
    AppKind::Prowlarr,
];

/// A 32-hex-char key that differs per app kind.
pub fn key_for(kind: AppKind) -> String {
    format!("{:0>32}", format!("{}{}", kind.id(), "c0ffee"))
}

pub fn base_for(kind: AppKind) -> String {
    format!("/{}", kind.id())
}

pub fn config(kind: AppKind, seed: Seed) -> AppSimConfig {
    let mut cfg = AppSimConfig::new(kind, &base_for(kind), &key_for(kind));
    cfg.seed = seed;
    cfg
}

pub async fn spawn(cfg: AppSimConfig, dns: &SimDns) -> RunningApp {
    spawn_app(cfg, dns.clone(), None)
        .await
        .expect("spawn simulator")
}

/// Spawn and register under the app's in-cluster name (`sonarr.media:8989`).
pub async fn spawn_registered(cfg: AppSimConfig, dns: &SimDns) -> RunningApp {
    let kind = cfg.kind;
    let app = spawn(cfg, dns).await;
    dns.register("media", kind.id(), kind.default_port(), app.addr);
    app
}

pub fn client(app: &RunningApp, url_base: &str, key: &str) -> ServarrClient {
    let ep = AppEndpoint::direct(app.url(), url_base).with_timeout(Duration::from_secs(5));
    ServarrClient::new(app.kind, ep, Secret::new(key))
}

/// The client a correctly configured console would use.
pub fn good_client(app: &RunningApp) -> ServarrClient {
    client(app, &base_for(app.kind), &key_for(app.kind))
}

pub fn raw_http() -> reqwest::Client {
    k8s_nas::clients::transport::http_client()
}

/// Poll a command until it finishes (or 10 s pass).
pub async fn wait_command(c: &ServarrClient, id: i64) -> k8s_nas::clients::servarr::Command {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let cmd = c.command_status(id).await.expect("command status");
        if cmd.is_done() || tokio::time::Instant::now() > deadline {
            return cmd;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
