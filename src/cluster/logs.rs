//! Pod logs: a tail, or a follow stream, as lines.

use super::{explain, ClusterConn};
use futures::{AsyncBufRead, AsyncBufReadExt, Stream, StreamExt};
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
    Ok(bounded_lines(reader, crate::bounds::MAX_LOG_LINE)
        .map(|r| r.unwrap_or_else(|e| format!("[log stream ended: {e}]"))))
}

/// Lines of `reader` (without `\n`/`\r\n`), each at most `max` bytes: the rest of a longer line
/// is skipped, never buffered, and the line ends with a mark saying how much was dropped.
pub fn bounded_lines<R: AsyncBufRead + Unpin + Send + 'static>(
    reader: R,
    max: usize,
) -> impl Stream<Item = std::io::Result<String>> + Send + 'static {
    futures::stream::unfold(Some(reader), move |state| async move {
        let mut r = state?;
        let mut line: Vec<u8> = Vec::new();
        let mut dropped = 0usize;
        loop {
            let buf = match r.fill_buf().await {
                Ok(b) => b,
                Err(e) => return Some((Err(e), None)),
            };
            if buf.is_empty() {
                if line.is_empty() && dropped == 0 {
                    return None;
                }
                return Some((Ok(finish(line, dropped)), None));
            }
            let (chunk, consumed, done) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = max.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            dropped += chunk.len().saturating_sub(room);
            r.consume_unpin(consumed);
            if done {
                return Some((Ok(finish(line, dropped)), Some(r)));
            }
        }
    })
}

fn finish(mut line: Vec<u8>, dropped: usize) -> String {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let mut s = String::from_utf8_lossy(&line).into_owned();
    if dropped > 0 {
        s.push_str(&format!(" … [{dropped} more bytes]"));
    }
    s
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    #[tokio::test]
    async fn an_endless_line_is_cut_not_buffered() {
        let mut data = vec![b'x'; 5 << 20];
        data.extend_from_slice(b"\r\nnext\nlast");
        let r = futures::io::Cursor::new(data);
        let lines: Vec<String> = super::bounded_lines(r, 1024)
            .map(|l| l.unwrap())
            .collect()
            .await;
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(&"x".repeat(1024)));
        assert!(lines[0].ends_with(" more bytes]"), "{}", &lines[0][1024..]);
        assert_eq!(lines[1], "next");
        assert_eq!(lines[2], "last");
    }
}
