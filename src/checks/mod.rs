//! Pure rules: observations → [`crate::model::Finding`]s. One module per area.
