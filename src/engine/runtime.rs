//! The engine side of the TUI: connects once (retrying with backoff, never blocking the screen),
//! watches the cluster, re-runs discovery on every snapshot, runs the observation sources and
//! the task runtime, and executes the effects `update` returns. It talks to the UI only through
//! messages, and its loop never waits on the network: requests run in pollers, tasks and log
//! streams of their own.

use super::facts::ClusterFacts;
use super::sched::Scheduler;
use super::sources::{self, Observed, Recorded, RunSource, SourceFacts};
use super::tasks::{self, TaskEnv};
use super::{budget, discover_overrides, pods_by_service};
use crate::bus::{describe_title, ClusterView, Effect, Msg, StreamId, TaskOutcome};
use crate::checks;
use crate::cluster::{self, list::Listing, logs, watch, ClusterConn};
use crate::collect::credentials::Credentials;
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
    let Some(conn) = connect_with_retry(&cfg, &tx, &mut effects).await else {
        return;
    };
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

async fn connect_with_retry(
    cfg: &Config,
    tx: &mpsc::Sender<Msg>,
    effects: &mut mpsc::UnboundedReceiver<Effect>,
) -> Option<ClusterConn> {
    let mut delay = Duration::from_secs(2);
    loop {
        // A server that accepts and never answers is shown within seconds (issue 13, point 4).
        let deadline = Duration::from_secs(5);
        let err = match cluster::connect(cfg.kubeconfig.as_deref(), cfg.context.as_deref()).await {
            Ok(conn) => {
                match tokio::time::timeout(deadline, conn.client.apiserver_version()).await {
                    Ok(Ok(_)) => return Some(conn),
                    Ok(Err(e)) => cluster::explain(&e),
                    Err(_) => format!(
                        "the API server {} did not answer within {} s",
                        conn.server,
                        deadline.as_secs()
                    ),
                }
            }
            Err(e) => crate::cli::error_chain(&e),
        };
        tracing::warn!("cluster not usable: {err}");
        let _ = tx
            .send(Msg::ClusterError(format!(
                "{err} — retrying in {}s",
                delay.as_secs()
            )))
            .await;
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                e = effects.recv() => match e {
                    None | Some(Effect::Quit) => return None,
                    // ctrl-r: retry now.
                    Some(Effect::RefreshNow) => break,
                    // A task asked for before there is a cluster ends at once, with the reason.
                    Some(Effect::RunTask { id, .. }) => {
                        let outcome = TaskOutcome::Failed(format!("not connected: {err}"));
                        let _ = tx.send(Msg::TaskDone { id, outcome }).await;
                    }
                    Some(_) => {}
                },
            }
        }
        delay = (delay * 2).min(Duration::from_secs(30));
    }
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
        let events = super::view::events_by_service(&self.inventory, &self.pods, &listing.events);
        let view = ClusterView {
            context: self.conn.context.clone(),
            cluster: self.conn.server.clone(),
            namespaces: self.cfg.namespaces.clone(),
            inventory: self.inventory.clone(),
            pods: self.pods.clone(),
            events,
            fetched_at: snap.fetched_at,
            error: snap.error.clone(),
            kinds: listing.kinds.clone(),
        };
        if let Some(e) = &snap.error {
            let msg = format!("{e} — the watch retries with backoff (at most every 30s)");
            let _ = self.tx.send(Msg::ClusterError(msg)).await;
        }
        let _ = self.tx.send(Msg::Cluster(Box::new(view))).await;
        self.observed.vpn.audit = crate::vpn::audit::audit(&self.inventory.services, objs);
        let vpn = Box::new(self.observed.vpn.clone());
        let _ = self.tx.send(Msg::Vpn(vpn)).await;
        self.listing = Some(listing);
        self.check_access();
        self.read_metrics();
        self.update_facts().await;
        self.send_findings().await;
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

    /// Derive the credentials from the Secrets at hand, publish the facts to tasks, and bring
    /// every source's targets in line (a rotated key reaches the pollers here).
    async fn update_facts(&mut self) {
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
    async fn send_findings(&self) {
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
        let facts = facts
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

    async fn on_effect(&mut self, e: Effect) {
        match e {
            Effect::Quit => {}
            Effect::RefreshNow => self.refresh.now(),
            Effect::StreamLogs {
                stream,
                namespace,
                pod,
                container,
                follow,
                tail,
                previous,
                timestamps,
                since_seconds,
            } => {
                let req = logs::LogRequest {
                    namespace,
                    pod,
                    container: Some(container),
                    follow,
                    tail: since_seconds.is_none().then_some(i64::from(tail)),
                    previous,
                    timestamps,
                    since_seconds: since_seconds.map(i64::from),
                };
                let (conn, tx) = (self.conn.clone(), self.tx.clone());
                let h = tokio::spawn(super::logstream::stream_logs(conn, req, stream, tx));
                if let Some(old) = self.logs.insert(stream, h) {
                    old.abort();
                }
                self.logs.retain(|_, h| !h.is_finished());
            }
            Effect::SaveLogs { name, lines } => {
                let dir = self.saved_logs.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let text = match dir {
                        Some(dir) => match super::logstream::save(&dir, &name, &lines).await {
                            Ok(path) => {
                                format!("saved {} lines to {}", lines.len(), path.display())
                            }
                            Err(e) => format!("could not save the log: {e:#}"),
                        },
                        None => "could not save the log: no data directory".to_string(),
                    };
                    let _ = tx.send(Msg::Flash(text)).await;
                });
            }
            Effect::ListResources { kind } => {
                let rows = self
                    .listing
                    .as_deref()
                    .map(|l| super::resources::rows(l, &kind))
                    .unwrap_or_default();
                let _ = self.tx.send(Msg::Resources { kind, rows }).await;
            }
            Effect::StopLogs { stream } => {
                if let Some(h) = self.logs.remove(&stream) {
                    h.abort();
                }
            }
            Effect::Describe {
                namespace,
                kind,
                name,
            } => {
                let text = super::view::describe_workload(
                    self.listing.as_deref(),
                    &self.inventory,
                    &self.pods,
                    &namespace,
                    &kind,
                    &name,
                );
                let title = describe_title(&kind, &namespace, &name);
                let _ = self.tx.send(Msg::Describe { title, text }).await;
            }
            Effect::RunTask { id, request } => {
                match tasks::task(&request, &self.env, &self.inventory) {
                    Ok((spec, body)) => {
                        let _ = self.sched.start(id, spec, body).await;
                    }
                    Err(why) => {
                        let outcome = TaskOutcome::Refused(why);
                        let _ = self.tx.send(Msg::TaskDone { id, outcome }).await;
                    }
                }
            }
            Effect::ReadTaskLog { id, path } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let lines = match tokio::fs::read_to_string(&path).await {
                        Ok(text) => {
                            let all: Vec<&str> = text.lines().collect();
                            let from = all.len().saturating_sub(crate::bus::msg::TASK_LOG_TAIL);
                            Ok(all[from..].iter().map(|l| l.to_string()).collect())
                        }
                        Err(e) => Err(format!("{}: {e}", path.display())),
                    };
                    let _ = tx.send(Msg::TaskLogFile { id, lines }).await;
                });
            }
            Effect::CancelTask(id) => {
                self.sched.cancel(id);
            }
        }
    }
}
