//! `manifest.*` (issue 12, FR009/FR010): what the deployed manifests get wrong, with the fix
//! to make in Git. `manifest.probe_target`: an HTTP probe of an app aimed at a path the app
//! does not answer under its URL base, or at a port it does not listen on.
//! `manifest.resources`: the app container lacks CPU/memory requests or limits.
//! `manifest.config_ephemeral`: the app's config directory is an `emptyDir`.
//! `manifest.probes_missing`: no liveness or no readiness probe. `manifest.startup_probe`: a
//! slow starter without a startup probe. `manifest.strategy`: a Deployment mounting a RWO claim
//! rolls out with `RollingUpdate` (for every app, VPN or not). `manifest.image_unpinned`: the
//! app container's image is `:latest` or untagged.

use super::catalog;
use crate::manifest::{accepted_paths, image_pinned, AppManifest, ManifestFacts};
use crate::model::AppKind;
use crate::model::Finding;

fn probe_findings(app: &AppManifest) -> Vec<Finding> {
    let good = accepted_paths(app.kind, &app.url_base);
    let mut out = Vec::new();
    for p in &app.probes {
        let path = p.path.split('?').next().unwrap_or(&p.path);
        // A WebUI page (`…/`) stands for every page under it.
        let path_ok = good
            .iter()
            .any(|g| g == path || (g.ends_with('/') && path.starts_with(g.as_str())));
        let port_ok = match (p.port_number, app.app_port) {
            (Some(have), Some(want)) => have == want,
            (None, _) => false,
            (Some(_), None) => true,
        };
        if path_ok && port_ok {
            continue;
        }
        let mut wrong = Vec::new();
        if !path_ok {
            let base = if app.url_base.is_empty() {
                "at `/`".to_string()
            } else {
                format!("under `{}`", app.url_base)
            };
            wrong.push(format!(
                "path `{}` does not exist: the app serves {base}",
                p.path
            ));
        }
        if !port_ok {
            match (p.port_number, app.app_port) {
                (None, _) => wrong.push(format!("port `{}` names no container port", p.port)),
                (Some(have), Some(want)) => {
                    wrong.push(format!("port {have} is not the app's port {want}"))
                }
                _ => {}
            }
        }
        let port = app
            .app_port
            .map_or_else(|| p.port.clone(), |n| n.to_string());
        out.push(catalog::MANIFEST_PROBE_TARGET.for_service(
            &app.service,
            format!(
                "{} probe of `{}` in {}: {}",
                p.which,
                app.container,
                app.workload,
                wrong.join("; ")
            ),
            &[
                ("probe", p.which),
                ("container", &app.container),
                ("workload", &app.workload),
                ("path", &good[0]),
                ("port", &port),
            ],
        ));
    }
    out
}

fn resource_findings(app: &AppManifest) -> Option<Finding> {
    if app.missing_resources.is_empty() {
        return None;
    }
    let missing = app.missing_resources.join(", ");
    Some(catalog::MANIFEST_RESOURCES.for_service(
        &app.service,
        format!(
            "`{}` in {} declares no {missing}",
            app.container, app.workload
        ),
        &[
            ("container", &app.container),
            ("workload", &app.workload),
            ("missing", &missing),
        ],
    ))
}

fn config_finding(app: &AppManifest) -> Option<Finding> {
    let (volume, mount) = app.ephemeral_config.as_ref()?;
    Some(catalog::MANIFEST_CONFIG_EPHEMERAL.for_service(
        &app.service,
        format!(
            "{mount} of `{}` in {} is the emptyDir `{volume}`: settings, database and API key go with the pod",
            app.container, app.workload
        ),
        &[
            ("container", &app.container),
            ("workload", &app.workload),
            ("volume", volume),
        ],
    ))
}

/// Apps that can take minutes before they answer: the Servarr apps run their database
/// migrations at start (after an upgrade, minutes on a large library) and Jellyfin migrates
/// and validates its library database; a liveness probe alone restarts them in the middle.
pub fn slow_starter(kind: AppKind) -> bool {
    kind.is_servarr() || kind == AppKind::Jellyfin
}

/// The probe path and port to suggest: the first accepted path under the base, the app port.
fn suggested(app: &AppManifest) -> (String, String) {
    let path = accepted_paths(app.kind, &app.url_base)
        .into_iter()
        .next()
        .unwrap_or_else(|| "/".into());
    let port = app
        .app_port
        .map_or_else(|| "<app port>".to_string(), |n| n.to_string());
    (path, port)
}

