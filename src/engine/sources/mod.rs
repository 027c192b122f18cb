//! Polled observation sources. A source is one [`Source`] implementation — which targets to
//! observe given the current facts, how to observe one, and how an observation is recorded —
//! run by the generic [`poller`](crate::collect::poller) (one request in flight per target,
//! jitter, backoff). When the facts change (new pods, a rotated Secret) the engine calls
//! [`RunSource::sync`]: changed targets reach their running poller without a restart.
//!
//! Adding a source: one file implementing [`Source`], a field in [`Observed`] for what it
//! records, and one line in [`registry`].

pub mod alerts;
pub mod app_health;
pub mod backups;
pub mod secrets;
pub mod served_certs;
pub mod vpn;

use crate::bus::Msg;
use crate::cluster::{list::Listing, ClusterConn};
use crate::collect::credentials::Credentials;
use crate::collect::poller::{Job, Poller, Refresh};
use crate::config::Config;
use crate::model::{Inventory, ServiceId, ServiceObservation};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// What a source sees when choosing its targets.
pub struct SourceFacts<'a> {
    pub cfg: &'a Config,
    pub conn: &'a ClusterConn,
    pub listing: &'a Listing,
    pub inventory: &'a Inventory,
    /// Credentials from the Secrets at hand; `None` until every credential Secret was either
    /// seen or found unreadable (so no app is called without its key by mistake).
    pub creds: Option<&'a Credentials>,
}

/// Everything the sources recorded; the engine's findings read it.
#[derive(Debug, Default)]
pub struct Observed {
    /// App health: probe + the app's own health, per service.
    pub health: BTreeMap<ServiceId, ServiceObservation>,
    /// Credential Secrets read one by one (those the watch did not deliver): the Secret, or
    /// `None` when it does not exist, or why it could not be read.
    pub secrets:
        BTreeMap<(String, String), Result<Option<k8s_openapi::api::core::v1::Secret>, String>>,
    /// Bumped whenever `secrets` changes (the engine then re-derives the credentials).
    pub secrets_generation: u64,
    /// The VPN check: one report per VPN pod (polled) and the isolation audit (from the
    /// watched objects).
    pub vpn: crate::checks::vpn::VpnFacts,
    /// The certificate each Ingress host serves, by host.
    pub served_certs: BTreeMap<String, crate::certs::ServedCert>,
    /// The last read of Alertmanager (or Prometheus), when one was found.
    pub alerts: Option<crate::alerts::AlertsFacts>,
    /// The last read of the backup root, when backups are set up here.
    pub backups: Option<crate::checks::backup::BackupFacts>,
}

/// One kind of polled observation.
pub trait Source: Send + Sync + 'static {
    type Key: Ord + Clone + Send + Sync + 'static;
    /// What one poll needs; a changed target (by `PartialEq`) is handed to the running poller.
    type Target: Clone + PartialEq + Send + Sync + 'static;
    type Obs: Send + 'static;

    /// What to observe now.
    fn targets(&self, facts: &SourceFacts<'_>) -> Vec<(Self::Key, Self::Target)>;

    /// Observe one target; also says whether it succeeded (failures back off).
    fn observe(&self, target: Self::Target) -> impl Future<Output = (Self::Obs, bool)> + Send;

    /// Record one observation (pure; runs on the engine's loop) and say what the UI hears.
    fn record(key: Self::Key, obs: Self::Obs, into: &mut Observed) -> Vec<Msg>;

    /// A target is no longer observed.
    fn forget(_key: &Self::Key, _into: &mut Observed) {}

    /// Time between two polls of one target (jittered, backed off on failure).
    fn interval(&self, cfg: &Config) -> Duration {
        Duration::from_secs(cfg.refresh_seconds.max(2))
    }
}

/// An observation on its way to the engine's loop.
pub type Recorded = Box<dyn FnOnce(&mut Observed) -> Vec<Msg> + Send>;

/// A running source, whatever its types.
pub trait RunSource: Send + Sync {
    /// Bring the polled targets in line with the facts.
    fn sync(&mut self, facts: &SourceFacts<'_>, observed: &mut Observed);
}

struct Runner<S: Source> {
    source: Arc<S>,
    refresh: Refresh,
    out: mpsc::Sender<Recorded>,
    poller: Option<Poller<S::Key, S::Target, Recorded>>,
}

impl<S: Source> RunSource for Runner<S> {
    fn sync(&mut self, facts: &SourceFacts<'_>, observed: &mut Observed) {
        let targets = self.source.targets(facts);
        let poller = self.poller.get_or_insert_with(|| {
            let source = self.source.clone();
            let job: Job<S::Key, S::Target, Recorded> = Arc::new(move |key, target| {
                let source = source.clone();
                Box::pin(async move {
                    let (obs, ok) = source.observe(target).await;
                    let rec: Recorded = Box::new(move |into| S::record(key, obs, into));
                    (rec, ok)
                })
            });
            Poller::new(
                self.source.interval(facts.cfg),
                self.refresh.clone(),
                job,
                self.out.clone(),
            )
        });
        for gone in poller.set_targets(targets) {
            S::forget(&gone, observed);
        }
    }
}

/// Run `source`: its observations go to `out`, `refresh` wakes it.
pub fn run<S: Source>(
    source: S,
    refresh: &Refresh,
    out: &mpsc::Sender<Recorded>,
) -> Box<dyn RunSource> {
    Box::new(Runner {
        source: Arc::new(source),
        refresh: refresh.clone(),
        out: out.clone(),
        poller: None,
    })
}

/// Every source the console runs.
pub fn registry(refresh: &Refresh, out: &mpsc::Sender<Recorded>) -> Vec<Box<dyn RunSource>> {
    vec![
        run(secrets::CredentialSecrets, refresh, out),
        run(app_health::AppHealth, refresh, out),
        run(vpn::Vpn, refresh, out),
        run(served_certs::ServedCerts::default(), refresh, out),
        run(alerts::Alerts, refresh, out),
        run(backups::Backups, refresh, out),
    ]
}
