//! kube-rs against the simulated API server, over real HTTPS on 127.0.0.1: discovery-free typed
//! APIs, list/pagination, watchers and reflectors, 410 Gone → relist, scale, patch, the service
//! proxy and the RBAC simulation.

use futures::{StreamExt, TryStreamExt};
use k8s_nas::sim::kube::{fixture, KubeSim};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use serde_json::json;
use std::time::Duration;

async fn client_for(sim: &KubeSim) -> kube::Client {
    let kubeconfig =
        kube::config::Kubeconfig::from_yaml(&sim.kubeconfig_yaml()).expect("kubeconfig parses");
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kubeconfig loads");
    // kube 5 retries 429/503/504 up to 15 times with backoff up to 1000 s by default; the
    // service proxy's "no endpoints" 503 must reach the caller at once.
    config.default_retry = false;
    kube::Client::try_from(config).expect("client builds")
}

async fn start() -> (KubeSim, kube::Client) {
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .expect("sim starts");
    let client = client_for(&sim).await;
    (sim, client)
}

/// Poll `check` until it returns true or 5 s pass.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn configmap(name: &str, value: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "media", "labels": {"team": "media"}},
           "data": {"key": value}})
}

#[tokio::test]
async fn lists_pods_with_selectors_and_pages() {
    let (sim, client) = start().await;
    let all: Api<Pod> = Api::all(client.clone());
    let pods = all.list(&ListParams::default()).await.unwrap();
    assert_eq!(pods.items.len(), 2);
    let rv: u64 = pods
        .metadata
        .resource_version
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv > 1);

    let media: Api<Pod> = Api::namespaced(client.clone(), "media");
    let sonarr = media
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap();
    assert_eq!(sonarr.items.len(), 1);
    let pod = &sonarr.items[0];
    let name = pod.metadata.name.clone().unwrap();
    assert!(name.starts_with("sonarr-"), "{name}");
    assert_eq!(
        pod.status.as_ref().unwrap().phase.as_deref(),
        Some("Running")
    );
    assert!(pod.metadata.uid.is_some() && pod.metadata.creation_timestamp.is_some());
    let owner = &pod.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(owner.kind, "ReplicaSet");

    let set = media
        .list(&ListParams::default().labels("app in (sonarr,radarr),app!=radarr"))
        .await
        .unwrap();
    assert_eq!(set.items.len(), 1);
    let none = media
        .list(&ListParams::default().labels("!app"))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    let by_field = all
        .list(&ListParams::default().fields(&format!("metadata.name={name},status.phase=Running")))
        .await
        .unwrap();
    assert_eq!(by_field.items.len(), 1);
    let on_node = all
        .list(&ListParams::default().fields("spec.nodeName=elsewhere"))
        .await
        .unwrap();
    assert!(on_node.items.is_empty());

    // Pagination: one item per page, continue token until the end.
    let first = all.list(&ListParams::default().limit(1)).await.unwrap();
    assert_eq!(first.items.len(), 1);
    let token = first.metadata.continue_.clone().expect("continue token");
    assert_eq!(first.metadata.remaining_item_count, Some(1));
    let second = all
        .list(&ListParams::default().limit(1).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_ne!(second.items[0].metadata.name, first.items[0].metadata.name);
    assert!(second
        .metadata
        .continue_
        .as_deref()
        .unwrap_or("")
        .is_empty());

    // Get and NotFound.
    assert_eq!(
        media.get(&name).await.unwrap().metadata.name.as_deref(),
        Some(name.as_str())
    );
    match media.get("nope").await {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 404);
            assert_eq!(s.reason, "NotFound");
        }
        other => panic!("expected 404, got {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn kube_client_helper_talks_tls_to_the_sim() {
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .unwrap();
    assert!(sim.url().starts_with("https://127.0.0.1:"));
    let client = sim.kube_client().await.unwrap();
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(
        (version.major.as_str(), version.minor.as_str()),
        ("1", "32")
    );
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client);
    let names: Vec<String> = namespaces
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert_eq!(names, ["default", "kube-system", "media"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn rejects_missing_or_wrong_token() {
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .unwrap();
    let http = reqwest::Client::builder().build().unwrap();
    let url = format!("{}/api/v1/pods", sim.http_url());
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["code"], 401);
    let resp = http.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http
        .get(&url)
        .bearer_auth(sim.token())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn reflector_follows_apply_and_delete() {
    let (sim, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "media");
    let (reader, writer) = reflector::store::<ConfigMap>();
    let stream = reflector(
        writer,
        watcher(api, watcher::Config::default().labels("team=media")),
    )
    .applied_objects()
    .boxed();
    let task = tokio::spawn(async move {
        let mut stream = stream;
        while let Some(ev) = stream.next().await {
            if ev.is_err() {
                break;
            }
        }
    });
    reader.wait_until_ready().await.unwrap();
    assert!(reader.state().is_empty());

    sim.apply(configmap("one", "a")).unwrap();
    let find = |r: &reflector::Store<ConfigMap>| {
        r.state()
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some("one"))
            .map(|c| c.data.clone().unwrap_or_default()["key"].clone())
    };
    eventually("ADDED", || {
        let v = find(&reader);
        async move { v.as_deref() == Some("a") }
    })
    .await;
    sim.apply(configmap("one", "b")).unwrap();
    eventually("MODIFIED", || {
        let v = find(&reader);
        async move { v.as_deref() == Some("b") }
    })
    .await;
    // A label change that leaves the selector turns into DELETED for this watcher.
    let mut unlabelled = configmap("one", "b");
    unlabelled["metadata"]["labels"] = json!({"team": "other"});
    sim.apply(unlabelled).unwrap();
    eventually("selector exit", || {
        let v = find(&reader);
        async move { v.is_none() }
    })
    .await;
    sim.apply(configmap("two", "c")).unwrap();
    eventually("second ADDED", || {
        let n = reader.state().len();
        async move { n == 1 }
    })
    .await;
    sim.delete("v1", "ConfigMap", Some("media"), "two").unwrap();
    eventually("DELETED", || {
        let n = reader.state().len();
        async move { n == 0 }
    })
    .await;
    task.abort();
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_resource_version_gets_410_and_watcher_relists() {
    let (sim, client) = start().await;
    sim.apply(configmap("before", "x")).unwrap();
    let old_rv = sim.resource_version();

    // The watcher runs, then the server forgets its history and drops every watch.
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "media");
    let mut events = watcher(api, watcher::Config::default()).boxed();
    let mut inits = 0;
    let mut seen_after = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut expired = false;
    while tokio::time::Instant::now() < deadline && !(inits >= 2 && seen_after) {
        let ev = tokio::time::timeout(Duration::from_secs(5), events.try_next()).await;
        match ev {
            Ok(Ok(Some(watcher::Event::Init))) => inits += 1,
            Ok(Ok(Some(watcher::Event::InitApply(cm)))) if inits >= 2 => {
                if cm.metadata.name.as_deref() == Some("after") {
                    seen_after = true;
                }
            }
            Ok(Ok(Some(watcher::Event::InitDone))) if !expired => {
                expired = true;
                // Delete while no watch can see it, then expire: the relist must not show it.
                sim.expire_watches();
                sim.delete("v1", "ConfigMap", Some("media"), "before")
                    .unwrap();
                sim.apply(configmap("after", "y")).unwrap();
            }
            Ok(Ok(Some(_))) => {}
            Ok(Ok(None)) => break,
            Ok(Err(_)) => {} // the 410 surfaces as an error before the relist
            Err(_) => break,
        }
    }
    assert!(inits >= 2, "watcher relisted after 410 (inits = {inits})");
    assert!(
        seen_after,
        "relist returned the object created after the compaction"
    );

    // A raw watch from the old resourceVersion gets one ERROR event with a 410 Status.
    let req = http::Request::get(format!(
        "/api/v1/namespaces/media/configmaps?watch=true&resourceVersion={old_rv}"
    ))
    .body(Vec::new())
    .unwrap();
    let text = client.request_text(req).await.unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["type"], "ERROR");
    assert_eq!(line["object"]["code"], 410);
    assert_eq!(line["object"]["reason"], "Expired");
    sim.shutdown().await;
}