fn presence_findings(app: &AppManifest) -> Vec<Finding> {
    let (path, port) = suggested(app);
    let vars = |missing: &str| -> Vec<(&'static str, String)> {
        vec![
            ("container", app.container.clone()),
            ("workload", app.workload.clone()),
            ("missing", missing.to_string()),
            ("path", path.clone()),
            ("port", port.clone()),
        ]
    };
    let mk = |e: &catalog::Entry, msg: String, v: Vec<(&'static str, String)>| {
        let v: Vec<(&str, &str)> = v.iter().map(|(k, s)| (*k, s.as_str())).collect();
        e.for_service(&app.service, msg, &v)
    };
    let mut out = Vec::new();
    let missing: Vec<&str> = ["liveness", "readiness"]
        .into_iter()
        .filter(|w| !app.declared_probes.contains(w))
        .collect();
    if !missing.is_empty() {
        let m = missing.join(" and ");
        out.push(mk(
            &catalog::MANIFEST_PROBES_MISSING,
            format!("`{}` in {} has no {m} probe", app.container, app.workload),
            vars(&m),
        ));
    }
    if slow_starter(app.kind) && !app.declared_probes.contains(&"startup") {
        out.push(mk(
            &catalog::MANIFEST_STARTUP_PROBE,
            format!(
                "`{}` in {} has no startup probe: {} can take minutes to start",
                app.container,
                app.workload,
                app.kind.display()
            ),
            vars("startup"),
        ));
    }
    out
}

fn strategy_finding(app: &AppManifest) -> Option<Finding> {
    (app.rwo_volume && app.strategy.as_deref() == Some("RollingUpdate")).then(|| {
        catalog::MANIFEST_STRATEGY.for_service(
            &app.service,
            format!(
                "{} uses RollingUpdate with a ReadWriteOnce volume",
                app.workload
            ),
            &[("container", &app.container), ("workload", &app.workload)],
        )
    })
}

fn image_finding(app: &AppManifest) -> Option<Finding> {
    if image_pinned(&app.image) {
        return None;
    }
    let how = if app.image.ends_with(":latest") {
        "`:latest`"
    } else {
        "untagged (`latest`)"
    };
    Some(catalog::MANIFEST_IMAGE_UNPINNED.for_service(
        &app.service,
        format!(
            "`{}` in {} runs `{}`: {how}, not a pinned version",
            app.container, app.workload, app.image
        ),
        &[
            ("container", &app.container),
            ("workload", &app.workload),
            ("image", &app.image),
            (
                "namespace",
                app.service.0.split('/').next().unwrap_or_default(),
            ),
        ],
    ))
}

