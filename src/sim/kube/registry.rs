//! The resource types the simulated API server knows, and the discovery documents built from
//! them (`/api`, `/api/v1`, `/apis`, `/apis/{group}/{version}`, and the aggregated discovery
//! document kubectl asks for first).
//!
//! Two sources: the built-in kinds ([`RESOURCES`], from `resources.rs`) and the custom
//! resources of every CustomResourceDefinition in the store ([`super::crd`]). [`Catalog`] is
//! the union the server answers from at one moment: delete a CRD and its group disappears from
//! discovery, its URLs answer 404.

use super::resources::BUILTIN;
use serde_json::{json, Value};
use std::sync::{Arc, LazyLock};

/// One CRD `additionalPrinterColumns` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`.
    pub ty: String,
    /// A simple JSONPath (`.status.conditions[?(@.type=="Ready")].status`).
    pub json_path: String,
    pub priority: i64,
}

/// One served resource type (a row of an `APIResourceList`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDef {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub verbs: Vec<String>,
    /// Subresource names (`status`, `scale`, `log`, `proxy` …) with the kind they return.
    pub subresources: Vec<(String, String)>,
    pub categories: Vec<String>,
    /// Served because a CustomResourceDefinition says so.
    pub custom: bool,
    /// The CRD's printer columns (custom resources only; built-in kinds print kubectl's).
    pub printer_columns: Vec<PrinterColumn>,
    /// `plural.group` (or `plural` for the core group): where the objects are kept. Every
    /// served version of one custom resource shares it.
    pub key: String,
}

/// A served resource type; cheap to clone.
pub type Res = Arc<ResourceDef>;

