//! Where the console gets an app's key from: the node's filesystem, a pod exec, or the user.
//!
//! [`KeySource`] is the seam: the node-path implementation lives here; a pod-exec implementation
//! (kube exec `cat <mount path>/<file>`) only has to fetch the text and call
//! [`super::parse::parse_key`].

use super::parse::{key_file, parse_key, KeyError};
use crate::model::{AppKind, Secret, ServiceId, ServiceInfo};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A key found for one service, and where it was found (a path or a description, never the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundKey {
    pub service: ServiceId,
    pub kind: AppKind,
    pub key: Secret,
    pub origin: String,
}

#[async_trait]
pub trait KeySource: Send + Sync {
    /// Short description for progress lines: `node path`, `pod exec`, `user supplied`.
    fn describe(&self) -> &'static str;
    async fn find_key(&self, svc: &ServiceInfo) -> Result<FoundKey, KeyError>;
}

/// Reads `<node path of the config volume>/<key file>` from the local filesystem: right when the
/// console runs on the node (single-node k3s) or the volume is mounted where it runs.
#[derive(Debug, Clone, Default)]
pub struct NodePathSource {
    /// Prepended to every node path (tests use a tempdir; a CronJob can mount `/` at `/host`).
    pub root: Option<PathBuf>,
    /// Per-service overrides of the config directory on the node.
    pub overrides: BTreeMap<ServiceId, PathBuf>,
}

impl NodePathSource {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        NodePathSource {
            root: Some(root.into()),
            overrides: BTreeMap::new(),
        }
    }

    /// The file the key of `svc` is read from.
    pub fn key_path(&self, svc: &ServiceInfo) -> Result<PathBuf, KeyError> {
        let file = key_file(svc.kind).ok_or(KeyError::NotSupported(svc.kind))?;
        let dir: PathBuf = match self.overrides.get(&svc.id) {
            Some(p) => p.clone(),
            None => {
                let vol = svc
                    .config_volume
                    .as_ref()
                    .ok_or_else(|| KeyError::NoConfigVolume(svc.id.to_string()))?;
                let node = vol
                    .source
                    .node_path()
                    .ok_or_else(|| KeyError::NoNodePath(svc.id.to_string()))?;
                PathBuf::from(node)
            }
        };
        let dir = match &self.root {
            Some(root) => root.join(strip_root(&dir)),
            None => dir,
        };
        Ok(dir.join(file.rel_path))
    }
}

fn strip_root(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, std::path::Component::RootDir))
        .collect()
}

#[async_trait]
impl KeySource for NodePathSource {
    fn describe(&self) -> &'static str {
        "node path"
    }

    async fn find_key(&self, svc: &ServiceInfo) -> Result<FoundKey, KeyError> {
        let path = self.key_path(svc)?;
        let shown = path.display().to_string();
        let text = match crate::bounds::read_local_text(&path, crate::bounds::MAX_CONFIG_FILE).await
        {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyError::FileMissing { path: shown })
            }
            Err(e) => {
                return Err(KeyError::Unreadable {
                    path: shown,
                    why: e.to_string(),
                })
            }
        };
        let key = parse_key(svc.kind, &text).map_err(|e| match e {
            KeyError::Malformed { why, .. } => KeyError::Malformed {
                file: shown.clone(),
                why,
            },
            KeyError::NoKey { locator, .. } => KeyError::NoKey {
                file: shown.clone(),
                locator,
            },
            KeyError::EmptyKey { locator, .. } => KeyError::EmptyKey {
                file: shown.clone(),
                locator,
            },
            other => other,
        })?;
        Ok(FoundKey {
            service: svc.id.clone(),
            kind: svc.kind,
            key,
            origin: shown,
        })
    }
}

/// Keys the user typed or passed (`--key sonarr=…`), by service id or, failing that, by kind.
#[derive(Debug, Clone, Default)]
pub struct SuppliedKeys {
    pub by_service: BTreeMap<ServiceId, Secret>,
    pub by_kind: BTreeMap<AppKind, Secret>,
}

#[async_trait]
impl KeySource for SuppliedKeys {
    fn describe(&self) -> &'static str {
        "user supplied"
    }

    async fn find_key(&self, svc: &ServiceInfo) -> Result<FoundKey, KeyError> {
        let key = self
            .by_service
            .get(&svc.id)
            .or_else(|| self.by_kind.get(&svc.kind))
            .filter(|k| !k.is_empty())
            .ok_or_else(|| KeyError::NotSupplied(svc.id.to_string()))?;
        Ok(FoundKey {
            service: svc.id.clone(),
            kind: svc.kind,
            key: key.clone(),
            origin: "user supplied".into(),
        })
    }
}

/// Look up the key of every discovered app that keeps one in a file, trying `sources` in order.
/// Errors become [`super::AppKeyObservation`]s with the reason, never a panic.
pub async fn observe_keys(
    sources: &[&dyn KeySource],
    inv: &crate::model::Inventory,
) -> Vec<(super::AppKeyObservation, Option<String>)> {
    let mut out = Vec::new();
    for svc in inv.services.iter().filter(|s| key_file(s.kind).is_some()) {
        let (key, origin) = match find_key_in(sources, svc).await {
            Ok(found) => (Ok(found.key), Some(found.origin)),
            Err(errors) => {
                let why: Vec<String> = errors
                    .iter()
                    .map(|(src, e)| format!("{src}: {e}"))
                    .collect();
                (Err(why.join("; ")), None)
            }
        };
        out.push((
            super::AppKeyObservation {
                service: svc.id.clone(),
                kind: svc.kind,
                key,
            },
            origin,
        ));
    }
    out
}

/// Try sources in order; the first key found wins. Returns every error when none finds one.
pub async fn find_key_in(
    sources: &[&dyn KeySource],
    svc: &ServiceInfo,
) -> Result<FoundKey, Vec<(String, KeyError)>> {
    let mut errors = Vec::new();
    for s in sources {
        match s.find_key(svc).await {
            Ok(k) => return Ok(k),
            Err(e) => errors.push((s.describe().to_string(), e)),
        }
    }
    Err(errors)
}
