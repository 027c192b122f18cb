//! Which app is this pod? Scored evidence per container: image, container name, ports, probe
//! paths, env. Namespace and workload names are never evidence.

use crate::model::AppKind;
use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};

/// Minimum score for a container to count as an app.
pub(crate) const THRESHOLD: u32 = 5;

/// The best match of one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub kind: AppKind,
    /// Index into `spec.containers`.
    pub container: usize,
    pub score: u32,
    pub evidence: Vec<String>,
}

/// Last path segment of an image reference, without tag or digest, lower-cased:
/// `ghcr.io/hotio/sonarr:release` → `sonarr`.
pub(crate) fn image_name(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last).to_ascii_lowercase()
}

/// Is this container a gluetun VPN sidecar?
pub(crate) fn is_gluetun(c: &Container) -> bool {
    c.image.as_deref().map(image_name).as_deref() == Some("gluetun")
}

/// HTTP paths of a container's liveness, readiness and startup probes.
pub(crate) fn probe_paths(c: &Container) -> Vec<String> {
    [&c.liveness_probe, &c.readiness_probe, &c.startup_probe]
        .into_iter()
        .flatten()
        .filter_map(|p: &Probe| p.http_get.as_ref()?.path.clone())
        .collect()
}

/// Score one container as `kind`.
pub(crate) fn score(c: &Container, kind: AppKind) -> (u32, Vec<String>) {
    let mut score = 0;
    let mut ev = vec![];
    if let Some(image) = &c.image {
        if kind.image_names().contains(&image_name(image).as_str()) {
            score += 10;
            ev.push(format!("image {image}"));
        }
    }
    if c.name.eq_ignore_ascii_case(kind.id()) || kind.image_names().contains(&c.name.as_str()) {
        score += 4;
        ev.push(format!("container name {}", c.name));
    }
    for p in c.ports.iter().flatten() {
        if p.container_port == i32::from(kind.default_port()) {
            score += 2;
            ev.push(format!("container port {}", p.container_port));
            break;
        }
    }
    for path in probe_paths(c) {
        let p = path.split('?').next().unwrap_or(&path);
        let own = format!("/{}/ping", kind.id());
        let hit = if p == own {
            Some(4)
        } else if p == "/ping" && (kind.is_servarr() || kind == AppKind::Bazarr) {
            Some(1)
        } else if p == "/api/v1/status" && kind == AppKind::Jellyseerr {
            Some(3)
        } else if p == "/health" && kind == AppKind::Jellyfin {
            Some(2)
        } else {
            None
        };
        if let Some(s) = hit {
            score += s;
            ev.push(format!("probe path {path}"));
            break;
        }
    }
    let upper = kind.id().to_ascii_uppercase();
    let env_prefix = format!("{upper}__");
    for e in c.env.iter().flatten() {
        let hit = if e.name.starts_with(&env_prefix) {
            Some(5)
        } else if kind == AppKind::Jellyfin && e.name.starts_with("JELLYFIN_") {
            Some(3)
        } else if kind == AppKind::Qbittorrent
            && (e.name == "WEBUI_PORT" || e.name == "WEBUI_PORTS")
        {
            Some(2)
        } else {
            None
        };
        if let Some(s) = hit {
            score += s;
            ev.push(format!("env {}", e.name));
            break;
        }
    }
    (score, ev)
}

/// Result of identifying one pod spec.
#[derive(Debug, Clone, Default)]
pub(crate) struct Identification {
    pub best: Option<Candidate>,
    /// Other kinds that scored as high as the best (ambiguity).
    pub ties: Vec<AppKind>,
}

/// Identify the app of a pod spec: the highest-scoring (container, kind) above [`THRESHOLD`].
/// Init containers and gluetun sidecars are never the app container.
pub(crate) fn identify(spec: &PodSpec) -> Identification {
    let mut all: Vec<Candidate> = vec![];
    for (i, c) in spec.containers.iter().enumerate() {
        if is_gluetun(c) {
            continue;
        }
        for kind in AppKind::ALL {
            let (score, evidence) = score(c, kind);
            if score >= THRESHOLD {
                all.push(Candidate {
                    kind,
                    container: i,
                    score,
                    evidence,
                });
            }
        }
    }
    all.sort_by_key(|c| std::cmp::Reverse(c.score));
    let mut it = all.into_iter();
    let Some(best) = it.next() else {
        return Identification::default();
    };
    let ties = it
        .filter(|c| c.score == best.score && c.kind != best.kind)
        .map(|c| c.kind)
        .collect();
    Identification {
        best: Some(best),
        ties,
    }
}

/// Index of the container to use for a kind forced by an override: the named one, else the
/// best-scoring container for that kind, else the first non-gluetun container.
pub(crate) fn container_for(spec: &PodSpec, kind: AppKind, name: Option<&str>) -> Option<usize> {
    if let Some(n) = name {
        return spec.containers.iter().position(|c| c.name == n);
    }
    let best = spec
        .containers
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_gluetun(c))
        .map(|(i, c)| (i, score(c, kind).0))
        .max_by_key(|(_, s)| *s);
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(image_name("ghcr.io/hotio/sonarr:release"), "sonarr");
        assert_eq!(image_name("docker.io/linuxserver/radarr:latest"), "radarr");
        assert_eq!(image_name("jellyfin/jellyfin"), "jellyfin");
        assert_eq!(
            image_name("localhost:5000/qmcgaw/gluetun@sha256:ab"),
            "gluetun"
        );
        assert_eq!(image_name("registry:5000/sabnzbd"), "sabnzbd");
    }
}
