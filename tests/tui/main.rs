//! TUI tests, one binary: the pure `update`/`render` core with fixtures, insta snapshots
//! (`snapshots/`), the runtime loop in a real terminal (tmux), and the console driven by the real
//! engine against the simulated NAS. One module per former test file.

#[path = "../integrate_support/mod.rs"]
mod integrate_support;
mod tui_common;
mod tui_integrations_support;

mod console_sim;
mod shell_tmux;
mod small_screens;
mod truth;
mod tui_alerts;
mod tui_backups;
mod tui_certs;
mod tui_describe;
mod tui_gitops;
mod tui_integrations;
mod tui_jobs;
mod tui_ns;
mod tui_render;
mod tui_runtime;
mod tui_shell;
mod tui_signals;
mod tui_snapshots;
mod tui_table;
mod tui_tasks;
mod tui_trouble;
mod tui_units;
mod tui_update;
mod vpn_pane;
