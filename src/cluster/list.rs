//! One-shot listing of everything discovery needs (headless commands, first paint).

use super::{explain, ClusterConn};
use crate::discover::ClusterObjects;
use k8s_openapi::api::{
    apps::v1::{DaemonSet, Deployment, StatefulSet},
    core::v1::{ConfigMap, Event, PersistentVolume, PersistentVolumeClaim, Pod, Service},
    networking::v1::Ingress,
};
use kube::api::{Api, ListParams};
use kube::Resource;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Everything one listing found, plus what could not be read (forbidden namespaces …).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub objects: ClusterObjects,
    pub events: Vec<Event>,
    /// The Secrets the console reads credentials from (see
    /// [`crate::collect::credentials::wanted_secrets`]) — filled by the watchers, so a rotated
    /// Secret reaches the pollers without a restart.
    pub secrets: Vec<k8s_openapi::api::core::v1::Secret>,
    /// Per-namespace or per-kind problems that did not stop the listing (e.g. 403).
    pub warnings: Vec<String>,
}

/// List all kinds in `namespaces` (empty = all namespaces). A 403 on one namespace becomes a
/// warning; a connection or authentication failure is an error (the cluster is not usable).
pub async fn list_all(conn: &ClusterConn, namespaces: &[String]) -> anyhow::Result<Listing> {
    let mut l = Listing::default();
    let c = &conn.client;
    l.objects.pods = list_ns::<Pod>(c, namespaces, &mut l.warnings).await?;
    l.objects.deployments = list_ns::<Deployment>(c, namespaces, &mut l.warnings).await?;
    l.objects.statefulsets = list_ns::<StatefulSet>(c, namespaces, &mut l.warnings).await?;
    l.objects.daemonsets = list_ns::<DaemonSet>(c, namespaces, &mut l.warnings).await?;
    l.objects.services = list_ns::<Service>(c, namespaces, &mut l.warnings).await?;
    l.objects.ingresses = list_ns::<Ingress>(c, namespaces, &mut l.warnings).await?;
    l.objects.pvcs = list_ns::<PersistentVolumeClaim>(c, namespaces, &mut l.warnings).await?;
    l.objects.configmaps = list_ns::<ConfigMap>(c, namespaces, &mut l.warnings).await?;
    l.events = list_ns::<Event>(c, namespaces, &mut l.warnings).await?;
    match Api::<PersistentVolume>::all(c.clone())
        .list(&ListParams::default())
        .await
    {
        Ok(list) => l.objects.pvs = list.items,
        Err(kube::Error::Api(s)) if s.code == 403 => l
            .warnings
            .push("persistentvolumes: forbidden (403); node paths of PVCs unknown".into()),
        Err(e) => return Err(anyhow::anyhow!(explain(&e))),
    }
    Ok(l)
}

async fn list_ns<K>(
    client: &kube::Client,
    namespaces: &[String],
    warnings: &mut Vec<String>,
) -> anyhow::Result<Vec<K>>
where
    K: Resource<Scope = kube::core::NamespaceResourceScope> + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    let kind = K::plural(&K::DynamicType::default()).to_string();
    let apis: Vec<(String, Api<K>)> = if namespaces.is_empty() {
        vec![("all namespaces".into(), Api::all(client.clone()))]
    } else {
        namespaces
            .iter()
            .map(|ns| (ns.clone(), Api::namespaced(client.clone(), ns)))
            .collect()
    };
    let mut out = Vec::new();
    for (scope, api) in apis {
        match api.list(&ListParams::default()).await {
            Ok(list) => out.extend(list.items),
            Err(kube::Error::Api(s)) if s.code == 403 => {
                warnings.push(format!("{kind} in {scope}: forbidden (403)"))
            }
            Err(e) => return Err(anyhow::anyhow!(explain(&e))),
        }
    }
    Ok(out)
}
