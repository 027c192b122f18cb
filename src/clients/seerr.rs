//! Jellyseerr / Overseerr / Seerr client (`api-facts.md` §8): `/api/v1/…` with `X-Api-Key`.
//!
//! Jellyseerr answers 403 (never 401) for a wrong key — and also for the right key before the
//! first admin exists; both are reported as [`AppErrorKind::Forbidden`] with that hint.
//! Validation failures (400 `{"message","errors"}`) and the test endpoints' 500
//! `{"message":"Failed to connect to Sonarr"}` keep the app's message in the error detail.

use super::transport::{AppEndpoint, RawResponse};
use crate::model::{AppError, AppErrorKind, AppHealth, HealthIssue, IssueLevel, Secret};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `GET /api/v1/status`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeerrStatus {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub commit_tag: String,
    #[serde(default)]
    pub update_available: bool,
    #[serde(default)]
    pub commits_behind: i64,
    #[serde(default)]
    pub restart_required: bool,
}

/// The parts of `GET /api/v1/settings/public` the console uses.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicSettings {
    #[serde(default)]
    pub initialized: bool,
    #[serde(default)]
    pub application_title: String,
    /// 1 Plex, 2 Jellyfin, 3 Emby, 4 not configured.
    #[serde(default)]
    pub media_server_type: i64,
}

/// `settings.jellyfin`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeerrJellyfin {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ip: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub use_ssl: bool,
    #[serde(default)]
    pub url_base: String,
    #[serde(default)]
    pub external_hostname: String,
    #[serde(default)]
    pub server_id: String,
    #[serde(default)]
    pub api_key: Secret,
}

impl SeerrJellyfin {
    /// Body for `POST /settings/jellyfin` (writable fields only; `name`/`serverId` are read-only).
    pub fn to_body(&self) -> Value {
        json!({"ip": self.ip, "port": self.port, "useSsl": self.use_ssl, "urlBase": self.url_base,
               "externalHostname": self.external_hostname, "apiKey": self.api_key.expose()})
    }
}

/// One Jellyfin library as Jellyseerr keeps it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeerrLibrary {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub enabled: bool,
    /// `movie` or `show`.
    #[serde(default, rename = "type")]
    pub kind: String,
}

/// Sonarr or Radarr in Jellyseerr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeerrArr {
    Sonarr,
    Radarr,
}

impl SeerrArr {
    fn path(self) -> &'static str {
        match self {
            SeerrArr::Sonarr => "sonarr",
            SeerrArr::Radarr => "radarr",
        }
    }
}

/// One Sonarr/Radarr server entry. `extra` keeps fields the console does not model.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArrServer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub name: String,
    pub hostname: String,
    pub port: u16,
    pub api_key: Secret,
    pub use_ssl: bool,
    #[serde(default)]
    pub base_url: String,
    pub active_profile_id: u64,
    pub active_profile_name: String,
    pub active_directory: String,
    pub is4k: bool,
    pub is_default: bool,
    /// Sonarr only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_season_folders: Option<bool>,
    /// Radarr only (`released`, `announced`, `inCinemas`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_availability: Option<String>,
    #[serde(default)]
    pub sync_enabled: bool,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl ArrServer {
    /// Request body: every field with the real key, without the read-only `id`.
    pub fn to_body(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("id");
            o.insert("apiKey".into(), json!(self.api_key.expose()));
        }
        v
    }
}

/// `POST /settings/{sonarr,radarr}/test` body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArrTestRequest {
    pub hostname: String,
    pub port: u16,
    pub api_key: Secret,
    pub use_ssl: bool,
    pub base_url: String,
}

/// A quality profile as the test reports it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Profile {
    pub id: u64,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct RootFolder {
    pub id: u64,
    #[serde(default)]
    pub path: String,
}

/// What the test returns: the app's profiles and root folders.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArrTestResult {
    #[serde(default)]
    pub profiles: Vec<Profile>,
    #[serde(default)]
    pub root_folders: Vec<RootFolder>,
    #[serde(default)]
    pub url_base: Option<String>,
}

