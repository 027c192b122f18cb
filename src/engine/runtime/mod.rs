//! The engine side of the TUI: connects once (retrying with backoff, never blocking the screen),
//! watches the cluster, re-runs discovery on every snapshot, runs the observation sources and
//! the task runtime, and executes the effects `update` returns. It talks to the UI only through
//! messages, and its loop never waits on the network: requests run in pollers, tasks and log
//! streams of their own.

use super::facts::ClusterFacts;
use super::sched::Scheduler;
use super::sources::{self, Observed, Recorded, RunSource};
use super::tasks::TaskEnv;
use super::{discover_overrides, pods_by_service};
use crate::bus::{ClusterView, Effect, Msg, StreamId};
use crate::checks;
use crate::cluster::{self, list::Listing, watch, ClusterConn};
use crate::collect::poller::Refresh;
use crate::config::{Config, Paths};
use crate::discover;
use crate::model::{Inventory, PodStatus, ServiceId};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch as twatch};
use tokio::task::JoinHandle;

mod connect;
mod effects;
mod findings;

use connect::{connect_with_retry, heartbeat};
pub use connect::{HEARTBEAT_DEADLINE, HEARTBEAT_EVERY};

/// How long running tasks get to clean up when the console quits.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the idle console hands freed allocator pages back to the system.
const TRIM_EVERY: Duration = Duration::from_secs(30);

/// Files the engine uses besides the cluster.
#[derive(Debug, Clone)]
pub struct EngineFiles {
    /// Where task logs go (`None`: no log files).
    pub task_logs: Option<PathBuf>,
    /// `integrations.toml`, the desired graph.
    pub desired: PathBuf,
}

impl EngineFiles {
    /// `<data dir>/tasks` and the config dir's `integrations.toml`.
    pub fn from_paths(paths: &Paths) -> Self {
        EngineFiles {
            task_logs: Some(paths.data_dir.join("tasks")),
            desired: paths.integrations_file.clone(),
        }
    }
}

/// How long the first watch listing may take before the banner says the server stalls.
pub const FIRST_LISTING_WAIT: Duration = Duration::from_secs(8);

/// Run until the UI drops its effect sender, with the files of [`Paths::resolve`].
pub async fn run(cfg: Config, tx: mpsc::Sender<Msg>, effects: mpsc::UnboundedReceiver<Effect>) {
    run_with(cfg, EngineFiles::from_paths(&Paths::resolve()), tx, effects).await
}

