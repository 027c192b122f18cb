//! Pure rules: observations → [`crate::model::Finding`]s. One module per area.
//! The TUI and `check` call the same functions, so a finding on screen is the value JSON prints.

pub mod health;

use crate::model::{Finding, Inventory, PodStatus, ServiceId, ServiceObservation};
use std::collections::BTreeMap;

/// Every finding for the whole inventory, worst first (stable order within a severity).
pub fn all(
    inventory: &Inventory,
    pods: &BTreeMap<ServiceId, Vec<PodStatus>>,
    observations: &BTreeMap<ServiceId, ServiceObservation>,
    now: jiff::Timestamp,
    budget: &health::Budget,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = inventory
        .services
        .iter()
        .flat_map(|svc| {
            health::evaluate(
                svc,
                pods.get(&svc.id).map(Vec::as_slice).unwrap_or_default(),
                observations.get(&svc.id),
                now,
                budget,
            )
        })
        .collect();
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}
