//! The engine the TUI and the headless commands share: connect, discover, resolve how to reach
//! each app, observe it, and evaluate the checks. No terminal here.

pub mod facts;
pub mod lease;
pub mod live;
pub mod logstream;
pub mod nodes;
pub mod observe;
pub mod resources;
pub mod restarts;
pub mod runtime;
pub mod sched;
pub mod shell;
pub mod sources;
pub mod tasks;
pub mod usage;
pub mod view;

pub use live::live_context;

use crate::checks::{self, Budget, Facts, KeysFacts, Learned};
use crate::clients::transport::AppEndpoint;
use crate::cluster::ClusterConn;
use crate::collect::credentials::Credentials;
use crate::config::{AccessMode, Config};
use crate::discover::{self, ClusterObjects};
use crate::model::{Finding, Inventory, PodStatus, ServiceId, ServiceInfo, ServiceObservation};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

/// Everything one round produced; `check --output json` prints [`Snapshot::to_json`].
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub context: String,
    pub cluster: String,
    pub namespaces: Vec<String>,
    pub generated_at: jiff::Timestamp,
    pub inventory: Inventory,
    pub pods: BTreeMap<ServiceId, Vec<PodStatus>>,
    pub observations: BTreeMap<ServiceId, ServiceObservation>,
    pub findings: Vec<Finding>,
    /// What the key check and the integration plan of this round found.
    pub learned: Learned,
    /// Listing and credential problems that did not stop the run.
    pub warnings: Vec<String>,
}

impl Snapshot {
    pub fn namespaces_label(&self) -> String {
        if self.namespaces.is_empty() {
            "all".into()
        } else {
            self.namespaces.join(",")
        }
    }

    /// The row cells `check`'s table prints: the same cells (and words) the Services pane shows,
    /// against the same latency budget the findings use.
    pub fn row(&self, id: &ServiceId, budget: &Budget) -> [String; 4] {
        use crate::bus::rows::{health_cell, http_cell, pod_cell};
        let pods = self.pods.get(id).map(Vec::as_slice).unwrap_or_default();
        let restarts: u32 = pods.iter().map(|p| p.restarts).sum();
        let obs = self.observations.get(id);
        [
            pod_cell(pods).text,
            restarts.to_string(),
            obs.map(|o| http_cell(o, budget).text)
                .unwrap_or_else(|| "—".into()),
            obs.map(|o| health_cell(&o.health).text)
                .unwrap_or_else(|| "—".into()),
        ]
    }

    pub fn to_json(&self) -> serde_json::Value {
        let services: Vec<_> = self
            .inventory
            .services
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "kind": s.kind,
                    "namespace": s.namespace,
                    "pods": self.pods.get(&s.id).cloned().unwrap_or_default(),
                    "observation": self.observations.get(&s.id).map(observation_json),
                })
            })
            .collect();
        let count = |sev: crate::model::Severity| {
            self.findings.iter().filter(|f| f.severity == sev).count()
        };
        json!({
            "schema": "k8s-nas/check/v1",
            "context": self.context,
            "cluster": self.cluster,
            "namespaces": self.namespaces,
            "generated_at": self.generated_at,
            "summary": {
                "services": self.inventory.services.len(),
                "worst": crate::model::finding::worst(&self.findings),
                "critical": count(crate::model::Severity::Critical),
                "error": count(crate::model::Severity::Error),
                "warning": count(crate::model::Severity::Warning),
                "info": count(crate::model::Severity::Info),
            },
            "inventory": self.inventory,
            "services": services,
            "findings": self.findings,
            "warnings": self.warnings,
        })
    }
}

/// `health` as `{"ok": AppHealth}` or `{"error": AppError}` (stable, documented in the README).
fn observation_json(o: &ServiceObservation) -> serde_json::Value {
    let health = match &o.health {
        Ok(h) => json!({ "ok": h }),
        Err(e) => json!({ "error": e }),
    };
    json!({ "fetched_at": o.fetched_at, "probe": o.probe, "health": health })
}

