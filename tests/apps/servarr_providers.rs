//! Providers over real HTTP: download clients (qBittorrent 4.x/5.2 and SABnzbd stand-ins that the
//! simulated apps really connect to through SimDns), validation arrays, masked secrets, root
//! folders and profiles.

use crate::servarr_common;

use k8s_nas::clients::servarr::{category_field, Provider, ProviderKind, MASKED_VALUE};
use k8s_nas::model::{AppErrorKind, AppKind};
use k8s_nas::sim::apps::{Seed, SimDns};
use serde_json::{json, Value};
use servarr_common::standins::{qbittorrent, sabnzbd, QBT_API_KEY};
use servarr_common::*;

fn qbit_provider(kind: AppKind, password: &str, category: &str) -> Provider {
    let mut p = Provider::new("qBittorrent", "QBittorrent", "QBittorrentSettings");
    p.enable = Some(true);
    p.set("protocol", json!("torrent"))
        .set("priority", json!(1))
        .set("removeCompletedDownloads", json!(true))
        .set("removeFailedDownloads", json!(true));
    p.set_field("host", json!("qbittorrent.qbittorrent.svc.cluster.local"))
        .set_field("port", json!(8080))
        .set_field("useSsl", json!(false))
        .set_field("urlBase", json!(""))
        .set_field("username", json!("admin"))
        .set_secret("password", &password.into())
        .set_field(category_field(kind), json!(category));
    p
}

fn sab_provider(kind: AppKind, key: &str, category: &str) -> Provider {
    let mut p = Provider::new("SABnzbd", "Sabnzbd", "SabnzbdSettings");
    p.enable = Some(true);
    p.set_field("host", json!("sabnzbd.media.svc.cluster.local"))
        .set_field("port", json!(8080))
        .set_field("urlBase", json!("/sabnzbd"))
        .set_secret("apiKey", &key.into())
        .set_field(category_field(kind), json!(category));
    p
}

fn http_400(e: &k8s_nas::model::AppError) -> bool {
    e.kind == AppErrorKind::Http { status: 400 }
}

#[tokio::test]
async fn qbittorrent_download_client_lifecycle_on_every_app() {
    for (kind, v52) in [
        (AppKind::Sonarr, false),
        (AppKind::Radarr, true),
        (AppKind::Lidarr, false),
        (AppKind::Prowlarr, true),
    ] {
        let dns = SimDns::new();
        let q = qbittorrent(&dns, v52, "s3cret-pass").await;
        let app = spawn(config(kind, Seed::Fresh), &dns).await;
        let c = good_client(&app);
        let cat = match kind {
            AppKind::Sonarr => "tv",
            AppKind::Radarr => "movies",
            AppKind::Lidarr => "music",
            _ => "prowlarr",
        };

        // Wrong password: the app's live test fails → 400 listing the failure.
        let e = c
            .create_provider(
                ProviderKind::DownloadClient,
                &qbit_provider(kind, "wrong", cat),
            )
            .await
            .unwrap_err();
        assert!(http_400(&e), "{kind}: {e:?}");
        assert!(
            e.detail.contains("Username: Authentication failure"),
            "{}",
            e.detail
        );

        // Right password: created (201), the category was created in qBittorrent.
        let created = c
            .create_provider(
                ProviderKind::DownloadClient,
                &qbit_provider(kind, "s3cret-pass", cat),
            )
            .await
            .unwrap_or_else(|e| panic!("{kind} v52={v52}: {e:?}"));
        let id = created.id.expect("id");
        assert!(q.categories.lock().unwrap().contains(cat), "{kind}");
        assert!(*q.logins.lock().unwrap() >= 2);

        // GET masks the password, keeps the username, lists every field.
        let listed = c.providers(ProviderKind::DownloadClient).await.unwrap();
        assert_eq!(listed.len(), 1);
        let got = &listed[0];
        assert_eq!(got.field_str("password"), MASKED_VALUE);
        assert_eq!(got.field_str("username"), "admin");
        assert_eq!(got.field_str(category_field(kind)), cat);
        assert_eq!(got.get("protocol"), Some(&json!("torrent")));
        assert!(
            got.fields.len() >= 12,
            "{kind}: {} fields",
            got.fields.len()
        );

        // PUT with the masked password echoed back keeps the stored one (202 + retest passes).
        let mut upd = got.clone();
        upd.name = "qBit VPN".into();
        let updated = c
            .update_provider(ProviderKind::DownloadClient, &upd)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert_eq!(updated.name, "qBit VPN");
        c.test_provider(ProviderKind::DownloadClient, &updated)
            .await
            .expect("masked secret resolves to the stored one");

        // A test with a bad host fails with the reason.
        let mut bad = updated.clone();
        bad.set_field("host", json!("qbittorrent.nowhere"));
        let e = c
            .test_provider(ProviderKind::DownloadClient, &bad)
            .await
            .unwrap_err();
        assert!(
            e.detail.contains("Host: Unable to connect to qBittorrent"),
            "{}",
            e.detail
        );

        // Delete, then it is gone.
        c.delete_provider(ProviderKind::DownloadClient, id)
            .await
            .unwrap();
        assert!(c
            .providers(ProviderKind::DownloadClient)
            .await
            .unwrap()
            .is_empty());
        let e = c
            .provider(ProviderKind::DownloadClient, id)
            .await
            .unwrap_err();
        assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
    }
}

