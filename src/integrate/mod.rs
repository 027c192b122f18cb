//! The integration graph: desired state, plan (diff), apply, verify.
pub mod fixtures;
