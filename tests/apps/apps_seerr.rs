//! Jellyseerr client against the Jellyseerr simulator. Its calls to Jellyfin go to the Jellyfin
//! simulator and its calls to Sonarr to a minimal Sonarr-shaped server, both over HTTP via SimDns.

use axum::{extract::Request, http::StatusCode, response::IntoResponse, Json, Router};
use k8s_nas::clients::seerr::{
    ArrServer, ArrTestRequest, JellyfinLogin, JellyfinServer, SeerrArr, SeerrClient,
};
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, AppKind, IssueLevel, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, RunningApp, Seed, SimDns};
use serde_json::json;

const KEY: &str = "MTc2MDAwMDAwMDAwMGY0YzI5ZGQ4LTk1ZWQtNDQ3ZC1hYjIyLTk3ZmQ3NDE4ZTQ2NQ==";
const SONARR_KEY: &str = "50aa50aa50aa50aa50aa50aa50aa50aa";
const JF_KEY: &str = "1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f";

/// Sonarr-shaped API at `/sonarr` (case-insensitive paths like ASP.NET), as `media/sonarr:8989`.
async fn fake_sonarr(dns: &SimDns) {
    async fn handle(req: Request) -> axum::response::Response {
        let path = req.uri().path().to_ascii_lowercase();
        let Some(rest) = path.strip_prefix("/sonarr") else {
            let loc = format!("/sonarr{}", req.uri());
            return (StatusCode::TEMPORARY_REDIRECT, [("location", loc)]).into_response();
        };
        let q = req.uri().query().unwrap_or("");
        if !q.split('&').any(|kv| kv == format!("apikey={SONARR_KEY}")) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let v = match rest {
            "/api/v3/system/status" => {
                json!({"appName": "Sonarr", "version": "4.0.19.2979", "urlBase": "/sonarr"})
            }
            "/api/v3/qualityprofile" => {
                json!([{"id": 1, "name": "Any"}, {"id": 4, "name": "HD-1080p"}])
            }
            "/api/v3/rootfolder" => {
                json!([{"id": 1, "path": "/data/media/series", "accessible": true}])
            }
            "/api/v3/tag" => json!([]),
            _ => return StatusCode::NOT_FOUND.into_response(),
        };
        Json(v).into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, Router::new().fallback(handle)).await;
    });
    dns.register("media", "sonarr", 8989, addr);
}

/// The Jellyfin simulator at `/jellyfin`, registered as `media/jellyfin:80` (the Service port).
async fn jellyfin(dns: &SimDns) -> RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Jellyfin, "/jellyfin", JF_KEY);
    cfg.seed = Seed::Wired;
    let app = spawn_app(cfg, dns.clone(), None).await.unwrap();
    dns.register("media", "jellyfin", 80, app.addr);
    app
}

async fn start(seed: Seed, dns: &SimDns) -> RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Jellyseerr, "", KEY);
    cfg.seed = seed;
    cfg.peer_keys.insert(AppKind::Sonarr, SONARR_KEY.into());
    cfg.peer_keys.insert(AppKind::Jellyfin, JF_KEY.into());
    spawn_app(cfg, dns.clone(), None).await.expect("spawn")
}

fn client(app: &RunningApp, key: &str) -> SeerrClient {
    SeerrClient::new(AppEndpoint::direct(app.url(), ""), Secret::new(key))
}

