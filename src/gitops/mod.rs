//! Argo CD as deployed (ops-facts §2, target-cluster §7): each Application's sync status,
//! health, operation, revision, conditions and out-of-sync resources; each ApplicationSet with
//! the Applications it generated; and the health customisations in `argocd-cm` that force a
//! kind to look Healthy (hidden failures). Built purely from the watched listing
//! ([`from_listing`]); [`actions`] are the refresh annotation and the sync operation patch.
//! The console never applies manifests itself: Git stays the source of truth.

pub mod actions;

use crate::cluster::json;
use crate::cluster::kinds::{Kind as _, APPLICATIONS, APPLICATION_SETS};
use crate::cluster::list::Listing;
use jiff::Timestamp;
use kube::api::DynamicObject;
use serde_json::Value;

/// One Argo CD Application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppState {
    pub namespace: String,
    pub name: String,
    pub project: String,
    /// `Synced` | `OutOfSync` | `Unknown`; `unknown` when the status says nothing.
    pub sync: String,
    /// `Healthy` | `Progressing` | `Degraded` | `Suspended` | `Missing` | `Unknown`.
    pub health: String,
    /// `operationState.phase` (`Running`, `Succeeded`, `Failed`, `Error`, `Terminating`).
    pub phase: Option<String>,
    pub message: Option<String>,
    /// An operation is requested (`.operation` set) and not picked up yet.
    pub operation_requested: bool,
    pub revision: Option<String>,
    /// `operationState.finishedAt` of the last sync.
    pub last_sync: Option<Timestamp>,
    pub auto_sync: bool,
    /// `(type, message)` of `status.conditions`.
    pub conditions: Vec<(String, String)>,
    /// `Kind namespace/name` of each resource whose status is OutOfSync.
    pub out_of_sync: Vec<String>,
    /// `Kind namespace/name (health)` of each resource Degraded or Missing.
    pub unhealthy: Vec<String>,
    pub destination: String,
    /// `namespace/name` of each workload (Deployment, StatefulSet, DaemonSet) in
    /// `status.resources`: what the manifest audit of the Application covers.
    pub workloads: Vec<String>,
    /// The ApplicationSet that generated it, if any.
    pub owner_set: Option<String>,
}

impl AppState {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// A sync must wait: an operation is requested or running.
    /// Does the manifest audit finding of `service` (`namespace/workload`) belong to this
    /// Application: a workload of its `status.resources`, or — when it lists none (no status
    /// yet) — any workload of its destination namespace.
    pub fn owns_workload(&self, service: &str) -> bool {
        if self.workloads.is_empty() {
            !self.destination.is_empty()
                && service
                    .split_once('/')
                    .is_some_and(|(ns, _)| ns == self.destination)
        } else {
            self.workloads.iter().any(|w| w == service)
        }
    }

    pub fn operation_running(&self) -> bool {
        self.operation_requested || matches!(self.phase.as_deref(), Some("Running" | "Terminating"))
    }
}

/// One ApplicationSet and what it generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSetState {
    pub namespace: String,
    pub name: String,
    pub generated: Vec<String>,
    /// `(type, message)` of conditions whose status is True and type ErrorOccurred.
    pub errors: Vec<String>,
}

/// A health customisation in `argocd-cm` that reports Healthy without looking at the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthOverride {
    /// `argocd/argocd-cm`.
    pub configmap: String,
    /// `cert-manager.io/Certificate`, `batch/Job` …
    pub kind: String,
}

/// Everything the GitOps pane and the `gitops.*` checks look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitopsFacts {
    /// Argo CD's Application CRD is served (else the rest is empty and the note says why).
    pub present: bool,
    pub note: Option<String>,
    pub apps: Vec<AppState>,
    pub sets: Vec<AppSetState>,
    pub overrides: Vec<HealthOverride>,
}

fn s(v: &Value) -> Option<String> {
    v.as_str().filter(|x| !x.is_empty()).map(str::to_string)
}

fn resource_label(r: &Value) -> String {
    let ns = r["namespace"].as_str().unwrap_or("");
    let name = r["name"].as_str().unwrap_or("?");
    let kind = r["kind"].as_str().unwrap_or("?");
    if ns.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {ns}/{name}")
    }
}

