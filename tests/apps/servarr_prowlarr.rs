//! Prowlarr over real HTTP: application tests that reach Sonarr/Radarr/Lidarr simulators through
//! SimDns, and `ApplicationIndexerSync` pushing indexers into them, honouring syncLevel.

use crate::servarr_common;

use k8s_nas::clients::servarr::{Provider, ProviderKind, ServarrClient};
use k8s_nas::model::{AppKind, IssueLevel};
use k8s_nas::sim::apps::{AppSimConfig, RunningApp, Seed, SimDns};
use serde_json::json;
use servarr_common::*;

/// Prowlarr with the target cluster's wiring, its keys for the three apps.
fn prowlarr_cfg(seed: Seed) -> AppSimConfig {
    let mut cfg = config(AppKind::Prowlarr, seed);
    for k in [AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr] {
        cfg.peer_keys.insert(k, key_for(k));
    }
    cfg
}

struct Nas {
    _apps: Vec<RunningApp>,
    prowlarr: ServarrClient,
    sonarr: ServarrClient,
    radarr: ServarrClient,
    lidarr: ServarrClient,
}

/// Fresh Sonarr/Radarr/Lidarr and a Prowlarr seeded with `seed`, all registered in SimDns under
/// their in-cluster names.
async fn nas(seed: Seed) -> Nas {
    let dns = SimDns::new();
    let s = spawn_registered(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let r = spawn_registered(config(AppKind::Radarr, Seed::Fresh), &dns).await;
    let l = spawn_registered(config(AppKind::Lidarr, Seed::Fresh), &dns).await;
    let p = spawn_registered(prowlarr_cfg(seed), &dns).await;
    Nas {
        prowlarr: good_client(&p),
        sonarr: good_client(&s),
        radarr: good_client(&r),
        lidarr: good_client(&l),
        _apps: vec![s, r, l, p],
    }
}

async fn app(p: &ServarrClient, name: &str) -> Provider {
    p.providers(ProviderKind::Application)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no application {name}"))
}

async fn sync(p: &ServarrClient) -> k8s_nas::clients::servarr::Command {
    let cmd = p.command("ApplicationIndexerSync").await.expect("command");
    assert_eq!(cmd.name, "ApplicationIndexerSync");
    assert!(
        matches!(cmd.status.as_str(), "queued" | "started"),
        "{cmd:?}"
    );
    wait_command(p, cmd.id).await
}

#[tokio::test]
async fn application_test_reaches_the_app_and_reports_why_it_fails() {
    let n = nas(Seed::Wired).await;
    let sonarr = app(&n.prowlarr, "Sonarr").await;
    // The stored (masked) key resolves to Sonarr's real key: the test passes.
    assert_eq!(sonarr.field_str("apiKey"), "********");
    n.prowlarr
        .test_provider(ProviderKind::Application, &sonarr)
        .await
        .expect("wired application test");

    // The target cluster's mistake: no URL base → Sonarr redirects.
    let mut no_base = sonarr.clone();
    no_base.set_field("baseUrl", json!("http://sonarr:8989"));
    let e = n
        .prowlarr
        .test_provider(ProviderKind::Application, &no_base)
        .await
        .unwrap_err();
    assert!(e.detail.contains("BaseUrl:"), "{}", e.detail);
    assert!(
        e.detail.contains("are you missing a URL base?"),
        "{}",
        e.detail
    );
    assert!(
        e.detail.contains("/sonarr/api/v3/system/status"),
        "{}",
        e.detail
    );

    let mut bad_key = sonarr.clone();
    bad_key.set_secret("apiKey", &"0000".into());
    let e = n
        .prowlarr
        .test_provider(ProviderKind::Application, &bad_key)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("ApiKey: API Key is invalid"),
        "{}",
        e.detail
    );

    let mut nowhere = sonarr.clone();
    nowhere.set_field("baseUrl", json!("http://sonarr.tv:8989/sonarr"));
    let e = n
        .prowlarr
        .test_provider(ProviderKind::Application, &nowhere)
        .await
        .unwrap_err();
    assert!(
        e.detail.contains("cannot connect to Sonarr"),
        "{}",
        e.detail
    );

    // Lidarr speaks /api/v1: the test must use it.
    let lidarr = app(&n.prowlarr, "Lidarr").await;
    n.prowlarr
        .test_provider(ProviderKind::Application, &lidarr)
        .await
        .expect("lidarr v1");
}

