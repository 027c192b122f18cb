//! One module per pane: state that belongs to the pane, its key handling and its rendering.

pub mod detail;
pub mod findings;
pub mod help;
pub mod logs;
pub mod services;
pub mod tasks;
