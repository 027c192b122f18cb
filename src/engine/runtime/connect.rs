//! Connecting once, retrying with backoff and saying so in the banner, never blocking the screen.

use crate::bus::{Effect, Msg, TaskOutcome};
use crate::cluster::{self, ClusterConn};
use crate::config::Config;
use std::time::Duration;
use tokio::sync::mpsc;

pub(super) async fn connect_with_retry(
    cfg: &Config,
    tx: &mpsc::Sender<Msg>,
    effects: &mut mpsc::UnboundedReceiver<Effect>,
) -> Option<ClusterConn> {
    let mut delay = Duration::from_secs(2);
    loop {
        // A server that accepts and never answers is shown within seconds (issue 13, point 4).
        let deadline = Duration::from_secs(5);
        let err = match cluster::connect(cfg.kubeconfig.as_deref(), cfg.context.as_deref()).await {
            Ok(conn) => match version_within(&conn.client, deadline).await {
                Ok(()) => return Some(conn),
                Err(Some(e)) => e,
                Err(None) => format!(
                    "the API server {} did not answer within {} s",
                    conn.server,
                    deadline.as_secs()
                ),
            },
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

/// Ask the API server `/version` within `deadline`: `Err(Some(why))` when it answered with an
/// error, `Err(None)` when it did not answer in time.
async fn version_within(client: &kube::Client, deadline: Duration) -> Result<(), Option<String>> {
    match tokio::time::timeout(deadline, client.apiserver_version()).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(Some(cluster::explain(&e))),
        Err(_) => Err(None),
    }
}

/// How often the engine asks the API server whether it still answers.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);
/// How long one heartbeat may take before the server counts as stalled.
pub const HEARTBEAT_DEADLINE: Duration = Duration::from_secs(5);

/// Ask the API server `/version` every [`HEARTBEAT_EVERY`] (one small request; on HTTP/2 it
/// shares the watches' connection). Only changes are reported: `Err(why)` when it stops
/// answering — a server that freezes after the console connected is bannered within seconds,
/// while the watches would wait for minutes — and `Ok(())` when it answers again.
pub(super) fn heartbeat(conn: &ClusterConn) -> mpsc::Receiver<Result<(), String>> {
    let (tx, rx) = mpsc::channel(2);
    let (client, server) = (conn.client.clone(), conn.server.clone());
    tokio::spawn(async move {
        let mut ok = true;
        let mut since: Option<tokio::time::Instant> = None;
        // The connect has just asked `/version`: the first beat is one interval later.
        let first = tokio::time::Instant::now() + HEARTBEAT_EVERY;
        let mut tick = tokio::time::interval_at(first, HEARTBEAT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = tokio::time::Instant::now();
            let why = match version_within(&client, HEARTBEAT_DEADLINE).await {
                Ok(()) => None,
                Err(Some(e)) => Some(e),
                Err(None) => Some(format!(
                    "the API server {server} has not answered for {} s (still trying)",
                    since
                        .unwrap_or(now)
                        .elapsed()
                        .as_secs()
                        .max(HEARTBEAT_DEADLINE.as_secs())
                )),
            };
            let report = match why {
                None if ok => continue,
                None => {
                    since = None;
                    Ok(())
                }
                Some(why) => {
                    since.get_or_insert(now);
                    Err(why)
                }
            };
            ok = report.is_ok();
            if tx.send(report).await.is_err() {
                return;
            }
        }
    });
    rx
}
