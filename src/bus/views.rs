//! What the engine sends the Integrations and Keys panes ([`IntegrationsView`], [`KeysView`]),
//! built from the integrate and keys types. No secret value is ever in these types: secret
//! fields are carried in their masked form only (`••••••••`, `(empty)`, `(not set)`).

use crate::integrate::compare::{compare_field, lookup};
use crate::integrate::edge::{show_json, Current, DesiredValue, Edge};
use crate::integrate::plan::{matched_entry, Plan};
use crate::keys::{KeyDrift, KeyVerdict};
use crate::model::secret::MASK;
use crate::model::{AppError, AppKind, HealthIssue, ServiceId};
use jiff::Timestamp;
use serde_json::Value;
use std::collections::BTreeMap;

/// One desired field of an edge next to what the app has (masked when secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub name: String,
    /// What the app has: a plain value, [`MASK`], `(empty)`, `(not set)` or `?` (unreadable).
    pub current: String,
    /// The desired value ([`MASK`] for secrets).
    pub desired: String,
    /// The plan would write this field.
    pub differs: bool,
    /// `false`: only written when the entry is created (never reported as drift).
    pub enforced: bool,
}

/// Current vs desired, field by field, for one edge: the detail view of `enter`.
///
/// `current` is what the `from` app returned for the edge (as handed to the planner). Secret
/// fields never show the app's value: only [`MASK`], `(empty)` or `(not set)`.
pub fn field_rows(edge: &Edge, current: Result<&Current, &AppError>) -> Vec<FieldRow> {
    let entry = current.ok().and_then(|c| matched_entry(edge, c));
    let fields = edge
        .top
        .iter()
        .map(|f| (true, f))
        .chain(edge.fields.iter().map(|f| (false, f)));
    fields
        .map(|(top, f)| {
            let desired = f.value.shown();
            let (current, differs) = match (&current, entry) {
                (Err(_), _) => ("?".to_string(), false),
                (Ok(_), None) => ("(not set)".to_string(), true),
                (Ok(_), Some(item)) => {
                    let have = lookup(edge.kind, item, &f.name, top);
                    let differs = f.enforce && compare_field(edge, f, have).is_some();
                    (shown_current(&f.value, have), differs)
                }
            };
            FieldRow {
                name: f.name.clone(),
                current,
                desired,
                differs,
                enforced: f.enforce,
            }
        })
        .collect()
}

fn shown_current(desired: &DesiredValue, have: Option<&Value>) -> String {
    match (desired, have) {
        (_, None) => "(not set)".into(),
        (DesiredValue::Secret(_), Some(v)) => match v.as_str() {
            Some(s) if !s.trim().is_empty() => MASK.into(),
            _ if v.is_null() || v.as_str().is_some() => "(empty)".into(),
            // A secret field holding a non-string: still never shown.
            _ => MASK.into(),
        },
        (DesiredValue::Plain(_), Some(v)) => show_json(v),
    }
}

/// Indexers an app holds (synced from Prowlarr), or why the count is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexerCount {
    pub service: ServiceId,
    pub kind: AppKind,
    pub count: Result<u32, String>,
}

/// A root folder as the app reports it (`GET /rootfolder`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootFolderInfo {
    pub service: ServiceId,
    pub kind: AppKind,
    pub path: String,
    pub accessible: bool,
    /// Bytes free, when the app reports it.
    pub free_space: Option<u64>,
}

/// One of an app's own health messages about download clients or indexers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthNote {
    pub service: ServiceId,
    pub kind: AppKind,
    pub issue: HealthIssue,
}

/// Everything the Integrations pane shows, sent whole after each plan (and after apply).
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationsView {
    pub plan: Plan,
    /// Per edge id: its fields, current vs desired ([`field_rows`]).
    pub fields: BTreeMap<String, Vec<FieldRow>>,
    pub indexers: Vec<IndexerCount>,
    pub root_folders: Vec<RootFolderInfo>,
    pub health: Vec<HealthNote>,
    pub fetched_at: Timestamp,
    /// Set when the last plan failed as a whole (the rest is the last good state).
    pub error: Option<String>,
}

impl IntegrationsView {
    /// A view of `plan` with no side information yet.
    pub fn new(plan: Plan, fetched_at: Timestamp) -> Self {
        IntegrationsView {
            plan,
            fields: BTreeMap::new(),
            indexers: vec![],
            root_folders: vec![],
            health: vec![],
            fetched_at,
            error: None,
        }
    }
}

/// One app's API key: where it was found, what the app said to it, and the Secret's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub service: ServiceId,
    pub kind: AppKind,
    /// Where the key was read (`node:/mnt/data/configs/sonarr/config.xml`), or why it was not.
    pub location: Result<String, String>,
    /// `None` when there was no key to verify.
    pub verdict: Option<KeyVerdict>,
    /// `None` when the Secret holds no key for this app (qBittorrent, Jellyfin).
    pub drift: Option<KeyDrift>,
}

/// Everything the Keys pane shows. Holds no key values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysView {
    /// `media/starr-secrets`.
    pub secret: String,
    /// The Secret object exists (a sync creates it otherwise).
    pub secret_exists: bool,
    pub rows: Vec<KeyRow>,
    pub fetched_at: Timestamp,
    pub error: Option<String>,
}

impl KeysView {
    /// Secret keys a sync would write.
    pub fn writes(&self) -> usize {
        self.rows
            .iter()
            .filter_map(|r| r.drift.as_ref())
            .filter(|d| d.state.needs_write())
            .count()
    }
}
