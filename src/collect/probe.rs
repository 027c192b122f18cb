//! The plain HTTP probe: one anonymous GET of the app's liveness path, timed.

use crate::clients::transport::{classify_status, AppEndpoint};
use crate::model::{AppKind, ProbeResult};
use http::HeaderMap;

/// The anonymous path each app answers cheaply (relative to its URL base).
pub fn probe_path(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Sonarr | AppKind::Radarr | AppKind::Lidarr | AppKind::Prowlarr => "/ping",
        AppKind::Bazarr => "/api/system/ping",
        AppKind::Jellyseerr => "/api/v1/status",
        AppKind::Jellyfin => "/health",
        // The WebUI login page: every /api/v2 call needs a session.
        AppKind::Qbittorrent => "/",
        AppKind::Sabnzbd => "/api?mode=version&output=json",
    }
}

/// GET the probe path. Any 2xx is success; other statuses and transport failures are classified.
pub async fn probe(endpoint: &AppEndpoint, kind: AppKind) -> ProbeResult {
    let started = std::time::Instant::now();
    match endpoint.get(probe_path(kind), HeaderMap::new()).await {
        Ok(r) => ProbeResult {
            status: Some(r.status.as_u16()),
            latency_ms: r.latency.as_millis() as u64,
            error: (!r.status.is_success())
                .then(|| classify_status(r.status, r.header("location"), &endpoint.url_base)),
        },
        Err(e) => ProbeResult {
            status: None,
            latency_ms: started.elapsed().as_millis() as u64,
            error: Some(e),
        },
    }
}
