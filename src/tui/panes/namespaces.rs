//! `:ns`: the namespaces (k9s style): `enter` makes the generic resource views (`:pods`,
//! `:deploy`, `:events`, `:pvc`, `:ing`) show only the one under the cursor, `0` all of them
//! again (a generic resource view, [`super::resources`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "namespaces";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "namespaces",
        title: "Namespaces",
        names: &["ns", "namespaces", "namespace"],
        about: "namespaces: enter shows only it in the resource views, 0 all",
        headers: ["PODS", "STATUS", "WORKLOADS"],
        rows: Rows::Namespaces,
    })
}
