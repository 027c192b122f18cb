//! One module per protocol. All of them send through [`transport::AppEndpoint`].
//!
//! `servarr` serves Sonarr, Radarr, Lidarr and Prowlarr with the API version as a parameter.

pub mod alertmanager;
pub mod bazarr;
pub mod gluetun;
pub mod jellyfin;
pub mod qbittorrent;
pub mod sabnzbd;
pub mod seerr;
pub mod servarr;
pub mod tls;
pub mod transport;
