//! `:deploy`: deployments: ready/wanted, rollout, images (a generic resource view, [`super::resources`]).

use super::resources::{pane as resource_pane, Rows, Spec};
use crate::tui::pane::Pane;
use crate::tui::view::PaneId;

pub const ID: PaneId = "deploys";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "deployments",
        title: "Deployments",
        names: &["deploy", "deployments", "dp"],
        about: "deployments: ready/wanted, rollout, images",
        headers: ["READY", "ROLLOUT", "IMAGES"],
        rows: Rows::Deployments,
    })
}
