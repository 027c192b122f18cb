//! The engine's facts and the one findings pipeline over them (the same as `check`'s).
//!
//! What is derived from the watch listing (certificates, Argo CD, jobs) is derived once per
//! snapshot, not on every poll result; findings and the derived views are sent when they change
//! (views also at least every [`VIEW_REFRESH`], so their ages stay true).

use crate::bus::Msg;
use crate::checks;
use crate::cluster::list::Listing;
use crate::collect::credentials::Credentials;
use crate::engine::budget;
use crate::engine::facts::ClusterFacts;
use crate::engine::sources::SourceFacts;
use crate::engine::tasks::{self};
use crate::model::Finding;
use std::time::{Duration, Instant};

use super::State;

/// The longest a derived view (certificates, GitOps, jobs) goes unsent while nothing changes.
const VIEW_REFRESH: Duration = Duration::from_secs(60);

/// Facts derived from one watch listing, and what of them was last sent to the UI.
#[derive(Default)]
pub(super) struct Derived {
    certs: Option<crate::certs::CertFacts>,
    gitops: Option<crate::gitops::GitopsFacts>,
    jobs: Option<crate::jobs::JobsFacts>,
    /// The deployed manifests of the discovered apps (the manifest audit).
    manifest: Option<crate::manifest::ManifestFacts>,
    /// The listing changed since the views were last sent.
    fresh: bool,
    sent: Sent,
}

#[derive(Default)]
struct Sent {
    findings: Option<Vec<Finding>>,
    certs: Option<(Vec<Finding>, Instant)>,
    gitops: Option<(Vec<Finding>, Instant)>,
    jobs: Option<(Vec<Finding>, Instant)>,
}

impl Derived {
    /// Derive again from a new listing (and the inventory discovered from it).
    pub(super) fn rebuild(&mut self, listing: &Listing, inventory: &crate::model::Inventory) {
        let mut certs = crate::certs::from_listing(listing);
        if let Some(old) = self.certs.take() {
            certs.served = old.served;
        }
        self.certs = Some(certs);
        self.gitops = Some(crate::gitops::from_listing(listing));
        self.jobs = Some(crate::jobs::from_listing(listing));
        self.manifest = Some(crate::manifest::from_objects(inventory, &listing.objects));
        self.fresh = true;
    }

    /// Merge the served certificates when they changed; whether they did.
    fn merge_served(
        &mut self,
        served: &std::collections::BTreeMap<String, crate::certs::ServedCert>,
    ) -> bool {
        let Some(certs) = self.certs.as_mut() else {
            return false;
        };
        if certs.served.len() == served.len() && certs.served.iter().eq(served.values()) {
            return false;
        }
        certs.served = served.values().cloned().collect();
        true
    }
}

/// Whether a view with these findings is due: never sent, changed, or older than the refresh.
fn due(sent: &Option<(Vec<Finding>, Instant)>, findings: &[Finding], forced: bool) -> bool {
    forced
        || sent
            .as_ref()
            .is_none_or(|(f, at)| f != findings || at.elapsed() >= VIEW_REFRESH)
}

impl State {
    /// Derive the credentials from the Secrets at hand, publish the facts to tasks, and bring
    /// every source's targets in line (a rotated key reaches the pollers here).
    pub(super) async fn update_facts(&mut self) {
        let Some(listing) = self.listing.clone() else {
            return;
        };
        self.secrets_seen = self.observed.secrets_generation;
        let (facts, ready) = ClusterFacts::from_watch(
            &self.cfg,
            self.conn.clone(),
            listing.clone(),
            &self.observed.secrets,
        );
        let creds: Option<Credentials> = ready.then(|| facts.credentials(&self.cfg));
        if ready {
            // Tasks wait for facts whose credential Secrets are known.
            let first = self.facts_tx.borrow().is_none();
            self.facts_tx.send_replace(Some(facts));
            if first {
                // What `check` learns besides the probes (keys, integration plan), once at
                // start, so the header and the Findings pane count what `check` counts.
                let env = self.env.clone();
                tokio::spawn(async move {
                    if let Ok(warnings) = tasks::learn(&env).await {
                        for w in warnings {
                            tracing::warn!("{w}");
                        }
                    }
                });
            }
        }
        if let Some(c) = &creds {
            if c.warnings != self.cred_warnings {
                for w in c
                    .warnings
                    .iter()
                    .filter(|w| !self.cred_warnings.contains(w))
                {
                    let _ = self.tx.send(Msg::Flash(w.clone())).await;
                }
                self.cred_warnings = c.warnings.clone();
            }
        }
        let sf = SourceFacts {
            cfg: &self.cfg,
            conn: &self.conn,
            listing: &listing,
            inventory: &self.inventory,
            creds: creds.as_ref(),
        };
        for s in &mut self.sources {
            s.sync(&sf, &mut self.observed);
        }
    }

