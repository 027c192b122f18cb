//! A variant installation: the same nine apps under other names, namespaces, images (hotio,
//! lscr.io), ports and URL bases, a StatefulSet, a gluetun sidecar named `gluetun`, a Service
//! targeting a named port, and decoys named like apps that are not.

use super::build::{
    configmap, secret, AppSpec, ConfigSrc, IngSpec, Probe, SvcSpec, Target, VpnSpec, WorkloadKind,
};
use crate::model::AppKind;
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) const NAMESPACES: &[&str] =
    &["arr", "downloads", "streaming", "kube-system", "monitoring"];

fn ing(name: &'static str, host: &'static str, path: &'static str) -> IngSpec {
    IngSpec {
        name,
        host,
        path,
        path_type: "Prefix",
        annotations: vec![],
        tls_secret: Some("nas-lan-tls"),
    }
}

fn svc(name: &'static str, port: u16, target: Target) -> Option<SvcSpec> {
    Some(SvcSpec {
        name,
        port,
        port_name: Some("http"),
        target,
        extra: vec![],
    })
}

pub(crate) fn rows() -> Vec<AppSpec> {
    vec![
        AppSpec {
            container: "tv",
            port_name: Some("http"),
            env: vec![
                ("SONARR__SERVER__PORT", "8990".into()),
                ("SONARR__SERVER__URLBASE", "/tv".into()),
                ("SONARR__AUTH__METHOD", "External".into()),
            ],
            probe: Probe::Tcp,
            config: ConfigSrc::HostPath("/srv/nas/tv-config"),
            data_mounts: vec![("media", "/srv/media", "/media")],
            service: svc("tv", 80, Target::Name),
            ingresses: vec![ing("tv", "nas.lan", "/tv")],
            url_base: "/tv",
            ..AppSpec::new(
                Some(AppKind::Sonarr),
                "arr",
                "tv",
                "ghcr.io/hotio/sonarr:release",
                8990,
            )
        },
        AppSpec {
            workload_kind: WorkloadKind::StatefulSet,
            container: "films",
            env: vec![("RADARR__SERVER__PORT", "7879".into())],
            probe: Probe::Tcp,
            config: ConfigSrc::ClaimTemplate {
                template: "config",
                size: "2Gi",
            },
            configmap_mounts: vec![("films-config", "/defaults")],
            service: svc("films", 7879, Target::Number),
            ingresses: vec![ing("films", "nas.lan", "/films")],
            url_base: "/films",
            ..AppSpec::new(
                Some(AppKind::Radarr),
                "arr",
                "films",
                "lscr.io/linuxserver/radarr:5.14.0",
                7879,
            )
        },
        AppSpec {
            container: "music",
            probe: Probe::Http("/music/ping"),
            config: ConfigSrc::Pvc {
                claim: "music-config",
                size: "2Gi",
            },
            service: svc("music-svc", 8686, Target::Number),
            url_base: "/music",
            ..AppSpec::new(
                Some(AppKind::Lidarr),
                "arr",
                "music",
                "ghcr.io/hotio/lidarr:release",
                8686,
            )
        },
        AppSpec {
            container: "indexers",
            env: vec![("PROWLARR__SERVER__PORT", "9697".into())],
            probe: Probe::Tcp,
            config: ConfigSrc::Pvc {
                claim: "indexers-config",
                size: "1Gi",
            },
            service: svc("indexers", 9697, Target::Number),
            ingresses: vec![ing("indexers", "nas.lan", "/indexers")],
            url_base: "/indexers",
            ..AppSpec::new(
                Some(AppKind::Prowlarr),
                "arr",
                "indexers",
                "lscr.io/linuxserver/prowlarr:develop",
                9697,
            )
        },
        AppSpec {
            container: "subs",
            probe: Probe::Http("/ping"),
            config: ConfigSrc::Pvc {
                claim: "subs-config",
                size: "1Gi",
            },
            service: svc("subs", 6768, Target::Number),
            ingresses: vec![ing("subs", "subs.nas.lan", "/")],
            ..AppSpec::new(
                Some(AppKind::Bazarr),
                "arr",
                "subs",
                "ghcr.io/hotio/bazarr:release",
                6768,
            )
        },
        AppSpec {
            container: "requests",
            env: vec![("PORT", "5056".into())],
            probe: Probe::Http("/api/v1/status"),
            config_mount: "/app/config",
            config: ConfigSrc::Pvc {
                claim: "requests-config",
                size: "1Gi",
            },
            service: svc("requests", 5056, Target::Number),
            ingresses: vec![ing("requests", "requests.nas.lan", "/")],
            ..AppSpec::new(
                Some(AppKind::Jellyseerr),
                "arr",
                "requests",
                "ghcr.io/fallenbagel/jellyseerr:2.7.3",
                5056,
            )
        },
        AppSpec {
            container: "player",
            probe: Probe::Http("/health"),
            config: ConfigSrc::HostPath("/srv/nas/jellyfin"),
            data_mounts: vec![("media", "/srv/media", "/media")],
            service: svc("player", 8096, Target::Number),
            ingresses: vec![ing("player", "nas.lan", "/watch")],
            url_base: "/watch",
            ..AppSpec::new(
                Some(AppKind::Jellyfin),
                "streaming",
                "player",
                "lscr.io/linuxserver/jellyfin:10.11.0",
                8096,
            )
        },
        AppSpec {
            container: "torrent",
            port_name: Some("webui"),
            env: vec![("WEBUI_PORTS", "8081/tcp".into())],
            config: ConfigSrc::Pvc {
                claim: "torrents-config",
                size: "1Gi",
            },
            vpn: Some(VpnSpec {
                container: "gluetun",
                image: "ghcr.io/qdm12/gluetun:v3.40",
                env: vec![
                    ("VPN_SERVICE_PROVIDER", "mullvad"),
                    ("VPN_TYPE", "wireguard"),
                    ("FIREWALL_INPUT_PORTS", "8081"),
                ],
                ports: vec![],
                exec_probe: Some("/gluetun-entrypoint healthcheck"),
            }),
            service: svc("torrents", 80, Target::Name),
            ingresses: vec![ing("torrents", "torrents.nas.lan", "/")],
            ..AppSpec::new(
                Some(AppKind::Qbittorrent),
                "downloads",
                "torrents",
                "ghcr.io/hotio/qbittorrent:release",
                8081,
            )
        },
        AppSpec {
            container: "usenet",
            probe: Probe::Tcp,
            config: ConfigSrc::Pvc {
                claim: "usenet-config",
                size: "1Gi",
            },
            configmap_mounts: vec![("usenet-ini", "/defaults")],
            service: svc("usenet", 8085, Target::Number),
            url_base: "/nzb",
            ..AppSpec::new(
                Some(AppKind::Sabnzbd),
                "downloads",
                "usenet",
                "ghcr.io/hotio/sabnzbd:release",
                8085,
            )
        },
        // Decoys: named like an app, running something else.
        AppSpec {
            container: "web",
            service: svc("radarr", 80, Target::Number),
            ..AppSpec::new(None, "arr", "radarr", "nginx:1.27-alpine", 80)
        },
        AppSpec {
            container: "exporter",
            env: vec![
                ("URL", "http://tv.arr.svc.cluster.local/tv".into()),
                ("PORT", "9707".into()),
            ],
            probe: Probe::Http("/healthz"),
            ..AppSpec::new(
                None,
                "arr",
                "sonarr-exporter",
                "ghcr.io/onedr0p/exportarr:v2.0.1",
                9707,
            )
        },
        AppSpec {
            probe: Probe::Http("/-/healthy"),
            service: svc("prometheus", 9090, Target::Number),
            ..AppSpec::new(
                None,
                "monitoring",
                "prometheus",
                "prom/prometheus:v3.5.0",
                9090,
            )
        },
    ]
}

pub(crate) fn extras(keys: &BTreeMap<AppKind, String>, qbittorrent_password: String) -> Vec<Value> {
    let key = |k: AppKind| keys.get(&k).cloned().unwrap_or_default();
    vec![
        configmap(
            "arr",
            "films-config",
            &[(
                "config.xml",
                "<Config>\n  <BindAddress>*</BindAddress>\n  <Port>7879</Port>\n  \
                 <UrlBase>/films</UrlBase>\n  <AuthenticationMethod>External</AuthenticationMethod>\n\
                 </Config>\n"
                    .into(),
            )],
        ),
        configmap(
            "downloads",
            "usenet-ini",
            &[(
                "sabnzbd.ini",
                "[misc]\nport = 8085\nurl_base = /nzb\nhost_whitelist = usenet, usenet.downloads\n".into(),
            )],
        ),
        secret("downloads", "torrents-webui", &[("password", qbittorrent_password)]),
        secret(
            "arr",
            "arr-api-keys",
            &[
                ("tv", key(AppKind::Sonarr)),
                ("films", key(AppKind::Radarr)),
                ("music", key(AppKind::Lidarr)),
                ("indexers", key(AppKind::Prowlarr)),
            ],
        ),
    ]
}
