//! One module per protocol. All of them send through [`transport::AppEndpoint`].
//!
//! `servarr` serves Sonarr, Radarr, Lidarr and Prowlarr with the API version as a parameter.

pub mod servarr;
pub mod transport;
