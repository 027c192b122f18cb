//! Manifest audit (issue 12, FR009/FR010): where each discovered app's HTTP probes point — a
//! probe must hit a path the app answers anonymously **under its URL base** (the target
//! cluster probes `/bazarr/ping` on a Bazarr serving at `/`: the probe fails, the pod
//! restarts) and the port the app listens on — and whether its container declares CPU and
//! memory requests and limits (the CPU/memory alerts are relative to the limits), and whether
//! its config directory is on an `emptyDir` (lost with the pod), which probes it declares at all
//! (liveness, readiness, startup), its image reference, and whether a Deployment mounting a
//! ReadWriteOnce claim rolls out with `RollingUpdate` (the new pod cannot mount the volume the
//! old one holds). Read from the workload's pod template as deployed; the `manifest.*` checks
//! are pure over these facts.

use crate::discover::ClusterObjects;
use crate::model::{AppKind, Inventory, ServiceId};
use crate::model::{ServiceInfo, VolumeSource};
use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// One HTTP probe of an app container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProbe {
    /// `liveness`, `readiness` or `startup`.
    pub which: &'static str,
    pub path: String,
    /// The port as written (`8989` or `http`).
    pub port: String,
    /// The port number it resolves to in the container, `None` when a name does not resolve.
    pub port_number: Option<u16>,
}

/// The probes of one discovered app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppManifest {
    pub service: ServiceId,
    pub kind: AppKind,
    /// `Deployment media/bazarr`.
    pub workload: String,
    pub container: String,
    pub url_base: String,
    /// The container port the app's Service forwards to, when it has one.
    pub app_port: Option<u16>,
    pub probes: Vec<HttpProbe>,
    /// `requests.cpu`, `limits.memory` … the app container does not declare.
    pub missing_resources: Vec<String>,
    /// `(volume, mount path)` of the config directory when it is an `emptyDir`.
    pub ephemeral_config: Option<(String, String)>,
    /// The probes the app container declares with any handler (`liveness`, `readiness`,
    /// `startup`), HTTP or not.
    pub declared_probes: Vec<&'static str>,
    /// The app container's image reference as written.
    pub image: String,
    /// The Deployment's strategy type (`None` for other workload kinds).
    pub strategy: Option<String>,
    /// Does the pod mount a ReadWriteOnce (or ReadWriteOncePod) claim?
    pub rwo_volume: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestFacts {
    pub apps: Vec<AppManifest>,
}

/// Paths each app answers without credentials, relative to its URL base (shared
/// api-facts §0.1: Servarr `/ping`; Bazarr `/api/system/ping`; Jellyseerr `/api/v1/status`;
/// Jellyfin `/health`; qBittorrent's WebUI page `/`; SABnzbd `/api?mode=version`).
pub fn anonymous_paths(kind: AppKind) -> &'static [&'static str] {
    match kind {
        AppKind::Sonarr | AppKind::Radarr | AppKind::Lidarr | AppKind::Prowlarr => &["/ping"],
        AppKind::Bazarr => &["/api/system/ping"],
        AppKind::Jellyseerr => &["/api/v1/status"],
        AppKind::Jellyfin => &["/health"],
        AppKind::Qbittorrent => &["/"],
        AppKind::Sabnzbd => &["/api", "/"],
    }
}

/// `base` + `path` as the app serves it (`""` + `/ping` → `/ping`; `/sonarr` + `/` → `/sonarr/`).
pub fn under_base(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The probe paths that succeed for `kind` served under `base`: its anonymous paths under the
/// base; for the Servarr apps also `/ping` at the root (they redirect it to `{UrlBase}/ping`
/// with a 307, which kubelet counts as success — api-facts §0.1).
pub fn accepted_paths(kind: AppKind, base: &str) -> Vec<String> {
    let mut v: Vec<String> = anonymous_paths(kind)
        .iter()
        .map(|p| under_base(base, p))
        .collect();
    if kind.is_servarr() && !v.iter().any(|p| p == "/ping") {
        v.push("/ping".into());
    }
    v
}

/// Is an image reference pinned: a digest (`@sha256:…`) or a tag other than `latest`? The tag
/// is what follows the last `:` after the last `/` (a registry port is not a tag).
pub fn image_pinned(image: &str) -> bool {
    if image.contains('@') {
        return true;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':')
        .is_some_and(|(_, tag)| !tag.is_empty() && tag != "latest")
}

/// Does the workload mount a ReadWriteOnce (or ReadWriteOncePod) claim — its pod volumes'
/// claims and the config volume's (StatefulSet claim templates) — by the claims' access modes?
pub fn has_rwo(svc: &ServiceInfo, spec: &PodSpec, objs: &ClusterObjects) -> bool {
    let claims: Vec<String> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.clone())
        })
        .chain(svc.config_volume.iter().filter_map(|v| match &v.source {
            VolumeSource::Pvc { claim, .. } => Some(claim.clone()),
            _ => None,
        }))
        .collect();
    objs.pvcs.iter().any(|p| {
        p.metadata.namespace.as_deref() == Some(svc.namespace.as_str())
            && p.metadata.name.as_ref().is_some_and(|n| claims.contains(n))
            && p.spec
                .as_ref()
                .and_then(|s| s.access_modes.as_ref())
                .is_some_and(|m| {
                    m.iter()
                        .any(|m| m == "ReadWriteOnce" || m == "ReadWriteOncePod")
                })
    })
}

