//! The two shapes of a registry row ([`super::kinds`]): a typed k8s-openapi kind ([`Typed`])
//! and a custom resource read as a kube-rs `DynamicObject` ([`Custom`]). Both expand into
//! targets (all namespaces, each watched namespace, or each wanted Secret by name), list them
//! once or watch them, and report what they could not read in the same words.

use super::kinds::{Kind, KindStatus, Scope, Watched};
use super::list::Listing;
use super::watch::{supervise, Policy, Slot, WatchCtx};
use super::{explain, ClusterConn};
use futures::future::BoxFuture;
use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::core::{ClusterResourceScope, NamespaceResourceScope};
use kube::runtime::watcher;
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drop what the console never reads and what costs the most memory: `managedFields` and
/// kubectl's last-applied copy of the whole object.
pub fn strip<K: Resource>(obj: &mut K) {
    let m = obj.meta_mut();
    m.managed_fields = None;
    if let Some(a) = m.annotations.as_mut() {
        a.remove(LAST_APPLIED);
    }
}

/// [`strip`], and keep only the public parts of a TLS Secret (`tls.crt`, `ca.crt`): the
/// console reads expiry and names, never the private key.
pub fn strip_tls_keys(s: &mut k8s_openapi::api::core::v1::Secret) {
    strip(s);
    if let Some(d) = s.data.as_mut() {
        d.retain(|k, _| k == "tls.crt" || k == "ca.crt");
    }
    s.string_data = None;
}

/// How a typed row builds its API handle for a namespace (`None`: all namespaces / cluster).
type ApiFor<K> = fn(&kube::Client, Option<&str>) -> Api<K>;

fn namespaced_api<K>(c: &kube::Client, ns: Option<&str>) -> Api<K>
where
    K: Resource<Scope = NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match ns {
        Some(ns) => Api::namespaced(c.clone(), ns),
        None => Api::all(c.clone()),
    }
}

fn cluster_api<K>(c: &kube::Client, _ns: Option<&str>) -> Api<K>
where
    K: Resource,
    K::DynamicType: Default,
{
    Api::all(c.clone())
}

/// Which objects of a kind a row wants.
#[derive(Debug, Clone, Copy)]
pub enum Select {
    /// Everything in the watched namespaces. Errors are the cluster's errors (banner).
    All,
    /// Objects matching a field selector, in the watched namespaces; optional (403 is a note).
    Fields(&'static str),
    /// The Secrets of [`Scope::secrets`], each by name; a 403 names the Secret.
    WantedSecrets,
}

/// One watch or list request of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    All,
    Namespace(String),
    Secret(String, String),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::All => write!(f, "all namespaces"),
            Label::Namespace(ns) => write!(f, "{ns}"),
            Label::Secret(ns, name) => write!(f, "{ns}/{name}"),
        }
    }
}

struct Target<K> {
    label: Label,
    api: Api<K>,
    fields: Option<String>,
}

/// The labels of a row's requests: one per wanted Secret, or per namespace (or all).
fn labels(select: Select, cluster_wide: bool, scope: &Scope) -> Vec<(Label, Option<String>)> {
    let fields = match select {
        Select::Fields(f) => Some(f.to_string()),
        _ => None,
    };
    match select {
        Select::WantedSecrets => scope
            .secrets
            .iter()
            .map(|(ns, name)| {
                (
                    Label::Secret(ns.clone(), name.clone()),
                    Some(format!("metadata.name={name}")),
                )
            })
            .collect(),
        _ if cluster_wide || scope.namespaces.is_empty() => vec![(Label::All, fields)],
        _ => scope
            .namespaces
            .iter()
            .map(|ns| (Label::Namespace(ns.clone()), fields.clone()))
            .collect(),
    }
}

fn namespace_of(label: &Label) -> Option<&str> {
    match label {
        Label::All => None,
        Label::Namespace(ns) | Label::Secret(ns, _) => Some(ns),
    }
}

/// Why an optional target is unavailable, if the error says so (404: not served; 403).
fn unavailable(e: &kube::Error, what: &str) -> Option<String> {
    match e {
        kube::Error::Api(s) if s.code == 404 => Some(format!(
            "not served by the API server (CRD {what} is not installed)"
        )),
        kube::Error::Api(s) if s.code == 403 => Some(format!("forbidden (403): {}", s.message)),
        _ => None,
    }
}

/// The same for a watcher error.
pub(super) fn watch_unavailable(e: &watcher::Error, what: &str) -> Option<String> {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => unavailable(k, what),
        watcher::Error::WatchError(s) if s.code == 404 || s.code == 403 => {
            Some(format!("{} ({}): {}", s.reason, s.code, s.message))
        }
        _ => None,
    }
}

/// What a row could not read, turned into its status and the listing's other fields.
struct Problems {
    name: &'static str,
    targets: usize,
    notes: Vec<String>,
}

impl Problems {
    fn new(name: &'static str, targets: usize) -> Self {
        Problems {
            name,
            targets,
            notes: Vec::new(),
        }
    }

