//! One observation of one service: the plain probe and the app's own health, concurrently.
//! The only place that maps an [`AppKind`] to its protocol client.

use crate::clients::transport::AppEndpoint;
use crate::clients::{
    bazarr::BazarrClient, jellyfin::JellyfinClient, qbittorrent::QbitClient, sabnzbd::SabClient,
    seerr::SeerrClient, servarr::ServarrClient,
};
use crate::collect::credentials::AppCreds;
use crate::collect::probe::probe;
use crate::model::{AppError, AppErrorKind, AppHealth, AppKind, ServiceInfo, ServiceObservation};

/// Probe, then health of `svc` through `ep`. The anonymous probe goes first: an app that does
/// not answer it is down whatever its credentials, and is not asked again with them.
pub async fn observe(svc: &ServiceInfo, ep: &AppEndpoint, creds: &AppCreds) -> ServiceObservation {
    let p = probe(ep, svc.kind).await;
    let h = match p
        .error
        .as_ref()
        .filter(|e| crate::checks::health::is_down(&e.kind))
    {
        Some(down) => Err(down.clone()),
        None => health(svc.kind, ep, creds).await,
    };
    ServiceObservation {
        fetched_at: jiff::Timestamp::now(),
        probe: Some(p),
        health: h,
    }
}

fn need_key(creds: &AppCreds, kind: AppKind) -> Result<crate::model::Secret, AppError> {
    creds.api_key.clone().ok_or_else(|| {
        let msg = match &creds.why_no_key {
            Some(why) => format!(
                "no API key for {}: {why} (or set services.{}.api_key)",
                kind.display(),
                kind.id()
            ),
            None => format!(
                "no API key for {}: set {} in the key Secret or services.{}.api_key",
                kind.display(),
                kind.secret_key_name().unwrap_or("a key"),
                kind.id()
            ),
        };
        AppError::new(AppErrorKind::Config, msg)
    })
}

/// The app's own health through its protocol client.
pub async fn health(
    kind: AppKind,
    ep: &AppEndpoint,
    creds: &AppCreds,
) -> Result<AppHealth, AppError> {
    let ep = ep.clone();
    match kind {
        AppKind::Sonarr | AppKind::Radarr | AppKind::Lidarr | AppKind::Prowlarr => {
            ServarrClient::new(kind, ep, need_key(creds, kind)?)
                .health()
                .await
        }
        AppKind::Bazarr => BazarrClient::new(ep, need_key(creds, kind)?).health().await,
        AppKind::Jellyseerr => SeerrClient::new(ep, need_key(creds, kind)?).health().await,
        AppKind::Sabnzbd => SabClient::new(ep, need_key(creds, kind)?).health().await,
        AppKind::Jellyfin => {
            JellyfinClient::new(ep, creds.api_key.clone())
                .health()
                .await
        }
        AppKind::Qbittorrent => {
            let user = creds.username.clone().unwrap_or_else(|| "admin".into());
            let pw = creds.password.clone().unwrap_or_default();
            QbitClient::new(ep, user, pw).health().await
        }
    }
}
