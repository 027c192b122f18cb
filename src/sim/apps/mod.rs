//! Application simulators: real HTTP servers on 127.0.0.1 that answer like the real apps
//! (`../shared/docs/api-facts.md`): auth rules, URL bases, status codes, validation, quirks.
//!
//! Every simulator is an axum `Router` built from an [`AppSimConfig`] and served by
//! [`spawn_app`]. Cross-app calls (Prowlarr testing Sonarr, Sonarr testing qBittorrent) go
//! through [`SimDns`], which maps in-cluster host names to the loopback addresses of the other
//! simulators, so "connection tests" really connect.
//!
//! Layout: `faults.rs` (latency/hang/500/HTML/truncated middleware, shared), `servarr.rs`
//! (+ submodules; Sonarr, Radarr, Lidarr, Prowlarr), `jellyfin.rs`, `qbittorrent.rs`, `sabnzbd.rs`,
//! `bazarr.rs`, `seerr.rs`.

pub mod alertmanager;
pub mod bazarr;
pub mod dns;
pub mod faults;
pub mod gluetun;
pub mod jellyfin;
pub mod prometheus;
pub mod qbittorrent;
pub mod sabnzbd;
pub mod seerr;
pub mod servarr;

use crate::model::AppKind;
pub use dns::SimDns;
pub use faults::Faults;
use std::net::SocketAddr;
use std::sync::Arc;

/// How one simulated app instance is set up.
#[derive(Debug, Clone)]
pub struct AppSimConfig {
    pub kind: AppKind,
    /// Namespace the app "lives" in (for short-name resolution of hosts it connects to).
    pub namespace: String,
    /// Normalised URL base (`""` or `/sonarr`).
    pub url_base: String,
    /// The app's own API key (Servarr `config.xml` ApiKey, SAB `api_key`, Bazarr `auth.apikey`,
    /// Jellyseerr `main.apiKey`, Jellyfin: a pre-created key). qBittorrent ignores it.
    pub api_key: String,
    /// qBittorrent WebUI / Jellyfin admin credentials.
    pub username: String,
    pub password: String,
    /// Version reported by the app.
    pub version: String,
    pub faults: Faults,
    /// Start "fresh" (nothing configured) or with whatever the scenario seeds.
    pub seed: Seed,
    /// Credentials of the other apps this one is wired to by `Seed::Wired`/`Miswired`: their API
    /// keys by kind (qBittorrent: the WebUI password of user `admin`). Missing = empty.
    pub peer_keys: std::collections::BTreeMap<AppKind, String>,
}

/// What state the app starts with; scenarios pick one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// Freshly installed: no download clients, root folders, applications …
    #[default]
    Fresh,
    /// Wired as the default integration graph says (the target cluster's wiring, plus
    /// Lidarr → SABnzbd and Sonarr's root folder at `/data/media/tv`).
    Wired,
    /// Wired with the target cluster's real mistakes (URL bases missing, wrong category …).
    Miswired,
}

impl AppSimConfig {
    /// The seeded API key of another app (empty when the scenario gave none).
    pub fn peer_key(&self, kind: AppKind) -> String {
        self.peer_keys.get(&kind).cloned().unwrap_or_default()
    }

    pub fn new(kind: AppKind, url_base: &str, api_key: &str) -> Self {
        AppSimConfig {
            kind,
            namespace: "media".into(),
            url_base: crate::clients::transport::normalize_url_base(url_base),
            api_key: api_key.into(),
            username: "admin".into(),
            password: "adminadmin".into(),
            version: default_version(kind).into(),
            faults: Faults::default(),
            seed: Seed::Fresh,
            peer_keys: Default::default(),
        }
    }
}

/// Versions the simulators report unless told otherwise.
pub fn default_version(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Sonarr => "4.0.19.2979",
        AppKind::Radarr => "6.0.3.10276",
        AppKind::Lidarr => "2.14.5.4824",
        AppKind::Prowlarr => "2.3.5.5327",
        AppKind::Bazarr => "1.5.3",
        AppKind::Jellyseerr => "2.7.3",
        AppKind::Jellyfin => "10.11.11",
        AppKind::Qbittorrent => "v5.1.4",
        AppKind::Sabnzbd => "4.5.5",
    }
}

/// A running simulator.
pub struct RunningApp {
    pub kind: AppKind,
    pub addr: SocketAddr,
    /// Live fault switches: scenarios and tests flip them while the app runs.
    pub faults: Arc<faults::FaultSwitch>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl RunningApp {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Build the router for one app kind. Each simulator module provides `router(cfg, dns)`.
pub fn router_for(cfg: &AppSimConfig, dns: &SimDns) -> axum::Router {
    match cfg.kind {
        AppKind::Sonarr | AppKind::Radarr | AppKind::Lidarr | AppKind::Prowlarr => {
            servarr::router(cfg, dns)
        }
        AppKind::Jellyfin => jellyfin::router(cfg),
        AppKind::Qbittorrent => qbittorrent::router(cfg),
        AppKind::Sabnzbd => sabnzbd::router(cfg),
        AppKind::Bazarr => bazarr::router(cfg, dns),
        AppKind::Jellyseerr => seerr::router(cfg, dns),
    }
}

/// Serve one simulator on `127.0.0.1:0` (or `bind`, when given) until the handle is dropped.
pub async fn spawn_app(
    cfg: AppSimConfig,
    dns: SimDns,
    bind: Option<SocketAddr>,
) -> anyhow::Result<RunningApp> {
    let switch = Arc::new(faults::FaultSwitch::new(cfg.faults.clone()));
    let router = router_for(&cfg, &dns).layer(axum::middleware::from_fn_with_state(
        switch.clone(),
        faults::fault_layer,
    ));
    let listener = tokio::net::TcpListener::bind(
        bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
    )
    .await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await;
    });
    Ok(RunningApp {
        kind: cfg.kind,
        addr,
        faults: switch,
        shutdown: Some(tx),
    })
}

/// Serve `router` on a free loopback port until the returned sender is dropped or fires.
pub(crate) async fn serve_loopback(
    router: axum::Router,
) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok((addr, tx))
}