/// [`run`] with the files given.
pub async fn run_with(
    cfg: Config,
    files: EngineFiles,
    tx: mpsc::Sender<Msg>,
    mut effects: mpsc::UnboundedReceiver<Effect>,
) {
    // The credential places integrations.toml names serve the watch, the pollers and every
    // task (one resolution); the file is read once, at start.
    let cfg = super::live::with_integrations_file(&cfg, &files.desired);
    let Some(conn) = connect_with_retry(&cfg, &tx, &mut effects).await else {
        return;
    };
    let mut beats = heartbeat(&conn);
    let (snap_tx, mut snaps) = mpsc::channel(4);
    let scope = cluster::kinds::Scope::from_config(&cfg);
    watch::spawn(&conn, &scope, snap_tx, Duration::from_millis(250));
    let (rec_tx, mut recorded) = mpsc::channel::<Recorded>(64);
    let refresh = Refresh::default();
    let (facts_tx, facts_rx) = twatch::channel(None);
    let (learnt_tx, mut learnt) = mpsc::unbounded_channel::<checks::Fact>();
    let cfg = Arc::new(cfg);
    let saved_logs = files
        .task_logs
        .as_deref()
        .and_then(|t| t.parent())
        .map(|d| d.join("logs"));
    let mut st = State {
        env: TaskEnv {
            cfg: cfg.clone(),
            facts: facts_rx,
            refresh: refresh.clone(),
            desired_file: files.desired,
            learnt: learnt_tx,
        },
        sched: Scheduler::new(tx.clone(), files.task_logs),
        sources: sources::registry(&refresh, &rec_tx),
        cfg,
        conn,
        tx,
        listing: None,
        inventory: Inventory::default(),
        pods: BTreeMap::new(),
        observed: Observed::default(),
        secrets_seen: 0,
        cred_warnings: Vec::new(),
        facts_tx,
        refresh,
        logs: HashMap::new(),
        saved_logs,
        access_checked: Vec::new(),
        metrics_read: None,
        usage: Default::default(),
        restart_log: Default::default(),
        learned: checks::Learned::default(),
        derived: Default::default(),
        listed: (jiff::Timestamp::UNIX_EPOCH, None),
    };
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    let mut trim = tokio::time::interval(TRIM_EVERY);
    // A server that answers `/version` but never delivers a listing is a stall the banner shows
    // within seconds, not "connecting…" for minutes (issue 13, point 4).
    let first_listing = tokio::time::sleep(FIRST_LISTING_WAIT);
    tokio::pin!(first_listing);
    let mut waiting_first = true;
    loop {
        tokio::select! {
            _ = &mut first_listing, if waiting_first => {
                waiting_first = false;
                if st.listing.is_none() {
                    let _ = st.tx.send(Msg::ClusterError(format!(
                        "the API server {} has delivered no listing after {} s (still waiting)",
                        st.conn.server,
                        FIRST_LISTING_WAIT.as_secs()
                    ))).await;
                }
            }
            Some(snap) = snaps.recv() => st.on_snapshot(snap).await,
            Some(beat) = beats.recv() => st.on_heartbeat(beat).await,
            Some(rec) = recorded.recv() => st.on_recorded(rec).await,
            eff = effects.recv() => match eff {
                None | Some(Effect::Quit) => break,
                Some(e) => st.on_effect(e).await,
            },
            Some(fact) = learnt.recv() => {
                st.learned.learn(fact);
                st.send_findings().await;
                // The key check and the plan are the biggest bursts of the console's life.
                crate::heap::release_free();
            }
            _ = tick.tick() => {
                st.read_metrics();
                st.send_findings().await;
            }
            _ = trim.tick() => crate::heap::release_free(),
        }
    }
    for (_, h) in st.logs.drain() {
        h.abort();
    }
    st.sched.shutdown(SHUTDOWN_GRACE).await;
}

struct State {
    cfg: Arc<Config>,
    conn: ClusterConn,
    tx: mpsc::Sender<Msg>,
    listing: Option<Arc<Listing>>,
    inventory: Inventory,
    pods: BTreeMap<ServiceId, Vec<PodStatus>>,
    observed: Observed,
    /// `observed.secrets_generation` the credentials were last derived from.
    secrets_seen: u64,
    cred_warnings: Vec<String>,
    sources: Vec<Box<dyn RunSource>>,
    facts_tx: twatch::Sender<Option<ClusterFacts>>,
    refresh: Refresh,
    env: TaskEnv,
    sched: Scheduler,
    logs: HashMap<StreamId, JoinHandle<()>>,
    /// `<data dir>/logs`, where `Effect::SaveLogs` writes (next to the task logs).
    saved_logs: Option<PathBuf>,
    /// The namespaces RBAC was last asked about ([`State::check_access`]).
    access_checked: Vec<String>,
    /// When the metrics API was last read.
    metrics_read: Option<std::time::Instant>,
    /// The metrics API's last answer per service, for the `http.slow` advice.
    usage: Arc<std::sync::Mutex<BTreeMap<ServiceId, crate::bus::ServiceUsage>>>,
    /// Restart counts seen in the last hour, for the restart-loop facts.
    restart_log: super::restarts::RestartLog,
    /// Facts the tasks learnt (key check, integration plan), for the findings.
    learned: checks::Learned,
    /// Certificates, Argo CD and jobs as derived from the last listing, and what was sent.
    derived: findings::Derived,
    /// When the last listing was taken and the watch error it carried.
    listed: (jiff::Timestamp, Option<String>),
}

