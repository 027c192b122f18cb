//! Bazarr client (`api-facts.md` §7): `{base_url}/api/…` with header `X-API-KEY`.
//!
//! Settings are written the way the web UI does: form fields `settings-<section>-<key>`
//! (204 on success, 406 with the validator's message on failure). The Sonarr/Radarr connection
//! test uses Bazarr's own tester route `{base_url}/test/<http|https>/<host:port/base>/api/v3/
//! system/status?apikey=…`, so the connection is made from Bazarr's pod, not from the console.

use super::transport::AppEndpoint;
use crate::model::{AppError, AppErrorKind, AppHealth, HealthIssue, IssueLevel, Secret};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which Starr app a Bazarr connection points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BazarrArr {
    Sonarr,
    Radarr,
}

impl BazarrArr {
    pub fn section(self) -> &'static str {
        match self {
            BazarrArr::Sonarr => "sonarr",
            BazarrArr::Radarr => "radarr",
        }
    }
}

/// Bazarr's settings for one Starr app (section `sonarr`/`radarr` + `general.use_*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArrConnection {
    pub enabled: bool,
    pub ip: String,
    pub port: u16,
    /// As Bazarr stores it (`/` for none, `/sonarr`).
    pub base_url: String,
    pub ssl: bool,
    pub api_key: Secret,
}

impl ArrConnection {
    /// `http://ip:port/base` as Bazarr builds it.
    pub fn url(&self) -> String {
        format!(
            "{}://{}:{}{}",
            if self.ssl { "https" } else { "http" },
            self.ip,
            self.port,
            self.base_url.trim_end_matches('/')
        )
    }
}

/// `GET /api/system/status` → `data`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct BazarrStatus {
    #[serde(default)]
    pub bazarr_version: String,
    #[serde(default)]
    pub sonarr_version: String,
    #[serde(default)]
    pub radarr_version: String,
}

/// One `GET /api/system/health` item.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct BazarrHealthItem {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub issue: String,
}

/// Result of Bazarr's connection tester.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArrTest {
    pub ok: bool,
    pub version: Option<String>,
    pub error: Option<String>,
    /// HTTP status Bazarr got from the Starr app (0 when it could not connect).
    pub code: u16,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

pub struct BazarrClient {
    ep: AppEndpoint,
    api_key: Secret,
}

impl std::fmt::Debug for BazarrClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BazarrClient({})", self.ep.describe())
    }
}

impl BazarrClient {
    pub fn new(ep: AppEndpoint, api_key: Secret) -> Self {
        BazarrClient { ep, api_key }
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.ep
    }

    fn headers(&self) -> Result<HeaderMap, AppError> {
        let mut h = HeaderMap::new();
        let v = HeaderValue::from_str(self.api_key.expose()).map_err(|_| {
            AppError::new(AppErrorKind::Config, "API key contains invalid characters")
        })?;
        h.insert("x-api-key", v);
        Ok(h)
    }

