//! The engine's facts and the one findings pipeline over them (the same as `check`'s).

use crate::bus::Msg;
use crate::checks;
use crate::collect::credentials::Credentials;
use crate::engine::budget;
use crate::engine::facts::ClusterFacts;
use crate::engine::sources::SourceFacts;
use crate::engine::tasks::{self};

use super::State;

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
    pub(super) async fn send_findings(&self) {
        let facts = checks::Facts::new(
            &self.inventory,
            &self.pods,
            &self.observed.health,
            jiff::Timestamp::now(),
            budget(&self.cfg),
        )
        .with_learned(&self.learned);
        let vpn = self.observed.vpn.for_check(&self.cfg);
        // Certificates: the watched Secrets/Certificates/Ingresses and the served certificates,
        // in the same pipeline as `check` (cert.* findings reach the header and Findings pane).
        let certs = self.listing.as_ref().map(|listing| {
            let mut certs = crate::certs::from_listing(listing);
            certs.served = self.observed.served_certs.values().cloned().collect();
            certs
        });
        let gitops = self.listing.as_deref().map(crate::gitops::from_listing);
        let usage = self.usage.lock().map(|u| u.clone()).unwrap_or_default();
        let jobs = self.listing.as_deref().map(crate::jobs::from_listing);
        let manifest = self
            .listing
            .as_deref()
            .map(|l| crate::manifest::from_objects(&self.inventory, &l.objects));
        let facts = facts
            .with_manifest(manifest.as_ref())
            .with_usage(Some(&usage).filter(|u| !u.is_empty()))
            .with_jobs(jobs.as_ref())
            .with_vpn(vpn.as_ref())
            .with_certs(certs.as_ref())
            .with_gitops(gitops.as_ref())
            .with_alerts(self.observed.alerts.as_ref())
            .with_backups(self.observed.backups.as_ref());
        let _ = self.tx.send(Msg::Findings(checks::evaluate(&facts))).await;
        let now = jiff::Timestamp::now();
        if let Some(j) = jobs {
            let view = crate::bus::JobsView {
                findings: checks::jobs::evaluate(&j, now),
                facts: j,
                fetched_at: now,
            };
            let _ = self.tx.send(Msg::Jobs(Box::new(view))).await;
        }
        if let Some(g) = gitops {
            let view = crate::bus::GitopsView {
                findings: checks::gitops::evaluate(&g),
                facts: g,
                fetched_at: now,
            };
            let _ = self.tx.send(Msg::Gitops(Box::new(view))).await;
        }
        if let Some(certs) = certs {
            let findings = checks::certs::evaluate(&certs, now);
            let view = crate::bus::CertsView {
                facts: certs,
                findings,
                fetched_at: now,
            };
            let _ = self.tx.send(Msg::Certs(Box::new(view))).await;
        }
    }
}
