//! The engine side of the TUI: connects (retrying with backoff, never blocking the screen),
//! watches the cluster, re-runs discovery on every snapshot, keeps one poller per service, and
//! executes the effects `update` returns. It talks to the UI only through messages.

use super::{budget, discover_overrides, endpoint_for, observe::observe, pods_by_service};
use crate::bus::{
    describe_title, ClusterView, Effect, EventRow, Msg, StreamId, TaskOutcome, TaskRequest,
};
use crate::checks;
use crate::cluster::{self, describe, logs, watch, ClusterConn};
use crate::collect::{credentials, poller};
use crate::config::Config;
use crate::discover;
use crate::model::{Inventory, PodStatus, ServiceId, ServiceObservation};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

struct State {
    cfg: Config,
    conn: ClusterConn,
    tx: mpsc::Sender<Msg>,
    last: Option<watch::WatchSnapshot>,
    inventory: Inventory,
    pods: BTreeMap<ServiceId, Vec<PodStatus>>,
    observations: BTreeMap<ServiceId, ServiceObservation>,
    pollers: Option<poller::Pollers>,
    /// What the pollers were built for: service id + endpoint description.
    poller_key: Vec<(ServiceId, String)>,
    logs: HashMap<StreamId, JoinHandle<()>>,
    tasks: HashMap<crate::bus::TaskId, JoinHandle<()>>,
}

/// Run until the UI drops its effect sender.
pub async fn run(cfg: Config, tx: mpsc::Sender<Msg>, mut effects: mpsc::UnboundedReceiver<Effect>) {
    let conn = match connect_with_retry(&cfg, &tx, &mut effects).await {
        Some(c) => c,
        None => return,
    };
    let (snap_tx, mut snaps) = mpsc::channel(4);
    let scope = cluster::kinds::Scope::from_config(&cfg);
    watch::spawn(&conn, &scope, snap_tx, Duration::from_millis(250));
    let (obs_tx, mut obs_rx) = mpsc::channel::<(ServiceId, ServiceObservation)>(64);
    let mut st = State {
        cfg,
        conn,
        tx,
        last: None,
        inventory: Inventory::default(),
        pods: BTreeMap::new(),
        observations: BTreeMap::new(),
        pollers: None,
        poller_key: Vec::new(),
        logs: HashMap::new(),
        tasks: HashMap::new(),
    };
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            Some(snap) = snaps.recv() => st.on_snapshot(snap, &obs_tx).await,
            Some((id, o)) = obs_rx.recv() => {
                st.observations.insert(id.clone(), o.clone());
                let _ = st.tx.send(Msg::Observation(id, o)).await;
                st.send_findings().await;
            }
            eff = effects.recv() => match eff {
                None | Some(Effect::Quit) => break,
                Some(e) => st.on_effect(e, &obs_tx).await,
            },
            _ = tick.tick() => st.send_findings().await,
        }
    }
    for (_, h) in st.logs.drain() {
        h.abort();
    }
    for (_, h) in st.tasks.drain() {
        h.abort();
    }
}

async fn connect_with_retry(
    cfg: &Config,
    tx: &mpsc::Sender<Msg>,
    effects: &mut mpsc::UnboundedReceiver<Effect>,
) -> Option<ClusterConn> {
    let mut delay = Duration::from_secs(2);
    loop {
        let err = match cluster::connect(cfg.kubeconfig.as_deref(), cfg.context.as_deref()).await {
            Ok(conn) => match conn.client.apiserver_version().await {
                Ok(_) => return Some(conn),
                Err(e) => cluster::explain(&e),
            },
            Err(e) => format!("{e:#}"),
        };
        tracing::warn!("cluster not usable: {err}");
        let _ = tx
            .send(Msg::ClusterError(format!(
                "{err} — retrying in {}s",
                delay.as_secs()
            )))
            .await;
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            e = effects.recv() => if matches!(e, None | Some(Effect::Quit)) { return None; },
        }
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}

