//! The app's config volume resolved to a node path, and the VPN sidecar.

use super::identify::is_gluetun;
use crate::model::{AppKind, ConfigVolume, VolumeSource, VpnSidecar};
use k8s_openapi::api::core::v1::{Container, PersistentVolume, PersistentVolumeClaim, PodSpec};
use std::sync::Arc;

/// Mount paths that hold an app's config, in order of preference.
fn config_paths(kind: AppKind) -> &'static [&'static str] {
    match kind {
        AppKind::Jellyseerr => &["/app/config", "/config"],
        _ => &["/config", "/app/config"],
    }
}

/// Resolve the config mount of `app`. `claim_templates` are a StatefulSet's
/// `volumeClaimTemplates` names and its name, for mounts that are not in `spec.volumes`.
pub(crate) fn config_volume(
    kind: AppKind,
    spec: &PodSpec,
    app: &Container,
    namespace: &str,
    claim_templates: Option<(&str, &[String])>,
    pvcs: &[Arc<PersistentVolumeClaim>],
    pvs: &[Arc<PersistentVolume>],
) -> Option<ConfigVolume> {
    let mounts = app.volume_mounts.as_ref()?;
    let mount = config_paths(kind).iter().find_map(|p| {
        mounts
            .iter()
            .find(|m| m.mount_path.trim_end_matches('/') == *p)
    })?;
    let vol = spec.volumes.iter().flatten().find(|v| v.name == mount.name);
    let source = match vol {
        Some(v) => {
            if let Some(h) = &v.host_path {
                VolumeSource::HostPath {
                    path: h.path.clone(),
                }
            } else if let Some(c) = &v.persistent_volume_claim {
                pvc_source(&c.claim_name, namespace, pvcs, pvs)
            } else {
                let what = if v.config_map.is_some() {
                    "configMap"
                } else if v.empty_dir.is_some() {
                    "emptyDir"
                } else if v.nfs.is_some() {
                    "nfs"
                } else {
                    "volume"
                };
                VolumeSource::Other {
                    description: format!("{what} {}", v.name),
                }
            }
        }
        None => match claim_templates {
            Some((sts, names)) if names.iter().any(|n| n == &mount.name) => {
                pvc_source(&format!("{}-{sts}-0", mount.name), namespace, pvcs, pvs)
            }
            _ => VolumeSource::Other {
                description: format!("unknown volume {}", mount.name),
            },
        },
    };
    Some(ConfigVolume {
        mount_path: mount.mount_path.clone(),
        source,
    })
}

/// PVC → bound PV → `local.path` or `hostPath.path`.
fn pvc_source(
    claim: &str,
    namespace: &str,
    pvcs: &[Arc<PersistentVolumeClaim>],
    pvs: &[Arc<PersistentVolume>],
) -> VolumeSource {
    let volume = pvcs
        .iter()
        .find(|p| {
            p.metadata.name.as_deref() == Some(claim)
                && p.metadata.namespace.as_deref() == Some(namespace)
        })
        .and_then(|p| p.spec.as_ref()?.volume_name.clone());
    let node_path = volume.as_deref().and_then(|v| {
        let pv = pvs.iter().find(|p| p.metadata.name.as_deref() == Some(v))?;
        let spec = pv.spec.as_ref()?;
        spec.local
            .as_ref()
            .map(|l| l.path.clone())
            .or_else(|| spec.host_path.as_ref().map(|h| h.path.clone()))
    });
    VolumeSource::Pvc {
        claim: claim.to_string(),
        volume,
        node_path,
    }
}

/// The gluetun sidecar of a pod, with provider and type from its env.
pub(crate) fn vpn_sidecar(spec: &PodSpec) -> Option<VpnSidecar> {
    let c = spec.containers.iter().find(|c| is_gluetun(c))?;
    let env = |name: &str| {
        c.env
            .iter()
            .flatten()
            .find(|e| e.name == name)
            .and_then(|e| e.value.clone())
            .filter(|v| !v.is_empty())
    };
    Some(VpnSidecar {
        container: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        provider: env("VPN_SERVICE_PROVIDER"),
        vpn_type: env("VPN_TYPE"),
    })
}