#[tokio::test]
async fn qbittorrent_preferences_that_would_lose_downloads_fail_the_test() {
    let dns = SimDns::new();
    let q = qbittorrent(&dns, false, "pw").await;
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);
    *q.preferences.lock().unwrap() = json!({
        "queueing_enabled": false, "max_ratio_enabled": true, "max_ratio": 1.0, "max_ratio_act": 1
    });
    let e = c
        .test_provider(
            ProviderKind::DownloadClient,
            &qbit_provider(AppKind::Sonarr, "pw", "tv"),
        )
        .await
        .unwrap_err();
    assert!(e.detail.contains("Share Ratio Limit"), "{}", e.detail);

    *q.preferences.lock().unwrap() = json!({"queueing_enabled": false});
    let mut first = qbit_provider(AppKind::Sonarr, "pw", "tv");
    first.set_field("recentTvPriority", json!(1));
    let e = c
        .test_provider(ProviderKind::DownloadClient, &first)
        .await
        .unwrap_err();
    assert!(e.detail.contains("Queueing not enabled"), "{}", e.detail);
    *q.preferences.lock().unwrap() = json!({"queueing_enabled": true});
    c.test_provider(ProviderKind::DownloadClient, &first)
        .await
        .expect("queueing on");

    // No category: a warning that blocks the save unless forceSave.
    let none = qbit_provider(AppKind::Sonarr, "pw", "");
    let e = c
        .create_provider(ProviderKind::DownloadClient, &none)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("TvCategory: Category is recommended"),
        "{}",
        e.detail
    );
    c.create_provider_with(ProviderKind::DownloadClient, &none, true)
        .await
        .expect("forceSave");
}

#[tokio::test]
async fn sonarr_can_use_the_qbittorrent_api_key_instead_of_a_login() {
    let dns = SimDns::new();
    let q = qbittorrent(&dns, true, "unused").await;
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);
    let mut p = qbit_provider(AppKind::Sonarr, "", "tv");
    p.set_field("username", json!(""))
        .set_secret("apiKey", &QBT_API_KEY.into());
    let created = c
        .create_provider(ProviderKind::DownloadClient, &p)
        .await
        .expect("bearer key accepted");
    assert_eq!(created.field_str("apiKey"), MASKED_VALUE);
    assert_eq!(*q.logins.lock().unwrap(), 0, "no login with an API key");
    // Username/password and an API key together are refused.
    let mut both = qbit_provider(AppKind::Sonarr, "pw", "tv");
    both.name = "other".into();
    both.set_secret("apiKey", &QBT_API_KEY.into());
    let e = c
        .create_provider(ProviderKind::DownloadClient, &both)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("must be empty when an API Key is set"),
        "{}",
        e.detail
    );
}

#[tokio::test]
async fn sabnzbd_download_client_checks_key_category_and_host() {
    let dns = SimDns::new();
    sabnzbd(&dns, "sab-api-key").await;
    let app = spawn(config(AppKind::Radarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);
    let kind = AppKind::Radarr;

    let e = c
        .create_provider(
            ProviderKind::DownloadClient,
            &sab_provider(kind, "nzb-key", "movies"),
        )
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("ApiKey: API Key Incorrect"),
        "{}",
        e.detail
    );

    let e = c
        .create_provider(
            ProviderKind::DownloadClient,
            &sab_provider(kind, "sab-api-key", "films"),
        )
        .await
        .unwrap_err();
    assert!(
        e.detail
            .contains("MovieCategory: Category 'films' does not exist"),
        "{}",
        e.detail
    );

    // No category: a warning, which blocks unless forceSave.
    let p = sab_provider(kind, "sab-api-key", "");
    let e = c
        .create_provider(ProviderKind::DownloadClient, &p)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("A category is recommended"),
        "{}",
        e.detail
    );
    let forced = c
        .create_provider_with(ProviderKind::DownloadClient, &p, true)
        .await
        .unwrap();
    c.delete_provider(ProviderKind::DownloadClient, forced.id.unwrap())
        .await
        .unwrap();

    let ok = c
        .create_provider(
            ProviderKind::DownloadClient,
            &sab_provider(kind, "sab-api-key", "movies"),
        )
        .await
        .expect("create SABnzbd");
    assert_eq!(ok.field_str("apiKey"), MASKED_VALUE);
    assert_eq!(ok.get("protocol"), Some(&json!("usenet")));

    // Short host name: SABnzbd's hostname check refuses it.
    let mut short = sab_provider(kind, "sab-api-key", "movies");
    short.set_field("host", json!("sabnzbd"));
    let e = c
        .test_provider(ProviderKind::DownloadClient, &short)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("Hostname verification failed"),
        "{}",
        e.detail
    );

    // testall reports every enabled client.
    k8s_nas::init_tls();
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/radarr/api/v3/downloadclient/testall",
            app.url()
        ))
        .header("X-Api-Key", key_for(kind))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v[0]["isValid"], json!(true), "{v}");
}

