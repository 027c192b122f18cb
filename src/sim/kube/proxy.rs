//! The API server's proxies, forwarding a request to a backend registered with the simulator
//! and returning the answer untouched (no redirects followed):
//!
//! * service proxy `/api/v1/namespaces/{ns}/services/[scheme:]{name}[:{port}]/proxy/{path}`:
//!   the backend registered for that Service port; no Ready pod behind the Service → 503
//!   "no endpoints available".
//! * pod proxy `/api/v1/namespaces/{ns}/pods/[scheme:]{name}[:{port}]/proxy/{path}`: `port` is
//!   a container port (number or name; default the first declared). The backend is one
//!   registered for the pod ([`KubeSim::register_pod_backend`], for ports no Service exposes,
//!   like gluetun's control server), else the backend of a Service selecting the pod whose
//!   `targetPort` is that port. A pod that is not running → 503; nothing listening → 503
//!   "connection refused", as a real API server answers.

use super::controller::is_pod_ready;
use super::error::ApiError;
use super::registry;
use super::select::LabelSelector;
use super::server::{Shared, Target};
use super::KubeSim;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest proxied body in either direction.
const MAX_BODY: usize = 64 * 1024 * 1024;

fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "authorization"
            | "host"
            | "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "content-length"
    )
}

/// Split `[scheme:]name[:port]`.
pub fn parse_service_ref(s: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [name] => (name.to_string(), None),
        ["http" | "https", name, port] => (
            name.to_string(),
            Some(port.to_string()).filter(|p| !p.is_empty()),
        ),
        [name, port] => (
            name.to_string(),
            Some(port.to_string()).filter(|p| !p.is_empty()),
        ),
        _ => (s.to_string(), None),
    }
}

/// Decide where a proxy request goes: the backend address, or the Status to answer.
fn resolve(sh: &Shared, ns: &str, svc_ref: &str) -> Result<SocketAddr, ApiError> {
    let (name, port) = parse_service_ref(svc_ref);
    let store = sh.store();
    let services = registry::find("", "v1", "services")
        .ok_or_else(|| ApiError::not_found("services", &name))?;
    let pods =
        registry::find("", "v1", "pods").ok_or_else(|| ApiError::not_found("pods", &name))?;
    let svc = store
        .get(services, ns, &name)
        .ok_or_else(|| ApiError::not_found("services", &name))?;
    let no_endpoints =
        || ApiError::service_unavailable(format!("no endpoints available for service \"{name}\""));
    let ports: Vec<Value> = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let chosen = match &port {
        Some(p) => ports.iter().find(|sp| {
            sp["name"].as_str() == Some(p.as_str())
                || sp["port"].as_i64().map(|n| n.to_string()).as_deref() == Some(p.as_str())
        }),
        None => ports.first(),
    };
    let port_num = chosen
        .and_then(|sp| sp["port"].as_u64())
        .ok_or_else(no_endpoints)? as u16;
    let selector = &svc["spec"]["selector"];
    let ready = selector.as_object().is_some_and(|m| !m.is_empty()) && {
        let sel = LabelSelector::from_map(selector);
        store
            .list(pods, Some(ns))
            .into_iter()
            .any(|p| sel.matches(p) && is_pod_ready(p))
    };
    if !ready {
        return Err(no_endpoints());
    }
    store
        .backends
        .get(&(ns.to_string(), name.clone(), port_num))
        .copied()
        .ok_or_else(|| ApiError::service_unavailable(format!("error trying to reach service: dial tcp {ns}/{name}:{port_num}: connect: connection refused")))
}

/// Key of a pod backend in the store's backend map: pods have generated names, so a backend
/// is registered for a name prefix (the workload's name matches all its pods).
fn pod_key(pod_prefix: &str) -> String {
    format!("pod:{pod_prefix}")
}

impl KubeSim {
    /// Pod proxy target: `addr` answers for container port `port` of the pods of `namespace`
    /// whose name starts with `pod_prefix` (a pod name, or its workload's name).
    pub fn register_pod_backend(
        &self,
        namespace: &str,
        pod_prefix: &str,
        port: u16,
        addr: SocketAddr,
    ) {
        self.shared
            .store()
            .backends
            .insert((namespace.into(), pod_key(pod_prefix), port), addr);
    }
}

/// The container ports of a pod: `(name, number)`.
fn container_ports(pod: &Value) -> Vec<(Option<String>, u16)> {
    let mut out = Vec::new();
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        for p in c["ports"].as_array().into_iter().flatten() {
            if let Some(n) = p["containerPort"]
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
            {
                out.push((p["name"].as_str().map(str::to_string), n));
            }
        }
    }
    out
}