/// How to reach `svc`, by precedence: a configured URL, then the access mode.
pub fn endpoint_for(svc: &ServiceInfo, cfg: &Config, conn: &ClusterConn) -> Option<AppEndpoint> {
    let sc = cfg.service(svc.id.as_str(), svc.kind.id());
    let timeout = Duration::from_millis(cfg.timeout_ms);
    if let Some(url) = sc.and_then(|s| s.url.as_deref()) {
        let parsed = url::Url::parse(url).ok()?;
        let origin = parsed.origin().ascii_serialization();
        let base = sc
            .and_then(|s| s.url_base.clone())
            .unwrap_or_else(|| parsed.path().to_string());
        return Some(AppEndpoint::direct(origin, base).with_timeout(timeout));
    }
    let port = svc.service.as_ref()?;
    let base = sc
        .and_then(|s| s.url_base.clone())
        .unwrap_or_else(|| svc.url_base.clone());
    let ep = match cfg.access {
        AccessMode::Proxy => AppEndpoint::proxy(
            conn.client.clone(),
            &svc.namespace,
            &port.name,
            &port.port.to_string(),
            base,
        ),
        AccessMode::Direct => AppEndpoint::direct(
            format!("http://{}:{}", svc.cluster_host()?, port.port),
            base,
        ),
    };
    Some(ep.with_timeout(timeout))
}

pub fn budget(cfg: &Config) -> Budget {
    Budget {
        latency_ms: cfg.latency_budget_ms,
        stale_after_secs: (cfg.refresh_seconds * 3).max(30) as i64,
        ..Budget::default()
    }
}

/// Pods of every discovered service.
pub fn pods_by_service(
    inv: &Inventory,
    objs: &ClusterObjects,
) -> BTreeMap<ServiceId, Vec<PodStatus>> {
    inv.services
        .iter()
        .map(|s| (s.id.clone(), discover::pod_statuses(s, objs)))
        .collect()
}

/// One full round, as `check` runs it: list, discover, observe every service concurrently, and
/// meanwhile check the keys and read the integration plan; then every check over those facts.
pub async fn check_once(cfg: &Config) -> anyhow::Result<Snapshot> {
    check_once_with(cfg, &crate::config::Paths::resolve().integrations_file).await
}

/// [`check_once`] with the integration file at `desired`: its credential places
/// (`[api_keys]`, `[download_client] password`) serve the probes as they serve the key check.
pub async fn check_once_with(cfg: &Config, desired: &std::path::Path) -> anyhow::Result<Snapshot> {
    let cfg = &live::with_integrations_file(cfg, desired);
    // Connect once, list once: the key check and the plan use the same connection and listing.
    let facts = facts::ClusterFacts::connect(cfg).await?;
    let (conn, listing) = (&facts.conn, &facts.listing);
    let inventory = discover::discover(&listing.objects, &discover_overrides(cfg));
    let mut pods = pods_by_service(&inventory, &listing.objects);
    // One look: restarts in the last hour are those the pods' last terminations prove.
    restarts::RestartLog::default().observe(&mut pods, jiff::Timestamp::now());
    let creds = facts.credentials(cfg);
    let (observations, (learned, learn_warnings), vpn, (certs, cert_warning)) = tokio::join!(
        observe_all(&inventory, cfg, conn, &creds),
        learn(cfg, &facts, desired),
        vpn_verdicts(cfg, &facts),
        cert_facts(cfg, listing)
    );
    // The metrics API (one list request) for the `http.slow` advice; absent → the generic one.
    let usage = usage::read(
        conn.client.clone(),
        inventory.clone(),
        pods.clone(),
        listing.clone(),
    )
    .await
    .services;
    let now = jiff::Timestamp::now();
    let backups = backup_facts(cfg, &inventory, listing);
    let gitops = crate::gitops::from_listing(listing);
    let jobs = crate::jobs::from_listing(listing);
    let manifest = crate::manifest::from_objects(&inventory, &listing.objects);
    let alerts = match crate::alerts::discover(listing, cfg) {
        Some(src) => {
            let ep = src.endpoint(conn, std::time::Duration::from_millis(cfg.timeout_ms));
            Some(crate::alerts::fetch(&src, &ep).await)
        }
        None => None,
    };
    let findings = checks::evaluate(
        &Facts::new(&inventory, &pods, &observations, now, budget(cfg))
            .with_learned(&learned)
            .with_vpn(vpn.as_ref())
            .with_certs(Some(&certs))
            .with_backups(backups.as_ref())
            .with_gitops(Some(&gitops))
            .with_alerts(alerts.as_ref())
            .with_usage(Some(&usage).filter(|u| !u.is_empty()))
            .with_jobs(Some(&jobs))
            .with_manifest(Some(&manifest)),
    );
    let mut warnings = listing.warnings.clone();
    if let Some(e) = alerts.as_ref().and_then(|a| {
        Some(format!(
            "{}: {}",
            a.source.as_ref()?.label(),
            a.error.as_ref()?
        ))
    }) {
        warnings.push(e);
    }
    warnings.extend(creds.warnings);
    warnings.extend(learn_warnings);
    warnings.extend(cert_warning);
    Ok(Snapshot {
        context: conn.context.clone(),
        cluster: conn.server.clone(),
        namespaces: cfg.namespaces.clone(),
        generated_at: now,
        inventory,
        pods,
        observations,
        findings,
        learned,
        warnings,
    })
}