    /// `secrets` are masked out of error texts (Bazarr's validator echoes rejected values).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        extra: HeaderMap,
        secrets: &[&Secret],
    ) -> Result<super::transport::RawResponse, AppError> {
        let mut h = self.headers()?;
        h.extend(extra);
        let r = self.ep.send(method, path, h, body).await?;
        if r.status.as_u16() == 406 {
            let mut msg = String::from_utf8_lossy(&r.body).trim().to_string();
            for s in secrets.iter().chain([&&self.api_key]) {
                if !s.is_empty() {
                    msg = msg.replace(s.expose(), crate::model::secret::MASK);
                }
            }
            return Err(AppError::new(
                AppErrorKind::Http { status: 406 },
                format!("Bazarr rejected the settings: {msg}"),
            ));
        }
        r.error_for_status(&self.ep.url_base)
    }

    /// `GET /api/system/ping` (no key; Bazarr ≥ 1.5.2).
    pub async fn ping(&self) -> Result<(), AppError> {
        let r = self
            .ep
            .get("/api/system/ping", HeaderMap::new())
            .await?
            .error_for_status(&self.ep.url_base)?;
        let v: Value = r.json()?;
        if v.get("status").and_then(Value::as_str) == Some("OK") {
            Ok(())
        } else {
            Err(AppError::new(
                AppErrorKind::BadBody,
                "ping did not answer OK",
            ))
        }
    }

    pub async fn status(&self) -> Result<BazarrStatus, AppError> {
        let d: Data<BazarrStatus> = self
            .call(
                Method::GET,
                "/api/system/status",
                None,
                HeaderMap::new(),
                &[],
            )
            .await?
            .json()?;
        Ok(d.data)
    }

    pub async fn health_items(&self) -> Result<Vec<BazarrHealthItem>, AppError> {
        let d: Data<Vec<BazarrHealthItem>> = self
            .call(
                Method::GET,
                "/api/system/health",
                None,
                HeaderMap::new(),
                &[],
            )
            .await?
            .json()?;
        Ok(d.data)
    }

    /// All settings sections as Bazarr reports them.
    pub async fn settings(&self) -> Result<Value, AppError> {
        self.call(
            Method::GET,
            "/api/system/settings",
            None,
            HeaderMap::new(),
            &[],
        )
        .await?
        .json()
    }

    /// The Sonarr or Radarr connection from the settings.
    pub async fn arr_connection(&self, arr: BazarrArr) -> Result<ArrConnection, AppError> {
        let s = self.settings().await?;
        arr_from_settings(&s, arr)
    }

    /// Write a connection (form `settings-<section>-<key>`), enabling or disabling it.
    pub async fn set_arr_connection(
        &self,
        arr: BazarrArr,
        c: &ArrConnection,
    ) -> Result<(), AppError> {
        let sec = arr.section();
        let port = c.port.to_string();
        let base = if c.base_url.is_empty() {
            "/".to_string()
        } else {
            c.base_url.clone()
        };
        let pairs: Vec<(String, String)> = vec![
            (format!("settings-general-use_{sec}"), c.enabled.to_string()),
            (format!("settings-{sec}-ip"), c.ip.clone()),
            (format!("settings-{sec}-port"), port),
            (format!("settings-{sec}-base_url"), base),
            (format!("settings-{sec}-ssl"), c.ssl.to_string()),
            (
                format!("settings-{sec}-apikey"),
                c.api_key.expose().to_string(),
            ),
        ];
        self.post_settings_form(&pairs, &[&c.api_key]).await
    }

    /// Post settings form fields (`settings-<section>-<key>` → value) as the web UI does.
    /// `secrets` are masked out of a rejection message.
    pub async fn post_settings_form(
        &self,
        pairs: &[(String, String)],
        secrets: &[&Secret],
    ) -> Result<(), AppError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter())
            .finish();
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        self.call(
            Method::POST,
            "/api/system/settings",
            Some(Bytes::from(body)),
            h,
            secrets,
        )
        .await
        .map(|_| ())
    }

    /// Ask Bazarr to test a connection (its UI tester; works while Bazarr has no UI login).
    pub async fn test_arr_connection(&self, c: &ArrConnection) -> Result<ArrTest, AppError> {
        let proto = if c.ssl { "https" } else { "http" };
        let key: String =
            url::form_urlencoded::byte_serialize(c.api_key.expose().as_bytes()).collect();
        let path = format!(
            "/test/{proto}/{}:{}{}/api/v3/system/status?apikey={key}",
            c.ip,
            c.port,
            c.base_url.trim_end_matches('/')
        );
        let r = self
            .ep
            .get(&path, HeaderMap::new())
            .await?
            .error_for_status(&self.ep.url_base)?;
        let v: Value = r.json()?;
        Ok(ArrTest {
            ok: v.get("status").and_then(Value::as_bool).unwrap_or(false),
            version: v.get("version").and_then(Value::as_str).map(String::from),
            error: v.get("error").map(|e| match e {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            code: v.get("code").and_then(Value::as_u64).unwrap_or(0) as u16,
        })
    }

    /// Status (version, reachability of Sonarr/Radarr) and the health list.
    pub async fn health(&self) -> Result<AppHealth, AppError> {
        let status = self.status().await?;
        let items = self.health_items().await?;
        Ok(health_from(&status, &items))
    }
}

/// Pure: read one Starr connection out of the settings document.
pub fn arr_from_settings(s: &Value, arr: BazarrArr) -> Result<ArrConnection, AppError> {
    let sec = s.get(arr.section()).ok_or_else(|| {
        AppError::new(
            AppErrorKind::BadBody,
            format!("settings have no {} section", arr.section()),
        )
    })?;
    let str_of = |k: &str| match sec.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    Ok(ArrConnection {
        enabled: s
            .get("general")
            .and_then(|g| g.get(format!("use_{}", arr.section())))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        ip: str_of("ip"),
        port: sec
            .get("port")
            .and_then(|p| {
                p.as_u64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(0) as u16,
        base_url: str_of("base_url"),
        ssl: sec.get("ssl").and_then(Value::as_bool).unwrap_or(false),
        api_key: Secret::new(str_of("apikey")),
    })
}

/// Pure: status + health list → health.
pub fn health_from(status: &BazarrStatus, items: &[BazarrHealthItem]) -> AppHealth {
    let max = crate::bounds::MAX_LIST_ITEMS;
    let mut issues: Vec<HealthIssue> = items
        .iter()
        .take(max)
        .map(|i| HealthIssue {
            source: i.object.clone(),
            level: IssueLevel::Warning,
            message: i.issue.clone(),
            wiki_url: None,
        })
        .collect();
    if items.len() > max {
        issues.push(crate::model::status::more_issues(items.len() - max));
    }
    for (name, v) in [
        ("Sonarr", &status.sonarr_version),
        ("Radarr", &status.radarr_version),
    ] {
        if v == "unknown" {
            issues.push(HealthIssue {
                source: name.into(),
                level: IssueLevel::Warning,
                message: format!("Bazarr cannot reach {name} (version unknown)"),
                wiki_url: None,
            });
        }
    }
    AppHealth {
        version: Some(status.bazarr_version.clone()).filter(|v| !v.is_empty()),
        summary: if issues.is_empty() {
            "ok".into()
        } else {
            // the true count: the app's items (kept or not) plus the unreachable Starr apps
            let kept = items.len().min(max) + usize::from(items.len() > max);
            format!("{} issues", items.len() + issues.len() - kept)
        },
        issues,
    }
}