/// Where a pod proxy request goes.
fn resolve_pod(sh: &Shared, ns: &str, pod_ref: &str) -> Result<SocketAddr, ApiError> {
    let (name, port) = parse_service_ref(pod_ref);
    let store = sh.store();
    let pods =
        registry::find("", "v1", "pods").ok_or_else(|| ApiError::not_found("pods", &name))?;
    let services = registry::find("", "v1", "services")
        .ok_or_else(|| ApiError::not_found("services", &name))?;
    let pod = store
        .get(pods, ns, &name)
        .ok_or_else(|| ApiError::not_found("pods", &name))?;
    let ip = pod["status"]["podIP"].as_str().unwrap_or("");
    if pod["status"]["phase"].as_str() != Some("Running") || ip.is_empty() {
        return Err(ApiError::service_unavailable(format!(
            "pod \"{name}\" is not running"
        )));
    }
    let ports = container_ports(pod);
    let port_num = match &port {
        None => ports.first().map_or(80, |(_, n)| *n),
        Some(p) => match p.parse::<u16>() {
            Ok(n) => n,
            Err(_) => ports
                .iter()
                .find(|(pn, _)| pn.as_deref() == Some(p.as_str()))
                .map(|(_, n)| *n)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("pod \"{name}\" has no port named \"{p}\""))
                })?,
        },
    };
    let registered = store.backends.iter().find(|((bns, key, bport), _)| {
        bns == ns
            && *bport == port_num
            && key
                .strip_prefix("pod:")
                .is_some_and(|prefix| name.starts_with(prefix))
    });
    if let Some((_, addr)) = registered {
        return Ok(*addr);
    }
    // A Service selecting the pod, with this container port as a target.
    let targets_port = |sp: &Value| match &sp["targetPort"] {
        Value::Number(n) => n.as_u64() == Some(u64::from(port_num)),
        Value::String(s) => ports
            .iter()
            .any(|(pn, n)| pn.as_deref() == Some(s.as_str()) && *n == port_num),
        _ => sp["port"].as_u64() == Some(u64::from(port_num)),
    };
    for svc in store.list(services, Some(ns)) {
        let selector = &svc["spec"]["selector"];
        if selector.as_object().is_none_or(|m| m.is_empty())
            || !LabelSelector::from_map(selector).matches(pod)
        {
            continue;
        }
        let Some(svc_name) = svc["metadata"]["name"].as_str() else {
            continue;
        };
        for sp in svc["spec"]["ports"].as_array().into_iter().flatten() {
            let Some(svc_port) = sp["port"].as_u64().and_then(|n| u16::try_from(n).ok()) else {
                continue;
            };
            if targets_port(sp) {
                if let Some(addr) =
                    store
                        .backends
                        .get(&(ns.to_string(), svc_name.to_string(), svc_port))
                {
                    return Ok(*addr);
                }
            }
        }
    }
    Err(ApiError::service_unavailable(format!(
        "error trying to reach service: dial tcp {ip}:{port_num}: connect: connection refused"
    )))
}

pub async fn forward(sh: Arc<Shared>, t: Target, req: Request) -> Response {
    let ns = t.ns.clone().unwrap_or_default();
    let target_ref = t.name.clone().unwrap_or_default();
    let resolved = if t.res.kind == "Pod" {
        resolve_pod(&sh, &ns, &target_ref)
    } else {
        resolve(&sh, &ns, &target_ref)
    };
    let backend = match resolved {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let path = if t.tail.is_empty() {
        "/".to_string()
    } else {
        t.tail.clone()
    };
    let url = match req.uri().query() {
        Some(q) => format!("http://{backend}{path}?{q}"),
        None => format!("http://{backend}{path}"),
    };
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(format!("reading body: {e}")).into_response(),
    };
    let mut out = sh.http.request(parts.method.clone(), &url);
    for (k, v) in parts.headers.iter() {
        if !hop_by_hop(k) {
            out = out.header(k, v);
        }
    }
    let sent = tokio::select! {
        _ = sh.cancel.cancelled() => return ApiError::service_unavailable("the server is shutting down").into_response(),
        r = out.body(body).send() => r,
    };
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            return ApiError::service_unavailable(format!("error trying to reach service: {e}"))
                .into_response()
        }
    };
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = resp.headers().clone();
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::service_unavailable(format!("error reading from service: {e}"))
                .into_response()
        }
    };
    let mut builder = axum::http::Response::builder().status(status);
    for (k, v) in headers.iter() {
        if !hop_by_hop(k) {
            builder = builder.header(k, v);
        }
    }
    builder.body(Body::from(bytes)).unwrap_or_else(|_| {
        ApiError::new(500, "InternalError", "building the response").into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::parse_service_ref;

    #[test]
    fn service_ref_forms() {
        assert_eq!(parse_service_ref("sonarr"), ("sonarr".into(), None));
        assert_eq!(
            parse_service_ref("sonarr:8989"),
            ("sonarr".into(), Some("8989".into()))
        );
        assert_eq!(
            parse_service_ref("http:sonarr:http"),
            ("sonarr".into(), Some("http".into()))
        );
        assert_eq!(parse_service_ref("https:sonarr:"), ("sonarr".into(), None));
    }
}
