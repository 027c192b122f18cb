//! The integration graph: one finding per edge that is not as the desired file says. The facts
//! come from a plan (`k8s-nas integrate plan`, the Integrations pane's tasks, or `check`).

use super::catalog;
use crate::integrate::plan::{Change, EdgePlan, EdgeState, Plan};
use crate::model::{Finding, ServiceId};

/// One finding per missing, drifted or unknown edge, about the app where the edge is configured
/// (its `from` side), with a one-line remediation (the manual step when there is one).
pub fn plan_findings(plan: &Plan) -> Vec<Finding> {
    let mut out: Vec<Finding> = plan.edges.iter().filter_map(edge_finding).collect();
    if let Some(p) = plan.prowlarr.as_ref().filter(|p| p.count == 0) {
        out.push(catalog::INTEGRATION_NO_INDEXERS.for_service(
            &p.app,
            format!(
                "Prowlarr has no indexers: nothing to sync to Sonarr, Radarr and Lidarr (add them at {}/indexers)",
                p.url
            ),
            &[("url", &p.url)],
        ));
    }
    out
}

fn edge_finding(e: &EdgePlan) -> Option<Finding> {
    let manual = e.changes.iter().find_map(|c| match c {
        Change::Manual { reason } => Some(reason.clone()),
        _ => None,
    });
    let mut f = match &e.state {
        EdgeState::Configured => return None,
        EdgeState::Missing => catalog::INTEGRATION_MISSING.finding(
            &e.id,
            format!("{} is not configured", e.label),
            &[],
        ),
        EdgeState::Drift { reasons } => {
            catalog::INTEGRATION_DRIFT.finding(&e.id, reasons.join("; "), &[])
        }
        EdgeState::Blocked { why } => {
            return Some(
                catalog::INTEGRATION_UNKNOWN
                    .finding(&e.id, format!("{}: blocked: {why}", e.label), &[])
                    .about(e.from.clone()),
            );
        }
        EdgeState::Unknown { why } => {
            // Nothing to do by hand can help before the state is known.
            return Some(
                catalog::INTEGRATION_UNKNOWN
                    .finding(&e.id, format!("{}: state unknown: {why}", e.label), &[])
                    .about(e.from.clone()),
            );
        }
    };
    if let Some(step) = manual {
        f.remediation = step;
    }
    Some(f.about(e.from.clone()))
}

/// An edge `integrate apply` could not converge; `fix` replaces the catalog's remediation when
/// the outcome knows better (a failed connection test, a manual step).
pub fn apply_failed(
    edge_id: &str,
    from: &ServiceId,
    message: String,
    fix: Option<&str>,
) -> Finding {
    let mut f = catalog::INTEGRATION_APPLY_FAILED
        .finding(edge_id, message, &[])
        .about(from.clone());
    if let Some(fix) = fix {
        f.remediation = fix.to_string();
    }
    f
}