    /// Record `note` for `label`: a wanted Secret's reason, or a note on the kind.
    fn add(&mut self, l: &mut Listing, label: &Label, note: String) {
        if let Label::Secret(ns, name) = label {
            l.unreadable_secrets
                .insert((ns.clone(), name.clone()), note.clone());
        }
        self.notes.push(match label {
            Label::All => note,
            other => format!("{other}: {note}"),
        });
    }

    fn finish(self, l: &mut Listing) {
        l.kinds.push(KindStatus {
            name: self.name,
            present: self.notes.len() < self.targets.max(1),
            note: (!self.notes.is_empty()).then(|| self.notes.join("; ")),
        });
    }
}

/// List every target; returns the objects, tidied and shared.
async fn list_targets<K>(
    targets: Vec<Target<K>>,
    prune: fn(&mut K),
    policy: Policy,
    row: &RowInfo,
    l: &mut Listing,
) -> anyhow::Result<Vec<Arc<K>>>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let mut out = Vec::new();
    let mut problems = Problems::new(row.name, targets.len());
    for t in targets {
        let mut lp = ListParams::default();
        if let Some(f) = &t.fields {
            lp = lp.fields(f);
        }
        match t.api.list(&lp).await {
            Ok(list) => out.extend(list.items.into_iter().map(|mut o| {
                prune(&mut o);
                Arc::new(o)
            })),
            Err(e) if policy == Policy::Optional => match unavailable(&e, row.what) {
                Some(note) => problems.add(l, &t.label, note),
                None => return Err(anyhow::anyhow!(explain(&e))),
            },
            Err(kube::Error::Api(s)) if s.code == 403 => l.warnings.push(match &t.label {
                Label::All if row.cluster_wide => match row.when_forbidden {
                    Some(why) => format!("{}: forbidden (403); {why}", row.name),
                    None => format!("{}: forbidden (403)", row.name),
                },
                other => format!("{} in {other}: forbidden (403)", row.name),
            }),
            Err(e) => return Err(anyhow::anyhow!(explain(&e))),
        }
    }
    problems.finish(l);
    Ok(out)
}

/// Where a row's watched objects go in a listing.
type Put<K> = Box<dyn Fn(&mut Listing, Vec<Arc<K>>) + Send + Sync>;

/// The running watchers of one row.
struct RowWatch<K: Resource + 'static>
where
    K::DynamicType: Eq + std::hash::Hash,
{
    name: &'static str,
    slots: Vec<(Label, Arc<Slot<K>>)>,
    /// Where the objects go.
    put: Put<K>,
}

impl<K> Watched for RowWatch<K>
where
    K: Resource + Clone + Send + Sync + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone + Send + Sync,
{
    fn fill(&self, l: &mut Listing) {
        let mut problems = Problems::new(self.name, self.slots.len());
        let mut objects = Vec::new();
        for (label, slot) in &self.slots {
            objects.extend(slot.objects());
            if let Some(note) = slot.problem() {
                problems.add(l, label, note);
            }
        }
        (self.put)(l, objects);
        problems.finish(l);
    }

    fn settled(&self) -> BoxFuture<'static, ()> {
        let waits: Vec<_> = self.slots.iter().map(|(_, s)| s.settled()).collect();
        Box::pin(async move {
            futures::future::join_all(waits).await;
        })
    }
}

/// What both row shapes share for messages.
struct RowInfo {
    name: &'static str,
    /// What is missing when the server answers 404 (`CRD certificates.cert-manager.io`).
    what: &'static str,
    cluster_wide: bool,
    when_forbidden: Option<&'static str>,
}

/// A typed kind.
pub struct Typed<K> {
    name: &'static str,
    api: ApiFor<K>,
    cluster_wide: bool,
    put: fn(&mut Listing) -> &mut Vec<Arc<K>>,
    select: Select,
    prune: fn(&mut K),
    when_forbidden: Option<&'static str>,
}

impl<K> Typed<K>
where
    K: Resource<Scope = NamespaceResourceScope>,
    K::DynamicType: Default,
{
    /// A row for every object of a namespaced kind in the watched namespaces, stored by `put`.
    pub const fn namespaced(name: &'static str, put: fn(&mut Listing) -> &mut Vec<Arc<K>>) -> Self {
        Typed {
            name,
            api: namespaced_api::<K>,
            cluster_wide: false,
            put,
            select: Select::All,
            prune: strip::<K>,
            when_forbidden: None,
        }
    }
}

impl<K> Typed<K>
where
    K: Resource<Scope = ClusterResourceScope>,
    K::DynamicType: Default,
{
    /// A row for every object of a cluster-scoped kind, stored by `put`.
    pub const fn cluster(name: &'static str, put: fn(&mut Listing) -> &mut Vec<Arc<K>>) -> Self {
        Typed {
            name,
            api: cluster_api::<K>,
            cluster_wide: true,
            put,
            select: Select::All,
            prune: strip::<K>,
            when_forbidden: None,
        }
    }
}

impl<K: Resource> Typed<K> {
    pub const fn select(mut self, select: Select) -> Self {
        self.select = select;
        self
    }

