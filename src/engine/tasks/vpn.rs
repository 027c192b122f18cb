//! VPN tasks: restart a pod's tunnel through gluetun's control server (stopped → running),
//! then wait until it runs with an exit IP; a tunnel left stopped by a failure or a cancel is
//! set running again by the clean-up.

use super::{run, Task, TaskEnv};
use crate::clients::gluetun::GluetunClient;
use crate::engine::sched::{TaskCtx, TaskSpec};
use crate::model::ServiceId;
use std::time::{Duration, Instant};

pub const RESTART_STEPS: &[&str] = &["stop the tunnel", "start the tunnel", "wait until it runs"];

/// How long a restarted tunnel may take to run with an exit IP.
const RESTART_BUDGET: Duration = Duration::from_secs(90);

async fn control(env: &TaskEnv, id: &ServiceId) -> anyhow::Result<GluetunClient> {
    let facts = env.facts().await?;
    let inv = facts.inventory(&env.cfg);
    let creds = facts.credentials(&env.cfg);
    let targets =
        crate::vpn::observe::targets(&env.cfg, &facts.conn, &facts.listing.objects, &inv, &creds);
    let (_, t) = targets
        .into_iter()
        .find(|(k, _)| k == id)
        .ok_or_else(|| anyhow::anyhow!("{id} has no VPN sidecar"))?;
    if t.pod.is_none() {
        anyhow::bail!("{id} has no running pod");
    }
    t.control_client().await.0.ok_or_else(|| {
        anyhow::anyhow!(
            "{id}: gluetun's control server listens on loopback only (HTTP_CONTROL_SERVER_ADDRESS)"
        )
    })
}

