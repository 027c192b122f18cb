//! The integration graph: desired state, plan (diff), apply, verify.