    /// Replace the tidy-up applied before objects are stored (it should call [`strip`]).
    pub const fn prune(mut self, prune: fn(&mut K)) -> Self {
        self.prune = prune;
        self
    }

    /// What the user loses when a cluster-scoped kind is forbidden (the warning says it).
    pub const fn when_forbidden(mut self, why: &'static str) -> Self {
        self.when_forbidden = Some(why);
        self
    }

    fn info(&self) -> RowInfo {
        RowInfo {
            name: self.name,
            what: self.name,
            cluster_wide: self.cluster_wide,
            when_forbidden: self.when_forbidden,
        }
    }

    fn policy(&self) -> Policy {
        match self.select {
            Select::All => Policy::Required,
            _ => Policy::Optional,
        }
    }

    fn targets(&self, client: &kube::Client, scope: &Scope) -> Vec<Target<K>> {
        labels(self.select, self.cluster_wide, scope)
            .into_iter()
            .map(|(label, fields)| Target {
                api: (self.api)(client, namespace_of(&label)),
                label,
                fields,
            })
            .collect()
    }
}

impl<K> Kind for Typed<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn list<'a>(
        &'a self,
        conn: &'a ClusterConn,
        scope: &'a Scope,
    ) -> BoxFuture<'a, anyhow::Result<Listing>> {
        Box::pin(async move {
            let mut l = Listing::default();
            let info = self.info();
            let targets = self.targets(&conn.client, scope);
            let objs = list_targets(targets, self.prune, self.policy(), &info, &mut l).await?;
            (self.put)(&mut l).extend(objs);
            Ok(l)
        })
    }

    fn watch(&self, ctx: &WatchCtx) -> Box<dyn Watched> {
        let slots = self
            .targets(&ctx.client, &ctx.scope)
            .into_iter()
            .map(|t| {
                let slot = supervise(
                    ctx,
                    t.api,
                    t.fields,
                    K::DynamicType::default(),
                    self.prune,
                    self.policy(),
                    self.name,
                );
                (t.label, slot)
            })
            .collect();
        let put = self.put;
        Box::new(RowWatch {
            name: self.name,
            slots,
            put: Box::new(move |l, objs| put(l).extend(objs)),
        })
    }
}

/// A custom resource, named `plural.group` (its CRD's name). Always optional: absent when
/// the CRD is not installed, noted when forbidden.
pub struct Custom {
    name: &'static str,
    version: &'static str,
    kind: &'static str,
    namespaced: bool,
}

impl Custom {
    pub const fn namespaced(name: &'static str, version: &'static str, kind: &'static str) -> Self {
        Custom {
            name,
            version,
            kind,
            namespaced: true,
        }
    }

    pub const fn cluster(name: &'static str, version: &'static str, kind: &'static str) -> Self {
        Custom {
            name,
            version,
            kind,
            namespaced: false,
        }
    }

    /// The kube-rs description of the resource (group and plural from the name).
    pub fn api_resource(&self) -> ApiResource {
        let (plural, group) = self.name.split_once('.').unwrap_or((self.name, ""));
        ApiResource {
            group: group.to_string(),
            version: self.version.to_string(),
            api_version: format!("{group}/{}", self.version),
            kind: self.kind.to_string(),
            plural: plural.to_string(),
        }
    }

    fn targets(&self, client: &kube::Client, scope: &Scope) -> Vec<Target<DynamicObject>> {
        let ar = self.api_resource();
        labels(Select::All, !self.namespaced, scope)
            .into_iter()
            .map(|(label, _)| Target {
                api: match namespace_of(&label) {
                    Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
                    None => Api::all_with(client.clone(), &ar),
                },
                label,
                fields: None,
            })
            .collect()
    }

    fn info(&self) -> RowInfo {
        RowInfo {
            name: self.name,
            what: self.name,
            cluster_wide: !self.namespaced,
            when_forbidden: None,
        }
    }
}

impl Kind for Custom {
    fn name(&self) -> &'static str {
        self.name
    }

    fn list<'a>(
        &'a self,
        conn: &'a ClusterConn,
        scope: &'a Scope,
    ) -> BoxFuture<'a, anyhow::Result<Listing>> {
        Box::pin(async move {
            let mut l = Listing::default();
            let targets = self.targets(&conn.client, scope);
            let objs = list_targets(targets, strip, Policy::Optional, &self.info(), &mut l).await?;
            l.custom.insert(self.name, objs);
            Ok(l)
        })
    }

    fn watch(&self, ctx: &WatchCtx) -> Box<dyn Watched> {
        let ar = self.api_resource();
        let slots = self
            .targets(&ctx.client, &ctx.scope)
            .into_iter()
            .map(|t| {
                let slot = supervise(
                    ctx,
                    t.api,
                    None,
                    ar.clone(),
                    strip,
                    Policy::Optional,
                    self.name,
                );
                (t.label, slot)
            })
            .collect();
        let name = self.name;
        Box::new(RowWatch {
            name,
            slots,
            put: Box::new(move |l, objs| l.custom.entry(name).or_default().extend(objs)),
        })
    }
}
