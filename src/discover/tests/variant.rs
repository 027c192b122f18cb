//! The variant cluster, and overrides.

use super::*;

#[test]
fn variant_world_all_nine_apps() {
    use AppKind::*;
    use UrlBaseSource as U;
    let w = variant_cluster(&opts());
    let (_, inv) = run(&w, &Overrides::default());
    check_rows(
        &inv,
        &[
            (Sonarr, "arr", "tv", "tv", "tv", 80, 8990, "/tv", U::Config),
            (
                Radarr,
                "arr",
                "films",
                "films",
                "films",
                7879,
                7879,
                "/films",
                U::Config,
            ),
            (
                Lidarr,
                "arr",
                "music",
                "music",
                "music-svc",
                8686,
                8686,
                "/music",
                U::Probe,
            ),
            (
                Prowlarr,
                "arr",
                "indexers",
                "indexers",
                "indexers",
                9697,
                9697,
                "/indexers",
                U::Ingress,
            ),
            (
                Bazarr,
                "arr",
                "subs",
                "subs",
                "subs",
                6768,
                6768,
                "",
                U::None,
            ),
            (
                Jellyseerr,
                "arr",
                "requests",
                "requests",
                "requests",
                5056,
                5056,
                "",
                U::None,
            ),
            (
                Jellyfin,
                "streaming",
                "player",
                "player",
                "player",
                8096,
                8096,
                "/watch",
                U::Ingress,
            ),
            (
                Qbittorrent,
                "downloads",
                "torrents",
                "torrent",
                "torrents",
                80,
                8081,
                "",
                U::None,
            ),
            (
                Sabnzbd,
                "downloads",
                "usenet",
                "usenet",
                "usenet",
                8085,
                8085,
                "/nzb",
                U::Config,
            ),
        ],
    );
    let films = one(&inv, Radarr);
    assert_eq!(films.workload.kind, "StatefulSet");
    let cv = films.config_volume.as_ref().expect("films config");
    let VolumeSource::Pvc {
        claim, node_path, ..
    } = &cv.source
    else {
        panic!("{cv:?}")
    };
    assert_eq!(claim, "config-films-0");
    assert!(node_path
        .as_deref()
        .is_some_and(|p| p.ends_with("_arr_config-films-0")));
    let qb = one(&inv, Qbittorrent);
    assert_eq!(
        qb.service.as_ref().and_then(|s| s.port_name.as_deref()),
        Some("http")
    );
    let v = qb.vpn.as_ref().expect("gluetun sidecar");
    assert_eq!(
        (v.container.as_str(), v.provider.as_deref()),
        ("gluetun", Some("mullvad"))
    );
    assert!(inv.services.iter().filter(|s| s.vpn.is_some()).count() == 1);
    // Decoys: a Deployment named `radarr` running nginx, an exporter named after Sonarr.
    assert!(inv
        .services
        .iter()
        .all(|s| s.workload.name != "radarr" && s.workload.name != "sonarr-exporter"));
    assert_eq!(
        one(&inv, Sonarr)
            .config_volume
            .as_ref()
            .and_then(|c| c.source.node_path()),
        Some("/srv/nas/tv-config")
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn overrides_win() {
    let w = variant_cluster(&opts());
    let ov = Overrides::from_toml(
        r#"
        exclude_namespaces = ["streaming"]
        [services.sonarr]
        url_base = "/series/"
        [services."arr/radarr"]
        kind = "radarr"
        [services."arr/films"]
        ignore = true
        [services."arr/music"]
        url = "https://nas.lan/lidarr"
        service = "music-svc"
        port = 18686
        "#,
    )
    .expect("toml");
    let (_, inv) = run(&w, &ov);
    let tv = one(&inv, AppKind::Sonarr);
    assert_eq!(
        (tv.url_base.as_str(), tv.url_base_source),
        ("/series", UrlBaseSource::Override)
    );
    // The nginx decoy is a Radarr now, because the user said so; the real one is ignored.
    let decoy = one(&inv, AppKind::Radarr);
    assert_eq!(decoy.id.as_str(), "arr/radarr");
    assert_eq!(decoy.container, "web");
    assert_eq!(
        decoy.service.as_ref().map(|s| s.name.as_str()),
        Some("radarr")
    );
    assert!(decoy.evidence[0].starts_with("override"));
    assert_eq!(inv.by_kind(AppKind::Jellyfin).count(), 0);
    assert!(!inv.namespaces.contains(&"streaming".to_string()));
    let music = one(&inv, AppKind::Lidarr);
    assert_eq!(music.url_base, "/lidarr");
    assert_eq!(music.service.as_ref().map(|s| s.port), Some(18686));
    assert_eq!(ov.url_for(music).as_deref(), Some("https://nas.lan/lidarr"));
}

#[test]
fn override_service_not_targeting_the_container_warns() {
    let w = target_cluster(&opts());
    let ov = Overrides::from_toml(
        r#"
        [services."media/sonarr"]
        service = "radarr"
        container = "nope"
        "#,
    )
    .expect("toml");
    let (_, inv) = run(&w, &ov);
    let s = one(&inv, AppKind::Sonarr);
    let sp = s.service.as_ref().expect("service");
    assert_eq!(
        (sp.name.as_str(), sp.port, sp.target_port),
        ("radarr", 7878, 7878)
    );
    assert_eq!(s.container, "sonarr");
    assert!(
        inv.warnings
            .iter()
            .any(|m| m.contains("does not target container sonarr")),
        "{:?}",
        inv.warnings
    );
    assert!(
        inv.warnings
            .iter()
            .any(|m| m.contains("override container nope not found")),
        "{:?}",
        inv.warnings
    );
}