#[tokio::test]
async fn watch_resumes_from_resource_version_and_sends_bookmarks() {
    let (sim, client) = start().await;
    let rv = sim.resource_version();
    sim.apply(configmap("a", "1")).unwrap();
    sim.apply(configmap("a", "2")).unwrap();
    sim.delete("v1", "ConfigMap", Some("media"), "a").unwrap();
    let req = http::Request::get(format!(
        "/api/v1/namespaces/media/configmaps?watch=true&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=1"
    ))
    .body(Vec::new())
    .unwrap();
    let started = std::time::Instant::now();
    let text = client.request_text(req).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "timeoutSeconds ends the stream"
    );
    let types: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(types, ["ADDED", "MODIFIED", "DELETED"]);

    // sendInitialEvents: current objects, then a bookmark marking the end of the initial list.
    let req = http::Request::get(
        "/api/v1/namespaces/media/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
    )
    .body(Vec::new())
    .unwrap();
    sim.apply(configmap("b", "1")).unwrap();
    let text = client.request_text(req).await.unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "ADDED");
    assert_eq!(lines[0]["object"]["metadata"]["name"], "b");
    assert_eq!(lines[1]["type"], "BOOKMARK");
    assert_eq!(
        lines[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn scaling_a_deployment_changes_pods_status_and_events() {
    let (sim, client) = start().await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "media");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let scale = deploys.get_scale("sonarr").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(1));

    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    let listed = pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
    for p in &listed.items {
        let name = p.metadata.name.as_deref().unwrap();
        let parts: Vec<&str> = name.rsplitn(3, '-').collect();
        assert_eq!(parts.len(), 3, "{name} is <deploy>-<hash>-<suffix>");
        assert_eq!(parts[0].len(), 5);
        let statuses = p
            .status
            .as_ref()
            .unwrap()
            .container_statuses
            .as_ref()
            .unwrap();
        assert!(statuses.iter().all(|c| c.ready));
    }
    let d = deploys.get("sonarr").await.unwrap();
    let st = d.status.unwrap();
    assert_eq!(
        (
            st.replicas,
            st.ready_replicas,
            st.available_replicas,
            st.updated_replicas
        ),
        (Some(3), Some(3), Some(3), Some(3))
    );

    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
        )
        .await
        .unwrap();
    assert!(pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap()
        .items
        .is_empty());
    let d = deploys.get("sonarr").await.unwrap();
    assert_eq!(d.status.unwrap().ready_replicas.unwrap_or(0), 0);
    let events: Api<Event> = Api::namespaced(client.clone(), "media");
    let evs = events
        .list(
            &ListParams::default()
                .fields("involvedObject.kind=Deployment,involvedObject.name=sonarr"),
        )
        .await
        .unwrap();
    let msgs: Vec<String> = evs
        .items
        .iter()
        .filter(|e| e.reason.as_deref() == Some("ScalingReplicaSet"))
        .filter_map(|e| e.message.clone())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("from 1 to 3")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("from 3 to 0")), "{msgs:?}");

    // A deleted pod of a Deployment is replaced.
    let qb = pods
        .list(&ListParams::default().labels("app=qbittorrent"))
        .await
        .unwrap();
    let old = qb.items[0].metadata.name.clone().unwrap();
    pods.delete(&old, &DeleteParams::default()).await.unwrap();
    let qb = pods
        .list(&ListParams::default().labels("app=qbittorrent"))
        .await
        .unwrap();
    assert_eq!(qb.items.len(), 1);
    assert_ne!(qb.items[0].metadata.name.as_deref(), Some(old.as_str()));
    sim.shutdown().await;
}

