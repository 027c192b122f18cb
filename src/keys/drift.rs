//! The cluster Secret against the keys the apps really use: drift per key, and the one safe write.
//!
//! The target cluster's own script re-created `starr-secrets` with four keys blanked. The write
//! built here is a JSON merge patch (RFC 7386) on `data` that names ONLY the keys that change:
//! every other key is absent from the patch and therefore untouched; no key is ever set to null
//! (which would delete it) or to an empty value.

use crate::model::{AppKind, Finding, Secret, ServiceId, Severity};
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

/// Findings for key drift (and unknown keys). Key rejection findings come from
/// [`verdict_findings`].
pub fn drift_findings(target: &SecretTarget, drift: &[KeyDrift]) -> Vec<Finding> {
    let secret = target.display();
    drift
        .iter()
        .filter_map(|d| {
            let subject = d.service.to_string();
            let app = d.kind.display();
            let k = &d.secret_key;
            let f = match &d.state {
                KeyDriftState::InSync => return None,
                KeyDriftState::Differs => Finding::new(
                    Severity::Error,
                    "keys.drift",
                    subject,
                    format!("{secret} {k} differs from the key {app} uses"),
                    "Run `k8s-nas keys --sync` to write the app's key into the Secret",
                ),
                KeyDriftState::MissingInSecret => Finding::new(
                    Severity::Warning,
                    "keys.missing_in_secret",
                    subject,
                    format!("{secret} has no {k}"),
                    "Run `k8s-nas keys --sync` to add it (other keys are left as they are)",
                ),
                KeyDriftState::EmptyInSecret => Finding::new(
                    Severity::Error,
                    "keys.empty_in_secret",
                    subject,
                    format!("{secret} {k} is empty"),
                    "Run `k8s-nas keys --sync` to fill it from the app's config",
                ),
                KeyDriftState::AppKeyUnknown { why } => Finding::new(
                    Severity::Info,
                    "keys.unknown",
                    subject,
                    format!("{app}'s own key could not be read: {why}"),
                    "Set the config volume's node path in the config file, or pass the key with --key",
                ),
            };
            Some(f)
        })
        .collect()
}

/// Findings for the verification of each app's key.
pub fn verdict_findings(
    results: &[(ServiceId, AppKind, super::verify::KeyVerdict)],
) -> Vec<Finding> {
    use super::verify::KeyVerdict as V;
    results
        .iter()
        .filter_map(|(id, kind, v)| {
            let app = kind.display();
            let subject = id.to_string();
            Some(match v {
                V::Valid => return None,
                V::Rejected { detail } => Finding::new(
                    Severity::Error,
                    "keys.rejected",
                    subject,
                    format!("{app} rejected its API key ({detail})"),
                    "Read the key from the app's config file (`k8s-nas keys`) and sync the Secret",
                ),
                V::WrongUrlBase { location } => Finding::new(
                    Severity::Warning,
                    "keys.wrong_url_base",
                    subject,
                    format!("{app} redirected to {location}: the URL base used is wrong"),
                    "Set the service's URL base in the config file to the app's UrlBase",
                ),
                V::Unreachable { detail } => Finding::new(
                    Severity::Warning,
                    "keys.unreachable",
                    subject,
                    format!("{app} could not be reached to verify its key ({detail})"),
                    "Check the pod is Ready and the Service has endpoints",
                ),
                V::Inconclusive { detail } => Finding::new(
                    Severity::Info,
                    "keys.inconclusive",
                    subject,
                    format!("{app}'s key could not be verified ({detail})"),
                    "Retry; check RBAC for services/proxy if this persists",
                ),
            })
        })
        .collect()
}
