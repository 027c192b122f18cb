//! Container log streams for the UI (`Effect::StreamLogs`), each its own task, batched.

use crate::bus::{Msg, StreamId};
use crate::cluster::{logs, ClusterConn};
use std::time::Duration;
use tokio::sync::mpsc;

/// Stream one container's log to the UI until it ends, at most one message per 100 ms.
pub async fn stream_logs(
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
