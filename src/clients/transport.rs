//! How the console reaches an application: one request type, three access modes.
//!
//! Every protocol client builds plain [`http::Request`]s relative to the app's root (its URL base
//! included) and hands them to an [`AppEndpoint`]. The endpoint decides how they travel:
//!
//! * **Proxy** (default): through the Kubernetes API server's service proxy
//!   (`/api/v1/namespaces/NS/services/NAME:PORT/proxy/...`), authenticated by the kubeconfig,
//!   so it works wherever `kubectl` works. The **pod proxy**
//!   (`/api/v1/namespaces/NS/pods/NAME:PORT/proxy/...`) reaches a port no Service exposes
//!   (gluetun's control server in a VPN sidecar) the same way.
//! * **Direct**: straight to a URL (in-cluster DNS on the node or in a CronJob, or an ingress URL
//!   from the config file).
//!
//! Redirects are never followed: a 307 to the prefixed path is how a Servarr app says the URL base
//! is wrong, and callers must see it. Every call has a timeout.

use crate::model::{AppError, AppErrorKind};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::time::{Duration, Instant};

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest reply body read from an app by default (API JSON: the biggest real answers, a
/// Servarr schema or a long queue, are a few hundred KiB). A longer reply is cut off and is a
/// [`AppErrorKind::BadBody`] error naming the limit, never a growing buffer.
pub const MAX_JSON_BODY: usize = 8 << 20;

/// The error for a reply over `limit` bytes.
pub fn too_large(limit: usize) -> AppError {
    AppError::new(
        AppErrorKind::BadBody,
        format!("reply larger than {} KiB: not read further", limit / 1024),
    )
}

/// An HTTP answer, fully read.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub latency: Duration,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Decode a JSON body, classifying HTML and truncated JSON as [`AppErrorKind::BadBody`].
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let start = String::from_utf8_lossy(&self.body[..self.body.len().min(64)]).to_string();
            let what = if start.trim_start().starts_with('<') {
                "an HTML page instead of JSON".to_string()
            } else if e.is_eof() {
                "truncated JSON".to_string()
            } else {
                format!("invalid JSON ({e})")
            };
            AppError::new(AppErrorKind::BadBody, format!("answered {what}"))
        })
    }

    /// Map non-success statuses to a classified error. 2xx passes through.
    pub fn error_for_status(self, url_base: &str) -> Result<RawResponse, AppError> {
        let s = self.status;
        if s.is_success() {
            return Ok(self);
        }
        Err(classify_status(s, self.header("location"), url_base))
    }
}

/// Classify a non-2xx status.
pub fn classify_status(status: StatusCode, location: Option<&str>, url_base: &str) -> AppError {
    let code = status.as_u16();
    match code {
        401 => AppError::new(
            AppErrorKind::Unauthorized,
            "401 Unauthorized: API key or credentials rejected",
        ),
        403 => AppError::new(AppErrorKind::Forbidden, "403 Forbidden"),
        301 | 302 | 303 | 307 | 308 => {
            let loc = location.unwrap_or("").to_string();
            let detail = if url_base.is_empty() {
                format!("{code} redirect to {loc}: the app serves under a URL base")
            } else {
                format!("{code} redirect to {loc}: URL base {url_base} does not match the app")
            };
            AppError::new(AppErrorKind::WrongUrlBase { location: loc }, detail)
        }
        502..=504 => AppError::new(
            AppErrorKind::Unreachable,
            format!(
                "{code} {}: no reachable backend",
                status.canonical_reason().unwrap_or("")
            ),
        ),
        500..=599 => AppError::new(
            AppErrorKind::ServerError { status: code },
            format!("{code} server error"),
        ),
        _ => AppError::new(
            AppErrorKind::Http { status: code },
            format!("unexpected HTTP {code}"),
        ),
    }
}

