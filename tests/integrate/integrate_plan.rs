//! Desired file, resolution against a target-cluster inventory, and the planner's diff rules.

use crate::integrate_support;

use integrate_support::*;
use k8s_nas::integrate::desired::DEFAULT_FILE;
use k8s_nas::integrate::fixtures::target_inventory;
use k8s_nas::integrate::*;
use k8s_nas::model::{AppError, AppErrorKind, AppKind, ServiceId};
use serde_json::{json, Value};

fn edges() -> Resolution {
    resolve(&Desired::default(), &target_inventory(), &secrets())
}

fn edge(res: &Resolution, kind: EdgeKind, from: &str) -> Edge {
    res.edges
        .iter()
        .find(|e| e.kind == kind && e.from.as_str() == from)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind:?} edge from {from}"))
}

fn field(e: &Edge, name: &str) -> Value {
    e.fields
        .iter()
        .chain(&e.top)
        .find(|f| f.name == name)
        .map(|f| f.value.json())
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[test]
fn default_file_is_the_default_and_typos_are_errors() {
    assert_eq!(
        Desired::from_toml(DEFAULT_FILE).unwrap(),
        Desired::default()
    );
    assert_eq!(Desired::from_toml("").unwrap(), Desired::default());
    let d = Desired::from_toml("prune = true\n[root_folders]\nsonarr = \"/data/media/series\"\n")
        .unwrap();
    assert!(d.prune);
    assert_eq!(d.root_folders[&AppKind::Sonarr], "/data/media/series");
    let e = Desired::from_toml("[download_clinet]\nenabled = false\n").unwrap_err();
    assert!(e.contains("download_clinet"), "{e}");
    assert!(Desired::from_toml("[root_folders]\nplex = \"/x\"\n").is_err());
}

#[test]
fn resolve_uses_discovered_hosts_ports_and_url_bases() {
    let res = edges();
    assert!(res.unresolved.is_empty(), "{:?}", res.unresolved);
    // 3 qBittorrent + 3 SABnzbd + 3 root folders + 3 Prowlarr apps + Seerr×3 + Bazarr×2.
    assert_eq!(res.edges.len(), 17);

    let dc = edge(&res, EdgeKind::DownloadClient, "media/sonarr");
    assert_eq!(dc.to.as_str(), "qbittorrent/qbittorrent");
    assert_eq!(
        field(&dc, "host"),
        "qbittorrent.qbittorrent.svc.cluster.local"
    );
    assert_eq!(field(&dc, "port"), 8080);
    assert_eq!(field(&dc, "username"), "admin");
    assert_eq!(field(&dc, "tvCategory"), "tv");
    let lidarr_dc = edge(&res, EdgeKind::DownloadClient, "media/lidarr");
    assert_eq!(field(&lidarr_dc, "musicCategory"), "music");

    let sab = edge(&res, EdgeKind::UsenetClient, "media/radarr");
    assert_eq!(field(&sab, "urlBase"), "/sabnzbd");
    assert_eq!(field(&sab, "apiKey"), SAB_KEY);
    assert_eq!(field(&sab, "movieCategory"), "movies");

    let app = res
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::ProwlarrApp && e.to.as_str() == "media/sonarr")
        .unwrap();
    assert_eq!(
        field(app, "baseUrl"),
        "http://sonarr.media.svc.cluster.local:8989/sonarr"
    );
    assert_eq!(
        field(app, "prowlarrUrl"),
        "http://prowlarr.media.svc.cluster.local:9696/prowlarr"
    );
    assert_eq!(field(app, "syncLevel"), "fullSync");

    let jf = edge(&res, EdgeKind::SeerrJellyfin, "media/jellyseerr");
    assert_eq!(field(&jf, "port"), 80, "Jellyfin's Service port, not 8096");
    assert_eq!(field(&jf, "urlBase"), "/jellyfin");

    let bz = edge(&res, EdgeKind::BazarrSonarr, "media/bazarr");
    assert_eq!(field(&bz, "sonarr.base_url"), "/sonarr");

    // Secrets never show in any rendering of the edges.
    let shown = format!("{res:?} {}", serde_json::to_string(&res).unwrap());
    for s in [SONARR_KEY, SAB_KEY, QBT_PASSWORD] {
        assert!(!shown.contains(s));
    }
}