fn http_probe(which: &'static str, p: &Probe, c: &Container) -> Option<HttpProbe> {
    let get = p.http_get.as_ref()?;
    let (port, port_number) = match &get.port {
        IntOrString::Int(n) => (n.to_string(), u16::try_from(*n).ok()),
        IntOrString::String(name) => (
            name.clone(),
            c.ports
                .iter()
                .flatten()
                .find(|cp| cp.name.as_deref() == Some(name.as_str()))
                .and_then(|cp| u16::try_from(cp.container_port).ok()),
        ),
    };
    Some(HttpProbe {
        which,
        path: get.path.clone().unwrap_or_else(|| "/".into()),
        port,
        port_number,
    })
}

/// The probes of every discovered app, from its workload's pod template.
pub fn from_objects(inv: &Inventory, objs: &ClusterObjects) -> ManifestFacts {
    let apps = inv
        .services
        .iter()
        .filter_map(|svc| {
            let (spec, strategy) = crate::vpn::audit::template(svc, objs)?;
            let c = spec.containers.iter().find(|c| c.name == svc.container)?;
            let probes = [
                ("liveness", &c.liveness_probe),
                ("readiness", &c.readiness_probe),
                ("startup", &c.startup_probe),
            ]
            .into_iter()
            .filter_map(|(which, p)| http_probe(which, p.as_ref()?, c))
            .collect();
            let declared_probes = [
                ("liveness", &c.liveness_probe),
                ("readiness", &c.readiness_probe),
                ("startup", &c.startup_probe),
            ]
            .into_iter()
            .filter(|(_, p)| p.is_some())
            .map(|(which, _)| which)
            .collect();
            let res = c.resources.as_ref();
            let missing_resources = [
                ("requests", "cpu"),
                ("requests", "memory"),
                ("limits", "cpu"),
                ("limits", "memory"),
            ]
            .into_iter()
            .filter(|(set, what)| {
                let m = res.and_then(|r| {
                    if *set == "requests" {
                        r.requests.as_ref()
                    } else {
                        r.limits.as_ref()
                    }
                });
                !m.is_some_and(|m| m.contains_key(*what))
            })
            .map(|(set, what)| format!("{set}.{what}"))
            .collect();
            let ephemeral_config = svc.config_volume.as_ref().and_then(|cv| {
                let mount = c
                    .volume_mounts
                    .iter()
                    .flatten()
                    .find(|m| m.mount_path == cv.mount_path)?;
                let vol = spec
                    .volumes
                    .iter()
                    .flatten()
                    .find(|v| v.name == mount.name)?;
                vol.empty_dir
                    .is_some()
                    .then(|| (vol.name.clone(), cv.mount_path.clone()))
            });
            Some(AppManifest {
                service: svc.id.clone(),
                kind: svc.kind,
                workload: format!(
                    "{} {}/{}",
                    svc.workload.kind, svc.namespace, svc.workload.name
                ),
                container: svc.container.clone(),
                url_base: svc.url_base.clone(),
                app_port: svc.service.as_ref().map(|s| s.target_port),
                probes,
                missing_resources,
                ephemeral_config,
                declared_probes,
                image: c.image.clone().unwrap_or_default(),
                strategy,
                rwo_volume: has_rwo(svc, spec, objs),
            })
        })
        .collect();
    ManifestFacts { apps }
}