#[tokio::test]
async fn download_client_failing_its_test_shows_in_health() {
    let dns = SimDns::new();
    sabnzbd(&dns, "sab-api-key").await;
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);
    c.create_provider(
        ProviderKind::DownloadClient,
        &sab_provider(AppKind::Sonarr, "sab-api-key", "tv"),
    )
    .await
    .unwrap();
    let h = c.health().await.unwrap();
    assert!(!h.issues.iter().any(|i| i.source == "DownloadClientCheck"));
    // SABnzbd goes away; testall marks it failing.
    dns.unregister("media", "sabnzbd", 8080);
    k8s_nas::init_tls();
    let r = reqwest::Client::new()
        .post(format!(
            "{}/sonarr/api/v3/downloadclient/testall",
            app.url()
        ))
        .header("X-Api-Key", key_for(AppKind::Sonarr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let h = c.health().await.unwrap();
    let s = h
        .issues
        .iter()
        .find(|i| i.source == "DownloadClientStatusCheck")
        .expect("status check");
    assert_eq!(
        s.message,
        "All download clients are unavailable due to failures"
    );
}

#[tokio::test]
async fn validation_errors_come_back_as_arrays() {
    let dns = SimDns::new();
    let app = spawn(config(AppKind::Prowlarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);

    let mut p = Provider::new("Sonarr", "Sonarr", "SonarrSettings");
    p.set("syncLevel", json!("sometimes"));
    p.set_field("prowlarrUrl", json!("http://prowlarr:9696/prowlarr"))
        .set_field("baseUrl", json!("http://sonarr:8989/sonarr"))
        .set_secret("apiKey", &"k".into());
    let e = c
        .create_provider(ProviderKind::Application, &p)
        .await
        .unwrap_err();
    assert!(http_400(&e));
    assert!(
        e.detail
            .contains("SyncLevel: 'sometimes' is not a valid value"),
        "{}",
        e.detail
    );

    let mut u = Provider::new("X", "Transmission2", "TransmissionSettings");
    u.enable = Some(false);
    let e = c
        .create_provider(ProviderKind::DownloadClient, &u)
        .await
        .unwrap_err();
    assert!(
        e.detail
            .contains("Implementation: Unknown implementation 'Transmission2'"),
        "{}",
        e.detail
    );

    let mut n = Provider::new("", "Sonarr", "SonarrSettings");
    n.set("syncLevel", json!("disabled"));
    n.set_field("baseUrl", json!("not a url"));
    let e = c
        .create_provider(ProviderKind::Application, &n)
        .await
        .unwrap_err();
    for part in [
        "Name: 'Name' must not be empty.",
        "BaseUrl: Invalid Url",
        "ApiKey: 'API Key' must not be empty.",
    ] {
        assert!(e.detail.contains(part), "{part} missing in {}", e.detail);
    }

    // Disabled apps are saved without a test; names are unique case-insensitively.
    p.set("syncLevel", json!("disabled"));
    let saved = c
        .create_provider(ProviderKind::Application, &p)
        .await
        .unwrap();
    assert_eq!(saved.enable, Some(false));
    assert_eq!(saved.field_str("apiKey"), MASKED_VALUE);
    let mut dup = p.clone();
    dup.name = "SONARR".into();
    let e = c
        .create_provider(ProviderKind::Application, &dup)
        .await
        .unwrap_err();
    assert!(e.detail.contains("Name: Should be unique"), "{}", e.detail);

    // Prowlarr download-client priority is validated 1–50.
    let mut q = qbit_provider(AppKind::Prowlarr, "x", "prowlarr");
    q.set("priority", json!(0));
    let e = c
        .create_provider(ProviderKind::DownloadClient, &q)
        .await
        .unwrap_err();
    assert!(
        e.detail
            .contains("Priority: 'Priority' must be between 1 and 50"),
        "{}",
        e.detail
    );

    // Applications only exist in Prowlarr.
    let sonarr = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let e = good_client(&sonarr)
        .providers(ProviderKind::Application)
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
}

#[tokio::test]
async fn schema_lists_templates_with_per_app_field_names() {
    let dns = SimDns::new();
    for kind in KINDS {
        let app = spawn(config(kind, Seed::Fresh), &dns).await;
        let c = good_client(&app);
        let schema = c
            .provider_schema(ProviderKind::DownloadClient)
            .await
            .unwrap();
        let qb = schema
            .iter()
            .find(|p| p.implementation == "QBittorrent")
            .unwrap();
        assert!(qb.field(category_field(kind)).is_some(), "{kind}");
        assert_eq!(qb.config_contract, "QBittorrentSettings");
        assert_eq!(
            qb.field("apiKey").is_some(),
            kind == AppKind::Sonarr,
            "{kind}"
        );
        let sab = schema
            .iter()
            .find(|p| p.implementation == "Sabnzbd")
            .unwrap();
        assert!(sab.field(category_field(kind)).is_some());
        let idx = c.provider_schema(ProviderKind::Indexer).await.unwrap();
        assert!(!idx.is_empty());
    }
}

#[tokio::test]
async fn root_folders_and_profiles() {
    let dns = SimDns::new();
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);
    let rf = c.add_root_folder("/data/media/series/").await.unwrap();
    assert_eq!(rf.path, "/data/media/series");
    assert!(rf.accessible);
    assert!(rf.free_space.unwrap() > 0);
    let names: Vec<_> = rf
        .unmapped_folders
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(names, ["Severance", "The Expanse"]);
    let e = c.add_root_folder("/data/media/series").await.unwrap_err();
    assert!(
        e.detail.contains("already configured as a root folder"),
        "{}",
        e.detail
    );
    let e = c.add_root_folder("/tv").await.unwrap_err();
    assert!(
        e.detail.contains("Path: Path '/tv' does not exist"),
        "{}",
        e.detail
    );
    assert_eq!(c.root_folders().await.unwrap().len(), 1);
    c.delete_root_folder(rf.id.unwrap()).await.unwrap();
    assert!(c.root_folders().await.unwrap().is_empty());
    assert_eq!(c.quality_profiles().await.unwrap().len(), 6);

    // Lidarr: name and default profiles (the client fills them from the app's lists).
    let lidarr = spawn(config(AppKind::Lidarr, Seed::Fresh), &dns).await;
    let l = good_client(&lidarr);
    let names: Vec<_> = l
        .quality_profiles()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Any", "Lossless", "Standard"]);
    assert_eq!(l.metadata_profiles().await.unwrap().len(), 2);
    let rf = l.add_root_folder("/data/media/music").await.unwrap();
    assert_eq!(rf.extra["name"], json!("music"));
    assert_eq!(rf.extra["defaultQualityProfileId"], json!(1));
    assert!(rf.extra.contains_key("totalSpace"));
    // Without the profile ids the real Lidarr answers 400.
    k8s_nas::init_tls();
    let r = reqwest::Client::new()
        .post(format!("{}/lidarr/api/v1/rootfolder", lidarr.url()))
        .header("X-Api-Key", key_for(AppKind::Lidarr))
        .json(&json!({"path": "/data/media/music", "name": "M2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.unwrap();
    let props: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["propertyName"].as_str().unwrap().to_string())
        .collect();
    assert!(
        props.contains(&"DefaultQualityProfileId".to_string()),
        "{v}"
    );
}

#[tokio::test]
async fn indexer_flags_drive_the_indexer_health_checks() {
    let dns = SimDns::new();
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);
    let mut idx = Provider::new("Geek", "Newznab", "NewznabSettings");
    idx.set("enableRss", json!(true));
    idx.set_field("baseUrl", json!("https://api.nzbgeek.info"))
        .set_secret("apiKey", &"k".into());
    // The live test cannot reach the internet from the simulated cluster…
    let e = c
        .create_provider(ProviderKind::Indexer, &idx)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("BaseUrl: Unable to connect to indexer"),
        "{}",
        e.detail
    );
    // …forceSave stores it anyway.
    c.create_provider_with(ProviderKind::Indexer, &idx, true)
        .await
        .unwrap();
    let sources: Vec<String> = c
        .health()
        .await
        .unwrap()
        .issues
        .into_iter()
        .map(|i| i.source)
        .collect();
    assert_eq!(sources, ["IndexerSearchCheck", "DownloadClientCheck"]);
}
