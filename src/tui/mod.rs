//! The terminal UI: pure `update(Msg) -> Vec<Effect>` core, panes, widgets, themes, runtime loop.
//!
//! - [`msg`]: the messages in and effects out, and the [`msg::ClusterView`] snapshot.
//! - [`app`]: [`app::App`] state and [`app::update`] (no I/O, no clock).
//! - [`keymap`]: one binding table per pane; hints and `?` help are generated from it.
//! - [`panes`], [`render`]: drawing with ratatui; [`theme`]: TOML themes with semantic roles.
//! - [`runtime`]: terminal guard, event loop, the channels to the engine.

pub mod app;
pub mod keymap;
pub mod panes;
pub mod prompt;
pub mod render;
pub mod runtime;
pub mod theme;
pub mod widgets;

pub use crate::bus::{msg, rows, views};
pub mod view;

pub use crate::bus::msg::{
    describe_title, ClusterView, Effect, EventRow, Msg, StreamId, TaskId, TaskOutcome,
    TaskProgress, TaskRequest,
};
pub use crate::bus::views::{IntegrationsView, KeysView};
pub use app::{update, App, AppOptions};
pub use theme::Theme;
