//! An inventory shaped like the target cluster (brettswift/k8s_nas): Servarr apps in `media`
//! with URL bases `/sonarr`, `/radarr`, `/prowlarr`, `/lidarr`; Lidarr, Prowlarr, Bazarr,
//! Jellyseerr and SABnzbd on local-path PVCs; qBittorrent alone in namespace `qbittorrent`;
//! Jellyfin's Service on port 80. Used by unit tests, integration tests and the demo seed.

use crate::model::{
    AppKind, ConfigVolume, Inventory, ServiceId, ServiceInfo, ServicePort, UrlBaseSource,
    VolumeSource, WorkloadRef,
};
use std::collections::BTreeMap;

/// One service of the fixture.
pub fn service(
    kind: AppKind,
    namespace: &str,
    name: &str,
    port: u16,
    target_port: u16,
    url_base: &str,
    config: Option<(&str, VolumeSource)>,
) -> ServiceInfo {
    ServiceInfo {
        id: ServiceId::new(namespace, name),
        kind,
        namespace: namespace.into(),
        workload: WorkloadRef {
            kind: "Deployment".into(),
            name: name.into(),
        },
        container: name.into(),
        image: format!("docker.io/linuxserver/{name}:latest"),
        selector: BTreeMap::from([("app".to_string(), name.to_string())]),
        service: Some(ServicePort {
            name: name.into(),
            port,
            target_port,
            port_name: None,
        }),
        url_base: url_base.into(),
        url_base_source: if url_base.is_empty() {
            UrlBaseSource::None
        } else {
            UrlBaseSource::Config
        },
        probe_path: None,
        ingresses: vec![],
        config_volume: config.map(|(mount, source)| ConfigVolume {
            mount_path: mount.into(),
            source,
        }),
        vpn: None,
        evidence: vec![format!("image {name}")],
    }
}

fn host(path: &str) -> VolumeSource {
    VolumeSource::HostPath { path: path.into() }
}

fn pvc(claim: &str) -> VolumeSource {
    VolumeSource::Pvc {
        claim: claim.into(),
        volume: Some(format!("pvc-{claim}")),
        node_path: Some(format!(
            "/var/lib/rancher/k3s/storage/pvc-{claim}_media_{claim}"
        )),
    }
}

/// The target cluster's inventory.
pub fn target_inventory() -> Inventory {
    use AppKind::*;
    let services = vec![
        service(
            Sonarr,
            "media",
            "sonarr",
            8989,
            8989,
            "/sonarr",
            Some(("/config", host("/mnt/data/configs/sonarr"))),
        ),
        service(
            Radarr,
            "media",
            "radarr",
            7878,
            7878,
            "/radarr",
            Some(("/config", host("/mnt/data/configs/radarr"))),
        ),
        service(
            Lidarr,
            "media",
            "lidarr",
            8686,
            8686,
            "/lidarr",
            Some(("/config", pvc("lidarr-config"))),
        ),
        service(
            Prowlarr,
            "media",
            "prowlarr",
            9696,
            9696,
            "/prowlarr",
            Some(("/config", pvc("prowlarr-config"))),
        ),
        service(
            Bazarr,
            "media",
            "bazarr",
            6767,
            6767,
            "",
            Some(("/config", pvc("bazarr-config"))),
        ),
        service(
            Jellyseerr,
            "media",
            "jellyseerr",
            5055,
            5055,
            "",
            Some(("/app/config", pvc("jellyseerr-config"))),
        ),
        service(
            Sabnzbd,
            "media",
            "sabnzbd",
            8080,
            8080,
            "/sabnzbd",
            Some(("/config", pvc("sabnzbd-config"))),
        ),
        service(
            Qbittorrent,
            "qbittorrent",
            "qbittorrent",
            8080,
            8080,
            "",
            Some(("/config", pvc("qbittorrent-config"))),
        ),
        service(
            Jellyfin,
            "media",
            "jellyfin",
            80,
            8096,
            "/jellyfin",
            Some(("/config", pvc("jellyfin-config"))),
        ),
    ];
    Inventory {
        services,
        namespaces: vec!["media".into(), "qbittorrent".into()],
        warnings: vec![],
    }
}
