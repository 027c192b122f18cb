//! `gitops.*` findings from the Argo CD facts ([`crate::gitops::GitopsFacts`]): OutOfSync,
//! Degraded/Missing, a failed operation, automated sync off, and `argocd-cm` health
//! customisations that force Healthy (hidden failures).

use super::catalog;
use crate::gitops::GitopsFacts;
use crate::model::Finding;

/// Every GitOps finding, Applications in name order, then the overrides.
pub fn evaluate(g: &GitopsFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in &g.apps {
        let id = a.id();
        let vars = [
            ("namespace", a.namespace.as_str()),
            ("application", a.name.as_str()),
        ];
        if matches!(a.health.as_str(), "Degraded" | "Missing") {
            let mut msg = format!("{} is {}", a.name, a.health);
            if !a.unhealthy.is_empty() {
                msg.push_str(&format!(": {}", a.unhealthy.join(", ")));
            }
            out.push(catalog::GITOPS_DEGRADED.finding(&id, msg, &vars));
        }
        if matches!(a.phase.as_deref(), Some("Failed" | "Error")) {
            let msg = format!(
                "{}: sync {}: {}",
                a.name,
                a.phase.as_deref().unwrap_or_default().to_lowercase(),
                a.message.as_deref().unwrap_or("no message")
            );
            out.push(catalog::GITOPS_OPERATION_FAILED.finding(&id, msg, &vars));
        }
        if a.sync == "OutOfSync" {
            let mut msg = format!("{} is OutOfSync", a.name);
            if !a.out_of_sync.is_empty() {
                msg.push_str(&format!(": {}", a.out_of_sync.join(", ")));
            }
            out.push(catalog::GITOPS_OUT_OF_SYNC.finding(&id, msg, &vars));
        }
        if !a.auto_sync {
            let msg = format!("{}: automated sync is off", a.name);
            out.push(catalog::GITOPS_AUTO_SYNC_OFF.finding(&id, msg, &vars));
        }
    }
    for o in &g.overrides {
        let msg = format!(
            "{} forces every {} to report Healthy: its failures never show in Argo CD",
            o.configmap, o.kind
        );
        out.push(catalog::GITOPS_HEALTH_OVERRIDE.finding(
            format!("{} {}", o.configmap, o.kind),
            msg,
            &[
                ("resource_kind", o.kind.as_str()),
                ("configmap", o.configmap.as_str()),
            ],
        ));
    }
    out
}
