//! The registry of watched kinds against the simulated API server, over the wire with kube-rs:
//! the headless listing and the watchers fill the same fields (core kinds, credential Secrets by
//! name, TLS Secrets by type, custom resources through `DynamicObject`), objects are shared
//! between snapshots and tidied, an absent CRD is a note and not an error, a rotated Secret and
//! a patched custom resource show in the next snapshot, and a CRD installed later is picked up.

use k8s_nas::cluster::kinds::{self, Kind, Scope};
use k8s_nas::cluster::list::{list_all, Listing};
use k8s_nas::cluster::watch::{self, WatchSnapshot};
use k8s_nas::cluster::ClusterConn;
use k8s_nas::collect::credentials::Credentials;
use k8s_nas::config::Config;
use k8s_nas::model::AppKind;
use k8s_nas::sim::kube::KubeSim;
use k8s_nas::sim::world::{crds, target_cluster, World, WorldOptions};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

async fn start(world: World) -> (KubeSim, ClusterConn) {
    let sim = KubeSim::start(world.objects, None).await.expect("sim");
    let client = sim.kube_client().await.expect("client");
    let conn = ClusterConn::with_client(client, "k8s-nas-sim", &sim.url());
    (sim, conn)
}

fn world() -> World {
    let mut w = target_cluster(&WorldOptions::default());
    // Something kubectl leaves behind: the stores must not keep it.
    let cm = w
        .objects
        .iter_mut()
        .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == "starr-common-config")
        .expect("configmap");
    cm["metadata"]["annotations"] = json!({"kubectl.kubernetes.io/last-applied-configuration": "{\"big\": true}", "keep": "me"});
    cm["metadata"]["managedFields"] = json!([{"manager": "kubectl", "operation": "Apply",
        "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {}}}]);
    w
}

fn scope(reprobe: Duration) -> Scope {
    Scope {
        reprobe,
        ..Scope::from_config(&Config::default())
    }
}

fn names(v: &[Arc<DynamicObject>]) -> Vec<String> {
    let mut n: Vec<String> = v.iter().filter_map(|o| o.metadata.name.clone()).collect();
    n.sort();
    n
}

/// What both the listing and a snapshot of the target cluster must hold.
fn assert_target_listing(l: &Listing) {
    assert!(l.objects.pods.len() >= 9, "{l:?}");
    for k in kinds::KINDS {
        assert!(
            l.has_kind(k.name()),
            "{} present: {:?}",
            k.name(),
            l.kind(k.name())
        );
    }
    assert_eq!(
        names(l.custom(kinds::CERTIFICATES.name())),
        ["brettswift-com-dns", "home-brettswift-com-dns"]
    );
    assert_eq!(l.custom(kinds::APPLICATIONS.name()).len(), 8);
    assert_eq!(l.custom(kinds::APPLICATION_SETS.name()).len(), 1);
    assert_eq!(l.custom(kinds::APP_PROJECTS.name()).len(), 5);
    assert_eq!(l.custom(kinds::CERTIFICATE_REQUESTS.name()).len(), 2);
    assert_eq!(l.custom(kinds::CLUSTER_ISSUERS.name()).len(), 1);
    assert!(l.custom(kinds::ISSUERS.name()).is_empty());
    let cert = l.custom(kinds::CERTIFICATES.name())[0].clone();
    assert_eq!(
        cert.data["spec"]["issuerRef"]["name"],
        "letsencrypt-dns-home"
    );
    // Credential Secrets by name; the missing Jellyfin admin Secret is simply absent.
    let mut secrets: Vec<String> = l
        .secrets
        .iter()
        .map(|s| {
            format!(
                "{}/{}",
                s.metadata.namespace.as_deref().unwrap(),
                s.metadata.name.as_deref().unwrap()
            )
        })
        .collect();
    secrets.sort();
    assert_eq!(
        secrets,
        ["media/starr-secrets", "qbittorrent/qbittorrent-secrets"]
    );
    assert!(
        l.unreadable_secrets.is_empty(),
        "{:?}",
        l.unreadable_secrets
    );
    // TLS Secrets by type, without private keys.
    assert!(l.tls_secrets.len() >= 3, "{}", l.tls_secrets.len());
    for s in &l.tls_secrets {
        assert_eq!(s.type_.as_deref(), Some("kubernetes.io/tls"));
        let data = s.data.as_ref().expect("data");
        assert!(data.contains_key("tls.crt") && !data.contains_key("tls.key"));
    }
    // Tidied: no managedFields, no last-applied copy; other annotations stay.
    let cm = l
        .objects
        .configmaps
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some("starr-common-config"))
        .expect("cm");
    assert!(cm.metadata.managed_fields.is_none());
    let ann = cm.metadata.annotations.as_ref().expect("annotations");
    assert!(!ann.contains_key("kubectl.kubernetes.io/last-applied-configuration"));
    assert_eq!(ann["keep"], "me");
}

async fn next(rx: &mut mpsc::Receiver<WatchSnapshot>) -> WatchSnapshot {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a snapshot in time")
        .expect("watchers running")
}

/// Snapshots until `pred` holds (watch events may arrive over several snapshots).
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_listing_fills_every_registry_kind() {
    let (sim, conn) = start(world()).await;
    let l = list_all(&conn, &scope(Duration::from_secs(60)))
        .await
        .expect("listing");
    assert_target_listing(&l);
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    let creds = Credentials::from_listing(&l, &Config::default());
    assert!(creds.api_keys.contains_key(&AppKind::Sonarr));
    assert!(creds.qbittorrent_password.is_some());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absent_crd_is_a_note_not_an_error() {
    let mut w = world();
    w.without_custom_resources();
    let (sim, conn) = start(w).await;
    let l = list_all(&conn, &scope(Duration::from_secs(60)))
        .await
        .expect("no error");
    for k in [
        &kinds::CERTIFICATES,
        &kinds::CLUSTER_ISSUERS,
        &kinds::APPLICATIONS,
    ] {
        let st = l.kind(k.name()).expect("status");
        assert!(!st.present, "{st:?}");
        let note = st.note.as_deref().unwrap_or("");
        assert!(
            note.contains("not installed") && note.contains(k.name()),
            "{note}"
        );
        assert!(l.custom(k.name()).is_empty());
    }
    assert!(l.has_kind(kinds::PODS.name()) && l.has_kind(kinds::TLS_SECRETS.name()));
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);

    // The watchers say the same, without a banner, and pick the CRD up once it is installed.
    let (tx, mut rx) = mpsc::channel(4);
    watch::spawn(
        &conn,
        &scope(Duration::from_millis(300)),
        tx,
        Duration::from_millis(50),
    );
    let first = next(&mut rx).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    assert!(!first.listing.has_kind(kinds::CERTIFICATES.name()));
    assert!(first.listing.has_kind(kinds::PODS.name()));
    let mut objs = crds::cert_manager("2026-01-01T00:00:00Z");
    objs.push(
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "late", "namespace": "media"},
        "spec": {"secretName": "late-tls", "issuerRef": {"name": "x"}}}),
    );
    sim.apply_all(objs).expect("install cert-manager");
    let snap = until(&mut rx, |s| s.listing.has_kind(kinds::CERTIFICATES.name())).await;
    let snap = if snap.listing.custom(kinds::CERTIFICATES.name()).is_empty() {
        until(&mut rx, |s| {
            !s.listing.custom(kinds::CERTIFICATES.name()).is_empty()
        })
        .await
    } else {
        snap
    };
    assert_eq!(
        names(snap.listing.custom(kinds::CERTIFICATES.name())),
        ["late"]
    );
    assert!(!snap.listing.has_kind(kinds::APPLICATIONS.name()));
    assert!(snap.error.is_none());

    // Uninstalled again: the objects go and the kind is absent once more.
    sim.delete(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        None,
        "certificates.cert-manager.io",
    )
    .expect("delete crd");
    let snap = until(&mut rx, |s| !s.listing.has_kind(kinds::CERTIFICATES.name())).await;
    assert!(snap.listing.custom(kinds::CERTIFICATES.name()).is_empty());
    assert!(snap.error.is_none(), "{:?}", snap.error);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_share_objects_and_follow_secrets_and_custom_resources() {
    let (sim, conn) = start(world()).await;
    let (tx, mut rx) = mpsc::channel(4);
    watch::spawn(
        &conn,
        &scope(Duration::from_secs(60)),
        tx,
        Duration::from_millis(50),
    );
    let first = next(&mut rx).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    assert_target_listing(&first.listing);
    let old_key = Credentials::from_listing(&first.listing, &Config::default()).api_keys
        [&AppKind::Sonarr]
        .clone();

    // A key rotated through the API reaches the next snapshot.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(conn.client.clone(), "media");
    let patch = json!({"stringData": {"SONARR_API_KEY": "0123456789abcdef0123456789abcdef"}});
    secrets
        .patch(
            "starr-secrets",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
        .expect("patch secret");
    let snap = until(&mut rx, |s| {
        Credentials::from_listing(&s.listing, &Config::default()).api_keys[&AppKind::Sonarr]
            .expose()
            == "0123456789abcdef0123456789abcdef"
    })
    .await;
    assert_ne!(old_key.expose(), "0123456789abcdef0123456789abcdef");
    // Unchanged objects are the same allocations as before: shared, not copied.
    let pod = |s: &WatchSnapshot, name: &str| {
        s.listing
            .objects
            .pods
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(name))
            .cloned()
            .expect("pod")
    };
    let some_pod = first.listing.objects.pods[0].metadata.name.clone().unwrap();
    assert!(Arc::ptr_eq(&pod(&first, &some_pod), &pod(&snap, &some_pod)));

    // A custom resource patched through its status subresource, via the registry's ApiResource.
    let ar = kinds::CERTIFICATES.api_resource();
    let certs: Api<DynamicObject> = Api::namespaced_with(conn.client.clone(), "kube-system", &ar);
    let status = json!({"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Renewing"}]}});
    let after = certs
        .patch_status(
            "brettswift-com-dns",
            &PatchParams::default(),
            &Patch::Merge(&status),
        )
        .await
        .expect("status patch");
    assert_eq!(after.data["status"]["conditions"][0]["reason"], "Renewing");
    let ready = |s: &WatchSnapshot| {
        s.listing
            .custom(kinds::CERTIFICATES.name())
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some("brettswift-com-dns"))
            .map(|c| c.data["status"]["conditions"][0]["status"].clone())
    };
    until(&mut rx, |s| ready(s) == Some(json!("False"))).await;
    // After the server forgets its watch history (410 Gone on resume), the custom resource
    // watchers relist: an Argo CD sync request (merge patch of `operation`) still arrives.
    sim.expire_watches();
    let apps: Api<DynamicObject> = Api::namespaced_with(
        conn.client.clone(),
        "argocd",
        &kinds::APPLICATIONS.api_resource(),
    );
    let op = json!({"operation": {"initiatedBy": {"username": "console"}, "sync": {}}});
    apps.patch("jellyfin", &PatchParams::default(), &Patch::Merge(&op))
        .await
        .expect("sync request");
    until(&mut rx, |s| {
        s.listing
            .custom(kinds::APPLICATIONS.name())
            .iter()
            .any(|a| {
                // Carried out by the simulated Argo CD controller: recorded in operationState.
                a.metadata.name.as_deref() == Some("jellyfin")
                    && a.data["status"]["operationState"]["operation"]["initiatedBy"]["username"]
                        == "console"
            })
    })
    .await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_secrets_are_named_not_bannered() {
    let (sim, conn) = start(world()).await;
    sim.forbid_namespace("qbittorrent");
    let scope = Scope {
        namespaces: vec!["media".into(), "qbittorrent".into()],
        ..scope(Duration::from_secs(60))
    };
    let l = list_all(&conn, &scope).await.expect("listing");
    let why =
        &l.unreadable_secrets[&("qbittorrent".to_string(), "qbittorrent-secrets".to_string())];
    assert!(why.contains("403"), "{why}");
    let tls = l.kind(kinds::TLS_SECRETS.name()).expect("tls");
    assert!(tls.present, "media is readable: {tls:?}");
    assert!(
        tls.note
            .as_deref()
            .is_some_and(|n| n.starts_with("qbittorrent: forbidden (403)")),
        "{tls:?}"
    );
    assert!(
        l.warnings
            .iter()
            .any(|w| w == "pods in qbittorrent: forbidden (403)"),
        "{:?}",
        l.warnings
    );
    let creds = Credentials::from_listing(&l, &Config::default());
    assert!(creds.qbittorrent_password.is_none());
    assert!(
        creds
            .warnings
            .iter()
            .any(|w| w.contains("qbittorrent/qbittorrent-secrets") && w.contains("403")),
        "{:?}",
        creds.warnings
    );
    assert!(creds.api_keys.contains_key(&AppKind::Radarr));

    // The watchers record the same per Secret, and lift it once access is granted.
    let (tx, mut rx) = mpsc::channel(4);
    watch::spawn(
        &conn,
        &Scope {
            reprobe: Duration::from_millis(300),
            ..scope
        },
        tx,
        Duration::from_millis(50),
    );
    let first = next(&mut rx).await;
    assert!(first
        .listing
        .unreadable_secrets
        .contains_key(&("qbittorrent".to_string(), "qbittorrent-secrets".to_string())));
    sim.allow_namespace("qbittorrent");
    let snap = until(&mut rx, |s| {
        s.listing.unreadable_secrets.is_empty() && s.listing.secrets.len() == 2
    })
    .await;
    assert!(Credentials::from_listing(&snap.listing, &Config::default())
        .qbittorrent_password
        .is_some());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregated_discovery_lists_the_custom_groups() {
    let (sim, _conn) = start(world()).await;
    let http = reqwest::Client::new();
    let get = |path: &str, accept: &str| {
        http.get(format!("{}{path}", sim.http_url()))
            .bearer_auth(sim.token())
            .header("Accept", accept)
            .send()
    };
    let resp = get(
        "/apis",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    )
    .await
    .unwrap();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        ct.contains("as=APIGroupDiscoveryList") && ct.contains("v=v2"),
        "{ct}"
    );
    let doc: serde_json::Value = resp.json().await.unwrap();
    let cm = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "cert-manager.io")
        .expect("cert-manager.io group");
    let certs = cm["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "certificates")
        .expect("certificates");
    assert_eq!(certs["scope"], "Namespaced");
    assert_eq!(certs["subresources"][0]["subresource"], "status");
    // Without the Accept parameters: the legacy group list.
    let legacy: serde_json::Value = get("/apis", "application/json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy["kind"], "APIGroupList");
    assert!(legacy["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "argoproj.io"));
    sim.shutdown().await;
}
