//! Jellyfin 10.11 client (`api-facts.md` §9).
//!
//! Sends the token as `Authorization: MediaBrowser Client=…, Device=…, DeviceId=…, Version=…,
//! Token="…"` — the form that works with legacy authorization on (10.11 default) and off
//! (12.0 default). An API key can be created from admin credentials:
//! [`JellyfinClient::create_api_key_with_credentials`] logs in (`/Users/AuthenticateByName`),
//! `POST /Auth/Keys?app=…` (204, no body), then lists the keys and takes the newest of that app.

use super::transport::AppEndpoint;
use crate::model::{AppError, AppErrorKind, AppHealth, HealthIssue, IssueLevel, Secret};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};

const CLIENT: &str = "k8s-nas";

/// `GET /System/Info/Public`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicInfo {
    #[serde(default)]
    pub server_name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub local_address: String,
    #[serde(default)]
    pub startup_wizard_completed: Option<bool>,
}

/// `GET /System/Info` (the fields the console uses).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SystemInfo {
    #[serde(default)]
    pub server_name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub has_pending_restart: bool,
    #[serde(default)]
    pub has_update_available: bool,
    #[serde(default)]
    pub is_shutting_down: bool,
}

/// One row of `GET /Auth/Keys`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiKeyInfo {
    pub access_token: Secret,
    #[serde(default)]
    pub app_name: String,
    #[serde(default)]
    pub date_created: String,
}

/// One library (`GET /Library/MediaFolders`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Library {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub collection_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Clone)]
pub struct JellyfinClient {
    ep: AppEndpoint,
    token: Option<Secret>,
}

impl std::fmt::Debug for JellyfinClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JellyfinClient({})", self.ep.describe())
    }
}