#[derive(Clone)]
pub enum Transport {
    /// `origin` is `scheme://host:port` with no path.
    Direct {
        http: reqwest::Client,
        origin: String,
    },
    /// `prefix` is `/api/v1/namespaces/NS/services/NAME:PORT/proxy` or
    /// `/api/v1/namespaces/NS/pods/NAME:PORT/proxy` (no trailing slash).
    Proxy { kube: kube::Client, prefix: String },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Direct { origin, .. } => write!(f, "Direct({origin})"),
            Transport::Proxy { prefix, .. } => write!(f, "Proxy({prefix})"),
        }
    }
}

/// Where one application answers, and how to get there.
#[derive(Clone, Debug)]
pub struct AppEndpoint {
    pub transport: Transport,
    /// The app's URL base (`""` or `/sonarr`); prepended to every path.
    pub url_base: String,
    pub timeout: Duration,
    /// Reply bodies longer than this are refused ([`MAX_JSON_BODY`] unless set).
    pub max_body: usize,
}

/// A reqwest client that never follows redirects and uses rustls.
pub fn http_client() -> reqwest::Client {
    crate::init_tls();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(3))
        .build()
        .unwrap_or_default()
}

impl AppEndpoint {
    /// Direct access to `origin` (`http://sonarr.media.svc.cluster.local:8989`).
    pub fn direct(origin: impl Into<String>, url_base: impl Into<String>) -> Self {
        AppEndpoint {
            transport: Transport::Direct {
                http: http_client(),
                origin: origin.into().trim_end_matches('/').to_string(),
            },
            url_base: normalize_url_base(&url_base.into()),
            timeout: DEFAULT_TIMEOUT,
            max_body: MAX_JSON_BODY,
        }
    }

    /// Access through the API server's service proxy.
    pub fn proxy(
        kube: kube::Client,
        namespace: &str,
        service: &str,
        port: &str,
        url_base: impl Into<String>,
    ) -> Self {
        let prefix = format!("/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy");
        AppEndpoint::through_api_server(kube, prefix, url_base.into())
    }

    /// Access through the API server's pod proxy: `port` is the container port (number or
    /// name) on pod `pod`.
    pub fn pod_proxy(
        kube: kube::Client,
        namespace: &str,
        pod: &str,
        port: &str,
        url_base: impl Into<String>,
    ) -> Self {
        let prefix = format!("/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy");
        AppEndpoint::through_api_server(kube, prefix, url_base.into())
    }

    /// A proxy path of the API server (`…/services/S:P/proxy`, `…/pods/P:N/proxy`).
    fn through_api_server(kube: kube::Client, prefix: String, url_base: String) -> Self {
        AppEndpoint {
            transport: Transport::Proxy { kube, prefix },
            url_base: normalize_url_base(&url_base),
            timeout: DEFAULT_TIMEOUT,
            max_body: MAX_JSON_BODY,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same endpoint with another reply size limit.
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// The same endpoint with another URL base (used to test a candidate base).
    pub fn with_url_base(&self, url_base: &str) -> Self {
        let mut e = self.clone();
        e.url_base = normalize_url_base(url_base);
        e
    }

    /// A human description, without secrets: `proxy media/sonarr:8989/sonarr`.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Direct { origin, .. } => format!("{origin}{}", self.url_base),
            Transport::Proxy { prefix, .. } => format!("{prefix}{}", self.url_base),
        }
    }

