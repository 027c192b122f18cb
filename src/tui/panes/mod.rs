//! The registry of panes: one module per pane (its state, bindings, commands, message handling
//! and rendering), listed once in [`panes!`]. The order is the order of `?` help's command list
//! and of completion; the first pane is the bottom of the crumb stack.
//!
//! Adding a pane: write `src/tui/panes/NAME.rs` with `pub const ID`, a type implementing
//! [`crate::tui::pane::Pane`] and `pub fn pane() -> Box<dyn Pane>`, then add `NAME` to the list.

use crate::tui::pane::Pane;

/// Declares each pane module and builds [`builtin`] from their `pane()` constructors.
macro_rules! panes {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*

        /// One instance of every built-in pane, in registry order.
        pub fn builtin() -> Vec<Box<dyn Pane>> {
            vec![$($name::pane()),*]
        }
    };
}

panes![
    services,
    detail,
    logs,
    describe,
    help,
    findings,
    tasks,
    task_log,
    integrations,
    edge_detail,
    plan_diff,
    keys,
    vpn,
    certs,
    pods,
    deploys,
    events,
    pvcs,
    ingresses,
    nodes,
    namespaces,
    gitops,
    alerts,
    backups,
    jobs,
    backup_manifest,
];

/// Helpers shared by panes (not panes themselves).
pub mod listing;
pub mod plan_text;
pub mod resources;
pub mod text;
pub mod usage;
pub mod workload_actions;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::global_bindings;

    #[test]
    fn ids_are_unique_and_no_pane_binds_a_key_twice() {
        let panes = builtin();
        let globals = global_bindings();
        for (i, p) in panes.iter().enumerate() {
            assert!(
                panes[..i].iter().all(|q| q.id() != p.id()),
                "{} twice",
                p.id()
            );
            let own = p.bindings();
            for (j, b) in own.iter().enumerate() {
                let label = b.key.label();
                assert!(
                    own[..j]
                        .iter()
                        .all(|c| c.key != b.key || c.action == b.action),
                    "{}: {label} bound to two actions",
                    p.id()
                );
                assert!(
                    globals.iter().all(|g| g.key != b.key),
                    "{}: {label} hides a global key",
                    p.id()
                );
            }
        }
    }

    #[test]
    fn every_command_name_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for p in builtin() {
            for c in p.commands() {
                for n in c.names {
                    assert!(seen.insert(*n), ":{n} twice");
                }
            }
        }
    }
}