#[tokio::test]
async fn create_patch_replace_delete_round_trip() {
    let (sim, client) = start().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "media");
    let cm: ConfigMap = serde_json::from_value(configmap("settings", "1")).unwrap();
    let created = cms.create(&PostParams::default(), &cm).await.unwrap();
    assert!(created.metadata.uid.is_some());
    match cms.create(&PostParams::default(), &cm).await {
        Err(kube::Error::Api(s)) => assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists")),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let merged = cms
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"other": "2"}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data.as_ref().unwrap().len(), 2);
    let jp: json_patch::Patch =
        serde_json::from_value(json!([{"op": "remove", "path": "/data/key"}])).unwrap();
    let patched = cms
        .patch("settings", &PatchParams::default(), &Patch::<()>::Json(jp))
        .await
        .unwrap();
    assert_eq!(patched.data.as_ref().unwrap().len(), 1);
    // A stale resourceVersion on replace is a Conflict.
    let mut stale = created.clone();
    stale.data = Some([("x".to_string(), "y".to_string())].into());
    match cms
        .replace("settings", &PostParams::default(), &stale)
        .await
    {
        Err(kube::Error::Api(s)) => assert_eq!(s.code, 409),
        other => panic!("expected Conflict, got {other:?}"),
    }
    let mut fresh = cms.get("settings").await.unwrap();
    fresh.data = Some([("x".to_string(), "y".to_string())].into());
    let replaced = cms
        .replace("settings", &PostParams::default(), &fresh)
        .await
        .unwrap();
    assert_eq!(replaced.data.unwrap()["x"], "y");

    // Strategic merge on a Deployment merges containers and env by name.
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "media");
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "sonarr", "env": [{"name": "TZ", "value": "Europe/Berlin"}]}]}}}});
    let d = deploys
        .patch("sonarr", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let c = &d.spec.unwrap().template.spec.unwrap().containers[0];
    assert_eq!(
        c.image.as_deref(),
        Some("lscr.io/linuxserver/sonarr:4.0.19")
    );
    assert_eq!(c.env.as_ref().unwrap()[0].name, "TZ");
    assert_eq!(d.metadata.generation, Some(2));

    cms.delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    assert!(cms.get_opt("settings").await.unwrap().is_none());
    assert!(sim
        .get("v1", "ConfigMap", Some("media"), "settings")
        .is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn forbidden_namespace_answers_403_and_access_reviews_agree() {
    let (sim, client) = start().await;
    sim.forbid_namespace("media");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    match pods.list(&ListParams::default()).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 403);
            assert!(
                s.message.contains("cannot list resource \"pods\""),
                "{}",
                s.message
            );
            assert!(
                s.message.contains("in the namespace \"media\""),
                "{}",
                s.message
            );
        }
        other => panic!("expected 403, got {other:?}"),
    }
    let all: Api<Pod> = Api::all(client.clone());
    assert!(
        matches!(all.list(&ListParams::default()).await, Err(kube::Error::Api(s)) if s.code == 403)
    );
    let other: Api<Pod> = Api::namespaced(client.clone(), "default");
    assert!(other
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .is_empty());

    use k8s_openapi::api::authorization::v1::{
        ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    };
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let ask = |ns: &str| SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.into()),
                verb: Some("list".into()),
                resource: Some("pods".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let media = reviews
        .create(&PostParams::default(), &ask("media"))
        .await
        .unwrap();
    assert!(!media.status.unwrap().allowed);
    let default = reviews
        .create(&PostParams::default(), &ask("default"))
        .await
        .unwrap();
    assert!(default.status.unwrap().allowed);
    sim.allow_namespace("media");
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        2
    );
    sim.shutdown().await;
}

