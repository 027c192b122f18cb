//! The integration graph: desired state, plan (diff), apply, verify.
//!
//! * [`mod@desired`]: the TOML file ([`desired::Desired`], defaults fit the target cluster) and
//!   [`desired::resolve`] → concrete [`edge::Edge`]s from the discovered inventory.
//! * [`edge`]: edges, desired field values (secrets masked), what an app has ([`edge::Current`]).
//! * [`compare`]: field comparison with reasons ("Prowlarr → Sonarr uses http://sonarr:8989 but
//!   Sonarr serves /sonarr").
//! * [`mod@plan`]: per-edge state (✔ ✘ ⚠ ?) and changes; matching by implementation + host.
//! * [`mod@apply`]: orchestration over the [`apply::EdgeBackend`] trait the HTTP clients implement.
//! * [`findings`]: findings for drifted/missing edges.
//! * [`fixtures`]: an inventory shaped like the target cluster (tests, demo).
//!
//! Everything here is pure except [`apply::apply`], which only awaits the backend.

pub mod apply;
pub mod compare;
pub mod desired;
pub mod edge;
mod entries;
pub mod findings;
pub mod fixtures;
pub mod live;
pub mod plan;
pub mod plan_apps;
pub mod resolve;
pub mod stale;

pub use apply::{
    apply, ApplyEvent, ApplyOptions, ApplyReport, EdgeBackend, EdgeOutcome, Failure, Stage,
    TestOutcome,
};
pub use desired::{resolve, Desired, KnownSecrets, Resolution, SecretRef, Unresolved};
pub use edge::{AppChoices, Current, Edge, EdgeKind, Profile};
pub use findings::plan_findings;
pub use plan::{plan, plan_edge, Change, EdgePlan, EdgeState, Plan};