/// `POST /api/v1/auth/jellyfin` body. `hostname` etc. only on the very first login (when
/// Jellyseerr has no Jellyfin server yet); sending it later is an error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JellyfinLogin {
    pub username: String,
    pub password: Secret,
    pub server: Option<JellyfinServer>,
    pub email: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JellyfinServer {
    pub hostname: String,
    pub port: u16,
    pub url_base: String,
    pub use_ssl: bool,
}

pub struct SeerrClient {
    ep: AppEndpoint,
    api_key: Secret,
}

impl std::fmt::Debug for SeerrClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SeerrClient({})", self.ep.describe())
    }
}

/// Turn a non-2xx Jellyseerr answer into an error that keeps the app's message.
fn seerr_error(r: RawResponse, url_base: &str) -> AppError {
    let msg = serde_json::from_slice::<Value>(&r.body).ok().and_then(|v| {
        v.get("message")
            .or_else(|| v.get("error"))
            .and_then(Value::as_str)
            .map(String::from)
    });
    let status = r.status;
    let mut e = r
        .error_for_status(url_base)
        .err()
        .unwrap_or_else(|| AppError::new(AppErrorKind::Http { status: 0 }, "unexpected answer"));
    if status.as_u16() == 403 {
        e.detail = "403 Forbidden: API key rejected (or Jellyseerr has no admin user yet)".into();
    } else if let Some(m) = msg {
        e.detail = format!("{}: {m}", e.detail);
    }
    e
}

