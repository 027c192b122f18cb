//! `:nodes`: the cluster's nodes: Ready, pressure conditions (DiskPressure, MemoryPressure,
//! PIDPressure), CPU and memory against allocatable from the metrics API, and the disk use of
//! the paths the stack mounts where reachable from here (a generic resource view,
//! [`super::resources`]; read on demand, [`crate::engine::nodes`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "nodes";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "nodes",
        title: "Nodes",
        names: &["nodes", "node", "no"],
        about: "nodes: conditions, pressure, usage against allocatable, disk use of the stack's paths",
        headers: ["CONDITION", "PRESSURE", "USAGE · DISK"],
        rows: Rows::Nodes,
    })
}
