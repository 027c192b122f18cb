//! The integration graph: desired state, plan (diff), apply, verify.
pub mod compare;
pub mod desired;
pub mod edge;
pub mod fixtures;
pub mod plan;
