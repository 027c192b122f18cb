//! URL base by evidence: app config (env, mounted ConfigMap, init script) > probe path prefix >
//! ingress path without rewrite > none. Overrides are applied by the caller.

use crate::clients::transport::normalize_url_base;
use crate::model::{AppKind, IngressRoute, UrlBaseSource};
use k8s_openapi::api::core::v1::{ConfigMap, Container, PodSpec};
use regex::Regex;
use std::sync::OnceLock;

/// A URL base with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub url_base: String,
    pub source: UrlBaseSource,
    pub evidence: String,
}

struct Patterns {
    /// Captures a value; the app's own setting in its config file format.
    set: Regex,
    /// A sed delete of the setting (`sed -i '/base_url/d'`): forces the default (none).
    delete: Regex,
}

/// Patterns for an XML element: the literal element, or an `xmlstarlet ed -u <xpath> -v <value>`
/// (set) / `-d <xpath>` and `sed '/…/d'` (delete).
fn xml(build: &dyn Fn(&str, &str) -> Option<Patterns>, element: &str) -> Option<Patterns> {
    build(
        &format!(
            r#"<{element}>([^<]*)</{element}>|(?:-u|--update)[ \t]+['"]?[^'"\s]*\b{element}['"]?[ \t]+(?:-v|--value)[ \t]+['"]?([^'"\s]*)"#
        ),
        &format!(r#"/[^/\n]*{element}[^/\n]*/d|(?:-d|--delete)[ \t]+['"]?[^'"\s]*\b{element}\b"#),
    )
}

fn patterns(kind: AppKind) -> Option<&'static Patterns> {
    static SERVARR: OnceLock<Option<Patterns>> = OnceLock::new();
    static SAB: OnceLock<Option<Patterns>> = OnceLock::new();
    static BAZARR: OnceLock<Option<Patterns>> = OnceLock::new();
    static JELLYFIN: OnceLock<Option<Patterns>> = OnceLock::new();
    let build = |set: &str, delete: &str| {
        Some(Patterns {
            set: Regex::new(set).ok()?,
            delete: Regex::new(delete).ok()?,
        })
    };
    let cell = match kind {
        AppKind::Sonarr | AppKind::Radarr | AppKind::Lidarr | AppKind::Prowlarr => {
            SERVARR.get_or_init(|| xml(&build, "UrlBase"))
        }
        AppKind::Sabnzbd => SAB.get_or_init(|| {
            build(
                r#"(?m)url_base[ \t]*=[ \t]*['"]?([^\s'"|\\]*)"#,
                r"/[^/\n]*url_base[^/\n]*/d",
            )
        }),
        AppKind::Bazarr => BAZARR.get_or_init(|| {
            build(
                r#"base_url:[ \t]*['"]?([^\s'"|\\]*)"#,
                r"/[^/\n]*base_url[^/\n]*/d",
            )
        }),
        AppKind::Jellyfin => JELLYFIN.get_or_init(|| xml(&build, "BaseUrl")),
        AppKind::Jellyseerr | AppKind::Qbittorrent => return None,
    };
    cell.as_ref()
}

/// A captured value is a real URL base (not a sed/regex fragment like `.*`).
fn plausible(v: &str) -> bool {
    v.is_empty()
        || (v.starts_with('/') && !v.contains(['*', '(', ')', '[', ']', '$', '^', '+', '?']))
}

/// The URL base a text sets for `kind`: last plausible setting, or a delete (→ none).
pub(crate) fn from_text(kind: AppKind, text: &str) -> Option<String> {
    let p = patterns(kind)?;
    let deletes: Vec<std::ops::Range<usize>> =
        p.delete.find_iter(text).map(|m| m.range()).collect();
    let set = p
        .set
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .filter(|m| !deletes.iter().any(|d| d.contains(&m.start())))
        .map(|m| m.as_str())
        .filter(|v| plausible(v))
        .last();
    match set {
        Some(v) => Some(normalize_url_base(v)),
        None if !deletes.is_empty() => Some(String::new()),
        None => None,
    }
}

fn script(c: &Container) -> String {
    let mut parts: Vec<&str> = vec![];
    parts.extend(c.command.iter().flatten().map(String::as_str));
    parts.extend(c.args.iter().flatten().map(String::as_str));
    parts.join("\n")
}