impl State {
    async fn on_snapshot(
        &mut self,
        snap: watch::WatchSnapshot,
        obs_tx: &mpsc::Sender<(ServiceId, ServiceObservation)>,
    ) {
        let objs = &snap.listing.objects;
        self.inventory = discover::discover(objs, &discover_overrides(&self.cfg));
        self.inventory
            .warnings
            .extend(snap.listing.warnings.iter().cloned());
        self.pods = pods_by_service(&self.inventory, objs);
        let events = events_by_service(&self.inventory, &self.pods, &snap.listing.events);
        let view = ClusterView {
            context: self.conn.context.clone(),
            cluster: self.conn.server.clone(),
            namespaces: self.cfg.namespaces.clone(),
            inventory: self.inventory.clone(),
            pods: self.pods.clone(),
            events,
            fetched_at: snap.fetched_at,
            error: snap.error.clone(),
        };
        if let Some(e) = &snap.error {
            let _ = self
                .tx
                .send(Msg::ClusterError(format!(
                    "{e} — watch retrying with backoff"
                )))
                .await;
        }
        let _ = self.tx.send(Msg::Cluster(Box::new(view))).await;
        self.last = Some(snap);
        self.ensure_pollers(obs_tx).await;
        self.send_findings().await;
    }

    /// (Re)build pollers only when the set of services or how to reach them changed.
    async fn ensure_pollers(&mut self, obs_tx: &mpsc::Sender<(ServiceId, ServiceObservation)>) {
        let targets: Vec<_> = self
            .inventory
            .services
            .iter()
            .filter_map(|s| endpoint_for(s, &self.cfg, &self.conn).map(|e| (s.clone(), e)))
            .collect();
        let key: Vec<(ServiceId, String)> = targets
            .iter()
            .map(|(s, e)| (s.id.clone(), e.describe()))
            .collect();
        if key == self.poller_key && self.pollers.is_some() {
            return;
        }
        let creds = Arc::new(credentials::load(&self.conn, &self.cfg).await);
        for w in &creds.warnings {
            let _ = self.tx.send(Msg::Flash(w.clone())).await;
        }
        let jobs = targets
            .into_iter()
            .map(|(svc, ep)| {
                let c = creds.for_service(&svc, &self.cfg);
                let id = svc.id.clone();
                let svc = Arc::new(svc);
                let job: poller::Job<ServiceObservation> = Arc::new(move || {
                    let (svc, ep, c) = (svc.clone(), ep.clone(), c.clone());
                    Box::pin(async move {
                        let o = observe(&svc, &ep, &c).await;
                        let ok = o.health.is_ok();
                        (o, ok)
                    })
                });
                (id, job)
            })
            .collect();
        self.pollers = Some(poller::spawn(
            jobs,
            Duration::from_secs(self.cfg.refresh_seconds.max(2)),
            obs_tx.clone(),
        ));
        self.poller_key = key;
    }

    async fn send_findings(&self) {
        let f = checks::all(
            &self.inventory,
            &self.pods,
            &self.observations,
            jiff::Timestamp::now(),
            &budget(&self.cfg),
        );
        let _ = self.tx.send(Msg::Findings(f)).await;
    }

    async fn on_effect(
        &mut self,
        e: Effect,
        obs_tx: &mpsc::Sender<(ServiceId, ServiceObservation)>,
    ) {
        match e {
            Effect::Quit => {}
            Effect::RefreshNow => {
                if let Some(p) = &self.pollers {
                    p.refresh_now();
                }
            }
            Effect::StreamLogs {
                stream,
                namespace,
                pod,
                container,
                follow,
                tail,
            } => {
                let req = logs::LogRequest {
                    namespace,
                    pod,
                    container: Some(container),
                    follow,
                    tail: Some(i64::from(tail)),
                    previous: false,
                };
                let h = tokio::spawn(stream_logs(self.conn.clone(), req, stream, self.tx.clone()));
                if let Some(old) = self.logs.insert(stream, h) {
                    old.abort();
                }
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
                let text = self.describe(&namespace, &kind, &name);
                let title = describe_title(&kind, &namespace, &name);
                let _ = self.tx.send(Msg::Describe { title, text }).await;
            }
            Effect::RunTask { id, request } => match request {
                TaskRequest::CheckAll => {
                    if let Some(p) = &self.pollers {
                        p.refresh_now();
                    }
                    self.ensure_pollers(obs_tx).await;
                    let _ = self
                        .tx
                        .send(Msg::TaskDone {
                            id,
                            outcome: TaskOutcome::Succeeded("all services re-probed".into()),
                        })
                        .await;
                }
                other => {
                    let h = tokio::spawn(super::tasks::run(
                        self.cfg.clone(),
                        id,
                        other,
                        self.tx.clone(),
                    ));
                    self.tasks.insert(id, h);
                }
            },
            Effect::CancelTask(id) => {
                if let Some(h) = self.tasks.remove(&id) {
                    h.abort();
                    let _ = self
                        .tx
                        .send(Msg::TaskDone {
                            id,
                            outcome: TaskOutcome::Cancelled,
                        })
                        .await;
                }
            }
        }
    }

