//! gluetun simulator (`api-facts.md` §12, `ops-facts.md` §5): the HTTP control server and the
//! health server of one VPN sidecar, as two listeners (the real ones are `:8000` and `:9999`).
//!
//! Control server (v3.41 behaviour): `GET|PUT /v1/vpn/status`, `GET|PUT /v1/openvpn/status`
//! (`stopped` when the VPN type is WireGuard), `GET /v1/publicip/ip` (`"public_ip":""` while the
//! tunnel is down), `GET /v1/portforward` (`{"port":N}`, 0 when not forwarding),
//! `GET /v1/openvpn/portforwarded` → 301 to `/v1/portforward`. With an API key configured every
//! route needs `X-API-Key` (401 otherwise); unknown routes answer 401 like the auth middleware.
//! Health server: 200 while the tunnel runs, 500 with a message otherwise.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// How one simulated gluetun starts.
#[derive(Debug, Clone, PartialEq)]
pub struct GluetunSimConfig {
    /// `wireguard` or `openvpn`.
    pub vpn_type: String,
    /// Loop status at start: `running`, `stopped`, `crashed` …
    pub status: String,
    /// The exit IP the public-IP lookup finds while the tunnel runs.
    pub public_ip: String,
    pub country: String,
    pub city: String,
    pub organization: String,
    /// Forwarded port (0 = no port forwarding).
    pub forwarded_port: u16,
    /// When set, every route needs this `X-API-Key`.
    pub api_key: Option<String>,
    /// The NAS's own egress IP (outside the tunnel): what a leaking lookup shows.
    pub home_ip: String,
    /// An old gluetun (≤ v3.39.0 handlers): no `/v1/vpn/status` or `/v1/portforward`, unknown
    /// routes answer 400 `GET /x not found`.
    pub legacy_routes: bool,
    /// The control server accepts connections but never answers.
    pub hang: bool,
}

impl GluetunSimConfig {
    pub fn new(vpn_type: &str, public_ip: &str, country: &str) -> Self {
        GluetunSimConfig {
            vpn_type: vpn_type.into(),
            status: "running".into(),
            public_ip: public_ip.into(),
            country: country.into(),
            city: String::new(),
            organization: String::new(),
            forwarded_port: 0,
            api_key: None,
            home_ip: String::new(),
            legacy_routes: false,
            hang: false,
        }
    }
}

/// The live state of one simulated gluetun (tests read and flip it).
#[derive(Debug)]
pub struct GluetunState {
    pub cfg: GluetunSimConfig,
    /// `PUT /v1/vpn/status` calls seen, in order (`stopped`, `running` …).
    pub status_changes: Vec<String>,
}

type Shared = Arc<Mutex<GluetunState>>;

/// A running simulated gluetun: control server and health server.
pub struct RunningGluetun {
    pub control: SocketAddr,
    pub health: SocketAddr,
    pub state: Shared,
    _stop: Vec<tokio::sync::oneshot::Sender<()>>,
}

impl RunningGluetun {
    /// The current loop status.
    pub fn status(&self) -> String {
        self.state
            .lock()
            .map(|s| s.cfg.status.clone())
            .unwrap_or_default()
    }

    /// Change the simulated state while it runs.
    pub fn edit(&self, f: impl FnOnce(&mut GluetunSimConfig)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s.cfg);
        }
    }
}

fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn authorized(st: &GluetunState, headers: &HeaderMap) -> bool {
    match &st.cfg.api_key {
        None => true,
        Some(k) => headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == k),
    }
}

async fn control(
    State(sh): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hang = sh.lock().map(|s| s.cfg.hang).unwrap_or(false);
    if hang {
        std::future::pending::<()>().await;
    }
    answer(&sh, method, uri, headers, body)
}

fn answer(sh: &Shared, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(mut st) = sh.lock() else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned");
    };
    if !authorized(&st, &headers) {
        return text(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let path = uri.path();
    if st.cfg.legacy_routes && matches!(path, "/v1/vpn/status" | "/v1/portforward") {
        return text(
            StatusCode::BAD_REQUEST,
            &format!("{} {path} not found", method.as_str()),
        );
    }
    match (method.as_str(), path) {
        ("GET", "/v1/vpn/status") => Json(json!({"status": st.cfg.status})),
        ("GET", "/v1/openvpn/status") => {
            let s = if st.cfg.vpn_type == "openvpn" {
                st.cfg.status.clone()
            } else {
                "stopped".into()
            };
            Json(json!({"status": s}))
        }
        ("PUT", "/v1/vpn/status") | ("PUT", "/v1/openvpn/status") => {
            let want = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["status"].as_str().map(str::to_string));
            match want.as_deref() {
                Some(s @ ("running" | "stopped")) => {
                    if path == "/v1/openvpn/status" && s == "running" {
                        st.cfg.vpn_type = "openvpn".into();
                    }
                    let outcome = if st.cfg.status == s {
                        format!("already {s}")
                    } else {
                        s.to_string()
                    };
                    st.cfg.status = s.to_string();
                    st.status_changes.push(s.to_string());
                    Json(json!({"outcome": outcome}))
                }
                Some(other) => {
                    return text(StatusCode::BAD_REQUEST, &format!("invalid status: {other}"))
                }
                None => return text(StatusCode::BAD_REQUEST, "cannot decode JSON body"),
            }
        }
        ("GET", "/v1/publicip/ip") => {
            if st.cfg.status != "running" {
                Json(json!({"public_ip": ""}))
            } else {
                let mut v = json!({"public_ip": st.cfg.public_ip});
                for (k, val) in [
                    ("country", &st.cfg.country),
                    ("city", &st.cfg.city),
                    ("organization", &st.cfg.organization),
                ] {
                    if !val.is_empty() {
                        v[k] = json!(val);
                    }
                }
                Json(v)
            }
        }
        ("GET", "/v1/portforward") => Json(json!({"port": st.cfg.forwarded_port})),
        ("GET", "/v1/openvpn/portforwarded") if st.cfg.legacy_routes => {
            Json(json!({"port": st.cfg.forwarded_port}))
        }
        ("GET", "/v1/openvpn/portforwarded") => {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, "/v1/portforward")],
            )
                .into_response()
        }
        _ => return text(StatusCode::UNAUTHORIZED, "Unauthorized"),
    }
    .into_response()
}

struct Json(Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

async fn health(State(sh): State<Shared>) -> Response {
    let status = sh.lock().map(|s| s.cfg.status.clone()).unwrap_or_default();
    if status == "running" {
        text(StatusCode::OK, "")
    } else {
        text(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("VPN is {status}: dialing cloudflare.com:443: i/o timeout"),
        )
    }
}

async fn serve(router: Router) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    super::serve_loopback(router).await
}

/// Start the control server and the health server on loopback.
pub async fn spawn_gluetun(cfg: GluetunSimConfig) -> anyhow::Result<RunningGluetun> {
    let state: Shared = Arc::new(Mutex::new(GluetunState {
        cfg,
        status_changes: Vec::new(),
    }));
    let ctl = Router::new().fallback(control).with_state(state.clone());
    let hl = Router::new().fallback(health).with_state(state.clone());
    let (control, a) = serve(ctl).await?;
    let (health, b) = serve(hl).await?;
    Ok(RunningGluetun {
        control,
        health,
        state,
        _stop: vec![a, b],
    })
}

/// An IP-echo service (like `https://api.ipify.org`): answers every GET with `ip` as text.
pub async fn spawn_ip_echo(
    ip: String,
) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let router = Router::new().fallback(move || {
        let ip = ip.clone();
        async move { text(StatusCode::OK, &ip) }
    });
    serve(router).await
}