#[tokio::test]
async fn health_and_auth() {
    let dns = SimDns::new();
    let app = start(Seed::Wired, &dns).await;
    let h = client(&app, KEY).health().await.expect("health");
    assert_eq!(h.version.as_deref(), Some("2.7.3"));
    assert_eq!(h.summary, "ok");
    let e = client(&app, "wrong").health().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Forbidden);
    app.faults.update(|f| f.health_errors = true);
    let h = client(&app, KEY).health().await.unwrap();
    assert_eq!(h.worst_level(), IssueLevel::Warning);
    assert!(h.issues.iter().any(|i| i.message.contains("restart")));
    let r = reqwest::get(format!("{}/api/v1/nope", app.url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn fresh_install_first_admin_via_jellyfin() {
    let dns = SimDns::new();
    let jf = jellyfin(&dns).await;
    let app = start(Seed::Fresh, &dns).await;
    // Before user 1 exists the right key is useless.
    let e = client(&app, KEY).main_settings().await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Forbidden);
    let h = client(&app, "").health().await.unwrap();
    assert!(h.issues.iter().any(|i| i.message.contains("setup")));
    let anon = client(&app, "");
    let login = JellyfinLogin {
        username: "admin".into(),
        password: Secret::new("wrong"),
        server: Some(JellyfinServer {
            hostname: "jellyfin".into(),
            port: 80,
            url_base: "/jellyfin".into(),
            use_ssl: false,
        }),
        email: "admin@example.com".into(),
    };
    let e = anon.login_jellyfin(&login).await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    let ok = JellyfinLogin {
        password: Secret::new("adminadmin"),
        ..login
    };
    anon.login_jellyfin(&ok).await.expect("first login");
    let c = client(&app, KEY);
    c.main_settings().await.expect("key works now");
    let j = c.jellyfin_settings().await.unwrap();
    assert_eq!(
        (j.ip.as_str(), j.port, j.url_base.as_str()),
        ("jellyfin", 80, "/jellyfin")
    );
    assert_eq!(
        j.api_key.expose().len(),
        32,
        "Jellyseerr created its own Jellyfin key"
    );
    assert_ne!(j.api_key.expose(), JF_KEY);
    assert_eq!(j.name, "nas");
    c.initialize().await.unwrap();
    assert!(c.public_settings().await.unwrap().initialized);
    // Sending the hostname again is refused.
    let e = anon.login_jellyfin(&ok).await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::ServerError { status: 500 });
    drop(jf);
}

#[tokio::test]
async fn jellyfin_settings_are_checked_against_jellyfin() {
    let dns = SimDns::new();
    let _jf = jellyfin(&dns).await;
    let app = start(Seed::Miswired, &dns).await;
    let c = client(&app, KEY);
    let mut j = c.jellyfin_settings().await.unwrap();
    assert_eq!(j.url_base, "", "the seeded mistake");
    // Without /jellyfin Jellyfin answers 404, which Jellyseerr passes on.
    let e = c.update_jellyfin(&j).await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
    j.url_base = "/jellyfin".into();
    j.api_key = Secret::new("00000000000000000000000000000000");
    let e = c.update_jellyfin(&j).await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Unauthorized);
    j.api_key = Secret::new(JF_KEY);
    let saved = c.update_jellyfin(&j).await.expect("saved");
    assert_eq!(saved.url_base, "/jellyfin");
    assert_eq!(saved.server_id, "4f1b0c6ad2a34f0e9c2e5c1d8b7a6e3f");
    // Library sync reads Jellyfin's folders (music is dropped) and enables what we ask for.
    let libs = c.sync_jellyfin_libraries(&[]).await.unwrap();
    assert_eq!(libs.len(), 2, "{libs:?}");
    assert!(libs.iter().all(|l| !l.enabled));
    let movies = libs.iter().find(|l| l.kind == "movie").unwrap().id.clone();
    let libs = c.sync_jellyfin_libraries(&[movies.as_str()]).await.unwrap();
    assert_eq!(libs.iter().filter(|l| l.enabled).count(), 1);
    assert_eq!(c.jellyfin_settings().await.unwrap().name, "nas");
}

