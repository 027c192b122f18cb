//! The watched kinds, in one table: every row drives the headless listing
//! ([`super::list::list_all`]), the watchers ([`super::watch::spawn`]) and where its objects
//! land in a [`Listing`]. Adding a kind is one row here (a custom resource needs no new field:
//! its objects go to `Listing::custom` under the row's name).
//!
//! Rows are of two shapes ([`super::kind`]): typed kinds from k8s-openapi ([`Typed`]) and
//! custom resources through kube-rs `DynamicObject` ([`Custom`]). A custom resource whose CRD
//! is not installed (the API server answers 404) is marked absent with a note in
//! `Listing::kinds` — no error, no banner, no retry storm: the console looks again every
//! [`Scope::reprobe`]. Panes built on such a kind read [`Listing::has_kind`] to hide themselves.
//!
//! Objects enter the stores without `metadata.managedFields` and the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation (often larger than the object
//! itself); TLS Secrets enter without their private keys.

use super::kind::{strip_tls_keys, Custom, Select, Typed};
use super::list::Listing;
use super::ClusterConn;
use crate::config::Config;
use futures::future::BoxFuture;
use k8s_openapi::api::{
    apps::v1::{DaemonSet, Deployment, StatefulSet},
    core::v1::{ConfigMap, Event, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service},
    networking::v1::Ingress,
};
use std::time::Duration;

/// What to watch: the namespaces (empty = all) and the Secrets the console reads by name.
#[derive(Debug, Clone)]
pub struct Scope {
    pub namespaces: Vec<String>,
    /// `(namespace, name)` of each Secret the console reads credentials from.
    pub secrets: Vec<(String, String)>,
    /// How long an absent or forbidden optional kind waits before the console looks again.
    pub reprobe: Duration,
    /// The credential Secrets the workloads reference (watched by name once referenced).
    pub referenced: super::secret_watch::Referenced,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            namespaces: Vec::new(),
            secrets: Vec::new(),
            reprobe: Duration::from_secs(60),
            referenced: Default::default(),
        }
    }
}

impl Scope {
    /// The configured namespaces, the credential Secrets of `cfg`, and the Secrets the
    /// workloads reference for credentials ([`crate::collect::credentials::locate`]).
    pub fn from_config(cfg: &Config) -> Self {
        let c = cfg.clone();
        Scope {
            namespaces: cfg.namespaces.clone(),
            secrets: crate::collect::credentials::wanted_secrets(cfg),
            referenced: super::secret_watch::Referenced::new(move |l| {
                let inv = crate::discover::discover(&l.objects, &c.discovery_overrides());
                crate::collect::credentials::locate(&c, &inv, l, &l.secrets).secrets()
            }),
            ..Scope::default()
        }
    }
}

/// Whether a registry row is served and readable, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindStatus {
    /// The row's name (`pods`, `certificates.cert-manager.io` …).
    pub name: &'static str,
    pub present: bool,
    /// Why the kind is absent or partly unreadable (shown to the user instead of an error).
    pub note: Option<String>,
}

/// One registry row.
pub trait Kind: Sync {
    /// `pods`, `secrets/tls`, `certificates.cert-manager.io` …
    fn name(&self) -> &'static str;
    /// List the row's objects once, as a partial listing.
    fn list<'a>(
        &'a self,
        conn: &'a ClusterConn,
        scope: &'a Scope,
    ) -> BoxFuture<'a, anyhow::Result<Listing>>;
    /// Start the row's watchers.
    fn watch(&self, ctx: &super::watch::WatchCtx) -> Box<dyn Watched>;
}

/// A row's running watchers, read by each snapshot.
pub trait Watched: Send + Sync {
    /// Add the current objects (shared, not copied), the row's status and its problems.
    fn fill(&self, l: &mut Listing);
    /// Resolves once every watcher of the row has its first list or knows the kind is absent.
    fn settled(&self) -> BoxFuture<'static, ()>;
}

pub static PODS: Typed<Pod> = Typed::namespaced("pods", |l| &mut l.objects.pods);
pub static DEPLOYMENTS: Typed<Deployment> =
    Typed::namespaced("deployments", |l| &mut l.objects.deployments);
pub static STATEFULSETS: Typed<StatefulSet> =
    Typed::namespaced("statefulsets", |l| &mut l.objects.statefulsets);