#[test]
fn unknown_secrets_and_disabled_parts() {
    let mut s = secrets();
    s.refs.clear();
    let res = resolve(&Desired::default(), &target_inventory(), &s);
    // Root folders and the Seerr→Jellyfin edge need no secret.
    assert_eq!(res.edges.len(), 4);
    assert!(res
        .unresolved
        .iter()
        .any(|u| u.kind == EdgeKind::DownloadClient && u.why.contains("WEBUI_PASSWORD")));

    let mut d = Desired::default();
    d.usenet.enabled = Some(false);
    d.bazarr.sonarr = false;
    d.prowlarr.apps = vec![AppKind::Sonarr];
    let res = resolve(&d, &target_inventory(), &secrets());
    assert_eq!(res.edges.len(), 17 - 3 - 1 - 2);

    // Keys read from the apps win over the Secret.
    let mut s = secrets();
    s.app_keys
        .insert(ServiceId::new("media", "sabnzbd"), "from-the-ini".into());
    let res = resolve(&Desired::default(), &target_inventory(), &s);
    assert_eq!(
        field(
            &edge(&res, EdgeKind::UsenetClient, "media/sonarr"),
            "apiKey"
        ),
        "from-the-ini"
    );
}

fn qbt_entry(id: i64, name: &str, host: &str, password: &str) -> Value {
    json!({"id": id, "name": name, "enable": true, "implementation": "QBittorrent",
        "configContract": "QBittorrentSettings", "fields": [
        {"name": "host", "value": host}, {"name": "port", "value": 8080},
        {"name": "useSsl", "value": false}, {"name": "urlBase", "value": ""},
        {"name": "username", "value": "admin"}, {"name": "password", "value": password},
        {"name": "tvCategory", "value": "tv"}]})
}

#[test]
fn matching_by_host_masks_and_short_names() {
    let res = edges();
    let e = edge(&res, EdgeKind::DownloadClient, "media/sonarr");

    // Wired with the FQDN and a masked password: configured, no writes.
    let cur = Current::items(vec![qbt_entry(
        3,
        "qBittorrent",
        "qbittorrent.qbittorrent.svc.cluster.local",
        "********",
    )]);
    let p = plan_edge(&e, Ok(&cur), false);
    assert_eq!(p.state, EdgeState::Configured);
    assert!(p.changes.is_empty());

    // `qbittorrent.qbittorrent` also reaches the Service: not drift.
    let cur = Current::items(vec![qbt_entry(
        3,
        "q",
        "qbittorrent.qbittorrent",
        "********",
    )]);
    assert_eq!(plan_edge(&e, Ok(&cur), false).state, EdgeState::Configured);

    // A short name does not resolve from namespace media; an empty password is known drift.
    let cur = Current::items(vec![qbt_entry(3, "qBittorrent", "qbittorrent", "")]);
    let p = plan_edge(&e, Ok(&cur), false);
    let EdgeState::Drift { reasons } = &p.state else {
        panic!("expected drift, got {:?}", p.state)
    };
    assert!(
        reasons[0].contains("does not resolve from namespace media"),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("password is empty")));
    let [Change::Update {
        id, diffs, body, ..
    }] = p.changes.as_slice()
    else {
        panic!("expected one update: {:?}", p.changes)
    };
    assert_eq!(*id, Some(3));
    assert_eq!(diffs.len(), 2);
    // The body keeps every other field and carries the real password for the wire only.
    let fields = body.expose()["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 7);
    assert!(fields.iter().any(|f| f["value"] == QBT_PASSWORD));
    let rendered = format!(
        "{p:?} {} {}",
        serde_json::to_string(&p).unwrap(),
        Plan {
            edges: vec![p.clone()],
            ..Plan::default()
        }
        .render()
    );
    assert!(!rendered.contains(QBT_PASSWORD), "{rendered}");
}