impl ResourceDef {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps` — used in error messages like the real server.
    pub fn qualified(&self) -> String {
        self.key.clone()
    }

    /// Does the type have this subresource (`status`, `scale` …)?
    pub fn has_sub(&self, sub: &str) -> bool {
        self.subresources.iter().any(|(s, _)| s == sub)
    }

    /// The storage key for `plural` in `group`.
    pub fn key_of(group: &str, plural: &str) -> String {
        if group.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}.{group}")
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The built-in resource types, in discovery order.
pub static RESOURCES: LazyLock<Vec<Res>> = LazyLock::new(|| {
    BUILTIN
        .iter()
        .map(|b| {
            Arc::new(ResourceDef {
                group: b.group.into(),
                version: b.version.into(),
                plural: b.plural.into(),
                singular: b.singular.into(),
                kind: b.kind.into(),
                namespaced: b.namespaced,
                short_names: strings(b.short_names),
                verbs: strings(b.verbs),
                subresources: b
                    .subresources
                    .iter()
                    .map(|(s, k)| (s.to_string(), k.to_string()))
                    .collect(),
                categories: strings(b.categories),
                custom: false,
                printer_columns: Vec::new(),
                key: ResourceDef::key_of(b.group, b.plural),
            })
        })
        .collect()
});

/// Look a built-in resource up by group, version and plural (custom resources: [`Catalog`]).
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Res> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Everything served at one moment: the built-in kinds plus the custom resources of the CRDs
/// in the store.
#[derive(Debug, Clone, Copy)]
pub struct Catalog<'a> {
    custom: &'a [Res],
}

/// One API group as discovery lists it: name and versions, preferred first.
struct Group {
    name: String,
    versions: Vec<String>,
}

impl<'a> Catalog<'a> {
    pub fn new(custom: &'a [Res]) -> Self {
        Catalog { custom }
    }

    /// Every served type: built-in first, then custom resources.
    pub fn iter(&self) -> impl Iterator<Item = &'a Res> + 'a {
        let builtin: &'static [Res] = &RESOURCES;
        builtin.iter().chain(self.custom.iter())
    }

    /// Every stored type once (one version of each custom resource), for cascades.
    pub fn storage(&self) -> Vec<&'a Res> {
        let mut out: Vec<&Res> = Vec::new();
        for r in self.iter() {
            if !out.iter().any(|o| o.key == r.key) {
                out.push(r);
            }
        }
        out
    }

    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<Res> {
        self.iter()
            .find(|r| r.group == group && r.version == version && r.plural == plural)
            .cloned()
    }

    /// Look a resource up by `apiVersion` and `kind` (as objects carry them).
    pub fn find_kind(&self, api_version: &str, kind: &str) -> Option<Res> {
        self.iter()
            .find(|r| r.kind == kind && r.api_version() == api_version)
            .cloned()
    }

    /// Is any type with this group and plural namespaced (for access reviews)?
    pub fn is_namespaced(&self, group: &str, plural: &str) -> bool {
        self.iter()
            .any(|r| r.group == group && r.plural == plural && r.namespaced)
    }

    /// Named groups in discovery order (core excluded), each with its versions.
    fn groups(&self) -> Vec<Group> {
        let mut out: Vec<Group> = Vec::new();
        for r in self.iter().filter(|r| !r.group.is_empty()) {
            match out.iter_mut().find(|g| g.name == r.group) {
                Some(g) if !g.versions.contains(&r.version) => g.versions.push(r.version.clone()),
                Some(_) => {}
                None => out.push(Group {
                    name: r.group.clone(),
                    versions: vec![r.version.clone()],
                }),
            }
        }
        out
    }

    fn group_doc(g: &Group) -> Value {
        let gvs: Vec<Value> = g
            .versions
            .iter()
            .map(|v| json!({"groupVersion": format!("{}/{v}", g.name), "version": v}))
            .collect();
        json!({"name": g.name, "versions": gvs, "preferredVersion": gvs[0]})
    }

    /// `GET /apis`.
    pub fn api_group_list(&self) -> Value {
        let groups: Vec<Value> = self.groups().iter().map(Self::group_doc).collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    /// `GET /apis/{group}`.
    pub fn api_group(&self, group: &str) -> Option<Value> {
        self.groups().iter().find(|g| g.name == group).map(|g| {
            let mut doc = Self::group_doc(g);
            doc["kind"] = json!("APIGroup");
            doc["apiVersion"] = json!("v1");
            doc
        })
    }

    /// `GET /api/v1` or `GET /apis/{group}/{version}`.
    pub fn resource_list(&self, group: &str, version: &str) -> Option<Value> {
        let defs: Vec<&Res> = self
            .iter()
            .filter(|r| r.group == group && r.version == version)
            .collect();
        if defs.is_empty() {
            return None;
        }
        let mut resources = Vec::new();
        for r in &defs {
            let mut doc = json!({
                "name": r.plural,
                "singularName": r.singular,
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": r.verbs,
            });
            if !r.short_names.is_empty() {
                doc["shortNames"] = json!(r.short_names);
            }
            if !r.categories.is_empty() {
                doc["categories"] = json!(r.categories);
            }
            resources.push(doc);
            for (sub, kind) in &r.subresources {
                let mut sdoc = json!({
                    "name": format!("{}/{}", r.plural, sub),
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": kind,
                    "verbs": sub_verbs(sub),
                });
                if sub == "scale" {
                    sdoc["group"] = json!("autoscaling");
                    sdoc["version"] = json!("v1");
                }
                resources.push(sdoc);
            }
        }
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        Some(json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }))
    }

    /// Aggregated discovery (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`): the core group
    /// for `GET /api`, every named group for `GET /apis`, in one document each.
    pub fn aggregated(&self, core: bool) -> Value {
        let groups: Vec<Group> = if core {
            vec![Group {
                name: String::new(),
                versions: vec!["v1".into()],
            }]
        } else {
            self.groups()
        };
        let items: Vec<Value> = groups
            .iter()
            .map(|g| {
                let versions: Vec<Value> = g
                    .versions
                    .iter()
                    .map(|v| {
                        let resources: Vec<Value> = self
                            .iter()
                            .filter(|r| r.group == g.name && &r.version == v)
                            .map(|r| aggregated_resource(r))
                            .collect();
                        json!({"version": v, "resources": resources, "freshness": "Current"})
                    })
                    .collect();
                json!({"metadata": {"name": g.name, "creationTimestamp": null}, "versions": versions})
            })
            .collect();
        json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        })
    }
}

fn sub_verbs(sub: &str) -> &'static [&'static str] {
    match sub {
        "log" => &["get"],
        "exec" => &["create", "get"],
        "proxy" => &["create", "delete", "get", "patch", "update"],
        _ => &["get", "patch", "update"],
    }
}

fn aggregated_resource(r: &ResourceDef) -> Value {
    let mut doc = json!({
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular,
        "verbs": r.verbs,
    });
    if !r.short_names.is_empty() {
        doc["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        doc["categories"] = json!(r.categories);
    }
    if !r.subresources.is_empty() {
        let subs: Vec<Value> = r
            .subresources
            .iter()
            .map(|(sub, kind)| {
                let (group, version) = if sub == "scale" {
                    ("autoscaling", "v1")
                } else {
                    (r.group.as_str(), r.version.as_str())
                };
                json!({"subresource": sub,
                    "responseKind": {"group": group, "version": version, "kind": kind},
                    "verbs": sub_verbs(sub)})
            })
            .collect();
        doc["subresources"] = json!(subs);
    }
    doc
}

/// The media type of an aggregated discovery answer.
pub const AGGREGATED_V2: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Does the Accept header ask for aggregated discovery (v2)?
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let p: Vec<&str> = part.split(';').map(str::trim).collect();
        p.contains(&"as=APIGroupDiscoveryList")
            && p.contains(&"g=apidiscovery.k8s.io")
            && p.contains(&"v=v2")
    })
}

/// `GET /api`.
pub fn api_versions(server_addr: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_addr}]
    })
}

/// `GET /version`.
pub fn version_info() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.4+k8s-nas-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.8",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}
