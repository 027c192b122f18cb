//! The cluster Secret against the keys the apps really use: drift per key, and the one safe write.
//!
//! The target cluster's own script re-created `starr-secrets` with four keys blanked. The write
//! built here is a JSON merge patch (RFC 7386) on `data` that names ONLY the keys that change:
//! every other key is absent from the patch and therefore untouched; no key is ever set to null
//! (which would delete it) or to an empty value.

use crate::model::{AppKind, Secret, ServiceId};
use base64::Engine;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Which Secret holds the API keys and under which key names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SecretTarget {
    pub namespace: String,
    pub name: String,
    /// Key name per app kind; defaults to [`AppKind::secret_key_name`].
    pub key_names: BTreeMap<AppKind, String>,
}

impl Default for SecretTarget {
    fn default() -> Self {
        SecretTarget {
            namespace: "media".into(),
            name: "starr-secrets".into(),
            key_names: AppKind::ALL
                .into_iter()
                .filter_map(|k| k.secret_key_name().map(|n| (k, n.to_string())))
                .collect(),
        }
    }
}

impl SecretTarget {
    pub fn key_name(&self, kind: AppKind) -> Option<&str> {
        self.key_names.get(&kind).map(String::as_str)
    }
    /// `media/starr-secrets`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// What the console learned about one app's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppKeyObservation {
    pub service: ServiceId,
    pub kind: AppKind,
    /// The key the app uses, or why it is not known.
    pub key: Result<Secret, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum KeyDriftState {
    InSync,
    Differs,
    MissingInSecret,
    EmptyInSecret,
    AppKeyUnknown { why: String },
}

impl KeyDriftState {
    pub fn label(&self) -> &'static str {
        match self {
            KeyDriftState::InSync => "in sync",
            KeyDriftState::Differs => "differs",
            KeyDriftState::MissingInSecret => "missing in Secret",
            KeyDriftState::EmptyInSecret => "empty in Secret",
            KeyDriftState::AppKeyUnknown { .. } => "app key unknown",
        }
    }
    /// A sync would write this key.
    pub fn needs_write(&self) -> bool {
        matches!(
            self,
            KeyDriftState::Differs | KeyDriftState::MissingInSecret | KeyDriftState::EmptyInSecret
        )
    }
}

/// One key of the Secret compared with its app. Holds no secret values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyDrift {
    pub service: ServiceId,
    pub kind: AppKind,
    /// Key name in the Secret (`SONARR_API_KEY`).
    pub secret_key: String,
    #[serde(flatten)]
    pub state: KeyDriftState,
}

/// Decode a Kubernetes Secret's `data` (and `stringData`, which wins) into masked values.
pub fn decode_secret(secret: &k8s_openapi::api::core::v1::Secret) -> BTreeMap<String, Secret> {
    let mut out = BTreeMap::new();
    for (k, v) in secret.data.iter().flatten() {
        out.insert(
            k.clone(),
            Secret::new(String::from_utf8_lossy(&v.0).trim_end_matches('\n')),
        );
    }
    for (k, v) in secret.string_data.iter().flatten() {
        out.insert(k.clone(), Secret::new(v.clone()));
    }
    out
}

/// Compare each observed app key with the Secret. The first instance of a kind owns the
/// Secret's key; later instances (`radarr-4k`) are not compared (they have no key name).
pub fn compare(
    target: &SecretTarget,
    secret: &BTreeMap<String, Secret>,
    apps: &[AppKeyObservation],
) -> Vec<KeyDrift> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for app in apps {
        let Some(name) = target.key_name(app.kind) else {
            continue;
        };
        if !seen.insert(app.kind) {
            continue;
        }
        let state = match (&app.key, secret.get(name)) {
            (Err(why), _) => KeyDriftState::AppKeyUnknown { why: why.clone() },
            (Ok(k), _) if k.is_empty() => KeyDriftState::AppKeyUnknown {
                why: "the app reports an empty key".into(),
            },
            (Ok(_), None) => KeyDriftState::MissingInSecret,
            (Ok(_), Some(s)) if s.is_empty() => KeyDriftState::EmptyInSecret,
            (Ok(k), Some(s)) if k.expose().trim() == s.expose().trim() => KeyDriftState::InSync,
            (Ok(_), Some(_)) => KeyDriftState::Differs,
        };
        out.push(KeyDrift {
            service: app.service.clone(),
            kind: app.kind,
            secret_key: name.to_string(),
            state,
        });
    }
    out
}

/// A masked line of the sync diff: `SONARR_API_KEY: (empty) → ••••••••`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyChange {
    pub secret_key: String,
    pub before: String,
    pub after: String,
}

impl fmt::Display for KeyChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} → {}", self.secret_key, self.before, self.after)
    }
}

/// A write to the cluster, holding secrets: `Debug` is masked and it is not `Serialize`.
#[derive(Clone, PartialEq)]
pub struct WireJson(serde_json::Value);

impl WireJson {
    pub fn new(v: serde_json::Value) -> Self {
        WireJson(v)
    }
    /// The real body, for the wire only.
    pub fn expose(&self) -> &serde_json::Value {
        &self.0
    }
}

impl fmt::Debug for WireJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WireJson(<masked>)")
    }
}

/// What `keys --sync` sends.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncWrite {
    /// `PATCH` with `Content-Type: application/merge-patch+json` on the existing Secret.
    MergePatch(WireJson),
    /// The Secret does not exist: `POST` this object.
    Create(WireJson),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncPlan {
    pub target: String,
    pub changes: Vec<KeyChange>,
    pub write: SyncWrite,
}

/// Build the write that brings the Secret in line with the apps. `None` when nothing changes.
/// `secret_exists` false means the Secret object itself is absent (then it is created holding
/// only the known keys). Only keys in a `needs_write` state with a known, non-empty app key
/// are written.
pub fn sync_patch(
    target: &SecretTarget,
    secret: &BTreeMap<String, Secret>,
    secret_exists: bool,
    drift: &[KeyDrift],
    apps: &[AppKeyObservation],
) -> Option<SyncPlan> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut data = serde_json::Map::new();
    let mut changes = Vec::new();
    for d in drift.iter().filter(|d| d.state.needs_write()) {
        let Some(Ok(key)) = apps
            .iter()
            .find(|a| a.service == d.service && a.kind == d.kind)
            .map(|a| &a.key)
        else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        data.insert(
            d.secret_key.clone(),
            serde_json::Value::String(b64.encode(key.expose().trim())),
        );
        let before = match secret.get(&d.secret_key) {
            None => "(missing)".to_string(),
            Some(s) => s.masked().to_string(),
        };
        changes.push(KeyChange {
            secret_key: d.secret_key.clone(),
            before,
            after: key.masked().to_string(),
        });
    }
    if data.is_empty() {
        return None;
    }
    let write = if secret_exists {
        SyncWrite::MergePatch(WireJson(serde_json::json!({ "data": data })))
    } else {
        SyncWrite::Create(WireJson(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": target.name, "namespace": target.namespace},
            "type": "Opaque",
            "data": data,
        })))
    };
    Some(SyncPlan {
        target: target.display(),
        changes,
        write,
    })
}