/// A backend that answers like an app: echoes what it got, redirects `/login`.
async fn spawn_backend() -> std::net::SocketAddr {
    use axum::http::HeaderMap;
    use axum::routing::{any, get};
    async fn echo(
        method: axum::http::Method,
        uri: axum::http::Uri,
        headers: HeaderMap,
        body: String,
    ) -> impl axum::response::IntoResponse {
        let auth = headers.get("authorization").is_some();
        let key = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (
            axum::http::StatusCode::IM_A_TEAPOT,
            [("x-backend", "yes")],
            format!("{method} {uri} auth={auth} key={key} body={body}"),
        )
    }
    let app = axum::Router::new()
        .route(
            "/login",
            get(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [("location", "/sonarr/login?returnUrl=%2F")],
                    "",
                )
            }),
        )
        .fallback(any(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test]
async fn service_proxy_forwards_untouched_and_follows_endpoints() {
    let (sim, client) = start().await;
    let backend = spawn_backend().await;
    sim.register_backend("media", "sonarr", 8989, backend);
    let base = "/api/v1/namespaces/media/services";

    let raw = |path: String, method: &str, body: &str| {
        let mut b = http::Request::builder()
            .method(method)
            .uri(path)
            .header("X-Api-Key", "k123");
        if !body.is_empty() {
            b = b.header("content-type", "application/json");
        }
        b.body(body.as_bytes().to_vec()).unwrap()
    };
    let send = |req: http::Request<Vec<u8>>| {
        let client = client.clone();
        async move {
            let resp = client
                .send(req.map(kube::client::Body::from))
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, headers, String::from_utf8_lossy(&body).to_string())
        }
    };
    // Port by number, by name, scheme form; path, query, method and body pass through.
    for svc in ["sonarr:8989", "sonarr:http", "http:sonarr:8989", "sonarr"] {
        let (status, headers, body) = send(raw(
            format!("{base}/{svc}/proxy/api/v3/system/status?x=1"),
            "POST",
            "{\"a\":1}",
        ))
        .await;
        assert_eq!(status, 418, "{svc}: {body}");
        assert_eq!(headers["x-backend"], "yes");
        assert_eq!(
            body, "POST /api/v3/system/status?x=1 auth=false key=k123 body={\"a\":1}",
            "{svc}"
        );
    }
    // Redirects are returned, not followed.
    let (status, headers, _) =
        send(raw(format!("{base}/sonarr:8989/proxy/login"), "GET", "")).await;
    assert_eq!(status, 302);
    assert_eq!(headers["location"], "/sonarr/login?returnUrl=%2F");

    // Unknown service → 404 Status; no backend → 503.
    let (status, _, body) = send(raw(format!("{base}/nope:80/proxy/"), "GET", "")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"kind\":\"Status\""));
    let (status, _, body) = send(raw(format!("{base}/qbittorrent:8080/proxy/"), "GET", "")).await;
    assert_eq!(status, 503, "{body}");

    // Scaled to zero: no endpoints.
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "media");
    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
        )
        .await
        .unwrap();
    let (status, _, body) = send(raw(format!("{base}/sonarr:8989/proxy/ping"), "GET", "")).await;
    assert_eq!(status, 503);
    assert!(
        body.contains("no endpoints available for service \\\"sonarr\\\""),
        "{body}"
    );
    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    let (status, _, _) = send(raw(format!("{base}/sonarr:8989/proxy/ping"), "GET", "")).await;
    assert_eq!(status, 418);
    sim.shutdown().await;
}

