//! Discovery by evidence: cluster objects → [`crate::model::Inventory`]. Pure functions.
