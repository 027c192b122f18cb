//! One module per pane: state that belongs to the pane, its key handling and its rendering.

pub mod confirm;
pub mod detail;
pub mod findings;
pub mod help;
pub mod integrations;
pub mod keys;
pub mod logs;
pub mod plan_text;
pub mod services;
pub mod tasks;
