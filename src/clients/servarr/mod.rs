//! One client for the Servarr family — Sonarr, Radarr (`/api/v3`), Lidarr, Prowlarr (`/api/v1`) —
//! parameterised by [`AppKind`]. Every request goes through [`AppEndpoint`] (direct or API-server
//! proxy, no redirects followed, timeouts). Errors are classified with [`classify_status`]; a 400
//! validation array becomes `Http{400}` whose detail lists `propertyName: errorMessage`.

pub mod types;

pub use types::{
    category_field, Command, Field, HealthResource, Profile, Provider, ProviderKind, RootFolder,
    SystemStatus, UnmappedFolder, ValidationFailure, MASKED_VALUE,
};

use crate::clients::transport::{classify_status, AppEndpoint, RawResponse};
use crate::model::{AppError, AppErrorKind, AppHealth, AppKind, HealthIssue, IssueLevel, Secret};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct ServarrClient {
    kind: AppKind,
    endpoint: AppEndpoint,
    api_key: Secret,
    /// Last `X-Application-Version` seen on an answer.
    app_version: Arc<Mutex<Option<String>>>,
}

/// Turn a failed answer into a classified error; 400 validation arrays list their failures.
pub fn error_from(resp: &RawResponse, url_base: &str, app: AppKind) -> AppError {
    let mut err = classify_status(resp.status, resp.header("location"), url_base);
    if let Ok(failures) = serde_json::from_slice::<Vec<ValidationFailure>>(&resp.body) {
        if !failures.is_empty() {
            let list: Vec<String> = failures
                .iter()
                .map(|f| format!("{}: {}", f.property_name, f.error_message))
                .collect();
            err.detail = format!("{} rejected it: {}", app.display(), list.join("; "));
            return err;
        }
    }
    if let Ok(v) = serde_json::from_slice::<Value>(&resp.body) {
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            err.detail = format!("{} ({m})", err.detail);
        }
    }
    err
}

impl ServarrClient {
    pub fn new(kind: AppKind, endpoint: AppEndpoint, api_key: Secret) -> Self {
        ServarrClient {
            kind,
            endpoint,
            api_key,
            app_version: Arc::new(Mutex::new(None)),
        }
    }

    pub fn kind(&self) -> AppKind {
        self.kind
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.endpoint
    }

    /// The last `X-Application-Version` header an API answer carried.
    pub fn app_version(&self) -> Option<String> {
        self.app_version.lock().ok().and_then(|v| v.clone())
    }

    /// `/api/v3/<rest>` or `/api/v1/<rest>`.
    pub fn api_path(&self, rest: &str) -> String {
        let v = self.kind.servarr_api_version().unwrap_or("v3");
        format!("/api/{v}/{}", rest.trim_start_matches('/'))
    }

    fn headers(&self, with_key: bool, json_body: bool) -> Result<HeaderMap, AppError> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if json_body {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        if with_key {
            if self.api_key.is_empty() {
                return Err(AppError::new(
                    AppErrorKind::Config,
                    format!("no API key for {}", self.kind.display()),
                ));
            }
            let mut v = HeaderValue::from_str(self.api_key.expose()).map_err(|_| {
                AppError::new(AppErrorKind::Config, "API key contains invalid characters")
            })?;
            v.set_sensitive(true);
            h.insert("x-api-key", v);
        }
        Ok(h)
    }

