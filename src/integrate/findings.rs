//! Findings for the integration graph: one per edge that is not as the file says. The rules
//! live with every other check in [`crate::checks::integration`].

pub use crate::checks::integration::plan_findings;
