//! App clients against their simulators (and a real `qbittorrent-nox` when installed), one
//! binary: Bazarr, Jellyfin, qBittorrent, SABnzbd, Seerr, the Servarr family. One module per
//! former test file.

mod servarr_common;
#[path = "../support/mod.rs"]
mod support;

mod alertmanager_real;
mod apps_bazarr;
mod apps_jellyfin;
mod apps_qbittorrent;
mod apps_sabnzbd;
mod apps_seerr;
mod certs_openssl;
mod fuzz_parsers;
mod hostile_http;
mod keys_verdict_seerr;
mod qbittorrent_real;
mod servarr_core;
mod servarr_providers;
mod servarr_prowlarr;
mod tls_handshake;
mod vpn_binding_real;