#[tokio::test]
async fn indexer_sync_makes_indexers_appear_in_each_app() {
    let n = nas(Seed::Wired).await;
    assert!(n
        .sonarr
        .providers(ProviderKind::Indexer)
        .await
        .unwrap()
        .is_empty());
    let h = n.sonarr.health().await.unwrap();
    assert!(h.issues.iter().any(|i| i.source == "IndexerRssCheck"));

    let done = sync(&n.prowlarr).await;
    assert_eq!(done.status, "completed", "{done:?}");
    assert_eq!(done.result.as_deref(), Some("successful"));

    let s = n.sonarr.providers(ProviderKind::Indexer).await.unwrap();
    let mut names: Vec<_> = s.iter().map(|i| i.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "1337x (Prowlarr)",
            "DrunkenSlug (Prowlarr)",
            "NZBgeek (Prowlarr)"
        ]
    );
    let torznab = s.iter().find(|i| i.name.starts_with("1337x")).unwrap();
    assert_eq!(torznab.implementation, "Torznab");
    assert_eq!(torznab.get("protocol"), Some(&json!("torrent")));
    let geek = s.iter().find(|i| i.name.starts_with("NZBgeek")).unwrap();
    assert_eq!(
        geek.field_str("baseUrl"),
        "http://prowlarr:9696/prowlarr/1/",
        "baseUrl = prowlarrUrl/id/"
    );
    assert_eq!(
        geek.field_str("apiKey"),
        "********",
        "the pushed key is masked"
    );
    let cats = geek.field("categories").unwrap().as_array().unwrap();
    assert!(
        cats.iter()
            .all(|c| (5000..6000).contains(&c.as_i64().unwrap())),
        "{cats:?}"
    );
    assert!(!n
        .sonarr
        .health()
        .await
        .unwrap()
        .issues
        .iter()
        .any(|i| i.source == "IndexerRssCheck"));

    // Radarr gets all three (movies), Lidarr only the two with audio categories.
    assert_eq!(
        n.radarr
            .providers(ProviderKind::Indexer)
            .await
            .unwrap()
            .len(),
        3
    );
    let l = n.lidarr.providers(ProviderKind::Indexer).await.unwrap();
    let mut lnames: Vec<_> = l.iter().map(|i| i.name.as_str()).collect();
    lnames.sort();
    assert_eq!(lnames, ["1337x (Prowlarr)", "NZBgeek (Prowlarr)"]);

    // A second sync recognises its own indexers: no duplicates.
    assert_eq!(sync(&n.prowlarr).await.status, "completed");
    assert_eq!(
        n.sonarr
            .providers(ProviderKind::Indexer)
            .await
            .unwrap()
            .len(),
        3
    );
}

async fn set_sync_level(p: &ServarrClient, name: &str, level: &str) {
    let mut a = app(p, name).await;
    a.set("syncLevel", json!(level));
    p.update_provider(ProviderKind::Application, &a)
        .await
        .expect("update app");
}

