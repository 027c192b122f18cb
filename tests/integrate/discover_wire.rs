//! Discovery fed the way the console feeds it: kube-rs lists over HTTP from a server on
//! 127.0.0.1 that serves the simulated world's objects (a minimal list-only stand-in for the
//! fake API server, enough to prove the objects survive the real client).

use axum::extract::State;
use axum::http::Uri;
use axum::Json;
use k8s_nas::discover::{discover, pod_statuses, ClusterObjects, Overrides};
use k8s_nas::model::{AppKind, UrlBaseSource};
use k8s_nas::sim::world::{target_cluster, variant_cluster, World, WorldOptions};
use kube::api::{Api, ListParams};
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /api/v1/pods`, `/apis/apps/v1/deployments` … → a List of that kind.
async fn list(State(world): State<Arc<World>>, uri: Uri) -> (axum::http::StatusCode, Json<Value>) {
    let plural = uri.path().rsplit('/').next().unwrap_or("");
    let kind = match plural {
        "pods" => "Pod",
        "deployments" => "Deployment",
        "statefulsets" => "StatefulSet",
        "daemonsets" => "DaemonSet",
        "services" => "Service",
        "ingresses" => "Ingress",
        "persistentvolumeclaims" => "PersistentVolumeClaim",
        "persistentvolumes" => "PersistentVolume",
        "configmaps" => "ConfigMap",
        _ => {
            return (
                axum::http::StatusCode::NOT_FOUND,
                Json(
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "reason": "NotFound", "code": 404, "message": "not found"}),
                ),
            )
        }
    };
    let items: Vec<Value> = world.of_kind(kind).cloned().collect();
    (
        axum::http::StatusCode::OK,
        Json(json!({"apiVersion": "v1", "kind": format!("{kind}List"),
            "metadata": {"resourceVersion": "1"}, "items": items})),
    )
}

async fn serve(world: World) -> kube::Client {
    // Both rustls providers are compiled in; choose one (an Err means another test already did).
    k8s_nas::init_tls();
    let app = axum::Router::new()
        .fallback(list)
        .with_state(Arc::new(world));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}").parse().expect("url");
    kube::Client::try_from(kube::Config::new(url)).expect("client")
}

async fn all<K>(client: &kube::Client) -> Vec<Arc<K>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    Api::<K>::all(client.clone())
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(Arc::new)
        .collect()
}

async fn fetch(client: &kube::Client) -> ClusterObjects {
    ClusterObjects {
        pods: all(client).await,
        deployments: all(client).await,
        statefulsets: all(client).await,
        daemonsets: all(client).await,
        services: all(client).await,
        ingresses: all(client).await,
        pvcs: all(client).await,
        pvs: Api::all(client.clone())
            .list(&ListParams::default())
            .await
            .expect("pvs")
            .items
            .into_iter()
            .map(Arc::new)
            .collect(),
        configmaps: all(client).await,
    }
}

fn opts() -> WorldOptions {
    WorldOptions {
        seed: 11,
        extra_pods: 50,
        now: "2026-11-28T11:00:00Z".parse().expect("ts"),
    }
}

#[tokio::test]
async fn target_world_over_kube_rs() {
    let client = serve(target_cluster(&opts())).await;
    let objs = fetch(&client).await;
    assert!(objs.pods.len() > 50);
    let inv = discover(&objs, &Overrides::default());
    assert_eq!(inv.services.len(), 9, "{:?}", inv.warnings);
    let lidarr = inv.first(AppKind::Lidarr).expect("lidarr");
    assert_eq!(
        (lidarr.url_base.as_str(), lidarr.url_base_source),
        ("/lidarr", UrlBaseSource::Probe)
    );
    assert!(lidarr
        .config_volume
        .as_ref()
        .and_then(|c| c.source.node_path())
        .is_some_and(|p| p.starts_with("/var/lib/rancher/k3s/storage/pvc-")));
    let jf = inv.first(AppKind::Jellyfin).expect("jellyfin");
    assert_eq!(
        jf.service.as_ref().map(|s| (s.port, s.target_port)),
        Some((80, 8096))
    );
    assert_eq!(
        jf.cluster_url().as_deref(),
        Some("http://jellyfin.media.svc.cluster.local:80/jellyfin")
    );
    let sab = inv.first(AppKind::Sabnzbd).expect("sab");
    let pods = pod_statuses(sab, &objs);
    assert_eq!(pods.len(), 1);
    assert!(pods[0].is_ready());
}

#[tokio::test]
async fn variant_world_over_kube_rs() {
    let client = serve(variant_cluster(&opts())).await;
    let objs = fetch(&client).await;
    let inv = discover(&objs, &Overrides::default());
    assert_eq!(inv.services.len(), 9, "{:?}", inv.warnings);
    let qb = inv.first(AppKind::Qbittorrent).expect("qb");
    assert_eq!(qb.id.as_str(), "downloads/torrents");
    assert_eq!(qb.container, "torrent");
    assert_eq!(
        qb.vpn.as_ref().map(|v| v.container.as_str()),
        Some("gluetun")
    );
    let films = inv.first(AppKind::Radarr).expect("films");
    assert_eq!(films.workload.kind, "StatefulSet");
}