    /// Send one request. `path_and_query` is relative to the app root and starts with `/`
    /// (the URL base is added here). Transport failures and timeouts become [`AppError`]s;
    /// any HTTP status is returned as-is (use [`RawResponse::error_for_status`]).
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        headers: HeaderMap,
        body: Option<Bytes>,
    ) -> Result<RawResponse, AppError> {
        let started = Instant::now();
        let path = format!("{}{}", self.url_base, path_and_query);
        let fut = async {
            match &self.transport {
                Transport::Direct { http, origin } => {
                    let mut rb = http
                        .request(method.clone(), format!("{origin}{path}"))
                        .headers(headers);
                    if let Some(b) = body {
                        rb = rb.body(b);
                    }
                    let resp = rb.send().await.map_err(|e| {
                        AppError::new(
                            AppErrorKind::Unreachable,
                            format!("connection failed: {}", short_err(&e)),
                        )
                    })?;
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let body = read_limited_reqwest(resp, self.max_body).await?;
                    Ok((status, headers, body))
                }
                Transport::Proxy { kube, prefix } => {
                    let mut req = Request::builder()
                        .method(method.clone())
                        .uri(format!("{prefix}{path}"));
                    if let Some(h) = req.headers_mut() {
                        h.extend(headers);
                    }
                    let req = req
                        .body(kube::client::Body::from(
                            body.map(|b| b.to_vec()).unwrap_or_default(),
                        ))
                        .map_err(|e| {
                            AppError::new(AppErrorKind::Config, format!("bad request: {e}"))
                        })?;
                    let resp = kube.send(req).await.map_err(|e| {
                        AppError::new(
                            AppErrorKind::ClusterUnreachable,
                            format!("API server unreachable: {}", crate::root_cause(&e)),
                        )
                    })?;
                    let (parts, body) = resp.into_parts();
                    let body = http_body_util::Limited::new(body, self.max_body)
                        .collect()
                        .await
                        .map_err(|e| {
                            if e.is::<http_body_util::LengthLimitError>() {
                                too_large(self.max_body)
                            } else {
                                AppError::new(
                                    AppErrorKind::BadBody,
                                    format!("body read failed: {e}"),
                                )
                            }
                        })?
                        .to_bytes();
                    Ok((parts.status, parts.headers, body))
                }
            }
        };
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok((status, headers, body))) => Ok(RawResponse {
                status,
                headers,
                body,
                latency: started.elapsed(),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(AppError::new(
                AppErrorKind::Timeout {
                    after_ms: self.timeout.as_millis() as u64,
                },
                format!("no answer within {} ms", self.timeout.as_millis()),
            )),
        }
    }

    pub async fn get(
        &self,
        path_and_query: &str,
        headers: HeaderMap,
    ) -> Result<RawResponse, AppError> {
        self.send(Method::GET, path_and_query, headers, None).await
    }
}

/// `sonarr/` → `/sonarr`; `/` and `` → ``.
pub fn normalize_url_base(s: &str) -> String {
    let t = s.trim().trim_matches('/');
    if t.is_empty() {
        String::new()
    } else {
        format!("/{t}")
    }
}

/// Read a reqwest reply body up to `limit` bytes; a longer one is an error (the connection is
/// dropped, the rest never read).
async fn read_limited_reqwest(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Bytes, AppError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let mut buf = bytes::BytesMut::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if buf.len() + c.len() > limit {
                    return Err(too_large(limit));
                }
                buf.extend_from_slice(&c);
            }
            Ok(None) => return Ok(buf.freeze()),
            Err(e) => {
                return Err(AppError::new(
                    AppErrorKind::BadBody,
                    format!("body read failed: {}", short_err(&e)),
                ))
            }
        }
    }
}

fn short_err(e: &reqwest::Error) -> String {
    crate::root_cause(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_base_normalisation() {
        assert_eq!(normalize_url_base("sonarr/"), "/sonarr");
        assert_eq!(normalize_url_base("/"), "");
        assert_eq!(normalize_url_base(""), "");
        assert_eq!(normalize_url_base("/a/b/"), "/a/b");
    }

    #[test]
    fn redirect_is_wrong_url_base() {
        let e = classify_status(
            StatusCode::TEMPORARY_REDIRECT,
            Some("/sonarr/api/v3/health"),
            "",
        );
        assert!(matches!(e.kind, AppErrorKind::WrongUrlBase { .. }));
        assert!(matches!(
            classify_status(StatusCode::UNAUTHORIZED, None, "").kind,
            AppErrorKind::Unauthorized
        ));
    }
}
