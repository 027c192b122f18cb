//! `:pods`: every pod of the cluster: ready, status, restarts, node (a generic resource view, [`super::resources`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "pods";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "pods",
        title: "Pods",
        names: &["pods", "po"],
        about: "every pod of the cluster: ready, status, restarts, node",
        headers: ["READY", "STATUS", "NODE"],
        rows: Rows::Pods,
    })
}
