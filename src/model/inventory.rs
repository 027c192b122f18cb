//! What discovery found in the cluster: one [`ServiceInfo`] per application instance.

use super::AppKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Stable identity of one application instance: `<namespace>/<workload name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceId(pub String);

impl ServiceId {
    pub fn new(namespace: &str, workload: &str) -> Self {
        ServiceId(format!("{namespace}/{workload}"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything discovery knows; serialised as the `inventory` of `check --output json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub services: Vec<ServiceInfo>,
    /// Namespaces that were searched.
    pub namespaces: Vec<String>,
    /// Things discovery could not decide (ambiguous matches, missing Service …), for the user.
    pub warnings: Vec<String>,
}

impl Inventory {
    pub fn get(&self, id: &ServiceId) -> Option<&ServiceInfo> {
        self.services.iter().find(|s| &s.id == id)
    }
    pub fn by_kind(&self, kind: AppKind) -> impl Iterator<Item = &ServiceInfo> {
        self.services.iter().filter(move |s| s.kind == kind)
    }
    /// The first instance of a kind (the usual case: one of each).
    pub fn first(&self, kind: AppKind) -> Option<&ServiceInfo> {
        self.by_kind(kind).next()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadRef {
    /// `Deployment`, `StatefulSet`, `DaemonSet` or `Pod` (bare pod).
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePort {
    /// Kubernetes Service name.
    pub name: String,
    /// The Service port clients use (Jellyfin: 80).
    pub port: u16,
    /// The container port it forwards to (Jellyfin: 8096).
    pub target_port: u16,
    /// The port's name, if it has one (needed in proxy paths when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
}

/// Where the URL base was learned from, strongest evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlBaseSource {
    Override,
    Config,
    Probe,
    Ingress,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressRoute {
    /// `<namespace>/<ingress name>`.
    pub ingress: String,
    pub host: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_secret: Option<String>,
    /// True when the ingress rewrites the path (nginx `rewrite-target`).
    pub rewrites: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum VolumeSource {
    HostPath {
        path: String,
    },
    Pvc {
        claim: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// Directory on the node when the PV is local/hostPath (local-path provisioner).
        #[serde(skip_serializing_if = "Option::is_none")]
        node_path: Option<String>,
    },
    Other {
        description: String,
    },
}

impl VolumeSource {
    /// The node directory holding the data, when known.
    pub fn node_path(&self) -> Option<&str> {
        match self {
            VolumeSource::HostPath { path } => Some(path),
            VolumeSource::Pvc { node_path, .. } => node_path.as_deref(),
            VolumeSource::Other { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigVolume {
    /// Mount path inside the app container (`/config`, `/app/config`).
    pub mount_path: String,
    pub source: VolumeSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnSidecar {
    pub container: String,
    pub image: String,
    /// gluetun `VPN_SERVICE_PROVIDER`, when set in the pod spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// gluetun `VPN_TYPE` (`openvpn`/`wireguard`), when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpn_type: Option<String>,
}

/// One discovered application instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub id: ServiceId,
    pub kind: AppKind,
    pub namespace: String,
    pub workload: WorkloadRef,
    /// The application's own container.
    pub container: String,
    pub image: String,
    /// Label selector of the workload's pods.
    pub selector: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServicePort>,
    /// Normalised: empty, or `/name` with no trailing slash.
    pub url_base: String,
    pub url_base_source: UrlBaseSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_path: Option<String>,
    pub ingresses: Vec<IngressRoute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_volume: Option<ConfigVolume>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpn: Option<VpnSidecar>,
    /// Why discovery believes this is `kind` (image, container name, port, probe path …).
    pub evidence: Vec<String>,
}

impl ServiceInfo {
    /// In-cluster DNS name of the Service (`sonarr.media.svc.cluster.local`).
    pub fn cluster_host(&self) -> Option<String> {
        self.service
            .as_ref()
            .map(|s| format!("{}.{}.svc.cluster.local", s.name, self.namespace))
    }
    /// `http://<cluster host>:<service port><url base>`.
    pub fn cluster_url(&self) -> Option<String> {
        let port = self.service.as_ref()?.port;
        Some(format!(
            "http://{}:{}{}",
            self.cluster_host()?,
            port,
            self.url_base
        ))
    }
}
