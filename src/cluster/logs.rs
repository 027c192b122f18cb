//! Pod logs: a tail, or a follow stream, as lines.

use super::{explain, ClusterConn};
use futures::{AsyncBufReadExt, Stream, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub follow: bool,
    pub tail: Option<i64>,
    pub previous: bool,
    pub timestamps: bool,
    pub since_seconds: Option<i64>,
}

/// A stream of log lines (without trailing newlines). Errors end the stream with one
/// explanatory line rather than a panic.
pub async fn stream(
    conn: &ClusterConn,
    req: &LogRequest,
) -> anyhow::Result<impl Stream<Item = String> + Send + 'static> {
    let api: Api<Pod> = Api::namespaced(conn.client.clone(), &req.namespace);
    let params = LogParams {
        container: req.container.clone(),
        follow: req.follow,
        tail_lines: req.tail,
        previous: req.previous,
        timestamps: req.timestamps,
        since_seconds: req.since_seconds,
        ..Default::default()
    };
    let reader = api
        .log_stream(&req.pod, &params)
        .await
        .map_err(|e| anyhow::anyhow!(explain(&e)))?;
    Ok(reader
        .lines()
        .map_err(|e| e.to_string())
        .map(|r| r.unwrap_or_else(|e| format!("[log stream ended: {e}]"))))
}