#[test]
fn duplicates_of_one_target_are_offered_for_removal() {
    // Two writers at once made the same client twice (issue 13, point 5).
    let res = edges();
    let e = edge(&res, EdgeKind::DownloadClient, "media/sonarr");
    let host = "qbittorrent.qbittorrent.svc.cluster.local";
    let cur = Current::items(vec![
        qbt_entry(3, "qBittorrent", host, "********"),
        qbt_entry(4, "qBittorrent (k8s-nas)", host, "********"),
        qbt_entry(9, "mine", "192.168.1.50", "********"),
    ]);
    for prune in [false, true] {
        let p = plan_edge(&e, Ok(&cur), prune);
        let EdgeState::Drift { reasons } = &p.state else {
            panic!("expected drift, got {:?}", p.state)
        };
        assert!(
            reasons.iter().any(|r| r.contains("1 duplicate")),
            "{reasons:?}"
        );
        let deletes: Vec<i64> = p
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Delete { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        // the duplicate goes; the user's own entry only with prune; the kept one never
        let want = if prune { vec![4, 9] } else { vec![4] };
        assert_eq!(deletes, want, "prune {prune}: {:?}", p.changes);
    }
}

#[test]
fn hand_made_entries_are_kept_unless_prune() {
    let res = edges();
    let e = edge(&res, EdgeKind::DownloadClient, "media/radarr");
    // The user's own entry, same implementation and name, pointing at another box.
    let cur = Current::items(vec![qbt_entry(
        9,
        "qBittorrent",
        "192.168.1.50",
        "********",
    )]);
    let p = plan_edge(&e, Ok(&cur), false);
    assert_eq!(p.state, EdgeState::Missing);
    let [Change::Create { what, body }] = p.changes.as_slice() else {
        panic!("{:?}", p.changes)
    };
    assert!(what.contains("qBittorrent (k8s-nas)"));
    assert_eq!(body.expose()["name"], "qBittorrent (k8s-nas)");
    assert_eq!(body.expose()["enable"], true);

    let p = plan_edge(&e, Ok(&cur), true);
    assert!(p
        .changes
        .iter()
        .any(|c| matches!(c, Change::Delete { id: 9, .. })));
}

#[test]
fn prowlarr_app_without_url_base_reads_like_a_human_wrote_it() {
    let res = edges();
    let e = res
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::ProwlarrApp && e.to.as_str() == "media/sonarr")
        .unwrap();
    let cur = Current::items(vec![
        json!({"id": 1, "name": "Sonarr", "syncLevel": "fullSync",
        "implementation": "Sonarr", "configContract": "SonarrSettings", "fields": [
        {"name": "prowlarrUrl", "value": "http://prowlarr:9696/prowlarr"},
        {"name": "baseUrl", "value": "http://sonarr:8989"},
        {"name": "apiKey", "value": "********"},
        {"name": "syncCategories", "value": [5000, 5010]}]}),
    ]);
    let p = plan_edge(e, Ok(&cur), false);
    assert_eq!(
        p.state,
        EdgeState::Drift {
            reasons: vec![
                "Prowlarr → Sonarr uses http://sonarr:8989 but Sonarr serves /sonarr".into()
            ]
        }
    );
    let Change::Update { body, .. } = &p.changes[0] else {
        panic!()
    };
    let f = body.expose()["fields"].as_array().unwrap();
    assert!(f
        .iter()
        .any(|f| f["value"] == "http://sonarr.media.svc.cluster.local:8989/sonarr"));
    // prowlarrUrl with a short name in the same namespace is fine and left alone.
    assert!(f
        .iter()
        .any(|f| f["value"] == "http://prowlarr:9696/prowlarr"));
    // The masked key is sent back masked (the app keeps it).
    assert!(f.iter().any(|f| f["value"] == "********"));
}

