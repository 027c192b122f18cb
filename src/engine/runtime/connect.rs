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