#[tokio::test]
async fn sonarr_servers_round_trip_and_test() {
    let dns = SimDns::new();
    fake_sonarr(&dns).await;
    let app = start(Seed::Miswired, &dns).await;
    let c = client(&app, KEY);
    let list = c.servers(SeerrArr::Sonarr).await.unwrap();
    assert_eq!(list.len(), 1);
    let mut s = list[0].clone();
    assert_eq!(s.base_url, "");
    assert_eq!(s.api_key.expose(), SONARR_KEY);
    let req = |base: &str, key: &str| ArrTestRequest {
        hostname: "sonarr".into(),
        port: 8989,
        api_key: Secret::new(key),
        use_ssl: false,
        base_url: base.into(),
    };
    // The target cluster's mistake: no /sonarr → Sonarr redirects → test fails.
    let e = c
        .test_server(SeerrArr::Sonarr, &req("", SONARR_KEY))
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::ServerError { status: 500 });
    assert!(e.detail.contains("Failed to connect to Sonarr"));
    let e = c
        .test_server(SeerrArr::Sonarr, &req("/sonarr", "bad"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::ServerError { status: 500 });
    let t = c
        .test_server(SeerrArr::Sonarr, &req("/sonarr", SONARR_KEY))
        .await
        .unwrap();
    assert_eq!(t.profiles.len(), 2);
    assert_eq!(t.root_folders[0].path, "/data/media/series");
    assert_eq!(t.url_base.as_deref(), Some("/sonarr"));

    // Fix the entry, then create and delete a second one.
    s.base_url = "/sonarr".into();
    let id = s.id.unwrap();
    let updated = c.update_server(SeerrArr::Sonarr, id, &s).await.unwrap();
    assert_eq!(updated.base_url, "/sonarr");
    assert_eq!(updated.id, Some(id));
    let mut second = s.clone();
    second.id = None;
    second.name = "Sonarr 4K".into();
    second.is4k = true;
    let created = c.create_server(SeerrArr::Sonarr, &second).await.unwrap();
    assert_eq!(created.id, Some(id + 1));
    assert_eq!(c.servers(SeerrArr::Sonarr).await.unwrap().len(), 2);
    c.delete_server(SeerrArr::Sonarr, id + 1).await.unwrap();
    let e = c.delete_server(SeerrArr::Sonarr, 99).await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 404 });
    // Validation: a missing required field is a 400 with the validator's message.
    let mut bad = second.to_body();
    bad.as_object_mut().unwrap().remove("activeDirectory");
    k8s_nas::init_tls();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/settings/sonarr", app.url()))
        .header("x-api-key", KEY)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("activeDirectory"));
    // A body with the read-only id is refused.
    let mut with_id = second.to_body();
    with_id["id"] = json!(5);
    k8s_nas::init_tls();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/settings/sonarr", app.url()))
        .header("x-api-key", KEY)
        .json(&with_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let _: ArrServer = serde_json::from_value(updated.to_body()).unwrap();
}

#[tokio::test]
async fn radarr_list_and_unreachable_test() {
    let dns = SimDns::new();
    let app = start(Seed::Wired, &dns).await;
    let c = client(&app, KEY);
    let list = c.servers(SeerrArr::Radarr).await.unwrap();
    assert_eq!(list[0].base_url, "/radarr");
    assert_eq!(list[0].minimum_availability.as_deref(), Some("released"));
    // No Radarr in the simulated cluster: the test cannot connect.
    let t = ArrTestRequest {
        hostname: "radarr".into(),
        port: 7878,
        api_key: Secret::new("k"),
        use_ssl: false,
        base_url: "/radarr".into(),
    };
    let e = c.test_server(SeerrArr::Radarr, &t).await.unwrap_err();
    assert!(
        e.detail.contains("Failed to connect to Radarr"),
        "{}",
        e.detail
    );
    // Radarr requires minimumAvailability.
    let mut r = list[0].clone();
    r.minimum_availability = None;
    let e = c.create_server(SeerrArr::Radarr, &r).await.unwrap_err();
    assert_eq!(e.kind, AppErrorKind::Http { status: 400 });
    assert!(e.detail.contains("minimumAvailability"));
}