    /// Send an API request; non-2xx answers become classified errors.
    pub async fn request(
        &self,
        method: Method,
        rest: &str,
        body: Option<&Value>,
    ) -> Result<RawResponse, AppError> {
        let headers = self.headers(true, body.is_some())?;
        let body = body.map(|b| Bytes::from(b.to_string()));
        let resp = self
            .endpoint
            .send(method, &self.api_path(rest), headers, body)
            .await?;
        if let Some(v) = resp.header("x-application-version") {
            if let Ok(mut slot) = self.app_version.lock() {
                *slot = Some(v.to_string());
            }
        }
        if resp.status.is_success() {
            Ok(resp)
        } else {
            Err(error_from(&resp, &self.endpoint.url_base, self.kind))
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, rest: &str) -> Result<T, AppError> {
        self.request(Method::GET, rest, None).await?.json()
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        rest: &str,
        body: &Value,
    ) -> Result<T, AppError> {
        self.request(method, rest, Some(body)).await?.json()
    }

    /// `GET /ping`, anonymous. A redirect (wrong URL base) is an error.
    pub async fn ping(&self) -> Result<RawResponse, AppError> {
        let resp = self
            .endpoint
            .get("/ping", self.headers(false, false)?)
            .await?;
        let resp = resp.error_for_status(&self.endpoint.url_base)?;
        resp.json::<Value>()?;
        Ok(resp)
    }

    pub async fn system_status(&self) -> Result<SystemStatus, AppError> {
        let resp = self.request(Method::GET, "system/status", None).await?;
        let mut s: SystemStatus = resp.json()?;
        s.header_version = resp.header("x-application-version").map(str::to_string);
        Ok(s)
    }

    /// The raw `health` list.
    pub async fn health_resources(&self) -> Result<Vec<HealthResource>, AppError> {
        self.get_json("health").await
    }

    /// Status + health as the console's [`AppHealth`]. Both are read at once, so a slow app
    /// costs one round trip, not two.
    pub async fn health(&self) -> Result<AppHealth, AppError> {
        let (status, list) = tokio::join!(self.system_status(), self.health_resources());
        Ok(to_app_health(&status?, &list?))
    }

    pub async fn providers(&self, kind: ProviderKind) -> Result<Vec<Provider>, AppError> {
        self.get_json(kind.segment()).await
    }

    pub async fn provider(&self, kind: ProviderKind, id: i64) -> Result<Provider, AppError> {
        self.get_json(&format!("{}/{id}", kind.segment())).await
    }

    /// Implementation templates with default fields (`…/schema`).
    pub async fn provider_schema(&self, kind: ProviderKind) -> Result<Vec<Provider>, AppError> {
        self.get_json(&format!("{}/schema", kind.segment())).await
    }

    /// Create (the app tests an enabled provider first; warnings block unless `force_save`).
    pub async fn create_provider_with(
        &self,
        kind: ProviderKind,
        p: &Provider,
        force_save: bool,
    ) -> Result<Provider, AppError> {
        let path = if force_save {
            format!("{}?forceSave=true", kind.segment())
        } else {
            kind.segment().to_string()
        };
        self.send_json(Method::POST, &path, &to_value(p)?).await
    }

    pub async fn create_provider(
        &self,
        kind: ProviderKind,
        p: &Provider,
    ) -> Result<Provider, AppError> {
        self.create_provider_with(kind, p, false).await
    }

    /// Update (send every field: omitted ones reset to defaults; `********` keeps a secret).
    pub async fn update_provider(
        &self,
        kind: ProviderKind,
        p: &Provider,
    ) -> Result<Provider, AppError> {
        let id = p
            .id
            .ok_or_else(|| AppError::new(AppErrorKind::Config, "provider has no id to update"))?;
        self.send_json(
            Method::PUT,
            &format!("{}/{id}", kind.segment()),
            &to_value(p)?,
        )
        .await
    }

    pub async fn delete_provider(&self, kind: ProviderKind, id: i64) -> Result<(), AppError> {
        self.request(Method::DELETE, &format!("{}/{id}", kind.segment()), None)
            .await
            .map(|_| ())
    }

    /// Run the app's live connection test; failures come back as `Http{400}` with the messages.
    pub async fn test_provider(&self, kind: ProviderKind, p: &Provider) -> Result<(), AppError> {
        self.request(
            Method::POST,
            &format!("{}/test", kind.segment()),
            Some(&to_value(p)?),
        )
        .await
        .map(|_| ())
    }

    pub async fn root_folders(&self) -> Result<Vec<RootFolder>, AppError> {
        self.get_json("rootfolder").await
    }

    /// Add a root folder. Lidarr also needs a name and default profiles: the name is the last
    /// path segment and the profiles are the first ones the app lists.
    pub async fn add_root_folder(&self, path: &str) -> Result<RootFolder, AppError> {
        let mut body = json!({ "path": path });
        if self.kind == AppKind::Lidarr {
            let q = self.quality_profiles().await?;
            let m = self.metadata_profiles().await?;
            let name = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("Music");
            body["name"] = json!(name);
            body["defaultQualityProfileId"] = json!(q.first().map(|p| p.id).unwrap_or(0));
            body["defaultMetadataProfileId"] = json!(m.first().map(|p| p.id).unwrap_or(0));
            body["defaultMonitorOption"] = json!("all");
            body["defaultNewItemMonitorOption"] = json!("all");
            body["defaultTags"] = json!([]);
        }
        self.send_json(Method::POST, "rootfolder", &body).await
    }

    pub async fn delete_root_folder(&self, id: i64) -> Result<(), AppError> {
        self.request(Method::DELETE, &format!("rootfolder/{id}"), None)
            .await
            .map(|_| ())
    }

    pub async fn quality_profiles(&self) -> Result<Vec<Profile>, AppError> {
        self.get_json("qualityprofile").await
    }

    /// Lidarr only.
    pub async fn metadata_profiles(&self) -> Result<Vec<Profile>, AppError> {
        self.get_json("metadataprofile").await
    }

    pub async fn tags(&self) -> Result<Vec<Value>, AppError> {
        self.get_json("tag").await
    }

    /// Start a command (`ApplicationIndexerSync`, …).
    pub async fn command(&self, name: &str) -> Result<Command, AppError> {
        self.send_json(Method::POST, "command", &json!({ "name": name }))
            .await
    }

    pub async fn command_status(&self, id: i64) -> Result<Command, AppError> {
        self.get_json(&format!("command/{id}")).await
    }
}

fn to_value(p: &Provider) -> Result<Value, AppError> {
    serde_json::to_value(p)
        .map_err(|e| AppError::new(AppErrorKind::Config, format!("cannot encode provider: {e}")))
}

impl HealthResource {
    /// As the console's [`HealthIssue`] (the app's `type` becomes an [`IssueLevel`]).
    pub fn to_issue(&self) -> HealthIssue {
        HealthIssue {
            source: self.source.clone(),
            level: level(&self.kind),
            message: self.message.clone(),
            wiki_url: self.wiki_url.clone(),
        }
    }
}

fn level(ty: &str) -> IssueLevel {
    match ty.to_ascii_lowercase().as_str() {
        "error" => IssueLevel::Error,
        "warning" => IssueLevel::Warning,
        "notice" => IssueLevel::Notice,
        _ => IssueLevel::Ok,
    }
}

/// Pure: status + health list → [`AppHealth`] (`healthy`, `1 issue`, `N issues`).
pub fn to_app_health(status: &SystemStatus, list: &[HealthResource]) -> AppHealth {
    // A hostile app can list 200,000 issues: the count is the truth, the list kept is bounded.
    let max = crate::bounds::MAX_LIST_ITEMS;
    let mut issues: Vec<HealthIssue> = list
        .iter()
        .take(max)
        .map(HealthResource::to_issue)
        .collect();
    if list.len() > max {
        issues.push(crate::model::status::more_issues(list.len() - max));
    }
    let summary = match list.len() {
        0 => "healthy".to_string(),
        1 => "1 issue".to_string(),
        n => format!("{n} issues"),
    };
    AppHealth {
        version: Some(status.version.clone()).filter(|v| !v.is_empty()),
        summary,
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_summary_counts_issues() {
        let s = SystemStatus {
            version: "4.0.19".into(),
            ..SystemStatus::default()
        };
        assert_eq!(to_app_health(&s, &[]).summary, "healthy");
        let h = HealthResource {
            source: "DownloadClientCheck".into(),
            kind: "warning".into(),
            message: "No download client is available".into(),
            wiki_url: None,
        };
        let a = to_app_health(&s, &[h.clone(), h]);
        assert_eq!(a.summary, "2 issues");
        assert_eq!(a.worst_level(), IssueLevel::Warning);
    }

    #[test]
    fn secret_fields_do_not_debug_print() {
        let mut p = Provider::new("q", "QBittorrent", "QBittorrentSettings");
        p.set_secret("password", &Secret::new("hunter2-very-secret"));
        p.set_field("host", json!("qbittorrent"));
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("qbittorrent"));
        assert_eq!(p.field_str("PASSWORD"), "hunter2-very-secret");
    }
}
