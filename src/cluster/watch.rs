//! Watch, don't poll: one reflector per registry row and target (namespace, or wanted Secret),
//! a debounced snapshot sent whenever any store changes. Snapshots share the stores' objects
//! (`Arc`), nothing is deep-copied. Errors of the core kinds are carried in the snapshot so the
//! UI can show a banner while kube-rs retries with backoff; an optional kind the server does
//! not serve or forbids is stopped, noted in `Listing::kinds`, and looked at again after
//! [`Scope::reprobe`].

use super::kind::watch_unavailable;
use super::kinds::{Scope, Watched, KINDS};
use super::list::Listing;
use super::{explain, ClusterConn};
use futures::future::BoxFuture;
use kube::runtime::{reflector, reflector::Store, watcher, WatchStreamExt};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

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
pub(super) struct Signal {
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

/// What every watcher of one [`spawn`] shares.
#[derive(Clone)]
pub struct WatchCtx {
    pub(super) client: kube::Client,
    pub(super) scope: Scope,
    sig: Signal,
    cancel: CancellationToken,
}

/// What a watcher does with 403 and 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Policy {
    /// Errors go to the banner; kube-rs retries with backoff.
    Required,
    /// 403/404 stop the watcher with a note; it starts again after [`Scope::reprobe`].
    Optional,
}

struct SlotState<K: Resource + 'static>
where
    K::DynamicType: Eq + std::hash::Hash,
{
    store: Option<Store<K>>,
    problem: Option<String>,
}

/// One watcher's current store and problem.
pub(super) struct Slot<K: Resource + 'static>
where
    K::DynamicType: Eq + std::hash::Hash,
{
    state: Mutex<SlotState<K>>,
    settled: tokio::sync::watch::Sender<bool>,
}

impl<K> Slot<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    fn new() -> Self {
        Slot {
            state: Mutex::new(SlotState {
                store: None,
                problem: None,
            }),
            settled: tokio::sync::watch::channel(false).0,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut SlotState<K>) -> T) -> T {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// The objects in the store now (shared with the store).
    pub(super) fn objects(&self) -> Vec<Arc<K>> {
        self.with(|s| s.store.as_ref().map(Store::state).unwrap_or_default())
    }

    pub(super) fn problem(&self) -> Option<String> {
        self.with(|s| s.problem.clone())
    }

    /// Resolves once the first list arrived or the target is known to be unavailable.
    pub(super) fn settled(&self) -> BoxFuture<'static, ()> {
        let mut rx = self.settled.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|s| *s).await;
        })
    }
}

/// Start one supervised watcher; `what` names the kind in notes.
pub(super) fn supervise<K>(
    ctx: &WatchCtx,
    api: Api<K>,
    fields: Option<String>,
    dyntype: K::DynamicType,
    prune: fn(&mut K),
    policy: Policy,
    what: &'static str,
) -> Arc<Slot<K>>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone + Send + Sync,
{
    let slot = Arc::new(Slot::new());
    let (sig, cancel, reprobe) = (ctx.sig.clone(), ctx.cancel.clone(), ctx.scope.reprobe);
    let mut config = watcher::Config::default();
    if let Some(f) = &fields {
        config = config.fields(f);
    }
    let me = slot.clone();
    tokio::spawn(async move {
        loop {
            let writer = reflector::store::Writer::new(dyntype.clone());
            me.with(|s| s.store = Some(writer.as_reader()));
            let stream = reflector(
                writer,
                watcher(api.clone(), config.clone())
                    .default_backoff()
                    .modify(prune),
            );
            let note = tokio::select! {
                _ = cancel.cancelled() => return,
                note = drive(stream, &sig, &me, policy, what) => note,
            };
            me.with(|s| {
                s.store = None;
                s.problem = Some(note);
            });
            me.settled.send_replace(true);
            sig.notify.notify_one();
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(reprobe) => {}
            }
        }
    });
    slot
}

/// Follow one reflector stream; returns only when an optional target turns out unavailable.
async fn drive<K, S>(stream: S, sig: &Signal, slot: &Slot<K>, policy: Policy, what: &str) -> String
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
    S: futures::Stream<Item = Result<watcher::Event<K>, watcher::Error>>,
{
    use futures::StreamExt;
    futures::pin_mut!(stream);
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(ev) => {
                if matches!(ev, watcher::Event::InitDone) {
                    slot.with(|s| s.problem = None);
                    slot.settled.send_replace(true);
                }
                sig.set_error(None);
                sig.notify.notify_one();
            }
            Err(e) => {
                if policy == Policy::Optional {
                    if let Some(note) = watch_unavailable(&e, what) {
                        return note;
                    }
                }
                sig.set_error(Some(match &e {
                    watcher::Error::InitialListFailed(k)
                    | watcher::Error::WatchStartFailed(k)
                    | watcher::Error::WatchFailed(k) => explain(k),
                    other => other.to_string(),
                }));
            }
        }
    }
    "the watch ended".into()
}

/// Start watchers for every registry kind in `scope` and send a snapshot at most every
/// `debounce` after changes (and once a second while an error persists). Runs until `tx` is
/// closed; then every watcher stops.
pub fn spawn(
    conn: &ClusterConn,
    scope: &Scope,
    tx: mpsc::Sender<WatchSnapshot>,
    debounce: Duration,
) {
    let ctx = WatchCtx {
        client: conn.client.clone(),
        scope: scope.clone(),
        sig: Signal::default(),
        cancel: CancellationToken::new(),
    };
    let rows: Vec<Box<dyn Watched>> = KINDS.iter().map(|k| k.watch(&ctx)).collect();
    let WatchCtx { sig, cancel, .. } = ctx;
    tokio::spawn(async move {
        let _stop = cancel.drop_guard();
        // The first snapshot waits (bounded) until every store has its initial list, so the UI
        // never sees a half-synced cluster as "no services".
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let waits = rows.iter().map(|r| r.settled());
        let _ = tokio::time::timeout_at(deadline, futures::future::join_all(waits)).await;
        // One fill lets the rows that depend on others (the Secrets the workloads reference)
        // start their watchers; the first snapshot then waits for those too (same deadline,
        // plus a moment for watchers started only now).
        let mut scratch = Listing::default();
        for r in &rows {
            r.fill(&mut scratch);
        }
        drop(scratch);
        let waits = rows.iter().map(|r| r.settled());
        let at = deadline.max(tokio::time::Instant::now() + Duration::from_millis(500));
        let _ = tokio::time::timeout_at(at, futures::future::join_all(waits)).await;
        let mut first = true;
        loop {
            if first {
                first = false;
            } else {
                tokio::select! {
                    _ = tx.closed() => break,
                    _ = sig.notify.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {
                        if sig.error().is_none() { continue; }
                    }
                }
                tokio::time::sleep(debounce).await;
            }
            let mut listing = Listing::default();
            for r in &rows {
                r.fill(&mut listing);
            }
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