impl State {
    async fn on_snapshot(&mut self, snap: watch::WatchSnapshot) {
        let listing = Arc::new(snap.listing);
        let objs = &listing.objects;
        self.inventory = discover::discover(objs, &discover_overrides(&self.cfg));
        self.inventory
            .warnings
            .extend(listing.warnings.iter().cloned());
        self.pods = pods_by_service(&self.inventory, objs);
        self.restart_log
            .observe(&mut self.pods, jiff::Timestamp::now());
        self.listed = (snap.fetched_at, snap.error.clone());
        let view = self.cluster_view(&listing, snap.fetched_at, snap.error.clone());
        if let Some(e) = &snap.error {
            let msg = format!("{e} — the watch retries with backoff (at most every 30s)");
            let _ = self.tx.send(Msg::ClusterError(msg)).await;
        }
        let _ = self.tx.send(Msg::Cluster(Box::new(view))).await;
        self.observed.vpn.audit = crate::vpn::audit::audit(&self.inventory.services, objs);
        let vpn = Box::new(self.observed.vpn.clone());
        let _ = self.tx.send(Msg::Vpn(vpn)).await;
        self.derived.rebuild(&listing, &self.inventory);
        self.listing = Some(listing);
        self.check_access();
        self.read_metrics();
        self.update_facts().await;
        self.send_findings().await;
    }

    /// What the screen shows of the cluster.
    fn cluster_view(
        &self,
        listing: &Listing,
        fetched_at: jiff::Timestamp,
        error: Option<String>,
    ) -> ClusterView {
        ClusterView {
            context: self.conn.context.clone(),
            cluster: self.conn.server.clone(),
            namespaces: self.cfg.namespaces.clone(),
            inventory: self.inventory.clone(),
            pods: self.pods.clone(),
            events: super::view::events_by_service(&self.inventory, &self.pods, &listing.events),
            fetched_at,
            error,
            kinds: listing.kinds.clone(),
        }
    }

    /// The heartbeat changed: a stall goes to the banner; an answer again clears it (the last
    /// view is sent again, without error).
    async fn on_heartbeat(&mut self, beat: Result<(), String>) {
        match beat {
            Err(why) => {
                let _ = self.tx.send(Msg::ClusterError(why)).await;
            }
            Ok(()) => {
                if let Some(listing) = self.listing.clone() {
                    let (at, error) = self.listed.clone();
                    let view = self.cluster_view(&listing, at, error);
                    let _ = self.tx.send(Msg::Cluster(Box::new(view))).await;
                }
            }
        }
    }

    /// Read the metrics API every [`super::usage::METRICS_EVERY`] (one list request); the view
    /// goes to the UI.
    fn read_metrics(&mut self) {
        let due = self
            .metrics_read
            .is_none_or(|t| t.elapsed() >= super::usage::METRICS_EVERY);
        let Some(listing) = self.listing.clone().filter(|_| due) else {
            return;
        };
        self.metrics_read = Some(std::time::Instant::now());
        let (client, tx) = (self.conn.client.clone(), self.tx.clone());
        let (inv, pods) = (self.inventory.clone(), self.pods.clone());
        let usage = self.usage.clone();
        tokio::spawn(async move {
            let view = super::usage::read(client, inv, pods, listing).await;
            if let Ok(mut u) = usage.lock() {
                u.clone_from(&view.services);
            }
            let _ = tx.send(Msg::Metrics(view)).await;
        });
    }

    /// Ask RBAC (SelfSubjectAccessReview) which workload actions are denied in the namespaces
    /// of the discovered apps, once per new set of namespaces; the answer goes to the UI.
    fn check_access(&mut self) {
        let mut namespaces: Vec<String> = self
            .inventory
            .services
            .iter()
            .map(|s| s.namespace.clone())
            .collect();
        namespaces.sort();
        namespaces.dedup();
        if namespaces.is_empty() || namespaces == self.access_checked {
            return;
        }
        self.access_checked.clone_from(&namespaces);
        let (client, tx) = (self.conn.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let denied = crate::cluster::workload::denied_actions(
                &client,
                &namespaces,
                &crate::bus::ACCESS_ACTIONS,
            )
            .await;
            let _ = tx
                .send(Msg::Access(crate::bus::AccessView { denied }))
                .await;
        });
    }

    async fn on_recorded(&mut self, rec: Recorded) {
        for m in rec(&mut self.observed) {
            let _ = self.tx.send(m).await;
        }
        if self.observed.secrets_generation != self.secrets_seen {
            self.update_facts().await;
        }
        self.send_findings().await;
    }
}
