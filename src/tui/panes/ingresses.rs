//! `:ing`: ingresses: class, TLS, hosts (a generic resource view, [`super::resources`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "ingresses";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "ingresses",
        title: "Ingresses",
        names: &["ing", "ingress", "ingresses"],
        about: "ingresses: class, TLS, hosts",
        headers: ["CLASS", "TLS", "HOSTS"],
        rows: Rows::Plain,
    })
}