/// One Application from its object.
pub fn app_state(o: &DynamicObject) -> AppState {
    let d = &o.data;
    let st = &d["status"];
    let resources = st["resources"].as_array().cloned().unwrap_or_default();
    AppState {
        namespace: o.metadata.namespace.clone().unwrap_or_default(),
        name: o.metadata.name.clone().unwrap_or_default(),
        project: s(&d["spec"]["project"]).unwrap_or_else(|| "default".into()),
        sync: s(&st["sync"]["status"]).unwrap_or_else(|| "unknown".into()),
        health: s(&st["health"]["status"]).unwrap_or_else(|| "unknown".into()),
        phase: s(&st["operationState"]["phase"]),
        message: s(&st["operationState"]["message"]),
        operation_requested: d["operation"].is_object(),
        revision: s(&st["sync"]["revision"])
            .or_else(|| st["sync"]["revisions"][0].as_str().map(str::to_string)),
        last_sync: json::time(&st["operationState"]["finishedAt"]),
        auto_sync: d["spec"]["syncPolicy"]["automated"].is_object(),
        conditions: json::conditions(d)
            .map(|c| {
                (
                    s(&c["type"]).unwrap_or_default(),
                    s(&c["message"]).unwrap_or_default(),
                )
            })
            .collect(),
        out_of_sync: resources
            .iter()
            .filter(|r| r["status"] == "OutOfSync")
            .map(resource_label)
            .collect(),
        unhealthy: resources
            .iter()
            .filter(|r| matches!(r["health"]["status"].as_str(), Some("Degraded" | "Missing")))
            .map(|r| {
                format!(
                    "{} ({})",
                    resource_label(r),
                    r["health"]["status"].as_str().unwrap_or("")
                )
            })
            .collect(),
        destination: s(&d["spec"]["destination"]["namespace"]).unwrap_or_default(),
        workloads: resources
            .iter()
            .filter(|r| {
                matches!(
                    r["kind"].as_str(),
                    Some("Deployment" | "StatefulSet" | "DaemonSet")
                )
            })
            .filter_map(|r| {
                Some(format!(
                    "{}/{}",
                    r["namespace"].as_str()?,
                    r["name"].as_str()?
                ))
            })
            .collect(),
        owner_set: o
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.kind == "ApplicationSet")
            .map(|r| r.name.clone()),
    }
}

/// Does a health script report Healthy without ever reporting a failure?
pub fn forces_healthy(lua: &str) -> bool {
    let says_healthy = lua.contains("\"Healthy\"") || lua.contains("'Healthy'");
    let can_fail = ["Degraded", "Progressing", "Missing", "Suspended"]
        .iter()
        .any(|st| lua.contains(st));
    says_healthy && !can_fail
}

/// The health customisations of one `argocd-cm` data map that force Healthy: the per-kind keys
/// `resource.customizations.health.<group_Kind>` and the older combined
/// `resource.customizations` YAML (`group/Kind: {health.lua: …}`).
pub fn health_overrides(
    configmap: &str,
    data: &std::collections::BTreeMap<String, String>,
) -> Vec<HealthOverride> {
    let mut out = Vec::new();
    for (k, v) in data {
        if let Some(gk) = k.strip_prefix("resource.customizations.health.") {
            if forces_healthy(v) {
                let kind = match gk.rsplit_once('_') {
                    Some((g, kind)) => format!("{g}/{kind}"),
                    None => gk.to_string(),
                };
                out.push(HealthOverride {
                    configmap: configmap.to_string(),
                    kind,
                });
            }
        } else if k == "resource.customizations" {
            let Ok(Value::Object(m)) = serde_yaml_ng::from_str::<Value>(v) else {
                continue;
            };
            for (kind, spec) in m {
                if spec["health.lua"].as_str().is_some_and(forces_healthy) {
                    out.push(HealthOverride {
                        configmap: configmap.to_string(),
                        kind,
                    });
                }
            }
        }
    }
    out
}

/// The GitOps facts of a listing.
pub fn from_listing(l: &Listing) -> GitopsFacts {
    let status = l.kinds.iter().find(|k| k.name == APPLICATIONS.name());
    let present = status.is_some_and(|k| k.present);
    let mut apps: Vec<AppState> = l
        .custom(APPLICATIONS.name())
        .iter()
        .map(|o| app_state(o))
        .collect();
    apps.sort_by_key(AppState::id);
    let sets = l
        .custom(APPLICATION_SETS.name())
        .iter()
        .map(|o| {
            let name = o.metadata.name.clone().unwrap_or_default();
            let mut generated: Vec<String> = o.data["status"]["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| s(&r["name"]))
                .collect();
            generated.extend(
                apps.iter()
                    .filter(|a| a.owner_set.as_deref() == Some(name.as_str()))
                    .map(|a| a.name.clone()),
            );
            generated.sort();
            generated.dedup();
            AppSetState {
                namespace: o.metadata.namespace.clone().unwrap_or_default(),
                name,
                generated,
                errors: json::conditions(&o.data)
                    .filter(|c| c["type"] == "ErrorOccurred" && c["status"] == "True")
                    .filter_map(|c| s(&c["message"]))
                    .collect(),
            }
        })
        .collect();
    let overrides = l
        .objects
        .configmaps
        .iter()
        .filter(|cm| cm.metadata.name.as_deref() == Some("argocd-cm"))
        .flat_map(|cm| {
            let id = format!(
                "{}/argocd-cm",
                cm.metadata.namespace.as_deref().unwrap_or_default()
            );
            health_overrides(&id, &cm.data.clone().unwrap_or_default())
        })
        .collect();
    GitopsFacts {
        present,
        note: status.and_then(|k| k.note.clone()),
        apps,
        sets,
        overrides,
    }
}

#[cfg(test)]
mod tests;
