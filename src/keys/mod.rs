//! API keys: where each app keeps its key, verification, drift against the cluster Secret, sync.
//!
//! * [`parse`]: the key file of each app kind and its parser (pure).
//! * [`source`]: the [`source::KeySource`] seam, with the node-path and user-supplied sources.
//! * [`verify`]: the outcome of an authenticated call → [`verify::KeyVerdict`].
//! * [`drift`]: Secret vs apps per key, the safe merge patch (findings: [`crate::checks::keys`]).

pub mod drift;
pub mod live;
pub mod parse;
pub mod source;
pub mod verify;

pub use crate::checks::keys::{drift_findings, verdict_findings};
pub use drift::{
    compare, decode_secret, sync_patch, AppKeyObservation, KeyChange, KeyDrift, KeyDriftState,
    SecretTarget, SyncPlan, SyncWrite, WireJson,
};
pub use parse::{key_file, parse_key, KeyError, KeyFile, KeyFormat};
pub use source::{find_key_in, observe_keys, FoundKey, KeySource, NodePathSource, SuppliedKeys};
pub use verify::{classify_verification, KeyVerdict};
