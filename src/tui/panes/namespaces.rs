//! `:ns`: the namespaces (k9s style): `enter` (or `:ns NAME` from anywhere, completing from the
//! namespaces the console knows) makes the Services pane and the generic resource views
//! (`:pods`, `:deploy`, `:events`, `:pvc`, `:ing`) show only that one, `0` (or `:ns all`, `:ns -`)
//! all of them again (a generic resource view, [`super::resources`]).

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
        about: "namespaces; `:ns NAME` / enter scopes Services and the resource views, `:ns all` / 0 clears",
        headers: ["PODS", "STATUS", "WORKLOADS"],
        rows: Rows::Namespaces,
    })
}
