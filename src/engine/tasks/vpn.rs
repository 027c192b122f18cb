//! VPN tasks: restart a pod's tunnel through gluetun's control server (stopped → running),
//! then wait until it runs with an exit IP; a tunnel left stopped by a failure or a cancel is
//! set running again by the clean-up.

use super::TaskEnv;
use crate::clients::gluetun::GluetunClient;
use crate::engine::sched::TaskCtx;
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
    t.control.ok_or_else(|| {
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