/// The VPN verdicts `check` includes: only once the config says how to learn the home IP
/// (`[vpn] home_ip` or `ip_echo_url`), since without it no verdict can be SECURE. The
/// isolation audit is `k8s-nas vpn`'s and the `:vpn` pane's.
async fn vpn_verdicts(cfg: &Config, facts: &facts::ClusterFacts) -> Option<checks::vpn::VpnFacts> {
    checks::vpn::VpnFacts::default().for_check(cfg)?;
    crate::vpn::check(cfg, facts).await.for_check(cfg)
}

/// The certificate facts `check` includes: the watched Secrets, Certificates and Ingresses,
/// and one handshake per Ingress host and configured extra URL. An unreadable `tls_ca_file`
/// leaves the served certificates out (a warning), never the rest.
async fn cert_facts(
    cfg: &Config,
    listing: &crate::cluster::list::Listing,
) -> (crate::certs::CertFacts, Option<String>) {
    match crate::certs::gather::HandshakeOptions::from_config(cfg) {
        Ok(opts) => (
            crate::certs::gather::gather(listing, &opts, &cfg.certs.extra_urls).await,
            None,
        ),
        Err(e) => (
            crate::certs::from_listing(listing),
            Some(format!("served certificates not checked: {e:#}")),
        ),
    }
}

/// The facts `check` learns by acting (reading only): the key check, then the integration plan
/// over the same context. What could not be learnt is a warning, never a failed run.
pub async fn learn(
    cfg: &Config,
    facts: &facts::ClusterFacts,
    desired: &std::path::Path,
) -> (Learned, Vec<String>) {
    let mut learned = Learned::default();
    let mut warnings = Vec::new();
    match live::check_keys(cfg, facts, desired).await {
        Ok(k) => {
            learned.keys = Some(KeysFacts::from_report(
                &k.target,
                &k.report,
                jiff::Timestamp::now(),
            ));
            let p = crate::integrate::live::read_plan(&k.live).await;
            warnings.extend(p.version_warnings.iter().cloned());
            learned.plan = Some(p.plan);
        }
        Err(e) => warnings.push(format!("keys and integrations not checked: {e:#}")),
    }
    (learned, warnings)
}

/// Observe all services at once; the slowest (or a hung one, bounded by the timeout) sets the pace.
pub async fn observe_all(
    inv: &Inventory,
    cfg: &Config,
    conn: &ClusterConn,
    creds: &Credentials,
) -> BTreeMap<ServiceId, ServiceObservation> {
    let futs = inv.services.iter().filter_map(|svc| {
        let ep = endpoint_for(svc, cfg, conn)?;
        let c = creds.for_service(svc, cfg);
        let svc = svc.clone();
        Some(async move {
            let o = observe::observe(&svc, &ep, &c).await;
            (svc.id.clone(), o)
        })
    });
    futures::future::join_all(futs).await.into_iter().collect()
}

/// Discovery overrides from the config file's per-service URL bases.
pub fn discover_overrides(cfg: &Config) -> discover::Overrides {
    cfg.discovery_overrides()
}

/// The backup facts, when backups are set up here (`backup.root` configured, or the default
/// root exists): the services with a config directory on a node path, and the backups.
pub fn backup_facts(
    cfg: &Config,
    inv: &crate::model::Inventory,
    listing: &crate::cluster::list::Listing,
) -> Option<checks::backup::BackupFacts> {
    let (root, paths) = backup_scope(cfg, inv)?;
    let mut facts = checks::backup::BackupFacts::read(&root, paths.into_keys().collect());
    facts.schedule = crate::backup::schedule::from_listing(listing);
    Some(facts)
}

/// Where backups go and what they back up, when backups are set up here (`backup.root`
/// configured, or the default root exists): the root, and per backup name the config
/// directory as seen from here (`backup.paths` first, else the node path discovery resolved,
/// `node_root` prefixed).
pub fn backup_scope(
    cfg: &Config,
    inv: &crate::model::Inventory,
) -> Option<(std::path::PathBuf, BTreeMap<String, std::path::PathBuf>)> {
    let root = cfg.backup.root_or(None, &crate::config::Paths::resolve());
    if cfg.backup.root.is_none() && !root.exists() {
        return None;
    }
    let paths = crate::backup::config_dirs(&cfg.backup, Some(inv))
        .into_iter()
        .map(|(name, s)| (name, s.dir))
        .collect();
    Some((root, paths))
}
