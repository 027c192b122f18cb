//! The target cluster: the nine apps, their wiring, pod states, warnings.

use super::*;
use crate::model::PodPhase;

#[test]
fn target_world_all_nine_apps() {
    use AppKind::*;
    use UrlBaseSource as U;
    let w = target_cluster(&opts());
    let (_, inv) = run(&w, &Overrides::default());
    check_rows(
        &inv,
        &[
            (
                Sonarr,
                "media",
                "sonarr",
                "sonarr",
                "sonarr",
                8989,
                8989,
                "/sonarr",
                U::Config,
            ),
            (
                Radarr,
                "media",
                "radarr",
                "radarr",
                "radarr",
                7878,
                7878,
                "/radarr",
                U::Config,
            ),
            (
                Lidarr,
                "media",
                "lidarr",
                "lidarr",
                "lidarr",
                8686,
                8686,
                "/lidarr",
                U::Probe,
            ),
            (
                Prowlarr,
                "media",
                "prowlarr",
                "prowlarr",
                "prowlarr",
                9696,
                9696,
                "/prowlarr",
                U::Config,
            ),
            // The init container deletes `base_url` from config.yaml: config evidence for none.
            (
                Bazarr,
                "media",
                "bazarr",
                "bazarr",
                "bazarr",
                6767,
                6767,
                "",
                U::Config,
            ),
            (
                Jellyseerr,
                "media",
                "jellyseerr",
                "jellyseerr",
                "jellyseerr",
                5055,
                5055,
                "",
                U::None,
            ),
            (
                Jellyfin,
                "media",
                "jellyfin",
                "jellyfin",
                "jellyfin",
                80,
                8096,
                "/jellyfin",
                U::Config,
            ),
            (
                Qbittorrent,
                "qbittorrent",
                "qbittorrent",
                "qbittorrent",
                "qbittorrent",
                8080,
                8080,
                "",
                U::None,
            ),
            (
                Sabnzbd,
                "media",
                "sabnzbd",
                "sabnzbd",
                "sabnzbd",
                8080,
                8080,
                "/sabnzbd",
                U::Config,
            ),
        ],
    );
    // Evidence, not names: Sonarr by image, probe path recorded.
    let sonarr = one(&inv, Sonarr);
    assert!(sonarr
        .evidence
        .iter()
        .any(|e| e.contains("image docker.io/linuxserver/sonarr")));
    assert!(sonarr
        .evidence
        .iter()
        .any(|e| e.contains("script of container sonarr-config-init")));
    assert_eq!(sonarr.probe_path.as_deref(), Some("/ping"));
    assert_eq!(sonarr.image, "docker.io/linuxserver/sonarr:4.0.15");
    assert_eq!(
        one(&inv, Jellyfin).evidence.last().map(String::as_str),
        Some("url base \"/jellyfin\" from ConfigMap jellyfin-config key network.xml")
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn target_world_ingress_volumes_vpn() {
    let w = target_cluster(&opts());
    let (_, inv) = run(&w, &Overrides::default());
    let sonarr = one(&inv, AppKind::Sonarr);
    assert_eq!(sonarr.ingresses.len(), 1);
    let r = &sonarr.ingresses[0];
    assert_eq!(
        (r.ingress.as_str(), r.host.as_str(), r.path.as_str()),
        ("media/sonarr-ingress", "home.brettswift.com", "/sonarr")
    );
    assert_eq!(r.tls_secret.as_deref(), Some("home-brettswift-com-tls"));
    assert!(!r.rewrites);
    let lidarr = one(&inv, AppKind::Lidarr);
    assert!(lidarr.ingresses[0].rewrites, "lidarr ingress rewrites to /");
    let bazarr = one(&inv, AppKind::Bazarr);
    assert_eq!(bazarr.ingresses[0].host, "bazarr.home.brettswift.com");
    let jf = one(&inv, AppKind::Jellyfin);
    let paths: Vec<_> = jf
        .ingresses
        .iter()
        .map(|r| (r.path.as_str(), r.rewrites))
        .collect();
    assert_eq!(paths, [("/jellyfin/(.*)", true), ("/jellyfin", false)]);
    let qb = one(&inv, AppKind::Qbittorrent);
    assert_eq!(
        qb.ingresses[0].ingress,
        "qbittorrent/qbittorrent-ingress-nginx"
    );

    // Config volumes: hostPath for Sonarr, PVC → local-path PV dir for Lidarr, /app/config for Jellyseerr.
    let cv = sonarr.config_volume.as_ref().expect("sonarr config");
    assert_eq!(cv.mount_path, "/config");
    assert_eq!(
        cv.source,
        VolumeSource::HostPath {
            path: "/mnt/data/configs/sonarr".into()
        }
    );
    let cv = lidarr.config_volume.as_ref().expect("lidarr config");
    let VolumeSource::Pvc {
        claim,
        volume,
        node_path,
    } = &cv.source
    else {
        panic!("{cv:?}")
    };
    assert_eq!(claim, "lidarr-config");
    let pv = volume.as_deref().expect("bound pv");
    let np = node_path.as_deref().expect("node path");
    assert!(np.starts_with("/var/lib/rancher/k3s/storage/pvc-"), "{np}");
    assert_eq!(
        np,
        format!("/var/lib/rancher/k3s/storage/{pv}_media_lidarr-config")
    );
    let js = one(&inv, AppKind::Jellyseerr)
        .config_volume
        .as_ref()
        .expect("jellyseerr config");
    assert_eq!(js.mount_path, "/app/config");
    assert!(js
        .source
        .node_path()
        .is_some_and(|p| p.ends_with("_media_jellyseerr-config")));

    // VPN sidecars on qBittorrent and SABnzbd only, never the app container.
    for s in &inv.services {
        match s.kind {
            AppKind::Qbittorrent | AppKind::Sabnzbd => {
                let v = s.vpn.as_ref().expect("vpn");
                assert_eq!(v.container, "vpn");
                assert_eq!(v.image, "qmcgaw/gluetun:latest");
                assert_ne!(s.container, "vpn");
            }
            _ => assert!(s.vpn.is_none(), "{} has no vpn", s.id),
        }
    }
    let sab = one(&inv, AppKind::Sabnzbd).vpn.as_ref().expect("sab vpn");
    assert_eq!(
        (sab.provider.as_deref(), sab.vpn_type.as_deref()),
        (Some("custom"), Some("wireguard"))
    );
    let qv = qb.vpn.as_ref().expect("qb vpn");
    assert_eq!(
        (qv.provider.as_deref(), qv.vpn_type.as_deref()),
        (Some("ipvanish"), Some("openvpn"))
    );
}

#[test]
fn target_world_noise_is_not_discovered() {
    let w = target_cluster(&opts());
    let (_, inv) = run(&w, &Overrides::default());
    for noise in [
        "unpackerr",
        "flaresolverr",
        "homepage",
        "ingress-nginx-controller",
        "cert-manager",
        "argocd-server",
        "prometheus",
        "coredns",
        "traefik",
    ] {
        assert!(
            inv.services.iter().all(|s| s.workload.name != noise),
            "{noise} discovered"
        );
    }
    assert!(inv.namespaces.contains(&"argocd".to_string()));
}

#[test]
fn crashloop_pod_status() {
    let mut w = target_cluster(&opts());
    assert_eq!(w.crashloop("media", "sonarr", 17), 1);
    let (objs, inv) = run(&w, &Overrides::default());
    let sonarr = one(&inv, AppKind::Sonarr);
    let pods = pod_statuses(sonarr, &objs);
    assert_eq!(pods.len(), 1);
    let p = &pods[0];
    assert!(p.name.starts_with("sonarr-"));
    assert_eq!(p.phase, PodPhase::Running);
    assert_eq!(
        (p.ready_containers, p.total_containers, p.restarts),
        (0, 1, 17)
    );
    assert_eq!(p.reason.as_deref(), Some("CrashLoopBackOff"));
    assert_eq!(p.node.as_deref(), Some("home-server"));
    assert!(p.started_at.is_some());
    assert!(!p.is_ready() && !p.terminating);

    // Healthy SABnzbd: two app containers (vpn + sabnzbd), init not counted, restarts summed.
    let sab = pod_statuses(one(&inv, AppKind::Sabnzbd), &objs);
    assert_eq!(
        (
            sab[0].ready_containers,
            sab[0].total_containers,
            sab[0].restarts
        ),
        (2, 2, 2)
    );
    assert!(sab[0].is_ready());
    assert_eq!(sab[0].reason, None);
}

#[test]
fn status_reasons_and_terminating() {
    let mut w = target_cluster(&opts());
    let pod = w
        .objects
        .iter_mut()
        .find(|o| {
            o["kind"] == "Pod"
                && o["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("radarr-"))
        })
        .expect("radarr pod");
    pod["metadata"]["deletionTimestamp"] = serde_json::json!("2026-11-28T10:59:00Z");
    pod["status"]["containerStatuses"][0]["ready"] = serde_json::json!(false);
    pod["status"]["containerStatuses"][0]["state"] =
        serde_json::json!({"waiting": {"reason": "ImagePullBackOff"}});
    pod["status"]["containerStatuses"][0]["lastState"] =
        serde_json::json!({"terminated": {"exitCode": 137, "reason": "OOMKilled"}});
    let (objs, inv) = run(&w, &Overrides::default());
    let p = &pod_statuses(one(&inv, AppKind::Radarr), &objs)[0];
    assert!(p.terminating);
    assert_eq!(p.reason.as_deref(), Some("ImagePullBackOff"));
}

#[test]
fn ambiguity_and_missing_service_warn() {
    let mut w = target_cluster(&opts());
    // A second Service selecting Sonarr's pods on its port, and Radarr's Service removed.
    let mut extra = w.get("Service", "media", "sonarr").expect("svc").clone();
    extra["metadata"]["name"] = serde_json::json!("sonarr-alt");
    w.objects.push(extra);
    w.objects
        .retain(|o| !(o["kind"] == "Service" && o["metadata"]["name"] == "radarr"));
    let (_, inv) = run(&w, &Overrides::default());
    assert!(
        inv.warnings
            .iter()
            .any(|m| m.contains("media/sonarr: 2 Services")),
        "{:?}",
        inv.warnings
    );
    assert!(
        inv.warnings
            .iter()
            .any(|m| m.starts_with("media/radarr: no Service")),
        "{:?}",
        inv.warnings
    );
    assert_eq!(
        one(&inv, AppKind::Sonarr)
            .service
            .as_ref()
            .map(|s| s.name.as_str()),
        Some("sonarr")
    );
    let radarr = one(&inv, AppKind::Radarr);
    assert!(radarr.service.is_none() && radarr.ingresses.is_empty());
    assert_eq!(radarr.url_base, "/radarr");
}

#[test]
fn two_thousand_noise_pods() {
    let w = target_cluster(&WorldOptions {
        extra_pods: 2_000,
        ..opts()
    });
    let (objs, inv) = run(&w, &Overrides::default());
    assert!(objs.pods.len() >= 2_000);
    assert_eq!(inv.services.len(), 9);
    assert!(inv.namespaces.contains(&"media".to_string()));
}

#[test]
fn daemonset_and_bare_pod_workloads() {
    let mut w = target_cluster(&opts());
    // Lidarr as a DaemonSet, Sonarr as a bare Pod (its Deployment gone, owner refs dropped).
    for o in w.objects.iter_mut() {
        if o["kind"] == "Deployment" && o["metadata"]["name"] == "lidarr" {
            o["kind"] = serde_json::json!("DaemonSet");
        }
        if o["kind"] == "Pod"
            && o["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("sonarr-"))
        {
            o["metadata"]
                .as_object_mut()
                .map(|m| m.remove("ownerReferences"));
        }
    }
    w.objects
        .retain(|o| !(o["kind"] == "Deployment" && o["metadata"]["name"] == "sonarr"));
    let (objs, inv) = run(&w, &Overrides::default());
    let lidarr = one(&inv, AppKind::Lidarr);
    assert_eq!(lidarr.workload.kind, "DaemonSet");
    assert_eq!(lidarr.url_base, "/lidarr");
    let sonarr = one(&inv, AppKind::Sonarr);
    assert_eq!(sonarr.workload.kind, "Pod");
    assert!(sonarr.workload.name.starts_with("sonarr-"));
    assert_eq!(sonarr.service.as_ref().map(|s| s.port), Some(8989));
    assert_eq!(sonarr.url_base, "/sonarr");
    assert_eq!(pod_statuses(sonarr, &objs).len(), 1);
}

#[test]
fn bad_objects_are_skipped_not_fatal() {
    let vals = vec![
        serde_json::json!({"kind": "Pod", "metadata": {"name": "x"}, "spec": "garbage"}),
        serde_json::json!({"kind": "CronJob", "metadata": {"name": "y"}}),
        serde_json::json!(42),
        serde_json::json!({"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": "empty", "namespace": "media"}}),
    ];
    let objs = ClusterObjects::from_values(&vals);
    assert!(objs.pods.is_empty());
    assert_eq!(objs.deployments.len(), 1);
    let inv = discover(&objs, &Overrides::default());
    assert!(inv.services.is_empty());
}
