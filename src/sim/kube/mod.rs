//! A Kubernetes API server faithful enough for kube-rs watchers and the real `kubectl`.
//!
//! Plain HTTP on 127.0.0.1, bearer-token auth. Layout:
//! - `registry.rs`, `resources.rs` — served resource types (built-in, plus the custom
//!   resources of every stored CustomResourceDefinition) and discovery documents (legacy and
//!   aggregated `apidiscovery.k8s.io/v2`), served by `discovery.rs`
//! - `crd.rs` — what a CRD serves (versions, scope, status subresource, printer columns)
//! - `store.rs` — the object store, resourceVersions, change history for watches
//! - `controller.rs` — Deployments/StatefulSets → pods, status, Events; Services → Endpoints
//! - `server.rs` — routing, verbs, selectors, pagination, RBAC simulation
//! - `watch.rs`, `logs.rs`, `proxy.rs` — streaming watch, pod logs, service proxy
//! - `exec.rs`, `execfs.rs` — `pods/exec` over WebSocket, the containers' in-memory files
//! - `table.rs` — server-side printing (`as=Table`) with kubectl's columns
//! - `select.rs`, `patch.rs`, `error.rs` — pure helpers
//!
//! Wire: HTTPS with a self-signed certificate made at start (in the kubeconfig as
//! `certificate-authority-data`), because client-go only sends bearer tokens over TLS; plain
//! HTTP is answered on the same port too ([`KubeSim::http_url`]). Every request needs
//! `Authorization: Bearer <token>`.
//!
//! Using it from other modules and tests:
//! ```no_run
//! # use k8s_nas::sim::kube::KubeSim;
//! # async fn example(objects: Vec<serde_json::Value>, path: &std::path::Path,
//! #                  app_addr: std::net::SocketAddr) -> anyhow::Result<()> {
//! let sim = KubeSim::start(objects, None).await?;
//! sim.write_kubeconfig(path)?;            // for kubectl / the binary (`--kubeconfig`)
//! let client = sim.kube_client().await?;  // kubeconfig → kube::Config → kube::Client
//! sim.register_backend("media", "sonarr", 8989, app_addr); // service proxy target
//! # Ok(()) }
//! ```
//! Two things every kube-rs user in this crate must know (both also hit real clusters):
//! rustls needs a process-wide crypto provider because `ring` and `aws-lc-rs` are both compiled
//! in ([`tls::install_crypto_provider`], called by `start`), and kube 5 retries 429/503/504 up to
//! 15 times with backoff up to 1000 s by default, so a service-proxy "no endpoints" 503 stalls
//! unless `Config::default_retry` is turned off for that client.
//!
//! Fidelity notes: objects are kept as JSON (`serde_json::Value`), so any kind the registry
//! lists round-trips untouched; only the fields the controller and printers read are interpreted.
//! Custom resources exist only while their CRD does: create the CRD (in the same batch is
//! fine) and its group appears in discovery; delete it and its objects go with it. Strategic
//! merge patches of custom resources answer 415, as on a real server.
//! While any namespace is forbidden, cluster-wide reads of namespaced resources are forbidden
//! too, as they are for a user whose grants are per-namespace RoleBindings.

pub mod controller;
pub mod crd;
pub mod discovery;
pub mod error;
pub mod exec;
pub mod execfs;
pub mod fixture;
pub mod logs;
pub mod metrics;
pub mod openapi;
pub mod patch;
pub mod proto;
mod proto_pod;
pub mod proxy;
pub mod registry;
pub mod resources;
pub mod select;
pub mod server;
pub mod shell;
pub mod store;
pub mod table;
pub mod tls;
pub mod watch;

use crate::model::Secret;
use anyhow::{anyhow, Context};
use base64::Engine;
use server::Shared;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use store::Store;
use tokio_util::sync::CancellationToken;

/// Name of the cluster, context and user in the kubeconfig the simulator writes.
pub const CONTEXT: &str = "k8s-nas-sim";

/// A running simulated API server; cheap to clone (all clones share one server).
#[derive(Clone)]
pub struct KubeSim {
    shared: Arc<Shared>,
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl std::fmt::Debug for KubeSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeSim")
            .field("addr", &self.shared.addr)
            .field("token", &self.shared.token)
            .finish()
    }
}

/// The served type of an object (by its apiVersion and kind), among `catalog` and the custom
/// resources of `extra_crds` (CRDs arriving in the same batch).
fn resource_for(
    catalog: registry::Catalog<'_>,
    extra_crds: &[registry::Res],
    obj: &serde_json::Value,
) -> anyhow::Result<registry::Res> {
    let api_version = obj["apiVersion"].as_str().unwrap_or("");
    let kind = obj["kind"].as_str().unwrap_or("");
    catalog
        .find_kind(api_version, kind)
        .or_else(|| {
            extra_crds
                .iter()
                .find(|r| r.kind == kind && r.api_version() == api_version)
                .cloned()
        })
        .ok_or_else(|| anyhow!("the simulator does not serve {kind} in {api_version:?}"))
}