#[tokio::test]
async fn sync_levels_full_add_only_and_disabled() {
    let n = nas(Seed::Wired).await;
    assert_eq!(sync(&n.prowlarr).await.status, "completed");

    // Hand-tune one synced indexer in Sonarr.
    let mut geek = n
        .sonarr
        .providers(ProviderKind::Indexer)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name.starts_with("NZBgeek"))
        .unwrap();
    geek.set("priority", json!(10));
    let geek = n
        .sonarr
        .update_provider(ProviderKind::Indexer, &geek)
        .await
        .unwrap();
    let priority = |list: Vec<Provider>| {
        list.into_iter()
            .find(|i| i.name.starts_with("NZBgeek"))
            .and_then(|i| i.get("priority").and_then(|v| v.as_i64()))
    };

    // addOnly never updates existing indexers…
    set_sync_level(&n.prowlarr, "Sonarr", "addOnly").await;
    assert_eq!(sync(&n.prowlarr).await.status, "completed");
    assert_eq!(
        priority(n.sonarr.providers(ProviderKind::Indexer).await.unwrap()),
        Some(10)
    );
    // …but adds missing ones.
    n.sonarr
        .delete_provider(ProviderKind::Indexer, geek.id.unwrap())
        .await
        .unwrap();
    assert_eq!(sync(&n.prowlarr).await.status, "completed");
    assert_eq!(
        priority(n.sonarr.providers(ProviderKind::Indexer).await.unwrap()),
        Some(25)
    );

    // fullSync puts Prowlarr's settings back.
    let mut geek = n
        .sonarr
        .providers(ProviderKind::Indexer)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name.starts_with("NZBgeek"))
        .unwrap();
    geek.set("priority", json!(7));
    n.sonarr
        .update_provider(ProviderKind::Indexer, &geek)
        .await
        .unwrap();
    set_sync_level(&n.prowlarr, "Sonarr", "fullSync").await;
    assert_eq!(sync(&n.prowlarr).await.status, "completed");
    assert_eq!(
        priority(n.sonarr.providers(ProviderKind::Indexer).await.unwrap()),
        Some(25)
    );

    // disabled: nothing is pushed.
    set_sync_level(&n.prowlarr, "Sonarr", "disabled").await;
    for i in n.sonarr.providers(ProviderKind::Indexer).await.unwrap() {
        n.sonarr
            .delete_provider(ProviderKind::Indexer, i.id.unwrap())
            .await
            .unwrap();
    }
    assert_eq!(sync(&n.prowlarr).await.status, "completed");
    assert!(n
        .sonarr
        .providers(ProviderKind::Indexer)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        n.radarr
            .providers(ProviderKind::Indexer)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn miswired_prowlarr_cannot_sync_and_says_so() {
    let n = nas(Seed::Miswired).await;
    let done = sync(&n.prowlarr).await;
    assert_eq!(done.status, "failed", "{done:?}");
    assert_eq!(done.result.as_deref(), Some("unsuccessful"));
    let msg = done.message.unwrap_or_default();
    assert!(
        msg.contains("Sonarr: listing indexers answered HTTP 307"),
        "{msg}"
    );
    assert!(n
        .sonarr
        .providers(ProviderKind::Indexer)
        .await
        .unwrap()
        .is_empty());
    let h = n.prowlarr.health().await.unwrap();
    let status = h
        .issues
        .iter()
        .find(|i| i.source == "ApplicationStatusCheck")
        .unwrap_or_else(|| panic!("{:?}", h.issues));
    assert_eq!(status.level, IssueLevel::Error);
}

#[tokio::test]
async fn adding_an_application_syncs_it_right_away() {
    let n = nas(Seed::Wired).await;
    // Replace the seeded Sonarr app with a freshly added one.
    let old = app(&n.prowlarr, "Sonarr").await;
    n.prowlarr
        .delete_provider(ProviderKind::Application, old.id.unwrap())
        .await
        .unwrap();
    let schema = n
        .prowlarr
        .provider_schema(ProviderKind::Application)
        .await
        .unwrap();
    let mut p = schema
        .into_iter()
        .find(|t| t.implementation == "Sonarr")
        .unwrap();
    p.name = "Sonarr".into();
    p.id = None;
    p.set("syncLevel", json!("fullSync"));
    p.set_field(
        "prowlarrUrl",
        json!("http://prowlarr.media.svc.cluster.local:9696/prowlarr"),
    )
    .set_field(
        "baseUrl",
        json!("http://sonarr.media.svc.cluster.local:8989/sonarr"),
    )
    .set_secret("apiKey", &key_for(AppKind::Sonarr).into());
    let created = n
        .prowlarr
        .create_provider(ProviderKind::Application, &p)
        .await
        .unwrap();
    assert_eq!(created.enable, Some(true));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let list = n.sonarr.providers(ProviderKind::Indexer).await.unwrap();
        if list.len() == 3 {
            assert!(list[0]
                .field_str("baseUrl")
                .starts_with("http://prowlarr.media.svc.cluster.local:9696/prowlarr/"));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no sync after create: {list:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn unknown_command_is_a_server_error() {
    let n = nas(Seed::Fresh).await;
    let e = n.prowlarr.command("NoSuchCommand").await.unwrap_err();
    assert_eq!(
        e.kind,
        k8s_nas::model::AppErrorKind::ServerError { status: 500 }
    );
    // Sonarr has no ApplicationIndexerSync.
    let e = n
        .sonarr
        .command("ApplicationIndexerSync")
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        k8s_nas::model::AppErrorKind::ServerError { status: 500 }
    );
}

#[tokio::test]
async fn newznab_feed_is_what_the_apps_test_their_indexers_against() {
    let dns = SimDns::new();
    let p = spawn_registered(prowlarr_cfg(Seed::Wired), &dns).await;
    let s = spawn_registered(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let http = raw_http();
    let key = key_for(AppKind::Prowlarr);
    let caps = http
        .get(format!("{}/prowlarr/1/api?t=caps&apikey={key}", p.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(caps.status().as_u16(), 200);
    assert!(caps.text().await.unwrap().contains("<caps>"));
    let denied = http
        .get(format!("{}/prowlarr/1/api?t=caps&apikey=nope", p.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 401);
    let missing = http
        .get(format!("{}/prowlarr/99/api?t=caps&apikey={key}", p.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    // Sonarr's indexer test really calls that feed: a wrong Prowlarr key fails the save.
    let sonarr = good_client(&s);
    let mut idx = Provider::new("NZBgeek (Prowlarr)", "Newznab", "NewznabSettings");
    idx.set("enableRss", json!(true));
    idx.set_field("baseUrl", json!("http://prowlarr:9696/prowlarr/1/"))
        .set_field("apiPath", json!("/api"))
        .set_secret("apiKey", &"wrong".into())
        .set_field("categories", json!([5030, 5040]));
    let e = sonarr
        .create_provider(ProviderKind::Indexer, &idx)
        .await
        .unwrap_err();
    assert!(e.detail.contains("ApiKey: Invalid API Key"), "{}", e.detail);
    idx.set_secret("apiKey", &key.as_str().into());
    let ok = sonarr
        .create_provider(ProviderKind::Indexer, &idx)
        .await
        .expect("indexer with the right key");
    assert_eq!(ok.get("enableRss"), Some(&json!(true)));
    assert_eq!(ok.get("priority"), Some(&json!(25)));
}