#[test]
fn root_folders_seerr_bazarr_and_unknown() {
    let res = edges();
    let rf = edge(&res, EdgeKind::RootFolder, "media/sonarr");
    let cur = Current::items(vec![
        json!({"id": 1, "path": "/data/media/tv/", "accessible": false}),
    ]);
    let p = plan_edge(&rf, Ok(&cur), false);
    assert!(matches!(p.state, EdgeState::Drift { .. }));
    assert!(matches!(p.changes.as_slice(), [Change::Manual { .. }]));
    assert!(!Plan {
        edges: vec![p],
        ..Plan::default()
    }
    .render()
    .is_empty());

    // Lidarr without profiles cannot get a root folder automatically.
    let lrf = edge(&res, EdgeKind::RootFolder, "media/lidarr");
    let p = plan_edge(&lrf, Ok(&Current::default()), false);
    assert!(matches!(p.changes.as_slice(), [Change::Manual { .. }]));

    // Jellyseerr with a Sonarr server on the short name, no URL base, and a profile that is gone.
    let ss = edge(&res, EdgeKind::SeerrSonarr, "media/jellyseerr");
    let mut cur = Current::items(vec![
        json!({"id": 0, "name": "Sonarr", "hostname": "sonarr",
        "port": 8989, "apiKey": SONARR_KEY, "useSsl": false, "baseUrl": "",
        "activeProfileId": 7, "activeProfileName": "Gone", "activeDirectory": "/data/media/series",
        "is4k": false, "isDefault": true}),
    ]);
    cur.choices.quality_profiles = vec![Profile {
        id: 1,
        name: "Any".into(),
    }];
    let p = plan_edge(&ss, Ok(&cur), false);
    let EdgeState::Drift { reasons } = &p.state else {
        panic!("{:?}", p.state)
    };
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("Jellyseerr → Sonarr uses no URL base but Sonarr serves /sonarr"));
    let Change::Update { id, body, .. } = &p.changes[0] else {
        panic!()
    };
    assert_eq!(*id, Some(0));
    assert!(
        body.expose().get("id").is_none(),
        "id is readOnly in Seerr's API"
    );
    assert_eq!(body.expose()["activeProfileId"], 1);

    // Bazarr off → a create with form fields.
    let bz = edge(&res, EdgeKind::BazarrRadarr, "media/bazarr");
    let cur = Current::items(vec![json!({"general": {"use_radarr": false},
        "radarr": {"ip": "127.0.0.1", "port": 7878, "base_url": "/", "apikey": ""}})]);
    let p = plan_edge(&bz, Ok(&cur), false);
    assert_eq!(p.state, EdgeState::Missing);
    let Change::Create { body, .. } = &p.changes[0] else {
        panic!()
    };
    assert_eq!(body.expose()["settings-general-use_radarr"], "true");
    assert_eq!(body.expose()["settings-radarr-base_url"], "/radarr");
    assert_eq!(body.expose()["settings-radarr-port"], "7878");

    // A read failure is Unknown, never a guess.
    let e = AppError::new(AppErrorKind::Unauthorized, "401 Unauthorized");
    let p = plan_edge(&bz, Err(&e), false);
    assert!(matches!(p.state, EdgeState::Unknown { .. }));
    let plan = Plan {
        edges: vec![p],
        ..Plan::default()
    };
    assert!(plan.is_empty());
    assert_eq!(plan.exit_code(), 2);
    let f = plan_findings(&plan);
    assert_eq!(f[0].code, "integration.unknown");
}

#[test]
fn the_default_root_folder_follows_the_one_the_app_already_has() {
    // Issue 7: the default path must not add a second root folder beside a working one.
    let res = edges();
    let rf = edge(&res, EdgeKind::RootFolder, "media/sonarr");
    let has = |items: Vec<Value>| Current::items(items);
    let working = has(vec![
        json!({"id": 1, "path": "/data/media/series", "accessible": true}),
    ]);
    let p = plan_edge(&rf, Ok(&working), false);
    assert_eq!(p.state, EdgeState::Configured, "{p:?}");
    assert!(p.changes.is_empty(), "{:?}", p.changes);
    // Only a failing folder (`/tv not accessible`): the default is still created.
    let stale = has(vec![json!({"id": 1, "path": "/tv", "accessible": false})]);
    let p = plan_edge(&rf, Ok(&stale), false);
    assert_eq!(p.state, EdgeState::Missing, "{p:?}");
    assert!(p.changes.iter().any(|c| c.is_write()), "{:?}", p.changes);
    // A path the desired file sets is always wanted.
    let d = Desired::from_toml("[root_folders]\nsonarr = \"/data/media/shows\"\n").unwrap();
    let res = resolve(&d, &target_inventory(), &secrets());
    let rf = edge(&res, EdgeKind::RootFolder, "media/sonarr");
    let p = plan_edge(&rf, Ok(&working), false);
    assert_eq!(p.state, EdgeState::Missing, "{p:?}");
}