    /// The one findings pipeline over what the engine knows now: watched pods, polled
    /// observations and the facts the last key check / plan task learnt.
    pub(super) async fn send_findings(&mut self) {
        let served_changed = self.derived.merge_served(&self.observed.served_certs);
        let now = jiff::Timestamp::now();
        let vpn = self.observed.vpn.for_check(&self.cfg);
        let d = &self.derived;
        let findings = {
            // The metrics reader replaces the map under this lock; held only while evaluating.
            let usage_guard = self.usage.lock().ok();
            let usage = usage_guard.as_deref().filter(|u| !u.is_empty());
            let facts = checks::Facts::new(
                &self.inventory,
                &self.pods,
                &self.observed.health,
                now,
                budget(&self.cfg),
            )
            .with_learned(&self.learned)
            .with_usage(usage)
            .with_jobs(d.jobs.as_ref())
            .with_manifest(d.manifest.as_ref())
            .with_vpn(vpn.as_ref())
            .with_certs(d.certs.as_ref())
            .with_gitops(d.gitops.as_ref())
            .with_alerts(self.observed.alerts.as_ref())
            .with_backups(self.observed.backups.as_ref());
            checks::evaluate(&facts)
        };
        let mut out = Vec::new();
        if d.sent.findings.as_ref() != Some(&findings) {
            out.push(Msg::Findings(findings.clone()));
        }
        let fresh = d.fresh;
        let jobs = d.jobs.as_ref().map(|j| (j, checks::jobs::evaluate(j, now)));
        let gitops = d.gitops.as_ref().map(|g| (g, checks::gitops::evaluate(g)));
        let certs = d
            .certs
            .as_ref()
            .map(|c| (c, checks::certs::evaluate(c, now)));
        let mut sent_jobs = None;
        if let Some((j, f)) = jobs.filter(|(_, f)| due(&d.sent.jobs, f, fresh)) {
            sent_jobs = Some(f.clone());
            out.push(Msg::Jobs(Box::new(crate::bus::JobsView {
                findings: f,
                facts: j.clone(),
                fetched_at: now,
            })));
        }
        let mut sent_gitops = None;
        if let Some((g, f)) = gitops.filter(|(_, f)| due(&d.sent.gitops, f, fresh)) {
            sent_gitops = Some(f.clone());
            out.push(Msg::Gitops(Box::new(crate::bus::GitopsView {
                findings: f,
                audit: d
                    .manifest
                    .as_ref()
                    .map(checks::manifest::evaluate)
                    .unwrap_or_default(),
                facts: g.clone(),
                fetched_at: now,
            })));
        }
        let mut sent_certs = None;
        if let Some((c, f)) = certs.filter(|(_, f)| due(&d.sent.certs, f, fresh || served_changed))
        {
            sent_certs = Some(f.clone());
            out.push(Msg::Certs(Box::new(crate::bus::CertsView {
                facts: c.clone(),
                findings: f,
                fetched_at: now,
            })));
        }
        let d = &mut self.derived;
        d.fresh = false;
        d.sent.findings = Some(findings);
        let stamp = |f: Option<Vec<Finding>>, slot: &mut Option<(Vec<Finding>, Instant)>| {
            if let Some(f) = f {
                *slot = Some((f, Instant::now()));
            }
        };
        stamp(sent_jobs, &mut d.sent.jobs);
        stamp(sent_gitops, &mut d.sent.gitops);
        stamp(sent_certs, &mut d.sent.certs);
        for m in out {
            let _ = self.tx.send(m).await;
        }
    }
}
