//! Discovery by evidence: cluster objects → [`crate::model::Inventory`]. Pure functions.
//!
//! Each workload (Deployment, StatefulSet, DaemonSet, or a Pod without owner) is scored on its
//! containers' images, names, ports, probe paths and env ([`identify`]); namespaces and workload
//! names are never evidence. For an identified app we then find the Service that targets its
//! container port, the Ingress rules to that Service, its URL base (strongest evidence wins, see
//! [`urlbase`]), its config volume on the node, and a gluetun VPN sidecar. [`Overrides`] from the
//! config file beat every piece of evidence.

mod identify;
mod network;
mod overrides;
mod pods;
mod urlbase;
mod volumes;

pub use overrides::{Overrides, ServiceOverride};
pub use pods::{pod_status, pod_statuses};

use crate::model::{Inventory, ServiceId, ServiceInfo, ServicePort, UrlBaseSource, WorkloadRef};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, Service,
};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The objects discovery reads, shared with the watch stores (cloning this is cheap).
#[derive(Debug, Clone, Default)]
pub struct ClusterObjects {
    pub pods: Vec<Arc<Pod>>,
    pub deployments: Vec<Arc<Deployment>>,
    pub statefulsets: Vec<Arc<StatefulSet>>,
    pub daemonsets: Vec<Arc<DaemonSet>>,
    pub services: Vec<Arc<Service>>,
    pub ingresses: Vec<Arc<Ingress>>,
    pub pvcs: Vec<Arc<PersistentVolumeClaim>>,
    pub pvs: Vec<Arc<PersistentVolume>>,
    pub configmaps: Vec<Arc<ConfigMap>>,
}

impl ClusterObjects {
    /// Sort JSON objects by `kind` into typed lists. Other kinds, and objects that do not parse,
    /// are skipped (logged at debug level).
    pub fn from_values(objs: &[serde_json::Value]) -> Self {
        fn push<T: serde::de::DeserializeOwned>(v: &serde_json::Value, to: &mut Vec<Arc<T>>) {
            match serde_json::from_value::<T>(v.clone()) {
                Ok(t) => to.push(Arc::new(t)),
                Err(e) => tracing::debug!(
                    "discover: skipping unparsable {}: {e}",
                    v["kind"].as_str().unwrap_or("?")
                ),
            }
        }
        let mut o = ClusterObjects::default();
        for v in objs {
            match v["kind"].as_str() {
                Some("Pod") => push(v, &mut o.pods),
                Some("Deployment") => push(v, &mut o.deployments),
                Some("StatefulSet") => push(v, &mut o.statefulsets),
                Some("DaemonSet") => push(v, &mut o.daemonsets),
                Some("Service") => push(v, &mut o.services),
                Some("Ingress") => push(v, &mut o.ingresses),
                Some("PersistentVolumeClaim") => push(v, &mut o.pvcs),
                Some("PersistentVolume") => push(v, &mut o.pvs),
                Some("ConfigMap") => push(v, &mut o.configmaps),
                _ => {}
            }
        }
        o
    }
}

/// A workload seen through its pod template.
struct Workload<'a> {
    kind: &'static str,
    name: &'a str,
    namespace: &'a str,
    selector: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    spec: &'a PodSpec,
    /// StatefulSet `volumeClaimTemplates` names.
    claim_templates: Vec<String>,
}