#[tokio::test]
async fn pod_logs_through_kube_rs() {
    use futures::AsyncBufReadExt;
    use kube::api::LogParams;
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let qb = pods
        .list(&ListParams::default().labels("app=qbittorrent"))
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    sim.set_logs(
        "media",
        &qb,
        "qbittorrent",
        vec!["first".into(), "second".into(), "third".into()],
    );
    let text = pods
        .logs(
            &qb,
            &LogParams {
                container: Some("qbittorrent".into()),
                tail_lines: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(text, "second\nthird\n");
    // Two containers and none named: 400 like the real server.
    match pods.logs(&qb, &LogParams::default()).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 400);
            assert!(
                s.message.contains("a container name must be specified"),
                "{}",
                s.message
            );
        }
        other => panic!("expected 400, got {other:?}"),
    }
    // follow=true streams generated lines until the client stops reading.
    let stream = pods
        .log_stream(
            &qb,
            &LogParams {
                container: Some("gluetun".into()),
                follow: true,
                tail_lines: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut lines = stream.lines();
    let mut got = Vec::new();
    while got.len() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(5), lines.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(line);
    }
    assert!(got.iter().all(|l| l.contains("INFO [")), "{got:?}");
    drop(lines);
    sim.shutdown().await;
}

#[tokio::test]
async fn streaming_list_watcher_initialises_from_watch_events() {
    let (sim, client) = start().await;
    let api: Api<Pod> = Api::namespaced(client, "media");
    let mut events = watcher(api, watcher::Config::default().streaming_lists()).boxed();
    let mut names = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .unwrap()
            .unwrap()
        {
            Some(watcher::Event::InitApply(p)) => names.push(p.metadata.name.unwrap()),
            Some(watcher::Event::InitDone) => break,
            Some(_) => {}
            None => panic!("stream ended"),
        }
    }
    assert_eq!(names.len(), 2, "{names:?}");
    sim.apply(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "extra", "namespace": "media"},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}))
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .unwrap()
            .unwrap()
        {
            Some(watcher::Event::Apply(p)) if p.metadata.name.as_deref() == Some("extra") => break,
            Some(_) => {}
            None => panic!("stream ended"),
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn statefulset_pods_follow_replicas_by_ordinal() {
    use k8s_openapi::api::apps::v1::StatefulSet;
    let (sim, client) = start().await;
    sim.apply(json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "jellyfin", "namespace": "media"},
        "spec": {"replicas": 2, "serviceName": "jellyfin", "selector": {"matchLabels": {"app": "jellyfin"}},
            "template": {"metadata": {"labels": {"app": "jellyfin"}},
                "spec": {"containers": [{"name": "jellyfin", "image": "jellyfin/jellyfin:10.11.11"}]}}}}))
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let names = |list: kube::core::ObjectList<Pod>| {
        list.items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            pods.list(&ListParams::default().labels("app=jellyfin"))
                .await
                .unwrap()
        ),
        ["jellyfin-0", "jellyfin-1"]
    );
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "media");
    sets.patch_scale(
        "jellyfin",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 1}})),
    )
    .await
    .unwrap();
    assert_eq!(
        names(
            pods.list(&ListParams::default().labels("app=jellyfin"))
                .await
                .unwrap()
        ),
        ["jellyfin-0"]
    );
    pods.delete("jellyfin-0", &DeleteParams::default())
        .await
        .unwrap();
    let again = pods.get("jellyfin-0").await.unwrap();
    assert_eq!(again.status.unwrap().phase.as_deref(), Some("Running"));
    let st = sets.get("jellyfin").await.unwrap().status.unwrap();
    assert_eq!((st.replicas, st.ready_replicas), (1, Some(1)));
    sim.shutdown().await;
}

