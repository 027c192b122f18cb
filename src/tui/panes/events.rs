//! `:events`: events, newest first (a generic resource view, [`super::resources`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "events";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "events",
        title: "Events",
        names: &["events", "ev"],
        about: "events, newest first",
        headers: ["COUNT", "TYPE", "REASON: MESSAGE"],
        rows: Rows::Events,
    })
}
