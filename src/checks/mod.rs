//! Pure rules: facts → [`crate::model::Finding`]s. One module per area, every code from
//! [`catalog`]. [`evaluate`] is the one pipeline: `check`, the Findings pane and the header
//! count all show what it returns for the facts at hand.
//!
//! Adding an area (VPN, certificates, backups …): a fact field in [`Facts`] (an `Option`, set
//! with a `with_…` method, so existing callers do not change), a module with a pure
//! `fn …(&FactsOfTheArea) -> Vec<Finding>`, its codes in [`catalog`], and one line in
//! [`evaluate`].

pub mod alerts;
pub mod backup;
pub mod catalog;
pub mod certs;
pub mod gitops;
pub mod health;
pub mod integration;
pub mod jobs;
pub mod keys;
pub mod manifest;
pub mod vpn;

pub use health::Budget;
pub use keys::KeysFacts;

use crate::integrate::plan::Plan;
use crate::model::{Finding, Inventory, PodStatus, ServiceId, ServiceObservation};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the checks look at. Watched and polled facts are always there; facts that come
/// from an action (a key check, an integration plan) are there once one ran.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub inventory: &'a Inventory,
    pub pods: &'a BTreeMap<ServiceId, Vec<PodStatus>>,
    pub observations: &'a BTreeMap<ServiceId, ServiceObservation>,
    /// The last key check.
    pub keys: Option<&'a KeysFacts>,
    /// The last integration plan.
    pub plan: Option<&'a Plan>,
    /// The VPN check (reports per VPN pod, isolation audit).
    pub vpn: Option<&'a vpn::VpnFacts>,
    /// Certificates: Secrets, cert-manager Certificates, served certificates.
    pub certs: Option<&'a crate::certs::CertFacts>,
    /// Backups under the backup root (issue 11), when backups are configured.
    pub backups: Option<&'a backup::BackupFacts>,
    /// Argo CD Applications and argocd-cm (issue 12).
    pub gitops: Option<&'a crate::gitops::GitopsFacts>,
    /// Alertmanager's (or Prometheus's) alerts (issue 12).
    pub alerts: Option<&'a crate::alerts::AlertsFacts>,
    /// CPU and memory per service from the metrics API (issue 8), when it answers.
    pub usage: Option<&'a BTreeMap<ServiceId, crate::bus::ServiceUsage>>,
    /// CronJobs, Jobs and their pods (issue 12).
    pub jobs: Option<&'a crate::jobs::JobsFacts>,
    /// The discovered apps' manifests as deployed (issue 12, manifest audit).
    pub manifest: Option<&'a crate::manifest::ManifestFacts>,
    pub now: jiff::Timestamp,
    pub budget: Budget,
}

impl<'a> Facts<'a> {
    pub fn new(
        inventory: &'a Inventory,
        pods: &'a BTreeMap<ServiceId, Vec<PodStatus>>,
        observations: &'a BTreeMap<ServiceId, ServiceObservation>,
        now: jiff::Timestamp,
        budget: Budget,
    ) -> Facts<'a> {
        Facts {
            inventory,
            pods,
            observations,
            keys: None,
            plan: None,
            vpn: None,
            certs: None,
            backups: None,
            gitops: None,
            alerts: None,
            usage: None,
            jobs: None,
            manifest: None,
            now,
            budget,
        }
    }

    pub fn with_keys(mut self, keys: Option<&'a KeysFacts>) -> Self {
        self.keys = keys;
        self
    }

    pub fn with_plan(mut self, plan: Option<&'a Plan>) -> Self {
        self.plan = plan;
        self
    }

    pub fn with_vpn(mut self, vpn: Option<&'a vpn::VpnFacts>) -> Self {
        self.vpn = vpn;
        self
    }

    pub fn with_certs(mut self, certs: Option<&'a crate::certs::CertFacts>) -> Self {
        self.certs = certs;
        self
    }

    pub fn with_backups(mut self, backups: Option<&'a backup::BackupFacts>) -> Self {
        self.backups = backups;
        self
    }

    pub fn with_gitops(mut self, gitops: Option<&'a crate::gitops::GitopsFacts>) -> Self {
        self.gitops = gitops;
        self
    }

    pub fn with_alerts(mut self, alerts: Option<&'a crate::alerts::AlertsFacts>) -> Self {
        self.alerts = alerts;
        self
    }

    pub fn with_usage(
        mut self,
        usage: Option<&'a BTreeMap<ServiceId, crate::bus::ServiceUsage>>,
    ) -> Self {
        self.usage = usage;
        self
    }

    pub fn with_jobs(mut self, jobs: Option<&'a crate::jobs::JobsFacts>) -> Self {
        self.jobs = jobs;
        self
    }

    pub fn with_manifest(mut self, manifest: Option<&'a crate::manifest::ManifestFacts>) -> Self {
        self.manifest = manifest;
        self
    }

    /// Take the facts an action learnt.
    pub fn with_learned(self, learned: &'a Learned) -> Self {
        self.with_keys(learned.keys.as_ref())
            .with_plan(learned.plan.as_ref())
    }
}

