//! The object store: every object as JSON, a monotonic global resourceVersion, a bounded history
//! of changes for `watch` (older resourceVersions answer 410 Gone), and a broadcast channel that
//! open watches follow. All mutations go through here; the controller runs after each one.

use super::error::ApiError;
use super::registry::{self, Catalog, Res, ResourceDef};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::broadcast;

/// How many changes the store remembers for watches that resume from a resourceVersion.
const HISTORY: usize = 5000;

/// `(namespace or "", name)`.
pub type Key = (String, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "ADDED",
            ChangeKind::Modified => "MODIFIED",
            ChangeKind::Deleted => "DELETED",
        }
    }
}

/// One committed change, as watches see it.
#[derive(Debug)]
pub struct Change {
    pub rv: u64,
    pub res: Res,
    pub kind: ChangeKind,
    /// The object before a modification (selector transitions turn MODIFIED into ADDED/DELETED).
    pub old: Option<Value>,
    pub obj: Value,
}

/// Changes already past a resourceVersion, plus a receiver for the ones to come.
pub type Subscription = (Vec<Arc<Change>>, broadcast::Receiver<Arc<Change>>);

/// Which parts of an object an update may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// Everything (KubeSim::apply, resources without a status subresource).
    Full,
    /// The main resource endpoint: status is kept from the stored object.
    Main,
    /// The `status` subresource: only status changes.
    Status,
}

pub struct Store {
    rv: u64,
    /// Objects per [`ResourceDef::key`].
    objects: HashMap<String, BTreeMap<Key, Value>>,
    /// The custom resource types the stored CRDs serve (see [`super::crd`]).
    custom: Vec<Res>,
    history: VecDeque<Arc<Change>>,
    /// Watches from a resourceVersion below this answer 410 Gone.
    compacted: u64,
    tx: broadcast::Sender<Arc<Change>>,
    pub forbidden: HashSet<String>,
    /// `(verb, resource[/subresource], namespace)` denied to the user (everything else allowed).
    pub denied: HashSet<(String, String, String)>,
    /// The metrics API (`metrics.k8s.io`) is served (metrics-server installed).
    pub metrics: bool,
    pub logs: HashMap<(String, String, String), Vec<String>>,
    pub backends: HashMap<(String, String, u16), SocketAddr>,
    /// Containers' files for `pods/exec`.
    pub files: super::execfs::ExecFs,
    /// Counter used for pod IPs and name suffixes so they are unique.
    pub serial: u64,
}

/// Current time as the API server writes it (`2026-11-28T11:13:29Z`).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A random RFC 4122 v4 UUID.
pub fn new_uid() -> String {
    let b: u128 = rand::random::<u128>() & !(0xf << 76) & !(0x3 << 62) | (0x4 << 76) | (0x2 << 62);
    let h = format!("{b:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Lowercase alphanumerics for generated names (`sonarr-7c9f8d6b5-x2k9q`).
pub fn random_suffix(n: usize) -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..n)
        .map(|_| CHARS[rand::random_range(0..CHARS.len())] as char)
        .collect()
}

fn is_crd(res: &ResourceDef) -> bool {
    res.kind == super::crd::KIND && res.group == super::crd::GROUP
}

pub fn name_of(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or("")
}