fn is_crd(obj: &serde_json::Value) -> bool {
    obj["kind"] == crd::KIND && obj["apiVersion"] == format!("{}/v1", crd::GROUP)
}

/// Apply many objects — Namespaces and CRDs first, so custom resources of a CRD in the same
/// batch resolve — then run the controllers once per namespace.
fn apply_batch(store: &mut Store, objects: Vec<serde_json::Value>) -> anyhow::Result<()> {
    let mut batch_crds = Vec::new();
    for obj in objects.iter().filter(|o| is_crd(o)) {
        crd::validate(obj).map_err(|e| anyhow!("{}", e.message))?;
        batch_crds.extend(crd::served(obj));
    }
    let mut checked = Vec::with_capacity(objects.len());
    for obj in objects {
        let res = resource_for(store.catalog(), &batch_crds, &obj)?;
        if obj["metadata"]["name"].as_str().is_none_or(str::is_empty) {
            return Err(anyhow!("a {} without metadata.name", res.kind));
        }
        checked.push((res, obj));
    }
    checked.sort_by_key(|(res, _)| match res.kind.as_str() {
        "Namespace" => 0,
        crd::KIND => 1,
        _ => 2,
    });
    let mut namespaces = std::collections::BTreeSet::new();
    for (res, obj) in checked {
        // A custom resource resolved against the batch's CRDs: the CRD is stored by now.
        let res = if res.custom {
            resource_for(store.catalog(), &[], &obj)?
        } else {
            res
        };
        let (ns, _) = store.apply_quiet(&res, obj);
        namespaces.insert(ns);
    }
    for ns in namespaces {
        controller::reconcile(store, &ns);
    }
    Ok(())
}

