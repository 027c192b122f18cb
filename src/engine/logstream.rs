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

/// Write `lines` to `<dir>/<name>-<UTC time>.log` (`name` made file-safe); the path written.
pub async fn save(
    dir: &std::path::Path,
    name: &str,
    lines: &[String],
) -> anyhow::Result<std::path::PathBuf> {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
    tokio::fs::create_dir_all(dir).await?;
    let path = dir.join(format!("{safe}-{stamp}.log"));
    let mut text = lines.join("\n");
    text.push('\n');
    tokio::fs::write(&path, text).await?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn save_writes_the_lines_under_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let lines = vec!["a".to_string(), "b".to_string()];
        let path = super::save(&dir.path().join("logs"), "media/bazarr:x", &lines)
            .await
            .unwrap();
        assert!(path.starts_with(dir.path().join("logs")));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("media_bazarr_x-") && name.ends_with(".log"),
            "{name}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\n");
    }
}