pub fn ns_of(obj: &Value) -> &str {
    obj["metadata"]["namespace"].as_str().unwrap_or("")
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Store {
            rv: 1,
            objects: HashMap::new(),
            custom: Vec::new(),
            history: VecDeque::new(),
            compacted: 0,
            tx,
            forbidden: HashSet::new(),
            denied: HashSet::new(),
            metrics: true,
            logs: HashMap::new(),
            backends: HashMap::new(),
            files: Default::default(),
            serial: 0,
        }
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// What is served now: the built-in kinds and the custom resources of the stored CRDs.
    pub fn catalog(&self) -> Catalog<'_> {
        Catalog::new(&self.custom)
    }

    pub fn get(&self, res: &ResourceDef, ns: &str, name: &str) -> Option<&Value> {
        let ns = if res.namespaced { ns } else { "" };
        self.objects
            .get(&res.key)?
            .get(&(ns.to_string(), name.to_string()))
    }

    /// Objects of one type, sorted by namespace and name; `None` = all namespaces.
    pub fn list(&self, res: &ResourceDef, ns: Option<&str>) -> Vec<&Value> {
        let Some(objects) = self.objects.get(&res.key) else {
            return Vec::new();
        };
        objects
            .iter()
            .filter(|((n, _), _)| ns.is_none_or(|want| !res.namespaced || n == want))
            .map(|(_, v)| v)
            .collect()
    }

    /// Recompute the custom resource types from the stored CRDs (after a CRD changed). A CRD
    /// naming a built-in type is not served (the real server refuses such names).
    fn refresh_custom(&mut self) {
        let builtin = &registry::RESOURCES;
        let crd_key = ResourceDef::key_of(super::crd::GROUP, "customresourcedefinitions");
        self.custom = self
            .objects
            .get(&crd_key)
            .map(|crds| {
                crds.values()
                    .flat_map(super::crd::served)
                    .filter(|r| !builtin.iter().any(|b| b.key == r.key))
                    .collect()
            })
            .unwrap_or_default();
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        registry::find("", "v1", "namespaces").is_some_and(|r| self.get(r, "", ns).is_some())
    }

    /// Record a committed change and tell open watches.
    fn commit(&mut self, res: &Res, kind: ChangeKind, old: Option<Value>, obj: Value) {
        let change = Arc::new(Change {
            rv: self.rv,
            res: res.clone(),
            kind,
            old,
            obj,
        });
        self.history.push_back(change.clone());
        while self.history.len() > HISTORY {
            if let Some(c) = self.history.pop_front() {
                self.compacted = c.rv;
            }
        }
        let _ = self.tx.send(change);
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// Insert or replace without controller side effects; fills server-owned metadata.
    pub fn put_raw(&mut self, res: &Res, mut obj: Value, mode: UpdateMode) -> Value {
        let ns = if res.namespaced {
            ns_of(&obj).to_string()
        } else {
            String::new()
        };
        let key = (ns.clone(), name_of(&obj).to_string());
        let old = self.get(res, &key.0, &key.1).cloned();
        let rv = self.next_rv();
        obj["apiVersion"] = json!(res.api_version());
        obj["kind"] = json!(res.kind);
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        if res.namespaced {
            obj["metadata"]["namespace"] = json!(ns);
        } else if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        let has_status = res.subresources.iter().any(|(s, _)| *s == "status");
        match (&old, mode) {
            (Some(old), UpdateMode::Status) => {
                let status = obj.get("status").cloned();
                obj = old.clone();
                match status {
                    Some(s) => obj["status"] = s,
                    None => {
                        if let Some(m) = obj.as_object_mut() {
                            m.remove("status");
                        }
                    }
                }
            }
            (Some(old), UpdateMode::Main) if has_status => match old.get("status") {
                Some(s) => obj["status"] = s.clone(),
                None => {
                    if let Some(m) = obj.as_object_mut() {
                        m.remove("status");
                    }
                }
            },
            _ => {}
        }
        let m = &mut obj["metadata"];
        match &old {
            Some(old) => {
                let om = &old["metadata"];
                m["uid"] = om["uid"].clone();
                m["creationTimestamp"] = om["creationTimestamp"].clone();
                let gen = om["generation"].as_i64().unwrap_or(1);
                let spec_changed = obj.get("spec") != old.get("spec");
                obj["metadata"]["generation"] = json!(if spec_changed { gen + 1 } else { gen });
            }
            None => {
                if !m["uid"].is_string() {
                    m["uid"] = json!(new_uid());
                }
                if !m["creationTimestamp"].is_string() {
                    m["creationTimestamp"] = json!(now_rfc3339());
                }
                if !m["generation"].is_i64() {
                    m["generation"] = json!(1);
                }
            }
        }
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let crd_changed = is_crd(res);
        if crd_changed && obj["status"]["conditions"].is_null() {
            obj["status"] = super::crd::accepted_status(&obj);
        }
        self.objects
            .entry(res.key.clone())
            .or_default()
            .insert(key, obj.clone());
        if crd_changed {
            self.refresh_custom();
        }
        let kind = if old.is_some() {
            ChangeKind::Modified
        } else {
            ChangeKind::Added
        };
        self.commit(res, kind, old, obj.clone());
        obj
    }

    /// Remove without controller side effects.
    pub fn remove_raw(&mut self, res: &Res, ns: &str, name: &str) -> Option<Value> {
        let ns = if res.namespaced { ns } else { "" };
        let mut obj = self
            .objects
            .get_mut(&res.key)?
            .remove(&(ns.to_string(), name.to_string()))?;
        if is_crd(res) {
            self.refresh_custom();
        }
        let rv = self.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.commit(res, ChangeKind::Deleted, None, obj.clone());
        Some(obj)
    }

    /// POST: the object must not exist; the namespace must.
    pub fn create(&mut self, res: &Res, ns: &str, mut obj: Value) -> Result<Value, ApiError> {
        if !obj.is_object() {
            return Err(ApiError::bad_request("the body must be a JSON object"));
        }
        if res.namespaced {
            let body_ns = ns_of(&obj);
            if !body_ns.is_empty() && body_ns != ns {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            if !self.namespace_exists(ns) {
                return Err(ApiError::not_found("namespaces", ns));
            }
            obj["metadata"]["namespace"] = json!(ns);
        }
        if name_of(&obj).is_empty() {
            match obj["metadata"]["generateName"].as_str() {
                Some(prefix) => obj["metadata"]["name"] = json!(format!("{prefix}{}", random_suffix(5))),
                None => return Err(ApiError::invalid(format!("{} \"\" is invalid: metadata.name: Required value: name or generateName is required", res.kind))),
            }
        }
        if is_crd(res) {
            super::crd::validate(&obj)?;
        }
        let name = name_of(&obj).to_string();
        if self.get(res, ns, &name).is_some() {
            return Err(ApiError::already_exists(&res.qualified(), &name));
        }
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("resourceVersion");
            m.remove("uid");
            m.remove("creationTimestamp");
        }
        // A bare pod gets scheduled and started, as scheduler and kubelet would.
        let start_pod = res.kind == "Pod" && obj["status"]["phase"].is_null();
        if start_pod {
            super::controller::run_pod(self, &mut obj);
        }
        let out = self.put_raw(res, obj, UpdateMode::Full);
        if start_pod {
            super::controller::pod_started_events(self, &out);
        }
        super::controller::reconcile(self, ns);
        Ok(self.get(res, ns, &name).cloned().unwrap_or(out))
    }

    /// PUT: the object must exist; a stale `metadata.resourceVersion` is a 409 Conflict.
    pub fn update(
        &mut self,
        res: &Res,
        ns: &str,
        name: &str,
        mut obj: Value,
        mode: UpdateMode,
    ) -> Result<Value, ApiError> {
        let Some(old) = self.get(res, ns, name) else {
            return Err(ApiError::not_found(&res.qualified(), name));
        };
        if !obj.is_object() {
            return Err(ApiError::bad_request("the body must be a JSON object"));
        }
        let body_name = name_of(&obj);
        if !body_name.is_empty() && body_name != name {
            return Err(ApiError::bad_request(
                "the name of the object does not match the name on the URL",
            ));
        }
        if let Some(rv) = obj["metadata"]["resourceVersion"].as_str() {
            if !rv.is_empty() && Some(rv) != old["metadata"]["resourceVersion"].as_str() {
                return Err(ApiError::conflict(&res.qualified(), name));
            }
        }
        obj["metadata"]["name"] = json!(name);
        if res.namespaced {
            obj["metadata"]["namespace"] = json!(ns);
        }
        if is_crd(res) && mode != UpdateMode::Status {
            super::crd::validate(&obj)?;
        }
        self.put_raw(res, obj, mode);
        super::controller::reconcile(self, ns);
        self.get(res, ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&res.qualified(), name))
    }

    /// Create-or-replace, ignoring resourceVersion (scenarios and tests).
    pub fn apply(&mut self, res: &Res, obj: Value) -> Value {
        let (ns, out) = self.apply_quiet(res, obj);
        super::controller::reconcile(self, &ns);
        out
    }

    /// [`Store::apply`] without running the controllers; returns the namespace and the object.
    /// Batches (a whole world) are applied quietly and reconciled once, so a Deployment applied
    /// before its pods does not get extra pods that the pods arriving next then displace.
    pub fn apply_quiet(&mut self, res: &Res, obj: Value) -> (String, Value) {
        let ns = if res.namespaced {
            let ns = ns_of(&obj);
            if ns.is_empty() { "default" } else { ns }.to_string()
        } else {
            String::new()
        };
        let mut obj = obj;
        if res.namespaced {
            obj["metadata"]["namespace"] = json!(ns);
        }
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("resourceVersion");
        }
        let out = self.put_raw(res, obj, UpdateMode::Full);
        (ns, out)
    }

    /// DELETE, with garbage collection of dependents (ownerReferences) and namespace contents.
    pub fn delete(&mut self, res: &Res, ns: &str, name: &str) -> Result<Value, ApiError> {
        if is_crd(res) {
            // The custom resources of a CRD are deleted before the CRD itself (the real
            // server's CRD finalizer); watches of them end with the CRD (see `watch.rs`).
            let current = self
                .get(res, ns, name)
                .ok_or_else(|| ApiError::not_found(&res.qualified(), name))?;
            let gone = super::crd::served(current);
            let served = self
                .custom
                .iter()
                .find(|r| gone.iter().any(|g| g.key == r.key));
            if let Some(r) = served.cloned() {
                let keys: Vec<Key> = self
                    .objects
                    .get(&r.key)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                for (n, name) in keys {
                    self.remove_raw(&r, &n, &name);
                }
            }
        }
        let obj = self
            .remove_raw(res, ns, name)
            .ok_or_else(|| ApiError::not_found(&res.qualified(), name))?;
        self.collect_garbage(&obj);
        if res.kind == "Namespace" {
            let namespaced = self.namespaced_storage();
            for r in &namespaced {
                let names: Vec<String> = self
                    .list(r, Some(name))
                    .iter()
                    .map(|o| name_of(o).to_string())
                    .collect();
                for n in names {
                    self.remove_raw(r, name, &n);
                }
            }
        }
        super::controller::reconcile(self, ns);
        Ok(obj)
    }

    /// Every namespaced resource the store keeps objects of.
    fn namespaced_storage(&self) -> Vec<Res> {
        self.catalog()
            .storage()
            .into_iter()
            .filter(|r| r.namespaced)
            .cloned()
            .collect()
    }

    /// Delete every object whose ownerReferences name the deleted object's uid.
    fn collect_garbage(&mut self, owner: &Value) {
        let Some(uid) = owner["metadata"]["uid"].as_str().map(String::from) else {
            return;
        };
        let ns = ns_of(owner).to_string();
        let namespaced = self.namespaced_storage();
        for r in &namespaced {
            let dependents: Vec<String> = self
                .list(r, Some(&ns))
                .iter()
                .filter(|o| {
                    o["metadata"]["ownerReferences"]
                        .as_array()
                        .is_some_and(|refs| refs.iter().any(|x| x["uid"].as_str() == Some(&uid)))
                })
                .map(|o| name_of(o).to_string())
                .collect();
            for n in dependents {
                if let Some(dep) = self.remove_raw(r, &ns, &n) {
                    self.collect_garbage(&dep);
                }
            }
        }
    }

    /// Changes after `from_rv` plus a receiver for later ones, atomically (no gap, no overlap).
    pub fn subscribe(&self, from_rv: u64) -> Result<Subscription, ApiError> {
        if from_rv < self.compacted {
            return Err(ApiError::gone(format!(
                "too old resource version: {from_rv} ({})",
                self.compacted + 1
            )));
        }
        let past = self
            .history
            .iter()
            .filter(|c| c.rv > from_rv)
            .cloned()
            .collect();
        Ok((past, self.tx.subscribe()))
    }

    /// Forget the change history: every resourceVersion handed out so far becomes too old.
    pub fn compact(&mut self) {
        let rv = self.next_rv();
        self.history.clear();
        self.compacted = rv;
    }
}
