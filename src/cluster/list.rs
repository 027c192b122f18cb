//! What the console knows of the cluster at one moment ([`Listing`]), and the one-shot listing
//! of every watched kind for headless commands ([`list_all`]). Objects are shared (`Arc`): the
//! watch stores, every snapshot and discovery read the same allocations.

use super::kinds::{self, KindStatus, Scope};
use super::ClusterConn;
use crate::discover::ClusterObjects;
use k8s_openapi::api::core::v1::{Event, Secret};
use kube::api::DynamicObject;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything one listing (or one watch snapshot) holds, plus what could not be read.
#[derive(Clone, Default)]
pub struct Listing {
    pub objects: ClusterObjects,
    pub events: Vec<Arc<Event>>,
    /// The Secrets the console reads credentials from (see
    /// [`crate::collect::credentials::wanted_secrets`]), watched by name, so a key sync or a
    /// rotated Secret reaches the pollers without a restart.
    pub secrets: Vec<Arc<Secret>>,
    /// Why a wanted Secret could not be read, by `(namespace, name)` (e.g. 403).
    pub unreadable_secrets: BTreeMap<(String, String), String>,
    /// `kubernetes.io/tls` Secrets in the watched namespaces, without their private keys
    /// (`tls.crt` and `ca.crt` only).
    pub tls_secrets: Vec<Arc<Secret>>,
    /// Custom resources by registry name (`certificates.cert-manager.io` …).
    pub custom: BTreeMap<&'static str, Vec<Arc<DynamicObject>>>,
    /// One entry per registry row: served and readable, or why not.
    pub kinds: Vec<KindStatus>,
    /// Per-namespace or per-kind problems that did not stop the listing (e.g. 403).
    pub warnings: Vec<String>,
}

/// Counts only: a Listing holds Secrets, whose values must never reach a log.
impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let custom: BTreeMap<&str, usize> =
            self.custom.iter().map(|(k, v)| (*k, v.len())).collect();
        f.debug_struct("Listing")
            .field("pods", &self.objects.pods.len())
            .field("deployments", &self.objects.deployments.len())
            .field("services", &self.objects.services.len())
            .field("events", &self.events.len())
            .field("secrets", &self.secrets.len())
            .field("unreadable_secrets", &self.unreadable_secrets)
            .field("tls_secrets", &self.tls_secrets.len())
            .field("custom", &custom)
            .field("kinds", &self.kinds)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl Listing {
    /// The custom resources of a registry row (empty when absent or not watched).
    pub fn custom(&self, name: &str) -> &[Arc<DynamicObject>] {
        self.custom.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The status of a registry row, by name.
    pub fn kind(&self, name: &str) -> Option<&KindStatus> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// Is the kind served and readable? A pane built on a custom resource hides itself when not.
    pub fn has_kind(&self, name: &str) -> bool {
        self.kind(name).is_some_and(|k| k.present)
    }

    /// Add another (partial) listing's contents.
    pub fn merge(&mut self, other: Listing) {
        let o = other.objects;
        let m = &mut self.objects;
        m.pods.extend(o.pods);
        m.deployments.extend(o.deployments);
        m.statefulsets.extend(o.statefulsets);
        m.daemonsets.extend(o.daemonsets);
        m.services.extend(o.services);
        m.ingresses.extend(o.ingresses);
        m.pvcs.extend(o.pvcs);
        m.pvs.extend(o.pvs);
        m.configmaps.extend(o.configmaps);
        self.events.extend(other.events);
        self.secrets.extend(other.secrets);
        self.unreadable_secrets.extend(other.unreadable_secrets);
        self.tls_secrets.extend(other.tls_secrets);
        for (k, v) in other.custom {
            self.custom.entry(k).or_default().extend(v);
        }
        self.kinds.extend(other.kinds);
        self.warnings.extend(other.warnings);
    }
}

/// List every registry kind in `scope`, all kinds concurrently. A 403 on one namespace becomes
/// a warning; a kind the server does not serve (CRD not installed) is marked absent; a
/// connection or authentication failure is an error (the cluster is not usable).
pub async fn list_all(conn: &ClusterConn, scope: &Scope) -> anyhow::Result<Listing> {
    let parts = futures::future::join_all(kinds::KINDS.iter().map(|k| k.list(conn, scope))).await;
    let mut l = Listing::default();
    for part in parts {
        l.merge(part?);
    }
    Ok(l)
}
