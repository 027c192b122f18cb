//! The terminal UI: pure `update(Msg) -> Vec<Effect>` core, panes, widgets, themes, runtime loop.
//!
//! - [`msg`]: the messages in and effects out, and the [`msg::ClusterView`] snapshot.
//! - [`app`]: [`app::App`] state and [`app::update`] (no I/O, no clock).
//! - [`keymap`]: one binding table per pane; hints and `?` help are generated from it.
//! - [`panes`], [`render`]: drawing with ratatui; [`theme`]: TOML themes with semantic roles.
//! - [`runtime`]: terminal guard, event loop, the channels to the engine.

pub mod app;
pub mod keymap;
pub mod msg;
pub mod panes;
pub mod prompt;
pub mod render;
pub mod rows;
pub mod runtime;
pub mod theme;
pub mod view;
pub mod views;

pub use app::{update, App, AppOptions};
pub use msg::{
    describe_title, ClusterView, Effect, EventRow, Msg, StreamId, TaskId, TaskOutcome,
    TaskProgress, TaskRequest,
};
pub use theme::Theme;
pub use views::{IntegrationsView, KeysView};