pub fn evaluate(facts: &ManifestFacts) -> Vec<Finding> {
    facts
        .apps
        .iter()
        .flat_map(|a| {
            let mut v = probe_findings(a);
            v.extend(resource_findings(a));
            v.extend(config_finding(a));
            v.extend(presence_findings(a));
            v.extend(strategy_finding(a));
            v.extend(image_finding(a));
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::HttpProbe;
    use crate::model::{AppKind, ServiceId};

    fn app(kind: AppKind, base: &str, probes: &[(&str, u16)]) -> AppManifest {
        AppManifest {
            service: ServiceId::new("media", kind.id()),
            kind,
            workload: format!("Deployment media/{}", kind.id()),
            container: kind.id().into(),
            url_base: base.into(),
            app_port: Some(kind.default_port()),
            probes: probes
                .iter()
                .map(|(path, port)| HttpProbe {
                    which: "liveness",
                    path: (*path).into(),
                    port: port.to_string(),
                    port_number: Some(*port),
                })
                .collect(),
            missing_resources: vec![],
            ephemeral_config: None,
            declared_probes: vec!["liveness", "readiness", "startup"],
            image: format!("docker.io/linuxserver/{}:1.2.3", kind.id()),
            strategy: Some("Recreate".into()),
            rwo_volume: true,
        }
    }

    fn run(a: AppManifest) -> Vec<Finding> {
        evaluate(&ManifestFacts { apps: vec![a] })
    }

    #[test]
    fn a_probe_must_carry_the_url_base_and_the_app_port() {
        // The target cluster's Bazarr: served at `/`, probed at `/bazarr/ping`.
        let f = run(app(AppKind::Bazarr, "", &[("/bazarr/ping", 6767)]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "manifest.probe_target");
        assert!(
            f[0].message.contains("`/bazarr/ping` does not exist"),
            "{}",
            f[0].message
        );
        assert!(f[0].remediation.contains("/api/system/ping") && f[0].remediation.contains("6767"));
        // Right path, with or without a base; query strings ignored.
        assert!(run(app(AppKind::Bazarr, "", &[("/api/system/ping", 6767)])).is_empty());
        assert_eq!(
            run(app(
                AppKind::Bazarr,
                "/bazarr",
                &[("/api/system/ping", 6767)]
            ))
            .len(),
            1
        );
        assert!(run(app(AppKind::Sonarr, "/sonarr", &[("/sonarr/ping", 8989)])).is_empty());
        assert!(run(app(AppKind::Jellyfin, "", &[("/health?x=1", 8096)])).is_empty());
        // A Servarr redirects `/ping` to its base (307 counts as success); other paths without
        // the base do not exist.
        assert!(run(app(AppKind::Sonarr, "/sonarr", &[("/ping", 8989)])).is_empty());
        assert_eq!(
            run(app(AppKind::Sonarr, "/sonarr", &[("/health", 8989)])).len(),
            1
        );
        assert_eq!(
            run(app(
                AppKind::Jellyseerr,
                "/req",
                &[("/api/v1/status", 5055)]
            ))
            .len(),
            1
        );
        // qBittorrent's WebUI answers every page under its base.
        assert!(run(app(AppKind::Qbittorrent, "", &[("/", 8080)])).is_empty());
        // The wrong port.
        let f = run(app(AppKind::Radarr, "", &[("/ping", 8989)]));
        assert!(
            f[0].message
                .contains("port 8989 is not the app's port 7878"),
            "{}",
            f[0].message
        );
        // A named port that resolves to nothing.
        let mut a = app(AppKind::Radarr, "", &[("/ping", 7878)]);
        a.probes[0].port = "web".into();
        a.probes[0].port_number = None;
        assert!(run(a)[0]
            .message
            .contains("port `web` names no container port"));
    }

    #[test]
    fn requests_and_limits_are_declared() {
        let mut a = app(AppKind::Jellyfin, "", &[]);
        assert!(run(a.clone()).is_empty());
        a.missing_resources = vec!["limits.cpu".into(), "limits.memory".into()];
        let f = run(a);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "manifest.resources");
        assert!(
            f[0].message
                .contains("declares no limits.cpu, limits.memory"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].remediation.contains("limits.cpu, limits.memory"),
            "{}",
            f[0].remediation
        );
    }

    #[test]
    fn the_config_directory_is_persistent() {
        let mut a = app(AppKind::Sonarr, "", &[]);
        a.ephemeral_config = Some(("config".into(), "/config".into()));
        let f = run(a);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "manifest.config_ephemeral");
        assert!(
            f[0].message.contains("/config of `sonarr`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn liveness_and_readiness_probes_are_declared() {
        let mut a = app(AppKind::Qbittorrent, "", &[]);
        a.declared_probes = vec![];
        let f = run(a.clone());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "manifest.probes_missing");
        assert!(
            f[0].message.contains("has no liveness and readiness probe"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].remediation.contains("httpGet `/` on port 8080"),
            "{}",
            f[0].remediation
        );
        // A tcpSocket or exec probe counts as declared.
        a.declared_probes = vec!["liveness"];
        let f = run(a.clone());
        assert!(f[0].message.contains("has no readiness probe"), "{f:?}");
        a.declared_probes = vec!["liveness", "readiness"];
        assert!(run(a).is_empty());
    }

    #[test]
    fn slow_starters_have_a_startup_probe() {
        for kind in [AppKind::Sonarr, AppKind::Prowlarr, AppKind::Jellyfin] {
            let mut a = app(kind, "/x", &[]);
            a.declared_probes = vec!["liveness", "readiness"];
            let f = run(a);
            assert_eq!(f.len(), 1, "{kind:?}: {f:?}");
            assert_eq!(f[0].code, "manifest.startup_probe");
            assert!(f[0].remediation.contains("failureThreshold 30"));
        }
        // The remediation aims the probe under the URL base.
        let mut a = app(AppKind::Radarr, "/radarr", &[]);
        a.declared_probes = vec!["liveness", "readiness"];
        assert!(run(a)[0]
            .remediation
            .contains("`/radarr/ping` on port 7878"));
        // Quick starters need none.
        for kind in [AppKind::Bazarr, AppKind::Qbittorrent, AppKind::Jellyseerr] {
            let mut a = app(kind, "", &[]);
            a.declared_probes = vec!["liveness", "readiness"];
            assert!(run(a).is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn a_rwo_volume_needs_recreate() {
        let mut a = app(AppKind::Lidarr, "", &[]);
        a.strategy = Some("RollingUpdate".into());
        let f = run(a.clone());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "manifest.strategy");
        assert!(f[0].remediation.contains("Recreate"));
        // Without a RWO claim, or not a Deployment (None), nothing to say.
        a.rwo_volume = false;
        assert!(run(a.clone()).is_empty());
        a.rwo_volume = true;
        a.strategy = None;
        assert!(run(a).is_empty());
    }

    #[test]
    fn images_are_pinned() {
        for (image, pinned) in [
            ("docker.io/linuxserver/sonarr:latest", false),
            ("docker.io/linuxserver/sonarr", false),
            ("registry.local:5000/sonarr", false),
            ("registry.local:5000/sonarr:4.0.15", true),
            ("linuxserver/sonarr:4.0.15", true),
            ("ghcr.io/hotio/sonarr@sha256:0123abcd", true),
            ("sonarr:latest@sha256:0123abcd", true),
        ] {
            assert_eq!(image_pinned(image), pinned, "{image}");
        }
        let mut a = app(AppKind::Sonarr, "", &[]);
        a.image = "docker.io/linuxserver/sonarr:latest".into();
        let f = run(a.clone());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "manifest.image_unpinned");
        assert!(f[0].message.contains("`:latest`"), "{}", f[0].message);
        assert!(f[0].remediation.contains("kubectl -n media describe pod"));
        a.image = "docker.io/linuxserver/sonarr".into();
        assert!(run(a)[0].message.contains("untagged"));
    }
}