/// The `MediaBrowser` authorization value, with the token when given.
pub fn auth_value(token: Option<&Secret>) -> String {
    let mut v = format!(
        r#"MediaBrowser Client="{CLIENT}", Device="{CLIENT}", DeviceId="{CLIENT}", Version="{}""#,
        env!("CARGO_PKG_VERSION")
    );
    if let Some(t) = token {
        v.push_str(&format!(r#", Token="{}""#, t.expose()));
    }
    v
}

impl JellyfinClient {
    /// `token` is an API key or a session token; `None` for anonymous calls only.
    pub fn new(ep: AppEndpoint, token: Option<Secret>) -> Self {
        JellyfinClient { ep, token }
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.ep
    }

    /// The same server with another token.
    pub fn with_token(&self, token: Secret) -> Self {
        JellyfinClient {
            ep: self.ep.clone(),
            token: Some(token),
        }
    }

    fn headers(&self, json_body: bool) -> Result<HeaderMap, AppError> {
        let mut h = HeaderMap::new();
        let v = HeaderValue::from_str(&auth_value(self.token.as_ref())).map_err(|_| {
            AppError::new(AppErrorKind::Config, "token contains invalid characters")
        })?;
        h.insert(header::AUTHORIZATION, v);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if json_body {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        Ok(h)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<super::transport::RawResponse, AppError> {
        let h = self.headers(body.is_some())?;
        self.ep
            .send(method, path, h, body)
            .await?
            .error_for_status(&self.ep.url_base)
    }

    /// `GET /health`: `Healthy`, `Degraded` (still starting) or `Unhealthy` (503).
    pub async fn health_text(&self) -> Result<String, AppError> {
        let r = self.ep.get("/health", HeaderMap::new()).await?;
        let text = String::from_utf8_lossy(&r.body).trim().to_string();
        if r.status.as_u16() == 503 && text == "Unhealthy" {
            return Ok(text);
        }
        let r = r.error_for_status(&self.ep.url_base)?;
        let text = String::from_utf8_lossy(&r.body).trim().to_string();
        match text.as_str() {
            "Healthy" | "Degraded" | "Unhealthy" => Ok(text),
            t if t.starts_with('<') => Err(AppError::new(
                AppErrorKind::BadBody,
                "/health answered an HTML page",
            )),
            _ => Err(AppError::new(
                AppErrorKind::BadBody,
                "/health answered an unknown state",
            )),
        }
    }

    pub async fn public_info(&self) -> Result<PublicInfo, AppError> {
        self.call(Method::GET, "/System/Info/Public", None)
            .await?
            .json()
    }

    /// `GET /System/Info` (needs a token once the startup wizard is complete).
    pub async fn system_info(&self) -> Result<SystemInfo, AppError> {
        self.call(Method::GET, "/System/Info", None).await?.json()
    }

    /// Log in; returns the session's access token.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<Secret, AppError> {
        let body = serde_json::json!({"Username": username, "Pw": password.expose()}).to_string();
        let anon = JellyfinClient {
            ep: self.ep.clone(),
            token: None,
        };
        let r = anon
            .call(
                Method::POST,
                "/Users/AuthenticateByName",
                Some(Bytes::from(body)),
            )
            .await
            .map_err(|mut e| {
                if e.kind == AppErrorKind::Unauthorized {
                    e.detail = "Jellyfin rejected the admin username or password".into();
                }
                e
            })?;
        let v: serde_json::Value = r.json()?;
        v.get("AccessToken")
            .and_then(|t| t.as_str())
            .map(Secret::new)
            .ok_or_else(|| AppError::new(AppErrorKind::BadBody, "login answer has no AccessToken"))
    }

    /// `GET /Auth/Keys` (administrator token).
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>, AppError> {
        let items: Items<ApiKeyInfo> = self.call(Method::GET, "/Auth/Keys", None).await?.json()?;
        Ok(items.items)
    }

    /// `POST /Auth/Keys?app=…`, then the newest key of that app from the list.
    pub async fn create_api_key(&self, app_name: &str) -> Result<Secret, AppError> {
        let app: String = url::form_urlencoded::byte_serialize(app_name.as_bytes()).collect();
        self.call(Method::POST, &format!("/Auth/Keys?app={app}"), None)
            .await?;
        self.list_api_keys()
            .await?
            .into_iter()
            .rev()
            .find(|k| k.app_name == app_name)
            .map(|k| k.access_token)
            .ok_or_else(|| {
                AppError::new(
                    AppErrorKind::BadBody,
                    format!("created a key for {app_name} but it is not in the list"),
                )
            })
    }

    /// Log in as the admin and create an API key named `app_name`.
    pub async fn create_api_key_with_credentials(
        &self,
        username: &str,
        password: &Secret,
        app_name: &str,
    ) -> Result<Secret, AppError> {
        let token = self.authenticate(username, password).await?;
        self.with_token(token).create_api_key(app_name).await
    }

    pub async fn delete_api_key(&self, key: &Secret) -> Result<(), AppError> {
        let k: String = url::form_urlencoded::byte_serialize(key.expose().as_bytes()).collect();
        self.call(Method::DELETE, &format!("/Auth/Keys/{k}"), None)
            .await
            .map(|_| ())
    }

    pub async fn libraries(&self) -> Result<Vec<Library>, AppError> {
        let items: Items<Library> = self
            .call(Method::GET, "/Library/MediaFolders", None)
            .await?
            .json()?;
        Ok(items.items)
    }

    /// `/health`, public info, and — with a token — `/System/Info` (restart/update flags).
    pub async fn health(&self) -> Result<AppHealth, AppError> {
        let state = self.health_text().await?;
        let public = self.public_info().await?;
        let info = match self.token {
            Some(_) => Some(self.system_info().await?),
            None => None,
        };
        Ok(health_from(&state, &public, info.as_ref()))
    }
}

fn issue(level: IssueLevel, message: &str) -> HealthIssue {
    HealthIssue {
        source: "jellyfin".into(),
        level,
        message: message.into(),
        wiki_url: None,
    }
}

/// Pure: health text + info → health.
pub fn health_from(state: &str, public: &PublicInfo, info: Option<&SystemInfo>) -> AppHealth {
    let mut issues = Vec::new();
    match state {
        "Healthy" => {}
        "Degraded" => issues.push(issue(
            IssueLevel::Warning,
            "server is still starting up (database migrations)",
        )),
        _ => issues.push(issue(
            IssueLevel::Error,
            "health check reports Unhealthy (database check failed)",
        )),
    }
    if public.startup_wizard_completed == Some(false) {
        issues.push(issue(
            IssueLevel::Warning,
            "the startup wizard has not been completed",
        ));
    }
    if let Some(i) = info {
        if i.has_pending_restart {
            issues.push(issue(IssueLevel::Warning, "a restart is pending"));
        }
        if i.has_update_available {
            issues.push(issue(IssueLevel::Notice, "an update is available"));
        }
        if i.is_shutting_down {
            issues.push(issue(IssueLevel::Warning, "the server is shutting down"));
        }
    }
    AppHealth {
        version: Some(public.version.clone()).filter(|v| !v.is_empty()),
        summary: state.to_string(),
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_value_format() {
        let v = auth_value(Some(&Secret::new("abc")));
        assert!(v.starts_with("MediaBrowser Client=\"k8s-nas\""));
        assert!(v.ends_with("Token=\"abc\""));
        assert!(!auth_value(None).contains("Token"));
    }
}
