//! The integration engine against live apps: [`HttpBackend`] (an [`EdgeBackend`] over the
//! protocol clients, one file per edge family) and the [`Live`] context with the four
//! operations the console and the headless commands call: [`read_plan`], [`apply`],
//! [`test_all`], [`sync_indexers`].

pub mod backend;
pub mod bazarr;
pub mod blocked;
pub mod extras;
pub mod sabnzbd;
pub mod seerr;
pub mod servarr;

pub use backend::HttpBackend;
pub use extras::{AppMessage, Extras, IndexerCount, RootFolderInfo};

use crate::clients::transport::AppEndpoint;
use crate::collect::credentials::AppCreds;
use crate::integrate::apply::{self as engine, ApplyEvent, ApplyOptions, ApplyReport, EdgeBackend};
use crate::integrate::apply::{EdgeOutcome, Failure, Stage, TestOutcome};
use crate::integrate::edge::Current;
use crate::integrate::plan::{matched_entry, plan, Plan};
use crate::integrate::{resolve, Desired, KnownSecrets, Resolution};
use crate::model::{AppError, AppErrorKind, AppKind, Inventory, Secret, ServiceId, ServiceInfo};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Everything the engine needs to talk to the stack.
#[derive(Debug, Clone)]
pub struct Live {
    pub inventory: Inventory,
    pub endpoints: BTreeMap<ServiceId, AppEndpoint>,
    pub creds: BTreeMap<ServiceId, AppCreds>,
    pub secrets: KnownSecrets,
    pub desired: Desired,
    pub prune: bool,
}

impl Live {
    pub fn resolution(&self) -> Resolution {
        resolve(&self.desired, &self.inventory, &self.secrets)
    }

    pub fn prune(&self) -> bool {
        self.prune || self.desired.prune
    }

    /// The key the console uses to call `svc`: the configured/collected one, else the key read
    /// from the app, else the key Secret.
    pub fn api_key(&self, svc: &ServiceInfo) -> Result<Secret, String> {
        if let Some(k) = self
            .creds
            .get(&svc.id)
            .and_then(|c| c.api_key.clone())
            .filter(|k| !k.is_empty())
        {
            return Ok(k);
        }
        self.secrets.app_key(svc, &self.desired.api_keys)
    }

    /// A fresh backend (plain: every read goes to the app).
    pub fn backend(&self) -> HttpBackend {
        let services = self
            .inventory
            .services
            .iter()
            .filter(|s| {
                s.kind.is_servarr()
                    || matches!(
                        s.kind,
                        AppKind::Jellyseerr | AppKind::Bazarr | AppKind::Sabnzbd
                    )
            })
            .map(|s| backend::ServiceAccess {
                id: s.id.clone(),
                kind: s.kind,
                endpoint: self.endpoints.get(&s.id).cloned(),
                key: self.api_key(s),
            })
            .collect();
        HttpBackend::new(services)
    }
}

/// The Jellyfin administrator for Jellyseerr's first sign-in, when the console knows one.
fn jellyfin_admin<'a>(live: &'a Live, jellyfin: &ServiceId) -> Option<(&'a str, &'a Secret)> {
    let c = live.creds.get(jellyfin)?;
    let user = c.username.as_deref().filter(|u| !u.is_empty())?;
    let pass = c.password.as_ref().filter(|p| !p.is_empty())?;
    Some((user, pass))
}

/// The Jellyseerr → Jellyfin edge, when the graph has one and Jellyseerr is not set up yet.
async fn pending_first_login<'a>(
    live: &Live,
    b: &HttpBackend,
    res: &'a Resolution,
) -> Option<&'a crate::integrate::Edge> {
    let edge = res
        .edges
        .iter()
        .find(|e| e.kind == crate::integrate::EdgeKind::SeerrJellyfin)?;
    jellyfin_admin(live, &edge.to)?;
    match seerr::is_set_up(b, edge).await {
        Ok(false) => Some(edge),
        _ => None,
    }
}

