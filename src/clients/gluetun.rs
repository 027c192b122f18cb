//! gluetun HTTP control server and health server client (`api-facts.md` §12, `ops-facts.md`
//! §5). Usually reached through the API server's pod proxy (the control server's port is not
//! behind a Service). Auth: an API key (`X-API-Key`) or basic credentials; a 401 is
//! [`AppErrorKind::Unauthorized`], which callers must report as "the control server needs
//! credentials", never as "VPN down".

use super::transport::AppEndpoint;
use crate::model::{AppError, AppErrorKind, Secret};
use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};

/// How to authenticate to the control server.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ControlAuth {
    #[default]
    None,
    ApiKey(Secret),
    Basic {
        username: String,
        password: Secret,
    },
}

/// `GET /v1/publicip/ip` (empty fields are omitted by gluetun).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct PublicIp {
    #[serde(default)]
    pub public_ip: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organization: String,
}

#[derive(Debug, Deserialize)]
struct StatusBody {
    status: String,
}

#[derive(Debug, Deserialize)]
struct PortBody {
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    ports: Vec<u16>,
}

/// A gluetun control server.
#[derive(Debug, Clone)]
pub struct GluetunClient {
    ep: AppEndpoint,
    auth: ControlAuth,
}

impl GluetunClient {
    pub fn new(ep: AppEndpoint, auth: ControlAuth) -> Self {
        GluetunClient { ep, auth }
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.ep
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        match &self.auth {
            ControlAuth::None => {}
            ControlAuth::ApiKey(k) => {
                if let Ok(v) = HeaderValue::from_str(k.expose()) {
                    h.insert("x-api-key", v);
                }
            }
            ControlAuth::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                let enc = base64::engine::general_purpose::STANDARD.encode(raw);
                if let Ok(v) = HeaderValue::from_str(&format!("Basic {enc}")) {
                    h.insert(http::header::AUTHORIZATION, v);
                }
            }
        }
        h
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, AppError> {
        let r = self.ep.get(path, self.headers()).await?;
        r.error_for_status("")?.json()
    }

    /// `GET /v1/vpn/status`; an old gluetun without that route (400/404) falls back to the
    /// legacy `/v1/openvpn/status`.
    pub async fn vpn_status(&self) -> Result<String, AppError> {
        self.vpn_status_route().await.map(|(s, _)| s)
    }

    /// The loop status and the route that answered (`/v1/vpn/status` or the legacy
    /// `/v1/openvpn/status`, which says `stopped` for a WireGuard tunnel whatever its state).
    pub async fn vpn_status_route(&self) -> Result<(String, &'static str), AppError> {
        const NEW: &str = "/v1/vpn/status";
        const OLD: &str = "/v1/openvpn/status";
        match self.get_json::<StatusBody>(NEW).await {
            Ok(b) => Ok((b.status, NEW)),
            Err(e) if matches!(e.kind, AppErrorKind::Http { status: 400 | 404 }) => self
                .get_json::<StatusBody>(OLD)
                .await
                .map(|b| (b.status, OLD)),
            Err(e) => Err(e),
        }
    }

    /// `PUT /v1/vpn/status {"status": …}` (`running` or `stopped`); returns gluetun's outcome.
    pub async fn set_vpn_status(&self, status: &str) -> Result<String, AppError> {
        let mut h = self.headers();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = Bytes::from(serde_json::json!({ "status": status }).to_string());
        let r = self
            .ep
            .send(Method::PUT, "/v1/vpn/status", h, Some(body))
            .await?
            .error_for_status("")?;
        let v: serde_json::Value = r.json()?;
        Ok(v["outcome"].as_str().unwrap_or_default().to_string())
    }

    /// `GET /v1/publicip/ip`.
    pub async fn public_ip(&self) -> Result<PublicIp, AppError> {
        self.get_json("/v1/publicip/ip").await
    }

    /// The forwarded port: `GET /v1/portforward` (≥ v3.41), else the older
    /// `/v1/openvpn/portforwarded`. `None` = no port forwarded (port 0).
    pub async fn forwarded_port(&self) -> Result<Option<u16>, AppError> {
        let b = match self.get_json::<PortBody>("/v1/portforward").await {
            Ok(b) => b,
            Err(e)
                if matches!(
                    e.kind,
                    AppErrorKind::Http { status: 400 | 404 } | AppErrorKind::Unauthorized
                ) =>
            {
                self.get_json::<PortBody>("/v1/openvpn/portforwarded")
                    .await?
            }
            Err(e) => return Err(e),
        };
        Ok(b.port.or(b.ports.first().copied()).filter(|p| *p != 0))
    }
}

/// The health server (`HEALTH_SERVER_ADDRESS`): `Ok(())` on 200, `Err` with gluetun's message
/// on 500 (as [`AppErrorKind::ServerError`]) or the transport error.
pub async fn health(ep: &AppEndpoint) -> Result<(), AppError> {
    let r = ep.get("/", HeaderMap::new()).await?;
    if r.status.is_success() {
        return Ok(());
    }
    let msg = String::from_utf8_lossy(&r.body).trim().to_string();
    Err(AppError::new(
        AppErrorKind::ServerError {
            status: r.status.as_u16(),
        },
        if msg.is_empty() {
            format!("health server answered {}", r.status.as_u16())
        } else {
            msg
        },
    ))
}
