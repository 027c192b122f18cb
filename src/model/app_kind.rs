//! The applications of the media stack the console knows how to talk to.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One kind of application. Several instances of one kind may exist (e.g. `radarr` and `radarr-4k`);
/// instances are told apart by [`crate::model::ServiceId`], never by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppKind {
    Sonarr,
    Radarr,
    Lidarr,
    Prowlarr,
    Bazarr,
    Jellyseerr,
    Jellyfin,
    Qbittorrent,
    Sabnzbd,
}

impl AppKind {
    pub const ALL: [AppKind; 9] = [
        AppKind::Sonarr,
        AppKind::Radarr,
        AppKind::Lidarr,
        AppKind::Prowlarr,
        AppKind::Bazarr,
        AppKind::Jellyseerr,
        AppKind::Jellyfin,
        AppKind::Qbittorrent,
        AppKind::Sabnzbd,
    ];

    /// Lower-case identifier, used in JSON, config keys and command arguments.
    pub fn id(self) -> &'static str {
        match self {
            AppKind::Sonarr => "sonarr",
            AppKind::Radarr => "radarr",
            AppKind::Lidarr => "lidarr",
            AppKind::Prowlarr => "prowlarr",
            AppKind::Bazarr => "bazarr",
            AppKind::Jellyseerr => "jellyseerr",
            AppKind::Jellyfin => "jellyfin",
            AppKind::Qbittorrent => "qbittorrent",
            AppKind::Sabnzbd => "sabnzbd",
        }
    }

    /// Name as the project spells it, for display.
    pub fn display(self) -> &'static str {
        match self {
            AppKind::Sonarr => "Sonarr",
            AppKind::Radarr => "Radarr",
            AppKind::Lidarr => "Lidarr",
            AppKind::Prowlarr => "Prowlarr",
            AppKind::Bazarr => "Bazarr",
            AppKind::Jellyseerr => "Jellyseerr",
            AppKind::Jellyfin => "Jellyfin",
            AppKind::Qbittorrent => "qBittorrent",
            AppKind::Sabnzbd => "SABnzbd",
        }
    }

    pub fn from_id(s: &str) -> Option<AppKind> {
        AppKind::ALL
            .into_iter()
            .find(|k| k.id().eq_ignore_ascii_case(s))
    }

    /// The port the application listens on unless configured otherwise.
    pub fn default_port(self) -> u16 {
        match self {
            AppKind::Sonarr => 8989,
            AppKind::Radarr => 7878,
            AppKind::Lidarr => 8686,
            AppKind::Prowlarr => 9696,
            AppKind::Bazarr => 6767,
            AppKind::Jellyseerr => 5055,
            AppKind::Jellyfin => 8096,
            AppKind::Qbittorrent => 8080,
            AppKind::Sabnzbd => 8080,
        }
    }

    /// API version segment of the Servarr family (`/api/v3` or `/api/v1`); `None` for other apps.
    pub fn servarr_api_version(self) -> Option<&'static str> {
        match self {
            AppKind::Sonarr | AppKind::Radarr => Some("v3"),
            AppKind::Lidarr | AppKind::Prowlarr => Some("v1"),
            _ => None,
        }
    }

    pub fn is_servarr(self) -> bool {
        self.servarr_api_version().is_some()
    }

    /// Image repository names (last path segment) that identify this application.
    pub fn image_names(self) -> &'static [&'static str] {
        match self {
            AppKind::Sonarr => &["sonarr"],
            AppKind::Radarr => &["radarr"],
            AppKind::Lidarr => &["lidarr"],
            AppKind::Prowlarr => &["prowlarr"],
            AppKind::Bazarr => &["bazarr"],
            AppKind::Jellyseerr => &["jellyseerr", "overseerr", "seerr"],
            AppKind::Jellyfin => &["jellyfin"],
            AppKind::Qbittorrent => &["qbittorrent", "qbittorrent-nox"],
            AppKind::Sabnzbd => &["sabnzbd"],
        }
    }

    /// Key name in the cluster's API-key Secret (`starr-secrets` on the target cluster).
    pub fn secret_key_name(self) -> Option<&'static str> {
        match self {
            AppKind::Sonarr => Some("SONARR_API_KEY"),
            AppKind::Radarr => Some("RADARR_API_KEY"),
            AppKind::Lidarr => Some("LIDARR_API_KEY"),
            AppKind::Prowlarr => Some("PROWLARR_API_KEY"),
            AppKind::Bazarr => Some("BAZARR_API_KEY"),
            AppKind::Sabnzbd => Some("SABNZBD_API_KEY"),
            AppKind::Jellyseerr => Some("JELLYSEERR_API_KEY"),
            AppKind::Jellyfin | AppKind::Qbittorrent => None,
        }
    }
}

impl fmt::Display for AppKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for k in AppKind::ALL {
            assert_eq!(AppKind::from_id(k.id()), Some(k));
        }
        let mut ids: Vec<_> = AppKind::ALL.iter().map(|k| k.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 9);
    }

    #[test]
    fn servarr_versions() {
        assert_eq!(AppKind::Sonarr.servarr_api_version(), Some("v3"));
        assert_eq!(AppKind::Lidarr.servarr_api_version(), Some("v1"));
        assert_eq!(AppKind::Jellyfin.servarr_api_version(), None);
    }
}