    fn describe(&self, namespace: &str, kind: &str, name: &str) -> String {
        let Some(snap) = &self.last else {
            return "no cluster data yet".into();
        };
        let objs = &snap.listing.objects;
        let svc = self.inventory.services.iter().find(|s| {
            s.namespace == namespace && s.workload.name == name && s.workload.kind == kind
        });
        let mut out = format!("{kind}: {namespace}/{name}\n");
        let Some(svc) = svc else {
            return out + "not found in the current inventory\n";
        };
        for p in &self.pods[&svc.id] {
            if let Some(pod) = objs.pods.iter().find(|x| {
                x.metadata.name.as_deref() == Some(&p.name)
                    && x.metadata.namespace.as_deref() == Some(namespace)
            }) {
                let evs = describe::events_for(&snap.listing.events, "Pod", namespace, &p.name);
                out.push('\n');
                out.push_str(&describe::pod(pod, &evs));
            }
        }
        out
    }
}

async fn stream_logs(
    conn: ClusterConn,
    req: logs::LogRequest,
    stream: StreamId,
    tx: mpsc::Sender<Msg>,
) {
    use futures::StreamExt;
    let s = match logs::stream(&conn, &req).await {
        Ok(s) => s,
        Err(e) => {
            let _ = tx
                .send(Msg::LogsEnded {
                    stream,
                    error: Some(format!("{e:#}")),
                })
                .await;
            return;
        }
    };
    // Batch lines: at most one message per 100 ms.
    let mut chunks = std::pin::pin!(s.ready_chunks(512));
    while let Some(lines) = chunks.next().await {
        if tx.send(Msg::Logs { stream, lines }).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = tx
        .send(Msg::LogsEnded {
            stream,
            error: None,
        })
        .await;
}

fn events_by_service(
    inv: &Inventory,
    pods: &BTreeMap<ServiceId, Vec<PodStatus>>,
    events: &[Arc<k8s_openapi::api::core::v1::Event>],
) -> BTreeMap<ServiceId, Vec<EventRow>> {
    inv.services
        .iter()
        .map(|s| {
            let names: Vec<&str> = pods
                .get(&s.id)
                .map(|v| v.iter().map(|p| p.name.as_str()).collect())
                .unwrap_or_default();
            let mut rows: Vec<EventRow> = events
                .iter()
                .filter(|e| {
                    let o = &e.involved_object;
                    o.namespace.as_deref() == Some(s.namespace.as_str())
                        && o.name
                            .as_deref()
                            .is_some_and(|n| n == s.workload.name || names.contains(&n))
                })
                .map(|e| EventRow {
                    type_: e.type_.clone().unwrap_or_default(),
                    reason: e.reason.clone().unwrap_or_default(),
                    object: format!(
                        "{}/{}",
                        e.involved_object.kind.as_deref().unwrap_or(""),
                        e.involved_object.name.as_deref().unwrap_or("")
                    ),
                    message: e.message.clone().unwrap_or_default(),
                    count: e.count.unwrap_or(1).max(0) as u32,
                    last_seen: e
                        .last_timestamp
                        .as_ref()
                        .map(|t| t.0)
                        .or_else(|| e.event_time.as_ref().map(|t| t.0)),
                })
                .collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen));
            (s.id.clone(), rows)
        })
        .collect()
}
