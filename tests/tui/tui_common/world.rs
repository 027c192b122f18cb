//! The simulator's target world as the engine's resource rows, for the resource-view tests.

use super::now;
use k8s_nas::bus::ResourceRow;
use k8s_nas::cluster::list::Listing;
use k8s_nas::sim::world::{target_cluster, World, WorldOptions};

/// The target world at the harness's clock; Bazarr crash-looping (14 restarts) when `degraded`.
pub fn target_world(degraded: bool) -> World {
    let mut world = target_cluster(&WorldOptions {
        now: now(),
        ..WorldOptions::default()
    });
    if degraded {
        world.crashloop("media", "bazarr", 14);
    }
    world
}

/// The listing the engine would hold for `world`, with its Events when `events`.
pub fn listing_of(world: &World, events: bool) -> Listing {
    let events = if events {
        world
            .objects
            .iter()
            .filter(|o| o["kind"] == "Event")
            .filter_map(|o| serde_json::from_value(o.clone()).ok())
            .map(std::sync::Arc::new)
            .collect()
    } else {
        Default::default()
    };
    Listing {
        objects: k8s_nas::discover::ClusterObjects::from_values(&world.objects),
        events,
        ..Default::default()
    }
}

/// The degraded target world's listing, with its Events.
pub fn world_listing() -> Listing {
    listing_of(&target_world(true), true)
}

/// The rows the engine builds for `kind` from the degraded target world (Bazarr crash-looping),
/// at the harness's clock.
pub fn world_rows(kind: &str) -> Vec<ResourceRow> {
    k8s_nas::engine::resources::rows(&world_listing(), kind)
}
