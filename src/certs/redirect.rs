//! FR017: does plain HTTP redirect to HTTPS? `GET http://host/path` (to the ingress's HTTP
//! address, or the host resolved, port 80) must answer 301/302/307/308 with a `Location` on
//! `https://`. Redirects are never followed.

use serde::Serialize;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What plain HTTP answered for one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedirectCheck {
    /// The URL requested.
    pub url: String,
    pub status: Option<u16>,
    pub location: Option<String>,
    /// Why no answer was read.
    pub error: Option<String>,
}

impl RedirectCheck {
    /// `Some(true)`: redirects to HTTPS; `Some(false)`: answers without; `None`: unknown.
    pub fn redirects(&self) -> Option<bool> {
        let status = self.status?;
        Some(
            matches!(status, 301 | 302 | 307 | 308)
                && self
                    .location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("https://")),
        )
    }
}

/// Request `http://host/path` at `address` (or `host:80`).
pub async fn check(
    host: &str,
    path: &str,
    address: Option<&str>,
    timeout: Duration,
) -> RedirectCheck {
    let url = format!("http://{host}{path}");
    let addr = address.map_or_else(|| format!("{host}:80"), str::to_string);
    let fail = |e: String| RedirectCheck {
        url: url.clone(),
        status: None,
        location: None,
        error: Some(e),
    };
    let run = async {
        let mut s = TcpStream::connect(&addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: k8s-nas\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| format!("{addr}: {e}"))?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16_384 {
            let n = s
                .read(&mut chunk)
                .await
                .map_err(|e| format!("{addr}: {e}"))?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Ok::<Vec<u8>, String>(buf)
    };
    let buf = match tokio::time::timeout(timeout, run).await {
        Err(_) => {
            return fail(format!(
                "no answer from {addr} within {} ms",
                timeout.as_millis()
            ))
        }
        Ok(Err(e)) => return fail(e),
        Ok(Ok(b)) => b,
    };
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .filter(|l| l.starts_with("HTTP/"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok());
    let Some(status) = status else {
        return fail(format!("{addr} did not answer HTTP"));
    };
    let location = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.trim().to_string());
    RedirectCheck {
        url,
        status: Some(status),
        location,
        error: None,
    }
}