fn workloads(objs: &ClusterObjects) -> Vec<Workload<'_>> {
    let mut out = vec![];
    macro_rules! from_controller {
        ($list:expr, $kind:literal, $claims:expr) => {
            for w in &$list {
                let (Some(name), Some(ns), Some(spec)) = (
                    w.metadata.name.as_deref(),
                    w.metadata.namespace.as_deref(),
                    w.spec.as_ref(),
                ) else {
                    continue;
                };
                let Some(pod_spec) = spec.template.spec.as_ref() else {
                    continue;
                };
                let labels = spec
                    .template
                    .metadata
                    .as_ref()
                    .and_then(|m| m.labels.clone())
                    .unwrap_or_default();
                out.push(Workload {
                    kind: $kind,
                    name,
                    namespace: ns,
                    selector: spec.selector.match_labels.clone().unwrap_or_default(),
                    labels,
                    spec: pod_spec,
                    claim_templates: $claims(spec),
                });
            }
        };
    }
    from_controller!(objs.deployments, "Deployment", |_| Vec::new());
    from_controller!(objs.daemonsets, "DaemonSet", |_| Vec::new());
    from_controller!(
        objs.statefulsets,
        "StatefulSet",
        |s: &k8s_openapi::api::apps::v1::StatefulSetSpec| s
            .volume_claim_templates
            .iter()
            .flatten()
            .filter_map(|t| t.metadata.name.clone())
            .collect::<Vec<_>>()
    );
    for p in &objs.pods {
        let bare = p
            .metadata
            .owner_references
            .as_ref()
            .is_none_or(Vec::is_empty);
        let (Some(name), Some(ns), Some(spec), true) = (
            p.metadata.name.as_deref(),
            p.metadata.namespace.as_deref(),
            p.spec.as_ref(),
            bare,
        ) else {
            continue;
        };
        let labels = p.metadata.labels.clone().unwrap_or_default();
        out.push(Workload {
            kind: "Pod",
            name,
            namespace: ns,
            selector: labels.clone(),
            labels,
            spec,
            claim_templates: vec![],
        });
    }
    out
}

/// Build the inventory: one [`ServiceInfo`] per workload that evidence (or an override) says is
/// an app, sorted by kind then id, plus warnings for what could not be decided.
pub fn discover(objs: &ClusterObjects, overrides: &Overrides) -> Inventory {
    let mut inv = Inventory::default();
    let mut namespaces = BTreeSet::new();
    for w in workloads(objs) {
        if !overrides.includes_namespace(w.namespace) {
            continue;
        }
        namespaces.insert(w.namespace.to_string());
        if let Some(info) = discover_one(objs, &w, overrides, &mut inv.warnings) {
            inv.services.push(info);
        }
    }
    inv.services
        .sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    inv.namespaces = namespaces.into_iter().collect();
    inv
}

fn discover_one(
    objs: &ClusterObjects,
    w: &Workload<'_>,
    overrides: &Overrides,
    warnings: &mut Vec<String>,
) -> Option<ServiceInfo> {
    let id = ServiceId::new(w.namespace, w.name);
    let found = identify::identify(w.spec);
    let by_evidence = found.best.as_ref().map(|c| c.kind);
    let ov = overrides.resolve(&id, by_evidence);
    // An override's kind (under the id key) beats the evidence.
    let forced = overrides.services.get(id.as_str()).and_then(|o| o.kind);
    let (kind, container, mut evidence) = match (forced, &found.best) {
        (Some(k), _) => {
            let ov = overrides.resolve(&id, Some(k));
            let Some(i) = identify::container_for(w.spec, k, ov.container.as_deref()) else {
                warnings.push(format!(
                    "{id}: override says {k} but the container was not found"
                ));
                return None;
            };
            (k, i, vec![format!("override: kind {}", k.id())])
        }
        (None, Some(best)) => {
            if !found.ties.is_empty() {
                let others: Vec<&str> = found.ties.iter().map(|k| k.id()).collect();
                warnings.push(format!(
                    "{id}: evidence fits {} as well as {}; using {} (set `kind` to override)",
                    others.join(", "),
                    best.kind.id(),
                    best.kind.id()
                ));
            }
            let i = match ov.container.as_deref() {
                Some(n) => match w.spec.containers.iter().position(|c| c.name == n) {
                    Some(i) => i,
                    None => {
                        warnings.push(format!("{id}: override container {n} not found"));
                        best.container
                    }
                },
                None => best.container,
            };
            (best.kind, i, best.evidence.clone())
        }
        (None, None) => return None,
    };
    let ov = overrides.resolve(&id, Some(kind));
    if ov.ignore {
        return None;
    }
    let app = w.spec.containers.get(container)?;

    // Service.
    let ns_services: Vec<&Service> = objs
        .services
        .iter()
        .map(|x| &**x)
        .filter(|s| s.metadata.namespace.as_deref() == Some(w.namespace))
        .collect();
    let service = pick_service(&id, &ns_services, w, app, &ov, warnings);

    // Ingress routes.
    let ns_ingresses: Vec<&Ingress> = objs
        .ingresses
        .iter()
        .map(|x| &**x)
        .filter(|i| i.metadata.namespace.as_deref() == Some(w.namespace))
        .collect();
    let routes = service
        .as_ref()
        .map(|s| network::routes(&ns_ingresses, w.namespace, s))
        .unwrap_or_default();

    // URL base: override > config > probe > ingress > none.
    let probe_path = identify::probe_paths(app).into_iter().next();
    let ns_cms: Vec<&ConfigMap> = objs
        .configmaps
        .iter()
        .map(|x| &**x)
        .filter(|c| c.metadata.namespace.as_deref() == Some(w.namespace))
        .collect();
    let found_base = if let Some(b) = ov.effective_url_base() {
        Some(urlbase::Found {
            url_base: b,
            source: UrlBaseSource::Override,
            evidence: "override".into(),
        })
    } else {
        urlbase::from_config(kind, w.spec, app, &ns_cms)
            .or_else(|| urlbase::from_probe(probe_path.as_deref()))
            .or_else(|| urlbase::from_ingress(&routes))
    };
    let (url_base, url_base_source) = match found_base {
        Some(f) => {
            evidence.push(format!("url base {:?} from {}", f.url_base, f.evidence));
            (f.url_base, f.source)
        }
        None => (String::new(), UrlBaseSource::None),
    };

    let claim_templates =
        (w.kind == "StatefulSet").then_some((w.name, w.claim_templates.as_slice()));
    let config_volume = volumes::config_volume(
        kind,
        w.spec,
        app,
        w.namespace,
        claim_templates,
        &objs.pvcs,
        &objs.pvs,
    );
    if config_volume.is_none() {
        warnings.push(format!(
            "{id}: no config volume mounted in container {}",
            app.name
        ));
    }
    Some(ServiceInfo {
        id,
        kind,
        namespace: w.namespace.to_string(),
        workload: WorkloadRef {
            kind: w.kind.to_string(),
            name: w.name.to_string(),
        },
        container: app.name.clone(),
        image: app.image.clone().unwrap_or_default(),
        selector: w.selector.clone(),
        service,
        url_base,
        url_base_source,
        probe_path,
        ingresses: routes.into_iter().map(|(r, _)| r).collect(),
        config_volume,
        vpn: volumes::vpn_sidecar(w.spec),
        evidence,
    })
}