/// Without the Jellyfin administrator, Jellyseerr's first sign-in stays a manual step: its
/// reason says where the console looked for the administrator.
fn say_why_no_first_login(live: &Live, res: &Resolution, plan: &mut Plan) {
    let Some(edge) = res
        .edges
        .iter()
        .find(|e| e.kind == crate::integrate::EdgeKind::SeerrJellyfin)
    else {
        return;
    };
    if jellyfin_admin(live, &edge.to).is_some() {
        return;
    }
    let Some(why) = live
        .creds
        .get(&edge.to)
        .and_then(|c| c.why_no_login.as_ref())
    else {
        return;
    };
    for p in plan.edges.iter_mut().filter(|p| p.id == edge.id) {
        for c in &mut p.changes {
            if let crate::integrate::Change::Manual { reason } = c {
                reason.push_str(&format!(" ({why})"));
            }
        }
    }
}

fn first_login_what(user: &str) -> String {
    format!(
        "first sign-in to Jellyseerr as Jellyfin administrator {user} (creates its admin and \
         Jellyfin server, finishes setup)"
    )
}

/// A plan read from the live apps, with what the integrations pane shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct LivePlan {
    #[serde(skip)]
    pub resolution: Resolution,
    pub plan: Plan,
    /// What each `from` app returned, by edge id (the pane's "current vs desired").
    #[serde(skip)]
    pub current: BTreeMap<String, Result<Current, AppError>>,
    #[serde(flatten)]
    pub extras: Extras,
    /// `X-Application-Version` per Servarr app (`None`: the app did not say).
    pub versions: BTreeMap<ServiceId, Option<String>>,
    /// Apps whose version is missing or one the console was not built against (never guessed).
    pub version_warnings: Vec<String>,
    /// Requests made to build this plan, by `service METHOD resource`.
    pub requests: BTreeMap<String, usize>,
    /// Writes made (always 0 for a plan).
    pub writes: usize,
    pub elapsed_ms: u64,
}

