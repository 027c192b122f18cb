//! kube-rs against the simulated API server, over real HTTPS on 127.0.0.1: discovery-free typed
//! APIs, list/pagination, watchers and reflectors, 410 Gone → relist, scale, patch, the service
//! proxy and the RBAC simulation.
//!
//! More tests in `kube_sim_watch/` (workloads, proxy and RBAC).

#[path = "kube_sim_watch/common.rs"]
mod common;
#[path = "kube_sim_watch/proxy_rbac.rs"]
mod proxy_rbac;
#[path = "kube_sim_watch/workloads.rs"]
mod workloads;

use common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_nas::sim::kube::{fixture, KubeSim};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, ListParams};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use serde_json::json;
use std::time::Duration;

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
    k8s_nas::init_tls();
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