impl SeerrClient {
    pub fn new(ep: AppEndpoint, api_key: Secret) -> Self {
        SeerrClient { ep, api_key }
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.ep
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<RawResponse, AppError> {
        let mut h = HeaderMap::new();
        if !self.api_key.is_empty() {
            let v = HeaderValue::from_str(self.api_key.expose()).map_err(|_| {
                AppError::new(AppErrorKind::Config, "API key contains invalid characters")
            })?;
            h.insert("x-api-key", v);
        }
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let body = body.map(|b| {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Bytes::from(b.to_string())
        });
        let r = self
            .ep
            .send(method, &format!("/api/v1{path}"), h, body)
            .await?;
        if r.status.is_success() {
            Ok(r)
        } else {
            Err(seerr_error(r, &self.ep.url_base))
        }
    }

    /// A JSON call under `/api/v1` for resources the typed methods do not cover (the
    /// integration engine reads and writes settings objects as they are, keys included).
    pub async fn call_json(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, AppError> {
        let r = self.call(method, path, body).await?;
        if r.body.is_empty() {
            return Ok(Value::Null);
        }
        r.json()
    }

    /// `GET /status` (public).
    pub async fn status(&self) -> Result<SeerrStatus, AppError> {
        self.call(Method::GET, "/status", None).await?.json()
    }

    /// `GET /settings/public` (public).
    pub async fn public_settings(&self) -> Result<PublicSettings, AppError> {
        self.call(Method::GET, "/settings/public", None)
            .await?
            .json()
    }

    /// `GET /settings/main` (admin): proves the key works.
    pub async fn main_settings(&self) -> Result<Value, AppError> {
        self.call(Method::GET, "/settings/main", None).await?.json()
    }

    /// Log in through Jellyfin. The first login creates the admin (user 1, which the API key
    /// acts as) and makes Jellyseerr create its own Jellyfin API key.
    pub async fn login_jellyfin(&self, l: &JellyfinLogin) -> Result<(), AppError> {
        let mut body = json!({"username": l.username, "password": l.password.expose(),
                              "email": l.email, "serverType": 2});
        if let Some(s) = &l.server {
            body["hostname"] = json!(s.hostname);
            body["port"] = json!(s.port);
            body["urlBase"] = json!(s.url_base);
            body["useSsl"] = json!(s.use_ssl);
        }
        self.call(Method::POST, "/auth/jellyfin", Some(body))
            .await
            .map(|_| ())
    }

    /// `POST /settings/initialize`: marks setup finished.
    pub async fn initialize(&self) -> Result<(), AppError> {
        self.call(Method::POST, "/settings/initialize", None)
            .await
            .map(|_| ())
    }

    pub async fn jellyfin_settings(&self) -> Result<SeerrJellyfin, AppError> {
        self.call(Method::GET, "/settings/jellyfin", None)
            .await?
            .json()
    }

    /// `POST /settings/jellyfin`: Jellyseerr checks the server (`/System/Info` with the key)
    /// before saving; a rejected key comes back with Jellyfin's status (e.g. 401).
    pub async fn update_jellyfin(&self, s: &SeerrJellyfin) -> Result<SeerrJellyfin, AppError> {
        self.call(Method::POST, "/settings/jellyfin", Some(s.to_body()))
            .await?
            .json()
    }

    /// `GET /settings/jellyfin/library?sync=true&enable=…`: re-read the libraries from Jellyfin
    /// and enable exactly `enable` (ids). Every call sets the enabled flags, so pass all the
    /// libraries that should stay enabled.
    pub async fn sync_jellyfin_libraries(
        &self,
        enable: &[&str],
    ) -> Result<Vec<SeerrLibrary>, AppError> {
        let ids: String =
            url::form_urlencoded::byte_serialize(enable.join(",").as_bytes()).collect();
        self.call(
            Method::GET,
            &format!("/settings/jellyfin/library?sync=true&enable={ids}"),
            None,
        )
        .await?
        .json()
    }

    pub async fn servers(&self, arr: SeerrArr) -> Result<Vec<ArrServer>, AppError> {
        self.call(Method::GET, &format!("/settings/{}", arr.path()), None)
            .await?
            .json()
    }

    /// `POST /settings/{arr}` → 201 with the new entry (no connection test is done).
    pub async fn create_server(&self, arr: SeerrArr, s: &ArrServer) -> Result<ArrServer, AppError> {
        self.call(
            Method::POST,
            &format!("/settings/{}", arr.path()),
            Some(s.to_body()),
        )
        .await?
        .json()
    }

    /// `PUT /settings/{arr}/{id}` (whole object replaced).
    pub async fn update_server(
        &self,
        arr: SeerrArr,
        id: u64,
        s: &ArrServer,
    ) -> Result<ArrServer, AppError> {
        self.call(
            Method::PUT,
            &format!("/settings/{}/{id}", arr.path()),
            Some(s.to_body()),
        )
        .await?
        .json()
    }

    pub async fn delete_server(&self, arr: SeerrArr, id: u64) -> Result<(), AppError> {
        self.call(
            Method::DELETE,
            &format!("/settings/{}/{id}", arr.path()),
            None,
        )
        .await
        .map(|_| ())
    }

    /// `POST /settings/{arr}/test`: Jellyseerr connects to the app and lists its profiles and
    /// root folders. Failure is 500 `Failed to connect to Sonarr`.
    pub async fn test_server(
        &self,
        arr: SeerrArr,
        t: &ArrTestRequest,
    ) -> Result<ArrTestResult, AppError> {
        let body = json!({"hostname": t.hostname, "port": t.port, "apiKey": t.api_key.expose(),
                          "useSsl": t.use_ssl, "baseUrl": t.base_url});
        self.call(
            Method::POST,
            &format!("/settings/{}/test", arr.path()),
            Some(body),
        )
        .await?
        .json()
    }

    /// Status (version, restart, update), setup state, and — with a key — that the key works.
    pub async fn health(&self) -> Result<AppHealth, AppError> {
        let status = self.status().await?;
        let public = self.public_settings().await?;
        if !self.api_key.is_empty() {
            self.main_settings().await?;
        }
        Ok(health_from(&status, &public))
    }
}

/// Pure: status + public settings → health.
pub fn health_from(status: &SeerrStatus, public: &PublicSettings) -> AppHealth {
    let mut issues = Vec::new();
    let mut push = |level, message: &str| {
        issues.push(HealthIssue {
            source: "jellyseerr".into(),
            level,
            message: message.into(),
            wiki_url: None,
        })
    };
    if status.restart_required {
        push(
            IssueLevel::Warning,
            "a restart is required to apply settings",
        );
    }
    if status.update_available {
        push(IssueLevel::Notice, "an update is available");
    }
    if !public.initialized {
        push(
            IssueLevel::Warning,
            "setup is not finished (settings.public.initialized is false)",
        );
    }
    AppHealth {
        version: Some(status.version.clone()).filter(|v| !v.is_empty()),
        summary: if issues.is_empty() {
            "ok".into()
        } else {
            format!("{} issues", issues.len())
        },
        issues,
    }
}