/// Read every edge's app once and plan; reads run in parallel.
pub async fn read_plan(live: &Live) -> LivePlan {
    let started = Instant::now();
    let backend = live.backend().snapshot_reads();
    let resolution = live.resolution();
    let b = &backend;
    let reads = resolution
        .edges
        .iter()
        .map(|e| async move { (e.id.clone(), b.read(e).await) });
    let (current, extras, down) = futures::join!(
        futures::future::join_all(reads),
        extras::read(b, &live.inventory),
        blocked::down_targets(live, &resolution.edges)
    );
    let current: BTreeMap<String, Result<Current, AppError>> = current.into_iter().collect();
    let mut plan = plan(&resolution, &current, live.prune());
    for (id, cat) in sabnzbd::missing_categories(b, &resolution.edges).await {
        if let Some(p) = plan.edges.iter_mut().find(|p| p.id == id) {
            let reason = format!(
                "{}: SABnzbd has no category {cat} (downloads and the connection test fail)",
                p.label
            );
            p.state = match std::mem::replace(&mut p.state, crate::integrate::EdgeState::Configured)
            {
                crate::integrate::EdgeState::Drift { mut reasons } => {
                    reasons.push(reason);
                    crate::integrate::EdgeState::Drift { reasons }
                }
                crate::integrate::EdgeState::Configured => crate::integrate::EdgeState::Drift {
                    reasons: vec![reason],
                },
                other => other,
            };
            p.changes.insert(
                0,
                crate::integrate::Change::Create {
                    what: sabnzbd::describe(&cat),
                    body: crate::keys::WireJson::new(serde_json::json!({})),
                },
            );
        }
    }
    if let Some(edge) = pending_first_login(live, b, &resolution).await {
        if let (Some(p), Some((user, _))) = (
            plan.edges.iter_mut().find(|p| p.id == edge.id),
            jellyfin_admin(live, &edge.to),
        ) {
            p.state = crate::integrate::EdgeState::Missing;
            p.changes = vec![crate::integrate::Change::Create {
                what: first_login_what(user),
                body: crate::keys::WireJson::new(serde_json::json!({})),
            }];
        }
    }
    say_why_no_first_login(live, &resolution, &mut plan);
    for p in plan.edges.iter_mut() {
        let unresolved = resolution
            .unresolved
            .iter()
            .find(|u| u.id == p.id)
            .map(|u| u.why.as_str());
        let read = current.get(&p.id);
        if let Some(why) = blocked::first_failing(live, &down, &p.from, &p.to, read, unresolved) {
            p.block(why);
        }
    }
    plan.prowlarr = extras
        .indexers
        .iter()
        .find(|c| c.kind == AppKind::Prowlarr)
        .map(|c| crate::integrate::plan::ProwlarrIndexers {
            app: c.app.clone(),
            count: c.count,
            url: prowlarr_url(live),
        });
    LivePlan {
        resolution,
        plan,
        current,
        extras,
        version_warnings: version_warnings(&live.inventory, &backend.app_versions()),
        versions: backend.app_versions(),
        requests: backend.requests(),
        writes: backend.writes(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Where the user adds indexers: Prowlarr's Ingress URL, else its endpoint.
pub fn prowlarr_url(live: &Live) -> String {
    live.inventory
        .first(AppKind::Prowlarr)
        .and_then(|s| {
            s.ingresses
                .first()
                .map(|i| format!("https://{}{}", i.host, i.path.trim_end_matches('/')))
                .or_else(|| live.endpoints.get(&s.id).map(|e| e.describe()))
        })
        .unwrap_or_else(|| "Prowlarr's web UI".into())
}

/// Major versions of the Servarr apps whose APIs the clients follow.
fn known_majors(kind: AppKind) -> &'static [u64] {
    match kind {
        AppKind::Sonarr => &[3, 4],
        AppKind::Radarr => &[3, 4, 5, 6],
        AppKind::Lidarr => &[1, 2],
        AppKind::Prowlarr => &[1, 2],
        _ => &[],
    }
}

/// A warning for a Servarr app's `X-Application-Version`: absent, unparsable, or a major
/// version the console was not built against. `None`: a known version.
pub fn version_note(kind: AppKind, version: Option<&str>) -> Option<String> {
    let app = kind.display();
    let Some(v) = version.map(str::trim).filter(|v| !v.is_empty()) else {
        return Some(format!(
            "{app} did not send X-Application-Version: its version is unknown (a proxy in front?)"
        ));
    };
    let major = v
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse::<u64>()
        .ok();
    match major {
        Some(m) if known_majors(kind).contains(&m) => None,
        Some(_) | None => Some(format!(
            "{app} {v} is a version the console was not built against (known: {}); results may \
             be wrong",
            known_majors(kind)
                .iter()
                .map(|m| format!("v{m}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn version_warnings(inv: &Inventory, seen: &BTreeMap<ServiceId, Option<String>>) -> Vec<String> {
    inv.services
        .iter()
        .filter(|s| s.kind.is_servarr())
        .filter_map(|s| {
            let v = seen.get(&s.id)?;
            version_note(s.kind, v.as_deref()).map(|w| format!("{}: {w}", s.id))
        })
        .collect()
}

/// Plan, write, re-read, verify and test every edge (see [`crate::integrate::apply`]).
/// Edges that cannot be resolved are reported as failed at the read stage.
pub async fn apply(live: &Live, progress: &(dyn Fn(ApplyEvent) + Send + Sync)) -> ApplyReport {
    apply_with(live, &live.backend(), progress).await
}

/// [`apply`] over a given backend (benchmarks and tests read its counters afterwards).
pub async fn apply_with(
    live: &Live,
    backend: &HttpBackend,
    progress: &(dyn Fn(ApplyEvent) + Send + Sync),
) -> ApplyReport {
    let mut resolution = live.resolution();
    // Edges whose target is down get no write (it would fail every time): reported as blocked.
    let down = blocked::down_targets(live, &resolution.edges).await;
    let mut blocked_edges = Vec::new();
    resolution.edges.retain(|e| {
        match blocked::first_failing(live, &down, &e.from, &e.to, None, None) {
            Some(why) => {
                blocked_edges.push((e.clone(), why));
                false
            }
            None => true,
        }
    });
    let opts = ApplyOptions {
        prune: live.prune(),
        test: true,
    };
    let mut first_login: Option<(String, Result<String, AppError>)> = None;
    if let Some(edge) = pending_first_login(live, backend, &resolution).await {
        if let Some((user, password)) = jellyfin_admin(live, &edge.to) {
            let who = seerr::FirstLogin {
                username: user,
                password,
            };
            let what = first_login_what(user);
            let r = seerr::first_login(backend, edge, &who).await;
            progress(ApplyEvent {
                edge_id: edge.id.clone(),
                label: edge.label(),
                stage: Stage::Write,
                ok: r.is_ok(),
                detail: match &r {
                    Ok(()) => what.clone(),
                    Err(e) => format!("{what}: {}", e.detail),
                },
            });
            first_login = Some((edge.id.clone(), r.map(|_| what)));
        }
    }
    let mut categories: Vec<(String, String, Result<(), AppError>)> = Vec::new();
    for (id, cat) in sabnzbd::missing_categories(backend, &resolution.edges).await {
        let Some(edge) = resolution.edges.iter().find(|e| e.id == id) else {
            continue;
        };
        let what = format!("create {}", sabnzbd::describe(&cat));
        let r = sabnzbd::create_category(backend, edge, &cat).await;
        progress(ApplyEvent {
            edge_id: id.clone(),
            label: edge.label(),
            stage: Stage::Write,
            ok: r.is_ok(),
            detail: match &r {
                Ok(()) => what.clone(),
                Err(e) => format!("{what}: {}", e.detail),
            },
        });
        categories.push((id, what, r));
    }
    let mut report = engine::apply(backend, &resolution.edges, opts, progress).await;
    for (id, what, r) in categories {
        if let Some(o) = report.outcomes.iter_mut().find(|o| o.id == id) {
            match r {
                Ok(()) => o.applied.insert(0, what),
                Err(e) => {
                    o.not_applied.insert(0, what);
                    if o.failed.is_none() {
                        o.failed = Some(Failure {
                            stage: Stage::Write,
                            error: e,
                        });
                    }
                }
            }
        }
    }
    if let Some((id, r)) = first_login {
        if let Some(o) = report.outcomes.iter_mut().find(|o| o.id == id) {
            match r {
                Ok(what) => {
                    o.applied.insert(0, what);
                    o.before = Some(crate::integrate::EdgeState::Missing);
                }
                Err(e) => {
                    if o.failed.is_none() {
                        o.failed = Some(Failure {
                            stage: Stage::Write,
                            error: e,
                        });
                    }
                }
            }
        }
    }
    for (e, why) in blocked_edges {
        progress(ApplyEvent {
            edge_id: e.id.clone(),
            label: e.label(),
            stage: Stage::Read,
            ok: false,
            detail: format!("blocked: {why}"),
        });
        report.outcomes.push(EdgeOutcome {
            id: e.id.clone(),
            label: e.label(),
            from: e.from.clone(),
            before: Some(crate::integrate::EdgeState::Blocked { why: why.clone() }),
            applied: vec![],
            not_applied: vec![],
            manual: vec![],
            failed: Some(Failure {
                stage: Stage::Read,
                error: AppError::new(AppErrorKind::Unreachable, format!("blocked: {why}")),
            }),
            after: None,
            test: TestOutcome::Skipped,
        });
    }
    for u in &resolution.unresolved {
        let why = match blocked::first_failing(live, &down, &u.from, &u.to, None, Some(&u.why)) {
            Some(b) => format!("blocked: {b}"),
            None => u.why.clone(),
        };
        progress(ApplyEvent {
            edge_id: u.id.clone(),
            label: u.label.clone(),
            stage: Stage::Read,
            ok: false,
            detail: why.clone(),
        });
        report.outcomes.push(EdgeOutcome {
            id: u.id.clone(),
            label: u.label.clone(),
            from: u.from.clone(),
            before: None,
            applied: vec![],
            not_applied: vec![],
            manual: vec![],
            failed: Some(Failure {
                stage: Stage::Read,
                error: AppError::new(AppErrorKind::Config, why),
            }),
            after: None,
            test: TestOutcome::Skipped,
        });
    }
    report
}

/// Run each configured edge's connection test (the app's own test endpoint).
pub async fn test_all(live: &Live) -> Vec<(String, Result<(), AppError>)> {
    let backend = live.backend();
    let resolution = live.resolution();
    let b = &backend;
    let runs = resolution.edges.iter().map(|e| async move {
        let r = match b.read(e).await {
            Err(e) => Err(e),
            Ok(cur) => match matched_entry(e, &cur) {
                Some(entry) => b.test(e, entry).await,
                None => Err(AppError::new(
                    AppErrorKind::Config,
                    format!("{} is not configured", e.label()),
                )),
            },
        };
        (e.id.clone(), r)
    });
    let mut out: Vec<_> = futures::future::join_all(runs).await;
    out.extend(resolution.unresolved.iter().map(|u| {
        (
            u.id.clone(),
            Err(AppError::new(AppErrorKind::Config, u.why.clone())),
        )
    }));
    out
}

/// How long [`sync_indexers`] waits for Prowlarr's command to finish.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// Prowlarr `ApplicationIndexerSync`: start it and wait until the command completes.
pub async fn sync_indexers(live: &Live) -> Result<(), AppError> {
    let prowlarr = live
        .inventory
        .first(AppKind::Prowlarr)
        .ok_or_else(|| AppError::new(AppErrorKind::Config, "no Prowlarr was discovered"))?;
    let backend = live.backend();
    let c = backend.servarr(&prowlarr.id)?;
    let started = c.command("ApplicationIndexerSync").await?;
    let deadline = Instant::now() + SYNC_TIMEOUT;
    let mut cmd = started;
    let mut wait = Duration::from_millis(50);
    while !cmd.is_done() {
        if Instant::now() >= deadline {
            return Err(AppError::new(
                AppErrorKind::Timeout {
                    after_ms: SYNC_TIMEOUT.as_millis() as u64,
                },
                format!(
                    "ApplicationIndexerSync still {} after {}s",
                    cmd.status,
                    SYNC_TIMEOUT.as_secs()
                ),
            ));
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(1));
        cmd = c.command_status(cmd.id).await?;
    }
    let failed = cmd.status != "completed" || cmd.result.as_deref() == Some("unsuccessful");
    if failed {
        return Err(AppError::new(
            AppErrorKind::Http { status: 200 },
            format!(
                "ApplicationIndexerSync {}: {}",
                cmd.status,
                cmd.message.unwrap_or_else(|| "no message".into())
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_checked_not_guessed() {
        assert_eq!(version_note(AppKind::Sonarr, Some("4.0.19.2979")), None);
        assert_eq!(version_note(AppKind::Lidarr, Some("2.14.5.4824")), None);
        let v5 = version_note(AppKind::Sonarr, Some("5.0.0.100")).expect("warn");
        assert!(v5.contains("Sonarr 5.0.0.100") && v5.contains("v4"), "{v5}");
        assert!(version_note(AppKind::Radarr, None)
            .expect("warn")
            .contains("X-Application-Version"));
        assert!(version_note(AppKind::Prowlarr, Some("nightly")).is_some());
    }
}
