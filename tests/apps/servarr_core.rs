//! Servarr core over real HTTP: ping, API-key auth, URL base, status, health, faults —
//! for Sonarr, Radarr, Lidarr and Prowlarr with one client and one simulator.

use crate::servarr_common;

use k8s_nas::clients::servarr::ServarrClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, AppKind, IssueLevel, Secret};
use k8s_nas::sim::apps::{Seed, SimDns};
use servarr_common::*;
use std::time::Duration;

#[tokio::test]
async fn ping_is_anonymous_and_lives_under_the_url_base() {
    let dns = SimDns::new();
    for kind in KINDS {
        let app = spawn(config(kind, Seed::Fresh), &dns).await;
        // No key at all: /ping is anonymous.
        let r = client(&app, &base_for(kind), "")
            .ping()
            .await
            .expect("ping");
        assert_eq!(r.status.as_u16(), 200, "{kind}");
        assert_eq!(r.body.as_ref(), br#"{"status":"OK"}"#);
        // Without the URL base: 307 to the prefixed path → WrongUrlBase.
        let e = client(&app, "", "").ping().await.unwrap_err();
        assert_eq!(
            e.kind,
            AppErrorKind::WrongUrlBase {
                location: format!("/{}/ping", kind.id())
            },
            "{kind}"
        );
    }
}

#[tokio::test]
async fn api_key_is_required_and_accepted_three_ways() {
    let dns = SimDns::new();
    let http = raw_http();
    for kind in KINDS {
        let app = spawn(config(kind, Seed::Fresh), &dns).await;
        let ver = kind.servarr_api_version().unwrap();
        let base = base_for(kind);
        let key = key_for(kind);
        let url = format!("{}{base}/api/{ver}/system/status", app.url());

        // Client: missing and wrong key → Unauthorized.
        let e = client(&app, &base, "wrong-key")
            .system_status()
            .await
            .unwrap_err();
        assert_eq!(e.kind, AppErrorKind::Unauthorized, "{kind}");
        let e = client(&app, &base, "").system_status().await.unwrap_err();
        assert_eq!(e.kind, AppErrorKind::Config, "empty key is refused locally");

        // Raw wire: 401 with an empty body and the version header.
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        assert!(r.headers().contains_key("x-application-version"));
        assert!(r.bytes().await.unwrap().is_empty());

        // Accepted: query, X-Api-Key, Bearer.
        let q = http
            .get(format!("{url}?apikey={key}"))
            .send()
            .await
            .unwrap();
        assert_eq!(q.status().as_u16(), 200, "{kind} query");
        let h = http
            .get(&url)
            .header("X-Api-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(h.status().as_u16(), 200, "{kind} header");
        let b = http.get(&url).bearer_auth(&key).send().await.unwrap();
        assert_eq!(b.status().as_u16(), 200, "{kind} bearer");
        // The query wins when both are present.
        let both = http
            .get(format!("{url}?apikey=nope"))
            .header("X-Api-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(both.status().as_u16(), 401, "{kind} query first");

        // Auth runs before the URL-base redirect.
        let unprefixed = format!("{}/api/{ver}/system/status?x=1", app.url());
        let r = http.get(&unprefixed).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{kind} unprefixed without key");
        let r = http
            .get(&unprefixed)
            .header("X-Api-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 307);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("{base}/api/{ver}/system/status?x=1")
        );

        // Routes are case-insensitive (Jellyseerr calls /api/v3/qualityProfile).
        let upper = format!(
            "{}{}/API/{}/System/Status",
            app.url(),
            base.to_uppercase(),
            ver.to_uppercase()
        );
        let r = http
            .get(&upper)
            .header("X-Api-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{kind} case-insensitive");
        // The other API version does not exist.
        let other = if ver == "v3" { "v1" } else { "v3" };
        let r = http
            .get(format!("{}{base}/api/{other}/system/status", app.url()))
            .header("X-Api-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{kind} wrong API version");
    }
}

#[tokio::test]
async fn wrong_url_base_on_api_calls_is_reported() {
    let dns = SimDns::new();
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let e = client(&app, "", &key_for(AppKind::Sonarr))
        .system_status()
        .await
        .unwrap_err();
    match e.kind {
        AppErrorKind::WrongUrlBase { location } => {
            assert_eq!(location, "/sonarr/api/v3/system/status")
        }
        other => panic!("expected WrongUrlBase, got {other:?}"),
    }
    // A base the app does not serve either.
    let e = client(&app, "/tv", &key_for(AppKind::Sonarr))
        .system_status()
        .await
        .unwrap_err();
    assert!(matches!(e.kind, AppErrorKind::WrongUrlBase { .. }), "{e:?}");
}

#[tokio::test]
async fn status_reports_version_url_base_and_app_name() {
    let dns = SimDns::new();
    for kind in KINDS {
        let mut cfg = config(kind, Seed::Fresh);
        cfg.version = format!("9.8.7.{}", kind.default_port());
        let app = spawn(cfg, &dns).await;
        let c = good_client(&app);
        let s = c.system_status().await.expect("status");
        assert_eq!(s.app_name, kind.display());
        assert_eq!(s.version, format!("9.8.7.{}", kind.default_port()));
        assert_eq!(s.url_base, base_for(kind));
        assert_eq!(s.header_version.as_deref(), Some(s.version.as_str()));
        assert_eq!(c.app_version().as_deref(), Some(s.version.as_str()));
        for k in [
            "instanceName",
            "databaseType",
            "packageUpdateMechanism",
            "runtimeVersion",
            "startupPath",
            "migrationVersion",
        ] {
            assert!(
                s.extra.contains_key(k) || k == "instanceName",
                "{kind} lacks {k}"
            );
        }
        assert_eq!(s.instance_name, kind.display());
        assert!(s.is_docker);
        assert_eq!(s.extra["databaseType"], "sqLite");
    }
}

#[tokio::test]
async fn health_fresh_install_lists_the_missing_pieces() {
    let dns = SimDns::new();
    for kind in [AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr] {
        let app = spawn(config(kind, Seed::Fresh), &dns).await;
        let h = good_client(&app).health().await.expect("health");
        let sources: Vec<_> = h.issues.iter().map(|i| i.source.as_str()).collect();
        assert_eq!(
            sources,
            [
                "IndexerRssCheck",
                "IndexerSearchCheck",
                "DownloadClientCheck"
            ],
            "{kind}"
        );
        assert_eq!(h.summary, "3 issues");
        assert_eq!(h.worst_level(), IssueLevel::Error);
        assert!(h.issues[0].message.contains(kind.display()));
        let wiki = h.issues[2].wiki_url.as_deref().unwrap();
        assert!(
            wiki.starts_with(&format!("https://wiki.servarr.com/{}/system#", kind.id())),
            "{wiki}"
        );
        assert!(h.version.is_some());
    }
    // Prowlarr needs neither download clients nor root folders.
    let app = spawn(config(AppKind::Prowlarr, Seed::Fresh), &dns).await;
    let h = good_client(&app).health().await.unwrap();
    assert_eq!(h.summary, "healthy", "{:?}", h.issues);
}

fn wired(kind: AppKind, seed: Seed) -> k8s_nas::sim::apps::AppSimConfig {
    let mut cfg = config(kind, seed);
    for k in [AppKind::Prowlarr, AppKind::Sabnzbd, AppKind::Qbittorrent] {
        cfg.peer_keys.insert(k, format!("{}-key", k.id()));
    }
    cfg
}

#[tokio::test]
async fn health_wired_is_clean_and_miswired_shows_the_mistakes() {
    let dns = SimDns::new();
    for kind in [AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr] {
        let app = spawn(wired(kind, Seed::Wired), &dns).await;
        let h = good_client(&app).health().await.unwrap();
        assert_eq!(h.summary, "healthy", "{kind}: {:?}", h.issues);

        let app = spawn(wired(kind, Seed::Miswired), &dns).await;
        let h = good_client(&app).health().await.unwrap();
        let root = h
            .issues
            .iter()
            .find(|i| i.source == "RootFolderCheck")
            .unwrap_or_else(|| panic!("{kind}: {:?}", h.issues));
        assert_eq!(root.level, IssueLevel::Error);
        assert!(
            root.message.starts_with("Missing root folder: /"),
            "{}",
            root.message
        );
        assert!(h.issues.iter().any(|i| i.source == "IndexerRssCheck"));
    }
}

#[tokio::test]
async fn health_errors_fault_adds_errors() {
    let dns = SimDns::new();
    let app = spawn(wired(AppKind::Radarr, Seed::Wired), &dns).await;
    let c = good_client(&app);
    assert_eq!(c.health().await.unwrap().summary, "healthy");
    app.faults.update(|f| f.health_errors = true);
    let h = c.health().await.unwrap();
    assert_eq!(h.summary, "2 issues");
    assert!(h.issues.iter().all(|i| i.level == IssueLevel::Error));
    app.faults.update(|f| f.health_errors = false);
    assert_eq!(c.health().await.unwrap().summary, "healthy");
}

#[tokio::test]
async fn faults_latency_hang_html_truncated() {
    let dns = SimDns::new();
    let app = spawn(config(AppKind::Lidarr, Seed::Fresh), &dns).await;
    let c = good_client(&app);

    app.faults
        .update(|f| f.latency = Duration::from_millis(250));
    let r = c.ping().await.expect("slow ping");
    assert!(r.latency >= Duration::from_millis(250), "{:?}", r.latency);
    app.faults.update(|f| f.latency = Duration::ZERO);
    let r = c.ping().await.unwrap();
    assert!(r.latency < Duration::from_millis(250), "{:?}", r.latency);

    app.faults.update(|f| f.hang = true);
    let short = ServarrClient::new(
        AppKind::Lidarr,
        AppEndpoint::direct(app.url(), "/lidarr").with_timeout(Duration::from_millis(300)),
        Secret::new(key_for(AppKind::Lidarr)),
    );
    let e = short.system_status().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Timeout { after_ms: 300 });
    app.faults.update(|f| f.hang = false);

    app.faults.update(|f| f.html = true);
    let e = c.system_status().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody);
    assert!(e.detail.contains("HTML"), "{}", e.detail);
    let e = c.ping().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody);
    app.faults.update(|f| f.html = false);

    app.faults.update(|f| f.truncated_json = true);
    let e = c.system_status().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody);
    assert!(e.detail.contains("truncated"), "{}", e.detail);
    app.faults.update(|f| f.truncated_json = false);

    app.faults.update(|f| f.status_500 = true);
    let e = c.health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::ServerError { status: 500 });
    app.faults.update(|f| f.status_500 = false);
    assert!(c.health().await.is_ok());
}

#[tokio::test]
async fn unreachable_app_is_classified() {
    let dns = SimDns::new();
    let app = spawn(config(AppKind::Sonarr, Seed::Fresh), &dns).await;
    let url = app.url();
    drop(app);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let c = ServarrClient::new(
        AppKind::Sonarr,
        AppEndpoint::direct(url, "/sonarr"),
        Secret::new("k"),
    );
    let e = c.ping().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unreachable, "{e:?}");
}

#[tokio::test]
async fn short_api_key_gets_a_warning() {
    let dns = SimDns::new();
    let mut cfg = wired(AppKind::Sonarr, Seed::Wired);
    cfg.api_key = "short-key".into();
    let app = spawn(cfg, &dns).await;
    let h = client(&app, "/sonarr", "short-key").health().await.unwrap();
    assert_eq!(h.summary, "1 issue");
    assert_eq!(h.issues[0].source, "ApiKeyValidationCheck");
    assert_eq!(h.issues[0].level, IssueLevel::Warning);
}
