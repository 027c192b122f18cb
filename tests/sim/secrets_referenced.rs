//! Issue 7: the watched-kinds registry watches the Secrets the workloads reference. On the
//! `other-names` world (apps in `arr`, key Secret `arr-api-keys`, nothing under the default
//! names) the first snapshot already carries the key Secret, a rotated key reaches the next
//! snapshot, and a Secret a workload starts referencing later is watched from then on.

use k8s_nas::cluster::kinds::Scope;
use k8s_nas::cluster::watch::{self, WatchSnapshot};
use k8s_nas::cluster::ClusterConn;
use k8s_nas::collect::credentials::Credentials;
use k8s_nas::config::Config;
use k8s_nas::model::AppKind;
use k8s_nas::sim::kube::KubeSim;
use k8s_nas::sim::scenario::Scenario;
use k8s_nas::sim::world::{target_cluster, WorldOptions};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

async fn next(rx: &mut mpsc::Receiver<WatchSnapshot>) -> WatchSnapshot {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a snapshot in time")
        .expect("watchers running")
}

async fn until(
    rx: &mut mpsc::Receiver<WatchSnapshot>,
    pred: impl Fn(&WatchSnapshot) -> bool,
) -> WatchSnapshot {
    loop {
        let s = next(rx).await;
        if pred(&s) {
            return s;
        }
    }
}

fn sonarr_key(s: &WatchSnapshot) -> Option<String> {
    Credentials::from_listing(&s.listing, &Config::default())
        .api_keys
        .get(&AppKind::Sonarr)
        .map(|k| k.expose().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referenced_secrets_are_watched_and_followed() {
    let mut world = target_cluster(&WorldOptions::default());
    Scenario::parse("other-names")
        .unwrap()
        .edit_world(&mut world);
    let key = world.app_keys[&AppKind::Sonarr].clone();
    let sim = KubeSim::start(world.objects, None).await.expect("sim");
    let client = sim.kube_client().await.expect("client");
    let conn = ClusterConn::with_client(client, "k8s-nas-sim", &sim.url());
    let (tx, mut rx) = mpsc::channel(4);
    let scope = Scope::from_config(&Config::default());
    watch::spawn(&conn, &scope, tx, Duration::from_millis(50));

    // The first snapshot waits for the referenced Secret's watcher: the key is there at once.
    let first = next(&mut rx).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    assert!(
        first.listing.secrets.iter().any(|s| {
            s.metadata.namespace.as_deref() == Some("arr")
                && s.metadata.name.as_deref() == Some("arr-api-keys")
        }),
        "the referenced key Secret is watched"
    );
    assert_eq!(sonarr_key(&first).as_deref(), Some(key.as_str()));
    let creds = Credentials::from_listing(&first.listing, &Config::default());
    assert!(creds.qbittorrent_password.is_some(), "{:?}", creds.warnings);

    // Rotated through the API: the next snapshot has it.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(conn.client.clone(), "arr");
    let rotated = "0123456789abcdef0123456789abcdef";
    secrets
        .patch(
            "arr-api-keys",
            &PatchParams::default(),
            &Patch::Merge(&json!({"stringData": {"SONARR_API_KEY": rotated}})),
        )
        .await
        .expect("patch secret");
    until(&mut rx, |s| sonarr_key(s).as_deref() == Some(rotated)).await;

    // Sonarr starts taking its key from a Secret of its own: watched from then on.
    let own = "fedcba9876543210fedcba9876543210";
    let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "sonarr-own", "namespace": "arr"},
        "stringData": {"key": own}
    }))
    .unwrap();
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(conn.client.clone(), "arr");
    let mut d = deployments.get("sonarr").await.expect("sonarr");
    let spec = d.spec.as_mut().unwrap().template.spec.as_mut().unwrap();
    let app = spec
        .containers
        .iter_mut()
        .find(|c| c.name == "sonarr")
        .unwrap();
    app.env.get_or_insert_with(Vec::new).push(
        serde_json::from_value(json!({"name": "SONARR__AUTH__APIKEY",
            "valueFrom": {"secretKeyRef": {"name": "sonarr-own", "key": "key"}}}))
        .unwrap(),
    );
    deployments
        .replace("sonarr", &PostParams::default(), &d)
        .await
        .expect("replace deployment");
    until(&mut rx, |s| sonarr_key(s).as_deref() == Some(own)).await;
    sim.shutdown().await;
}
