//! Discovery by evidence: cluster objects → [`crate::model::Inventory`]. Pure functions.
//! (Placeholder type; the discovery branch provides the real module.)

use k8s_openapi::api::{
    apps::v1::{DaemonSet, Deployment, StatefulSet},
    core::v1::{ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Service},
    networking::v1::Ingress,
};

#[derive(Debug, Clone, Default)]
pub struct ClusterObjects {
    pub pods: Vec<Pod>,
    pub deployments: Vec<Deployment>,
    pub statefulsets: Vec<StatefulSet>,
    pub daemonsets: Vec<DaemonSet>,
    pub services: Vec<Service>,
    pub ingresses: Vec<Ingress>,
    pub pvcs: Vec<PersistentVolumeClaim>,
    pub pvs: Vec<PersistentVolume>,
    pub configmaps: Vec<ConfigMap>,
}