/// Every finding for the facts, worst first (stable order within a severity), without
/// duplicates (same code, subject and message).
pub fn evaluate(facts: &Facts) -> Vec<Finding> {
    let mut out: Vec<Finding> = facts
        .inventory
        .services
        .iter()
        .flat_map(|svc| {
            health::evaluate(
                svc,
                facts
                    .pods
                    .get(&svc.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                facts.observations.get(&svc.id),
                facts.now,
                &facts.budget,
                facts.usage.and_then(|u| u.get(&svc.id)),
            )
        })
        .collect();
    out.extend(cluster_unreachable(facts));
    out.extend(facts.keys.map(keys::evaluate).unwrap_or_default());
    out.extend(
        facts
            .plan
            .map(integration::plan_findings)
            .unwrap_or_default(),
    );
    out.extend(facts.vpn.map(vpn::evaluate).unwrap_or_default());
    out.extend(
        facts
            .certs
            .map(|c| certs::evaluate(c, facts.now))
            .unwrap_or_default(),
    );
    out.extend(
        facts
            .backups
            .map(|b| backup::evaluate(b, facts.now))
            .unwrap_or_default(),
    );
    out.extend(facts.gitops.map(gitops::evaluate).unwrap_or_default());
    out.extend(facts.alerts.map(alerts::evaluate).unwrap_or_default());
    out.extend(
        facts
            .jobs
            .map(|j| jobs::evaluate(j, facts.now))
            .unwrap_or_default(),
    );
    out.extend(facts.manifest.map(manifest::evaluate).unwrap_or_default());
    let mut seen = BTreeSet::new();
    out.retain(|f| seen.insert((f.code.clone(), f.subject.clone(), f.message.clone())));
    // Worst first; within a severity the cause before its symptoms (stable otherwise).
    out.sort_by_key(|f| (std::cmp::Reverse(f.severity), catalog::cause_rank(&f.code)));
    out
}

/// One finding when the apps could not be observed because the API server did not answer.
fn cluster_unreachable(facts: &Facts) -> Option<Finding> {
    let down =
        |e: &crate::model::AppError| e.kind == crate::model::AppErrorKind::ClusterUnreachable;
    let e = facts.observations.values().find_map(|o| {
        o.probe
            .as_ref()
            .and_then(|p| p.error.as_ref())
            .filter(|e| down(e))
            .or(o.health.as_ref().err().filter(|e| down(e)))
    })?;
    Some(catalog::CLUSTER_UNREACHABLE.finding(
        "cluster",
        format!("the apps cannot be observed: {}", e.detail),
        &[],
    ))
}

/// A fact an action (task) learnt, for the engine to keep until the next one replaces it.
#[derive(Debug, Clone)]
pub enum Fact {
    Keys(Box<KeysFacts>),
    Plan(Box<Plan>),
}

/// The facts actions learnt, latest of each kind.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub keys: Option<KeysFacts>,
    pub plan: Option<Plan>,
}

impl Learned {
    /// What was learnt, as facts to hand on (the key check first, then the plan).
    pub fn into_facts(self) -> Vec<Fact> {
        let keys = self.keys.map(|k| Fact::Keys(Box::new(k)));
        let plan = self.plan.map(|p| Fact::Plan(Box::new(p)));
        keys.into_iter().chain(plan).collect()
    }

    pub fn learn(&mut self, fact: Fact) {
        match fact {
            Fact::Keys(k) => self.keys = Some(*k),
            Fact::Plan(p) => self.plan = Some(*p),
        }
    }
}

#[cfg(test)]
mod tests;
