//! What the user tells discovery when evidence is missing or wrong (config file section
//! `[discover]`). Everything discovered can be overridden.
//!
//! ```toml
//! namespaces = ["media", "qbittorrent"]      # search only these (empty: all)
//! exclude_namespaces = ["kube-system"]
//! [services.sonarr]                          # by kind …
//! url_base = "/tv"
//! [services."media/jellyfin"]                # … or by service id (wins over kind)
//! service = "jellyfin"
//! port = 80
//! [services."media/my-thing"]                # an unrecognised workload
//! kind = "radarr"
//! container = "app"
//! ```

use crate::clients::transport::normalize_url_base;
use crate::model::{AppKind, ServiceId, ServiceInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Overrides {
    /// Search only these namespaces; empty means all.
    pub namespaces: Vec<String>,
    /// Never search these namespaces.
    pub exclude_namespaces: Vec<String>,
    /// Keyed by service id (`media/sonarr`, i.e. `<namespace>/<workload>`) or kind (`sonarr`).
    pub services: BTreeMap<String, ServiceOverride>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceOverride {
    /// Treat the workload as this app (only meaningful under a service-id key).
    pub kind: Option<AppKind>,
    /// The app's container, when the evidence picks the wrong one.
    pub container: Option<String>,
    /// URL base (`/sonarr`, or `""`/`"/"` for none).
    pub url_base: Option<String>,
    /// Full URL to reach the app at (e.g. through the ingress); its path is the URL base unless
    /// `url_base` is also set.
    pub url: Option<String>,
    /// Kubernetes Service name.
    pub service: Option<String>,
    /// Service port.
    pub port: Option<u16>,
    /// Drop this service from the inventory.
    pub ignore: bool,
}

impl ServiceOverride {
    /// Field-wise: `self` where set, else `other`.
    fn or(&self, other: &ServiceOverride) -> ServiceOverride {
        ServiceOverride {
            kind: self.kind.or(other.kind),
            container: self.container.clone().or_else(|| other.container.clone()),
            url_base: self.url_base.clone().or_else(|| other.url_base.clone()),
            url: self.url.clone().or_else(|| other.url.clone()),
            service: self.service.clone().or_else(|| other.service.clone()),
            port: self.port.or(other.port),
            ignore: self.ignore || other.ignore,
        }
    }

    /// The URL base this override sets: `url_base`, else the path of `url`.
    pub fn effective_url_base(&self) -> Option<String> {
        if let Some(b) = &self.url_base {
            return Some(normalize_url_base(b));
        }
        let u = url::Url::parse(self.url.as_deref()?).ok()?;
        let base = normalize_url_base(u.path());
        (!base.is_empty()).then_some(base)
    }
}

impl Overrides {
    /// Parse the TOML form shown in the module docs.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Is `ns` searched?
    pub fn includes_namespace(&self, ns: &str) -> bool {
        (self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == ns))
            && !self.exclude_namespaces.iter().any(|n| n == ns)
    }

    /// The override for one service: the id entry merged over the kind entry.
    pub fn resolve(&self, id: &ServiceId, kind: Option<AppKind>) -> ServiceOverride {
        let by_id = self.services.get(id.as_str());
        let by_kind = kind.and_then(|k| {
            self.services
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k.id()))
                .map(|(_, v)| v)
        });
        match (by_id, by_kind) {
            (Some(a), Some(b)) => a.or(b),
            (Some(a), None) => a.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => ServiceOverride::default(),
        }
    }

    /// The URL the user configured for this service, if any (for a Direct endpoint).
    pub fn url_for(&self, svc: &ServiceInfo) -> Option<String> {
        self.resolve(&svc.id, Some(svc.kind)).url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_precedence() {
        let o = Overrides::from_toml(
            r#"
            exclude_namespaces = ["kube-system"]
            [services.sonarr]
            url_base = "/tv"
            port = 1
            [services."media/sonarr"]
            port = 8989
            [services.radarr]
            url = "https://home.example.com/films/"
            "#,
        )
        .expect("valid toml");
        let r = o.resolve(&ServiceId::new("media", "sonarr"), Some(AppKind::Sonarr));
        assert_eq!(r.port, Some(8989));
        assert_eq!(r.effective_url_base().as_deref(), Some("/tv"));
        let r = o.resolve(&ServiceId::new("x", "y"), Some(AppKind::Radarr));
        assert_eq!(r.effective_url_base().as_deref(), Some("/films"));
        assert!(!o.includes_namespace("kube-system"));
        assert!(o.includes_namespace("media"));
        assert!(Overrides::from_toml("bogus = 1").is_err());
    }
}