/// The Service port for the app: override by name/port, else the Service whose selector matches
/// the pod labels and which targets the container port. Warns on none or several.
fn pick_service(
    id: &ServiceId,
    services: &[&Service],
    w: &Workload<'_>,
    app: &k8s_openapi::api::core::v1::Container,
    ov: &ServiceOverride,
    warnings: &mut Vec<String>,
) -> Option<ServicePort> {
    if let Some(name) = &ov.service {
        let Some(svc) = services
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(name.as_str()))
        else {
            warnings.push(format!(
                "{id}: override Service {name} not found in {}",
                w.namespace
            ));
            return None;
        };
        let mut sp = match network::service_port(svc, app) {
            Some(sp) => sp,
            None => {
                // The user named the Service; take its first port (or the override's).
                let first = svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .and_then(|p| p.first());
                let port = first.and_then(|p| u16::try_from(p.port).ok());
                let target = first.and_then(|p| match &p.target_port {
                    Some(IntOrString::Int(n)) => u16::try_from(*n).ok(),
                    _ => None,
                });
                let Some(port) = ov.port.or(port) else {
                    warnings.push(format!("{id}: override Service {name} has no ports"));
                    return None;
                };
                warnings.push(format!(
                    "{id}: override Service {name} does not target container {}; using port {port}",
                    app.name
                ));
                ServicePort {
                    name: name.clone(),
                    port,
                    target_port: target.unwrap_or(port),
                    port_name: first.and_then(|p| p.name.clone()),
                }
            }
        };
        if let Some(p) = ov.port {
            sp.port = p;
        }
        return Some(sp);
    }
    let mut matches = network::matching_services(services, &w.labels, app);
    if let Some(p) = ov.port {
        for m in &mut matches {
            m.port = p;
        }
    }
    match matches.len() {
        0 => {
            warnings.push(format!(
                "{id}: no Service selects the pods and targets container {}'s ports",
                app.name
            ));
            None
        }
        1 => matches.pop(),
        _ => {
            let names: Vec<&str> = matches.iter().map(|m| m.name.as_str()).collect();
            warnings.push(format!(
                "{id}: {} Services reach the app ({}); using {} (set `service` to override)",
                matches.len(),
                names.join(", "),
                names[0]
            ));
            matches.into_iter().next()
        }
    }
}

#[cfg(test)]
mod tests;
