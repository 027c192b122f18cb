//! `:pvc`: persistent volume claims: capacity, phase, volume (a generic resource view, [`super::resources`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "pvcs";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "pvcs",
        title: "PVCs",
        names: &["pvc", "pvcs", "persistentvolumeclaims"],
        about: "persistent volume claims: capacity, phase, volume",
        headers: ["CAPACITY", "PHASE", "VOLUME · CLASS"],
        rows: Rows::Plain,
    })
}
