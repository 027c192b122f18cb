//! Integrations and keys, one binary: the planner over an in-memory backend, and plan/apply/keys
//! over the wire against the simulated stack; discovery over the simulated world. One module
//! per former test file.

#[path = "../integrate_support/mod.rs"]
mod integrate_support;
#[path = "../support/mod.rs"]
mod support;

mod discover_wire;
mod integrate_apply;
mod integrate_blocked;
mod integrate_keys;
mod integrate_plan;
mod integrate_stale;
mod integrate_wire_command;
mod integrate_wire_faults;
mod integrate_wire_fresh;
mod integrate_wire_keys;
mod integrate_wire_keysync;
mod integrate_wire_miswired;
mod integrate_wire_podexec;
mod integrate_wire_qbittorrent;
