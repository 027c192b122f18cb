//! Watch, don't poll: one reflector per kind (and per namespace when scoped), a debounced
//! snapshot sent whenever any store changes. Errors are carried in the snapshot so the UI can show
//! a banner while kube-rs retries with backoff.

use super::list::Listing;
use super::{explain, ClusterConn};
use k8s_openapi::api::{
    apps::v1::{DaemonSet, Deployment, StatefulSet},
    core::v1::{ConfigMap, Event, PersistentVolume, PersistentVolumeClaim, Pod, Service},
    networking::v1::Ingress,
};
use kube::runtime::{reflector, reflector::Store, watcher, WatchStreamExt};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};

/// What the watchers saw at one moment.
#[derive(Debug, Clone)]
pub struct WatchSnapshot {
    pub listing: Listing,
    pub fetched_at: jiff::Timestamp,
    /// The latest watch error not yet cleared by a successful event (banner text).
    pub error: Option<String>,
}

/// Shared "something changed" signal and the last error.
#[derive(Clone, Default)]
struct Signal {
    notify: Arc<Notify>,
    error: Arc<Mutex<Option<String>>>,
}

impl Signal {
    fn set_error(&self, e: Option<String>) {
        if let Ok(mut g) = self.error.lock() {
            if *g != e {
                *g = e;
                self.notify.notify_one();
            }
        }
    }
    fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|g| g.clone())
    }
}

fn spawn_reflector<K>(api: Api<K>, sig: Signal) -> Store<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
{
    use futures::StreamExt;
    let (reader, writer) = reflector::store::<K>();
    let stream = reflector(
        writer,
        watcher(api, watcher::Config::default()).default_backoff(),
    );
    tokio::spawn(async move {
        futures::pin_mut!(stream);
        while let Some(ev) = stream.next().await {
            match ev {
                Ok(_) => {
                    sig.set_error(None);
                    sig.notify.notify_one();
                }
                Err(e) => sig.set_error(Some(match &e {
                    watcher::Error::InitialListFailed(k)
                    | watcher::Error::WatchStartFailed(k)
                    | watcher::Error::WatchFailed(k) => explain(k),
                    other => other.to_string(),
                })),
            }
        }
    });
    reader
}

fn stores<K>(client: &kube::Client, namespaces: &[String], sig: &Signal) -> Vec<Store<K>>
where
    K: Resource<Scope = kube::core::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + Debug
        + Send
        + Sync
        + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
{
    if namespaces.is_empty() {
        vec![spawn_reflector(Api::<K>::all(client.clone()), sig.clone())]
    } else {
        namespaces
            .iter()
            .map(|ns| spawn_reflector(Api::<K>::namespaced(client.clone(), ns), sig.clone()))
            .collect()
    }
}

fn collect<K: Clone + kube::Resource>(stores: &[Store<K>]) -> Vec<K>
where
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    stores
        .iter()
        .flat_map(|s| s.state().into_iter().map(|o| (*o).clone()))
        .collect()
}

/// Start watchers for every kind discovery needs and send a snapshot at most every `debounce`
/// after changes (and once a second while an error persists). Runs until `tx` is closed.
pub fn spawn(
    conn: &ClusterConn,
    namespaces: &[String],
    tx: mpsc::Sender<WatchSnapshot>,
    debounce: Duration,
) {
    let sig = Signal::default();
    let c = &conn.client;
    let pods = stores::<Pod>(c, namespaces, &sig);
    let deps = stores::<Deployment>(c, namespaces, &sig);
    let sts = stores::<StatefulSet>(c, namespaces, &sig);
    let ds = stores::<DaemonSet>(c, namespaces, &sig);
    let svcs = stores::<Service>(c, namespaces, &sig);
    let ings = stores::<Ingress>(c, namespaces, &sig);
    let pvcs = stores::<PersistentVolumeClaim>(c, namespaces, &sig);
    let cms = stores::<ConfigMap>(c, namespaces, &sig);
    let evs = stores::<Event>(c, namespaces, &sig);
    let pvs = vec![spawn_reflector(
        Api::<PersistentVolume>::all(c.clone()),
        sig.clone(),
    )];
    tokio::spawn(async move {
        // The first snapshot waits (bounded) until every store has its initial list, so the UI
        // never sees a half-synced cluster as "no services".
        let mut waits: Vec<futures::future::BoxFuture<'static, ()>> = Vec::new();
        macro_rules! wait_all {
            ($($v:ident),*) => {$(
                for st in &$v {
                    let st = st.clone();
                    waits.push(Box::pin(async move { let _ = st.wait_until_ready().await; }));
                }
            )*};
        }
        wait_all!(pods, deps, sts, ds, svcs, ings, pvcs, cms, evs, pvs);
        let _ =
            tokio::time::timeout(Duration::from_secs(10), futures::future::join_all(waits)).await;
        let mut first = true;
        loop {
            if first {
                first = false;
            } else {
                tokio::select! {
                _ = sig.notify.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {
                        if sig.error().is_none() { continue; }
                    }
                }
                tokio::time::sleep(debounce).await;
            }
            let mut listing = Listing::default();
            listing.objects.pods = collect(&pods);
            listing.objects.deployments = collect(&deps);
            listing.objects.statefulsets = collect(&sts);
            listing.objects.daemonsets = collect(&ds);
            listing.objects.services = collect(&svcs);
            listing.objects.ingresses = collect(&ings);
            listing.objects.pvcs = collect(&pvcs);
            listing.objects.configmaps = collect(&cms);
            listing.objects.pvs = collect(&pvs);
            listing.events = collect(&evs);
            let snap = WatchSnapshot {
                listing,
                fetched_at: jiff::Timestamp::now(),
                error: sig.error(),
            };
            if tx.send(snap).await.is_err() {
                break;
            }
        }
    });
}
