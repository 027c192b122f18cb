//! The registry row of the Secrets the workloads reference (issue 7): which Secrets those are
//! is only known from the watched workloads, so this row starts a by-name watcher for each
//! newly referenced Secret while it fills a snapshot ([`Scope::referenced`] decides which).
//! A rotated or newly written Secret therefore reaches the pollers without a restart. A Secret
//! that stops being referenced stays watched until the console restarts (a handful at most).
//! Headless listings read the referenced Secrets by name instead
//! ([`crate::engine::facts::ClusterFacts::connect`]).

use super::kind::strip;
use super::kinds::{Kind, KindStatus, Scope, Watched};
use super::list::Listing;
use super::watch::{supervise, Policy, Slot, WatchCtx};
use super::ClusterConn;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// `(namespace, name)` of each Secret the workloads of a listing reference for credentials.
type FindFn = dyn Fn(&Listing) -> Vec<(String, String)> + Send + Sync;

/// Which Secrets the workloads of a listing reference for credentials.
#[derive(Clone, Default)]
pub struct Referenced(Option<Arc<FindFn>>);

impl Referenced {
    pub fn new(f: impl Fn(&Listing) -> Vec<(String, String)> + Send + Sync + 'static) -> Self {
        Referenced(Some(Arc::new(f)))
    }

    fn of(&self, l: &Listing) -> Vec<(String, String)> {
        self.0.as_ref().map(|f| f(l)).unwrap_or_default()
    }
}

impl std::fmt::Debug for Referenced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Referenced(..)"
        } else {
            "Referenced(none)"
        })
    }
}

/// The row: `secrets/referenced`.
pub struct ReferencedSecrets;

pub static REFERENCED_SECRETS: ReferencedSecrets = ReferencedSecrets;

type Slots = BTreeMap<(String, String), Arc<Slot<Secret>>>;

struct Running {
    ctx: WatchCtx,
    slots: Mutex<Slots>,
}

impl Kind for ReferencedSecrets {
    fn name(&self) -> &'static str {
        "secrets/referenced"
    }

    /// A one-shot listing cannot know the references before the workloads are listed: the
    /// headless commands read them by name afterwards.
    fn list<'a>(
        &'a self,
        _conn: &'a ClusterConn,
        _scope: &'a Scope,
    ) -> BoxFuture<'a, anyhow::Result<Listing>> {
        Box::pin(async move {
            let mut l = Listing::default();
            l.kinds.push(KindStatus {
                name: self.name(),
                present: true,
                note: None,
            });
            Ok(l)
        })
    }

    fn watch(&self, ctx: &WatchCtx) -> Box<dyn Watched> {
        Box::new(Running {
            ctx: ctx.clone(),
            slots: Mutex::new(BTreeMap::new()),
        })
    }
}

impl Watched for Running {
    /// Runs after the workload rows and the configured Secrets (registry order): start a
    /// watcher for every newly referenced Secret, then add what the watchers hold.
    fn fill(&self, l: &mut Listing) {
        let scope = &self.ctx.scope;
        let wanted: Vec<(String, String)> = scope
            .referenced
            .of(l)
            .into_iter()
            .filter(|k| !scope.secrets.contains(k))
            .collect();
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        for (ns, name) in wanted {
            if slots.contains_key(&(ns.clone(), name.clone())) {
                continue;
            }
            let slot = supervise(
                &self.ctx,
                Api::<Secret>::namespaced(self.ctx.client.clone(), &ns),
                Some(format!("metadata.name={name}")),
                (),
                strip::<Secret>,
                Policy::Optional,
                "secrets",
            );
            slots.insert((ns, name), slot);
        }
        let mut notes = Vec::new();
        for ((ns, name), slot) in slots.iter() {
            l.secrets.extend(slot.objects());
            if let Some(note) = slot.problem() {
                l.unreadable_secrets
                    .insert((ns.clone(), name.clone()), note.clone());
                notes.push(format!("{ns}/{name}: {note}"));
            }
        }
        l.kinds.push(KindStatus {
            name: "secrets/referenced",
            present: notes.len() < slots.len().max(1),
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        });
    }

    fn settled(&self) -> BoxFuture<'static, ()> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let waits: Vec<_> = slots.values().map(|s| s.settled()).collect();
        Box::pin(async move {
            futures::future::join_all(waits).await;
        })
    }
}