pub async fn restart(env: TaskEnv, ctx: TaskCtx, id: ServiceId) -> anyhow::Result<String> {
    let g = control(&env, &id).await?;
    ctx.step(1).await;
    let out = g.set_vpn_status("stopped").await?;
    ctx.lines(vec![format!("PUT /v1/vpn/status stopped: {out}")])
        .await;
    let again = g.clone();
    let cleanup = ctx.on_cleanup("set the tunnel running again", move || {
        Box::pin(async move {
            again.set_vpn_status("running").await?;
            Ok(())
        })
    });
    ctx.step(2).await;
    let out = g.set_vpn_status("running").await?;
    ctx.dismiss_cleanup(cleanup);
    ctx.lines(vec![format!("PUT /v1/vpn/status running: {out}")])
        .await;
    ctx.step(3).await;
    let started = Instant::now();
    loop {
        let status = g.vpn_status().await;
        let ip = g.public_ip().await;
        match (&status, &ip) {
            (Ok(s), Ok(p)) if s == "running" && !p.public_ip.is_empty() => {
                env.refresh.now();
                return Ok(format!(
                    "{id}: tunnel running again, exit IP {} {}",
                    p.public_ip, p.country
                ));
            }
            _ if started.elapsed() > RESTART_BUDGET => {
                anyhow::bail!(
                    "{id}: tunnel not running with an exit IP after {} s (status {:?})",
                    RESTART_BUDGET.as_secs(),
                    status.map_err(|e| e.detail)
                );
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

pub const TEST_DOWNLOAD_STEPS: &[&str] = &[
    "check the binding",
    "add the test torrent",
    "wait for metadata or data",
    "remove the torrent and its data",
];

/// The dedicated category of the test download (nothing else may be in it).
const TEST_CATEGORY: &str = "k8s-nas-vpn-test";
/// A small, legal torrent: Debian's netinst image (an archived release, so the URL stays).
pub const DEFAULT_TEST_TORRENT: &str =
    "https://cdimage.debian.org/cdimage/archive/12.0.0/amd64/bt-cd/debian-12.0.0-amd64-netinst.iso.torrent";

/// FR006: add a small legal torrent to qBittorrent under a dedicated category while it is bound
/// to the tunnel, wait until it has its metadata or data, report, then remove it with its data
/// (also on failure or cancel). Time-boxed by `[vpn] test_timeout_seconds` (120 s).
pub async fn test_download(env: TaskEnv, ctx: TaskCtx, id: ServiceId) -> anyhow::Result<String> {
    use crate::clients::qbittorrent::QbitClient;
    ctx.step(1).await;
    let facts = env.facts().await?;
    let inv = facts.inventory(&env.cfg);
    let creds = facts.credentials(&env.cfg);
    let targets =
        crate::vpn::observe::targets(&env.cfg, &facts.conn, &facts.listing.objects, &inv, &creds);
    let (_, t) = targets
        .into_iter()
        .find(|(k, _)| k == &id)
        .ok_or_else(|| anyhow::anyhow!("{id} is not a qBittorrent behind a VPN sidecar"))?;
    let Some((ep, user, pw)) = t.qbit.clone() else {
        anyhow::bail!("{id} is not a qBittorrent behind a VPN sidecar");
    };
    let report = crate::vpn::VpnReport::new(crate::vpn::observe::observe(&t).await);
    if report.verdict != crate::vpn::Verdict::Secure {
        anyhow::bail!(
            "{id} is {}: {} — no test download outside a proven tunnel",
            report.verdict.label(),
            report.reason
        );
    }
    let again = (ep.clone(), user.clone(), pw.clone());
    let q = QbitClient::new(ep, user, pw);
    let bound = q.preferences().await?.current_network_interface;
    ctx.lines(vec![format!("{}; bound to {bound}", report.reason)])
        .await;
    ctx.step(2).await;
    if !q.torrents(Some(TEST_CATEGORY)).await?.is_empty() {
        anyhow::bail!("category {TEST_CATEGORY} is not empty: remove its torrents first");
    }
    let save = format!(
        "{}/{TEST_CATEGORY}",
        q.preferences().await?.save_path.trim_end_matches('/')
    );
    let created = q.ensure_category(TEST_CATEGORY, &save).await?;
    let torrent = env
        .cfg
        .vpn
        .test_torrent
        .clone()
        .unwrap_or_else(|| DEFAULT_TEST_TORRENT.to_string());
    let (ep2, user2, pw2) = again;
    let cleanup = ctx.on_cleanup(
        "remove the test torrent, its data and category",
        move || {
            Box::pin(async move {
                let q = QbitClient::new(ep2, user2, pw2);
                remove_test(&q, created).await
            })
        },
    );
    q.add_urls(&torrent, TEST_CATEGORY).await?;
    ctx.lines(vec![format!("added {torrent} to category {TEST_CATEGORY}")])
        .await;
    ctx.step(3).await;
    let budget = Duration::from_secs(env.cfg.vpn.test_timeout_seconds.unwrap_or(120));
    let started = Instant::now();
    let got = loop {
        let ts = q.torrents(Some(TEST_CATEGORY)).await?;
        if let Some(t) = ts
            .iter()
            .find(|t| t.has_metadata || t.progress > 0.0 || t.state == "downloading")
        {
            break format!("{} ({}, {:.1} %)", t.name, t.state, t.progress * 100.0);
        }
        if started.elapsed() > budget {
            anyhow::bail!(
                "no metadata or data within {} s (states: {:?})",
                budget.as_secs(),
                ts.iter().map(|t| t.state.clone()).collect::<Vec<_>>()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let still = q.preferences().await?.current_network_interface;
    if !crate::vpn::is_tunnel_interface(&still) {
        anyhow::bail!("qBittorrent left the tunnel during the test (bound to {still:?})");
    }
    ctx.step(4).await;
    remove_test(&q, created).await?;
    ctx.dismiss_cleanup(cleanup);
    env.refresh.now();
    Ok(format!(
        "test download works through the tunnel ({}): {got}; removed with its data",
        report.exit_label()
    ))
}

async fn remove_test(
    q: &crate::clients::qbittorrent::QbitClient,
    created: bool,
) -> anyhow::Result<()> {
    let hashes: Vec<String> = q
        .torrents(Some(TEST_CATEGORY))
        .await?
        .into_iter()
        .map(|t| t.hash)
        .collect();
    if !hashes.is_empty() {
        q.delete_torrents(&hashes.join("|"), true).await?;
    }
    if created {
        q.remove_category(TEST_CATEGORY).await?;
    }
    Ok(())
}

/// Restart a pod's tunnel, locking its service: its spec and body.
pub(super) fn restart_task(title: String, env: TaskEnv, id: ServiceId) -> Task {
    run(
        TaskSpec::mutating(title, vec![id.as_str().to_string()], RESTART_STEPS),
        env,
        id,
        restart,
    )
}

/// The test download through a pod's tunnel, locking its service: its spec and body.
pub(super) fn test_download_task(title: String, env: TaskEnv, id: ServiceId) -> Task {
    run(
        TaskSpec::mutating(title, vec![id.as_str().to_string()], TEST_DOWNLOAD_STEPS),
        env,
        id,
        test_download,
    )
}
