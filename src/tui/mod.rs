//! The terminal UI: pure `update(Msg) -> Vec<Effect>` core, panes, modals, themes, runtime loop.
//!
//! - [`msg`]: the messages in and effects out, and the [`msg::ClusterView`] snapshot.
//! - [`app`]: [`app::App`] and [`app::update`] (no I/O, no clock); [`ctx`]: the global state and
//!   the API panes act through.
//! - [`pane`]: the [`pane::Pane`] unit; [`panes`]: the registry and one module per pane.
//! - [`keymap`]: the bindings the panes declare; hints and `?` help are generated from it.
//! - [`modal`]: confirm, typed confirm, text prompt, wizard; [`prompt`]: `:` and `/` lines.
//! - [`render`]: the frame around the panes; [`theme`]: TOML themes with typed [`theme::Role`]s.
//! - [`runtime`]: terminal guard, event loop, the channels to the engine.

pub mod app;
pub mod contrast;
pub mod ctx;
pub mod keymap;
pub mod modal;
pub mod pane;
pub mod panes;
pub mod prompt;
pub mod render;
pub mod runtime;
pub mod shell;
pub mod task_board;
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
