//! SABnzbd client against the SABnzbd simulator: keys, URL base, host whitelist, config calls.

use k8s_nas::clients::sabnzbd::{SabCategory, SabClient};
use k8s_nas::clients::transport::{http_client, AppEndpoint, Transport, DEFAULT_TIMEOUT};
use k8s_nas::model::{AppErrorKind, AppKind, IssueLevel, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, RunningApp, Seed, SimDns};

const KEY: &str = "5ab5ab5ab5ab5ab5ab5ab5ab5ab5ab01";

async fn start(seed: Seed) -> RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Sabnzbd, "/sabnzbd", KEY);
    cfg.seed = seed;
    spawn_app(cfg, SimDns::new(), None).await.expect("spawn")
}

fn client(app: &RunningApp, base: &str, key: &str) -> SabClient {
    SabClient::new(AppEndpoint::direct(app.url(), base), Secret::new(key))
}

/// An endpoint that reaches the app under an in-cluster host name (so `Host` is not an IP).
fn by_name(app: &RunningApp, host: &str) -> SabClient {
    k8s_nas::init_tls();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(host, app.addr)
        .build()
        .unwrap_or_else(|_| http_client());
    let ep = AppEndpoint {
        transport: Transport::Direct {
            http,
            origin: format!("http://{host}:{}", app.addr.port()),
        },
        url_base: "/sabnzbd".into(),
        timeout: DEFAULT_TIMEOUT,
        max_body: k8s_nas::clients::transport::MAX_JSON_BODY,
    };
    SabClient::new(ep, Secret::new(KEY))
}

#[tokio::test]
async fn health_with_and_without_url_base() {
    let app = start(Seed::Wired).await;
    for base in ["/sabnzbd", ""] {
        let h = client(&app, base, KEY).health().await.expect("health");
        assert_eq!(h.version.as_deref(), Some("4.5.5"));
        assert_eq!(h.summary, "Downloading");
        assert!(h.issues.is_empty());
    }
    let e = client(&app, "/wrong", KEY).version().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
}

#[tokio::test]
async fn keys_are_classified() {
    let app = start(Seed::Fresh).await;
    // version needs no key, queue does.
    assert_eq!(
        client(&app, "/sabnzbd", "").version().await.unwrap(),
        "4.5.5"
    );
    k8s_nas::init_tls();
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/sabnzbd/api?mode=queue&output=json", app.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.text().await.unwrap(), "API Key Required");
    let e = client(&app, "/sabnzbd", "wrongwrongwrong")
        .health()
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    assert!(e.detail.contains("Incorrect"));
    // The NZB key opens only nzb-level modes.
    let misc = client(&app, "/sabnzbd", KEY).misc().await.unwrap();
    let nzb = misc["nzb_key"].as_str().unwrap().to_string();
    assert_ne!(nzb, KEY);
    let e = client(&app, "/sabnzbd", &nzb).queue().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    // Errors inside a mode keep SABnzbd's text.
    let e = client(&app, "/sabnzbd", KEY)
        .api("nosuchmode", &[], true)
        .await
        .unwrap_err();
    assert!(e.detail.contains("not implemented"));
}

#[tokio::test]
async fn host_whitelist() {
    let app = start(Seed::Fresh).await;
    let e = by_name(&app, "sabnzbd.media").version().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Forbidden);
    assert!(e.detail.contains("host_whitelist"));
    // Names ending in `.local` always pass (SABnzbd treats them as mDNS), so the FQDN works.
    let v = by_name(&app, "sabnzbd.media.svc.cluster.local")
        .version()
        .await;
    assert_eq!(v.unwrap(), "4.5.5");
    // Fix it the way the console would, then the short name passes.
    client(&app, "/sabnzbd", KEY)
        .set_misc("host_whitelist", "sabnzbd, sabnzbd.media")
        .await
        .unwrap();
    assert_eq!(
        by_name(&app, "sabnzbd.media").version().await.unwrap(),
        "4.5.5"
    );
    let wired = start(Seed::Wired).await;
    assert!(by_name(&wired, "sabnzbd").version().await.is_ok());
    let mis = start(Seed::Miswired).await;
    assert!(by_name(&mis, "sabnzbd").version().await.is_err());
}

#[tokio::test]
async fn categories_round_trip() {
    let app = start(Seed::Miswired).await;
    let c = client(&app, "/sabnzbd", KEY);
    let cats = c.categories().await.unwrap();
    assert!(!cats.iter().any(|c| c.name == "tv"));
    c.set_category(&SabCategory {
        name: "tv".into(),
        dir: "tv".into(),
        priority: -100,
        ..Default::default()
    })
    .await
    .unwrap();
    let cats = c.categories().await.unwrap();
    let tv = cats.iter().find(|c| c.name == "tv").expect("tv created");
    assert_eq!(tv.dir, "tv");
    assert!(c
        .category_names()
        .await
        .unwrap()
        .contains(&"tv".to_string()));
    let misc = c.misc().await.unwrap();
    assert_eq!(misc["complete_dir"], "/data/usenet/complete");
}

#[tokio::test]
async fn faulty_app() {
    let app = start(Seed::Wired).await;
    app.faults.update(|f| f.health_errors = true);
    let h = client(&app, "/sabnzbd", KEY).health().await.unwrap();
    assert_eq!(h.summary, "Paused");
    assert_eq!(h.worst_level(), IssueLevel::Warning);
    assert!(h.issues.len() >= 2);
    app.faults.update(|f| {
        f.health_errors = false;
        f.truncated_json = true;
    });
    let e = client(&app, "/sabnzbd", KEY).health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody);
}
