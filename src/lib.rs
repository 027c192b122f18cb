//! k8s-nas: a k9s-style console for a Kubernetes home media server.
//!
//! One engine (discovery, collectors, checks, integration planner) serves three faces: the TUI,
//! the headless commands, and the simulated NAS (`demo`). See `README.md` and the module docs.

pub mod checks;
pub mod cli;
pub mod clients;
pub mod cluster;
pub mod collect;
pub mod config;
pub mod commands;
pub mod discover;
pub mod engine;
pub mod logging;
pub mod integrate;
pub mod keys;
pub mod model;
pub mod sim;
pub mod tui;