impl KubeSim {
    /// Start serving `objects` (full JSON objects with apiVersion/kind/metadata) on `bind` or 127.0.0.1:0.
    pub async fn start(
        objects: Vec<serde_json::Value>,
        bind: Option<SocketAddr>,
    ) -> anyhow::Result<KubeSim> {
        let bind = bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding the simulated API server to {bind}"))?;
        let addr = listener.local_addr()?;
        tls::install_crypto_provider();
        let cert = tls::ServerCert::generate(addr)?;
        let mut store = Store::new();
        apply_batch(&mut store, objects)?;
        let token = format!("k8s-nas-sim-{:032x}", rand::random::<u128>());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .context("building the proxy HTTP client")?;
        let (watch_epoch, _) = tokio::sync::watch::channel(0u64);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            token: Secret::new(token),
            addr,
            cancel: CancellationToken::new(),
            watch_epoch,
            http,
            ca_pem: cert.cert_pem.clone(),
        });
        let app = server::router(shared.clone());
        let cancel = shared.cancel.clone();
        let listener = tls::DualListener::new(listener, &cert, cancel.clone())?;
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move { cancel.cancelled().await })
                .await;
            if let Err(e) = served {
                tracing::warn!("simulated API server stopped: {e}");
            }
        });
        Ok(KubeSim {
            shared,
            task: Arc::new(Mutex::new(Some(task))),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The bearer token the server requires.
    pub fn token(&self) -> &str {
        self.shared.token.expose()
    }

    /// `https://127.0.0.1:PORT` (the certificate is [`KubeSim::ca_pem`]).
    pub fn url(&self) -> String {
        format!("https://{}", self.shared.addr)
    }

    /// `http://127.0.0.1:PORT`: the same server without TLS (same port, same token rules).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The self-signed server certificate (PEM), trusted by the kubeconfig.
    pub fn ca_pem(&self) -> &str {
        &self.shared.ca_pem
    }

    /// A kubeconfig with cluster, context and user all named `k8s-nas-sim`.
    pub fn kubeconfig_yaml(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT}\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: {CONTEXT}\n  context:\n    cluster: {CONTEXT}\n    user: {CONTEXT}\n    namespace: default\ncurrent-context: {CONTEXT}\nusers:\n- name: {CONTEXT}\n  user:\n    token: {}\npreferences: {{}}\n",
            self.url(),
            base64::engine::general_purpose::STANDARD.encode(self.ca_pem()),
            self.token()
        )
    }

    /// A kube-rs client built the way production builds one: from this kubeconfig.
    /// kube's defaults are kept (including its retry of 503s; see the module docs).
    pub async fn kube_client(&self) -> anyhow::Result<kube::Client> {
        let kubeconfig = kube::config::Kubeconfig::from_yaml(&self.kubeconfig_yaml())
            .context("parsing the simulator's kubeconfig")?;
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .context("loading the simulator's kubeconfig")?;
        kube::Client::try_from(config).context("building a kube client for the simulator")
    }

    /// Write the kubeconfig (it holds the token) readable by its owner only (0600).
    pub fn write_kubeconfig(&self, path: &Path) -> anyhow::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path)?;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            f.write_all(self.kubeconfig_yaml().as_bytes())
        };
        write().with_context(|| format!("writing kubeconfig {}", path.display()))
    }

    /// Where the service proxy forwards `namespace/service:port` (port = Service port number).
    pub fn register_backend(&self, namespace: &str, service: &str, port: u16, addr: SocketAddr) {
        self.shared
            .store()
            .backends
            .insert((namespace.into(), service.into(), port), addr);
    }

    /// Create-or-replace many objects, then run the controllers once (pods given with their
    /// Deployment are adopted instead of displaced). Nothing is applied if any object is invalid.
    pub fn apply_all(&self, objects: Vec<serde_json::Value>) -> anyhow::Result<()> {
        apply_batch(&mut self.shared.store(), objects)
    }

    /// Create-or-replace an object at run time; emits watch events, runs the controller.
    pub fn apply(&self, obj: serde_json::Value) -> anyhow::Result<()> {
        if is_crd(&obj) {
            crd::validate(&obj).map_err(|e| anyhow!("{}", e.message))?;
        }
        let mut store = self.shared.store();
        let res = resource_for(store.catalog(), &[], &obj)?;
        if obj["metadata"]["name"].as_str().is_none_or(str::is_empty) {
            return Err(anyhow!("a {} without metadata.name", res.kind));
        }
        store.apply(&res, obj);
        Ok(())
    }

    pub fn delete(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> anyhow::Result<()> {
        let mut store = self.shared.store();
        let res = store
            .catalog()
            .find_kind(api_version, kind)
            .ok_or_else(|| anyhow!("the simulator does not serve {kind} in {api_version:?}"))?;
        store
            .delete(&res, namespace.unwrap_or(""), name)
            .map(|_| ())
            .map_err(|e| anyhow!("{e}"))
    }

    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<serde_json::Value> {
        let store = self.shared.store();
        let res = store.catalog().find_kind(api_version, kind)?;
        store.get(&res, namespace.unwrap_or(""), name).cloned()
    }

    /// All objects of a kind (`namespace: None` = every namespace), sorted by namespace/name.
    pub fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
    ) -> Vec<serde_json::Value> {
        let store = self.shared.store();
        let Some(res) = store.catalog().find_kind(api_version, kind) else {
            return Vec::new();
        };
        store.list(&res, namespace).into_iter().cloned().collect()
    }

    /// Namespaces whose reads answer 403 (RBAC simulation).
    pub fn forbid_namespace(&self, ns: &str) {
        self.shared.store().forbidden.insert(ns.to_string());
    }

    /// Deny one verb on one resource (`pods`, `pods/exec`, `deployments`) in `ns`, as a Role
    /// without it would: requests answer 403 and access reviews say not allowed.
    pub fn deny(&self, verb: &str, resource: &str, ns: &str) {
        self.shared
            .store()
            .denied
            .insert((verb.into(), resource.into(), ns.into()));
    }

    /// Serve the metrics API or not (a cluster without metrics-server).
    pub fn set_metrics(&self, on: bool) {
        self.shared.store().metrics = on;
    }

    /// Lift a [`KubeSim::forbid_namespace`].
    pub fn allow_namespace(&self, ns: &str) {
        self.shared.store().forbidden.remove(ns);
    }

    /// Log lines a container prints (otherwise a deterministic generator per app image is used).
    pub fn set_logs(&self, namespace: &str, pod: &str, container: &str, lines: Vec<String>) {
        self.shared
            .store()
            .logs
            .insert((namespace.into(), pod.into(), container.into()), lines);
    }

    /// What `wget -qO- URL` / `curl URL` print in any container (`pods/exec`): the simulated
    /// web as seen over the home connection.
    pub fn put_web(&self, url: &str, body: impl Into<String>) {
        self.shared
            .store()
            .files
            .web
            .insert(url.to_string(), body.into());
    }

    /// A file in a container, readable by `pods/exec` (`cat`, `ls`). `pod_prefix_or_name` is a
    /// pod name or a workload name: pods named `<prefix>-…` match too, so the file survives the
    /// pod being re-created.
    pub fn put_file(
        &self,
        namespace: &str,
        pod_prefix_or_name: &str,
        container: &str,
        path: &str,
        contents: impl Into<String>,
    ) {
        self.shared.store().files.put(
            (
                namespace.into(),
                pod_prefix_or_name.into(),
                container.into(),
            ),
            path,
            contents.into(),
        );
    }

    /// Undo a [`KubeSim::put_file`] (same arguments); true when the file was there.
    pub fn remove_file(
        &self,
        namespace: &str,
        pod_prefix_or_name: &str,
        container: &str,
        path: &str,
    ) -> bool {
        let owner = (
            namespace.into(),
            pod_prefix_or_name.into(),
            container.into(),
        );
        self.shared.store().files.remove(&owner, path)
    }

    /// Forget the watch history and end every open watch, as an API server restart with etcd
    /// compaction does: clients resuming from an old resourceVersion get 410 Gone and relist.
    pub fn expire_watches(&self) {
        self.shared.store().compact();
        self.shared.watch_epoch.send_modify(|e| *e += 1);
    }

    /// The current global resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store().resource_version()
    }

    /// Stop serving: open watches and log streams end, the listener closes.
    pub async fn shutdown(self) {
        self.shared.cancel.cancel();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}
