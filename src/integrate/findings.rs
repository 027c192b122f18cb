//! Findings for the integration graph: one per edge that is not as the file says.

use super::plan::{EdgePlan, EdgeState, Plan};
use crate::model::{Finding, Severity};

/// One finding per missing, drifted or unknown edge, with a one-line remediation.
pub fn plan_findings(plan: &Plan) -> Vec<Finding> {
    plan.edges.iter().filter_map(edge_finding).collect()
}

fn edge_finding(e: &EdgePlan) -> Option<Finding> {
    let manual = e.changes.iter().find_map(|c| match c {
        super::plan::Change::Manual { reason } => Some(reason.clone()),
        _ => None,
    });
    let fix = |auto: &str| manual.clone().unwrap_or_else(|| auto.to_string());
    Some(match &e.state {
        EdgeState::Configured => return None,
        EdgeState::Missing => Finding::new(
            Severity::Warning,
            "integrate.missing",
            &e.id,
            format!("{} is not configured", e.label),
            fix("Run `k8s-nas integrate apply` to create it"),
        ),
        EdgeState::Drift { reasons } => Finding::new(
            Severity::Warning,
            "integrate.drift",
            &e.id,
            reasons.join("; "),
            fix("Run `k8s-nas integrate apply` to correct it"),
        ),
        EdgeState::Unknown { why } => Finding::new(
            Severity::Info,
            "integrate.unknown",
            &e.id,
            format!("{}: state unknown: {why}", e.label),
            "Make the app reachable and its key known (`k8s-nas keys`), then plan again",
        ),
    })
}