#[tokio::test]
async fn world_pods_given_after_their_deployment_are_adopted() {
    let mut world = fixture::small_media_world();
    // A crashlooping Sonarr pod, listed after its Deployment as a world file would have it.
    world.push(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "sonarr-5d8f7c9b4-abcde", "namespace": "media", "labels": {"app": "sonarr"}},
        "spec": {"nodeName": "nas", "containers": [{"name": "sonarr", "image": "lscr.io/linuxserver/sonarr:4.0.19"}]},
        "status": {"phase": "Running", "podIP": "10.42.0.99", "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "sonarr", "ready": false, "restartCount": 12,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}));
    let sim = KubeSim::start(world, None).await.unwrap();
    let client = client_for(&sim).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let sonarr = pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap()
        .items;
    assert_eq!(sonarr.len(), 1);
    assert_eq!(
        sonarr[0].metadata.name.as_deref(),
        Some("sonarr-5d8f7c9b4-abcde")
    );
    let d: Deployment = Api::namespaced(client.clone(), "media")
        .get("sonarr")
        .await
        .unwrap();
    let st = d.status.unwrap();
    assert_eq!(
        (
            st.replicas,
            st.ready_replicas.unwrap_or(0),
            st.unavailable_replicas
        ),
        (Some(1), 0, Some(1))
    );
    // Not Ready → the Service has no endpoints and the proxy says so.
    let ep: k8s_openapi::api::core::v1::Endpoints = Api::namespaced(client.clone(), "media")
        .get("sonarr")
        .await
        .unwrap();
    let subset = &ep.subsets.unwrap()[0];
    assert!(subset.addresses.is_none());
    assert_eq!(
        subset.not_ready_addresses.as_ref().unwrap()[0].ip,
        "10.42.0.99"
    );
    // A bad batch applies nothing.
    assert!(sim
        .apply_all(vec![
            configmap("ok", "1"),
            json!({"apiVersion": "v9", "kind": "Nope", "metadata": {"name": "x"}})
        ])
        .is_err());
    assert!(sim.get("v1", "ConfigMap", Some("media"), "ok").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn status_subresource_and_previous_logs() {
    let (sim, client) = start().await;
    let cert = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "home-tls", "namespace": "media"},
        "spec": {"secretName": "home-tls", "issuerRef": {"name": "letsencrypt"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    sim.apply(cert).unwrap();
    let gvk = kube::api::GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate");
    let ar = kube::api::ApiResource::from_gvk(&gvk);
    let certs: Api<kube::api::DynamicObject> = Api::namespaced_with(client.clone(), "media", &ar);
    // The main resource ignores status changes; the status subresource ignores spec changes.
    let patch = json!({"spec": {"secretName": "other"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
    let after = certs
        .patch("home-tls", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(after.data["spec"]["secretName"], "other");
    assert_eq!(after.data["status"]["conditions"][0]["status"], "True");
    let patch = json!({"spec": {"secretName": "again"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
    let after = certs
        .patch_status("home-tls", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(after.data["spec"]["secretName"], "other");
    assert_eq!(after.data["status"]["conditions"][0]["status"], "False");

    // previous=true answers for a container that restarted, with the last run's lines.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let name = pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    let mut pod = sim.get("v1", "Pod", Some("media"), &name).unwrap();
    pod["status"]["containerStatuses"][0]["restartCount"] = json!(3);
    sim.apply(pod).unwrap();
    let params = kube::api::LogParams {
        previous: true,
        tail_lines: Some(2),
        ..Default::default()
    };
    let text = pods.logs(&name, &params).await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("exited with code 1"), "{text}");
    sim.shutdown().await;
}