pub static DAEMONSETS: Typed<DaemonSet> =
    Typed::namespaced("daemonsets", |l| &mut l.objects.daemonsets);
pub static SERVICES: Typed<Service> = Typed::namespaced("services", |l| &mut l.objects.services);
pub static INGRESSES: Typed<Ingress> = Typed::namespaced("ingresses", |l| &mut l.objects.ingresses);
pub static PVCS: Typed<PersistentVolumeClaim> =
    Typed::namespaced("persistentvolumeclaims", |l| &mut l.objects.pvcs);
pub static CONFIGMAPS: Typed<ConfigMap> =
    Typed::namespaced("configmaps", |l| &mut l.objects.configmaps);
pub static EVENTS: Typed<Event> = Typed::namespaced("events", |l| &mut l.events);
pub static PVS: Typed<PersistentVolume> =
    Typed::cluster("persistentvolumes", |l| &mut l.objects.pvs)
        .when_forbidden("node paths of PVCs unknown");
/// The configured credential Secrets, each watched by name (those the workloads reference:
/// [`super::secret_watch::REFERENCED_SECRETS`], right after it: it reads the workloads and
/// these Secrets from the snapshot being filled).
pub static SECRETS: Typed<Secret> =
    Typed::namespaced("secrets", |l| &mut l.secrets).select(Select::WantedSecrets);
/// TLS Secrets (certificate expiry read offline), without private keys.
pub static TLS_SECRETS: Typed<Secret> = Typed::namespaced("secrets/tls", |l| &mut l.tls_secrets)
    .select(Select::Fields("type=kubernetes.io/tls"))
    .prune(strip_tls_keys);

pub static CERTIFICATES: Custom =
    Custom::namespaced("certificates.cert-manager.io", "v1", "Certificate");
pub static CERTIFICATE_REQUESTS: Custom = Custom::namespaced(
    "certificaterequests.cert-manager.io",
    "v1",
    "CertificateRequest",
);
pub static ISSUERS: Custom = Custom::namespaced("issuers.cert-manager.io", "v1", "Issuer");
pub static CLUSTER_ISSUERS: Custom =
    Custom::cluster("clusterissuers.cert-manager.io", "v1", "ClusterIssuer");
pub static APPLICATIONS: Custom =
    Custom::namespaced("applications.argoproj.io", "v1alpha1", "Application");
pub static APPLICATION_SETS: Custom =
    Custom::namespaced("applicationsets.argoproj.io", "v1alpha1", "ApplicationSet");
pub static APP_PROJECTS: Custom =
    Custom::namespaced("appprojects.argoproj.io", "v1alpha1", "AppProject");
/// CronJobs and Jobs (`:jobs`, issue 12), read as dynamic objects.
pub static CRONJOBS: Custom = Custom::namespaced("cronjobs.batch", "v1", "CronJob");
pub static JOBS: Custom = Custom::namespaced("jobs.batch", "v1", "Job");

/// Every watched kind.
pub static KINDS: &[&dyn Kind] = &[
    &PODS,
    &DEPLOYMENTS,
    &STATEFULSETS,
    &DAEMONSETS,
    &SERVICES,
    &INGRESSES,
    &PVCS,
    &CONFIGMAPS,
    &EVENTS,
    &PVS,
    &SECRETS,
    &super::secret_watch::REFERENCED_SECRETS,
    &TLS_SECRETS,
    &CERTIFICATES,
    &CERTIFICATE_REQUESTS,
    &ISSUERS,
    &CLUSTER_ISSUERS,
    &APPLICATIONS,
    &APPLICATION_SETS,
    &APP_PROJECTS,
    &CRONJOBS,
    &JOBS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_custom_names_split_into_plural_and_group() {
        let names: Vec<&str> = KINDS.iter().map(|k| k.name()).collect();
        let set: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(set.len(), names.len(), "{names:?}");
        let ar = CERTIFICATE_REQUESTS.api_resource();
        assert_eq!(
            (
                ar.group.as_str(),
                ar.plural.as_str(),
                ar.api_version.as_str()
            ),
            (
                "cert-manager.io",
                "certificaterequests",
                "cert-manager.io/v1"
            )
        );
        assert_eq!(
            APPLICATIONS.api_resource().api_version,
            "argoproj.io/v1alpha1"
        );
    }
}
