//! Outbound HTTP from inside the simulated cluster: host names resolve through
//! [`SimDns`](crate::sim::apps::SimDns) from the app's namespace and the original `Host` header is
//! sent, so the receiving simulator sees what it would see in the cluster.

use super::Sim;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// One outbound answer.
#[derive(Debug)]
pub struct OutResp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl OutResp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).trim().to_string()
    }
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A request body.
pub enum OutBody {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
}

/// Send one request from inside the simulated cluster.
pub async fn call(
    sim: &Sim,
    method: Method,
    url: &str,
    headers: &[(&str, String)],
    body: OutBody,
) -> Result<OutResp, String> {
    let mut u = url::Url::parse(url).map_err(|e| format!("invalid URL '{url}': {e}"))?;
    let host = u.host_str().ok_or("URL has no host")?.to_string();
    let port = u.port_or_known_default().ok_or("URL has no port")?;
    let host_header = match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let addr = sim
        .dns
        .resolve(&sim.cfg.namespace, host.trim_matches(['[', ']']), port)
        .ok_or_else(|| format!("Name or service not known ({host})"))?;
    u.set_ip_host(addr.ip())
        .map_err(|_| "cannot address resolved host".to_string())?;
    u.set_port(Some(addr.port()))
        .map_err(|_| "cannot set port".to_string())?;
    let mut rb = sim
        .http
        .request(method, u.as_str())
        .header("host", host_header);
    for (k, v) in headers {
        rb = rb.header(*k, v);
    }
    rb = match body {
        OutBody::None => rb,
        OutBody::Form(f) => rb.form(&f),
        OutBody::Json(v) => rb
            .header("content-type", "application/json")
            .body(v.to_string()),
    };
    let resp = rb.send().await.map_err(|e| crate::root_cause(&e))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    Ok(OutResp {
        status,
        headers,
        body,
    })
}