/// Config evidence: env `<APP>__SERVER__URLBASE` on the app container, a ConfigMap mounted in the
/// pod holding the app's config file, or a script (init or app container) forcing the setting.
pub(crate) fn from_config(
    kind: AppKind,
    spec: &PodSpec,
    app: &Container,
    configmaps: &[&ConfigMap],
) -> Option<Found> {
    let env_name = format!("{}__SERVER__URLBASE", kind.id().to_ascii_uppercase());
    if let Some(v) = app
        .env
        .iter()
        .flatten()
        .find(|e| e.name == env_name)
        .and_then(|e| e.value.as_deref())
    {
        return Some(Found {
            url_base: normalize_url_base(v),
            source: UrlBaseSource::Config,
            evidence: format!("env {env_name} on container {}", app.name),
        });
    }
    // ConfigMaps mounted by any container of the pod.
    for vol in spec.volumes.iter().flatten() {
        let Some(cm_name) = vol.config_map.as_ref().map(|c| c.name.as_str()) else {
            continue;
        };
        let Some(cm) = configmaps
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(cm_name))
        else {
            continue;
        };
        for (key, text) in cm.data.iter().flatten() {
            if let Some(v) = from_text(kind, text) {
                return Some(Found {
                    url_base: v,
                    source: UrlBaseSource::Config,
                    evidence: format!("ConfigMap {cm_name} key {key}"),
                });
            }
        }
    }
    let inits = spec.init_containers.iter().flatten();
    for c in inits.chain(std::iter::once(app)) {
        if let Some(v) = from_text(kind, &script(c)) {
            return Some(Found {
                url_base: v,
                source: UrlBaseSource::Config,
                evidence: format!("script of container {}", c.name),
            });
        }
    }
    None
}

/// Probe evidence: `/lidarr/ping` → `/lidarr`.
pub(crate) fn from_probe(probe_path: Option<&str>) -> Option<Found> {
    let path = probe_path?.split('?').next()?;
    let prefix = ["/ping", "/health"]
        .iter()
        .find_map(|suffix| path.strip_suffix(suffix))?;
    let base = normalize_url_base(prefix);
    (!base.is_empty()).then(|| Found {
        url_base: base,
        source: UrlBaseSource::Probe,
        evidence: format!("probe path {path}"),
    })
}

/// Ingress evidence: a route path that is passed through unchanged (no rewrite, no redirect).
/// A regex path contributes its literal prefix (`/jellyfin/(.*)` → `/jellyfin`).
pub(crate) fn from_ingress(routes: &[(IngressRoute, bool)]) -> Option<Found> {
    routes
        .iter()
        .filter(|(r, redirect)| !r.rewrites && !redirect)
        .find_map(|(r, _)| {
            let literal = r
                .path
                .split(['(', '*', '[', '$', '^', '?'])
                .next()
                .unwrap_or("");
            let base = normalize_url_base(literal);
            (!base.is_empty()).then(|| Found {
                url_base: base,
                source: UrlBaseSource::Ingress,
                evidence: format!("ingress {} path {} (no rewrite)", r.ingress, r.path),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let sed = "sed -i 's|<UrlBase>.*</UrlBase>|<UrlBase>/sonarr</UrlBase>|' f";
        assert_eq!(from_text(AppKind::Sonarr, sed).as_deref(), Some("/sonarr"));
        let sab = "sed -i 's|^url_base = .*|url_base = /sabnzbd|' x";
        assert_eq!(
            from_text(AppKind::Sabnzbd, sab).as_deref(),
            Some("/sabnzbd")
        );
        assert_eq!(
            from_text(AppKind::Sabnzbd, "[misc]\nurl_base = /nzb\n").as_deref(),
            Some("/nzb")
        );
        let del = "sed -i '/^[[:space:]]*base_url:/d' \"$CFG\"";
        assert_eq!(from_text(AppKind::Bazarr, del).as_deref(), Some(""));
        assert_eq!(from_text(AppKind::Sonarr, "echo hello"), None);
        let xs = "xmlstarlet ed -L -u '/Config/UrlBase' -v '/tv' /config/config.xml";
        assert_eq!(from_text(AppKind::Sonarr, xs).as_deref(), Some("/tv"));
        let xd = "xmlstarlet ed -L -d '//UrlBase' /config/config.xml";
        assert_eq!(from_text(AppKind::Radarr, xd).as_deref(), Some(""));
        // Jellyfin's target init copies the value from a ConfigMap: no literal value in the script.
        let jf = r#"xmlstarlet ed -L -u '//BaseUrl' -v "$(xmlstarlet sel -t -v '//BaseUrl' /o/n.xml)" f"#;
        assert_eq!(from_text(AppKind::Jellyfin, jf), None);
        // Jellyseerr's `baseUrl:''` for Sonarr is not Sonarr's own setting.
        assert_eq!(from_text(AppKind::Sonarr, "{baseUrl:''}"), None);
        assert_eq!(
            from_text(AppKind::Jellyseerr, "<UrlBase>/x</UrlBase>"),
            None
        );
    }

    #[test]
    fn probes() {
        assert_eq!(
            from_probe(Some("/lidarr/ping")).map(|f| f.url_base),
            Some("/lidarr".into())
        );
        assert_eq!(from_probe(Some("/ping")), None);
        assert_eq!(from_probe(Some("/api/v1/status")), None);
        assert_eq!(from_probe(None), None);
    }
}
