//! SABnzbd API client (`api-facts.md` §11): `GET {url_base}/api?mode=…&output=json&apikey=…`.
//!
//! 403 answers are plain text and say why; they are classified: `API Key Required` /
//! `API Key Incorrect` → [`AppErrorKind::Unauthorized`] (an NZB key used as API key lands here
//! too), hostname verification → [`AppErrorKind::Forbidden`] with the `host_whitelist` hint.
//! Errors inside a mode (`{"status":false,"error":…}`) become [`AppErrorKind::Http`] with the text.

use super::transport::{AppEndpoint, RawResponse};
use crate::model::{AppError, AppErrorKind, AppHealth, HealthIssue, IssueLevel, Secret};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The queue header (`mode=queue`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueStatus {
    /// `Downloading`, `Paused`, `Idle` …
    pub status: String,
    pub paused: bool,
    pub slots: u64,
    pub speed: String,
    pub size_left: String,
}

/// One `[categories]` entry of `get_config`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct SabCategory {
    pub name: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub pp: String,
    #[serde(default)]
    pub script: String,
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub order: i64,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// One entry of `mode=warnings`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct SabWarning {
    #[serde(default)]
    pub text: String,
    #[serde(default, rename = "type")]
    pub kind: String,
}

pub struct SabClient {
    ep: AppEndpoint,
    api_key: Secret,
}

impl std::fmt::Debug for SabClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SabClient({})", self.ep.describe())
    }
}

/// Classify a 403 text answer of SABnzbd.
pub fn classify_403(text: &str) -> AppError {
    let t = text.trim();
    if t.contains("API Key Required") {
        AppError::new(
            AppErrorKind::Unauthorized,
            "SABnzbd: API Key Required (no key sent)",
        )
    } else if t.contains("API Key Incorrect") {
        AppError::new(
            AppErrorKind::Unauthorized,
            "SABnzbd: API Key Incorrect (wrong key, or the NZB key used as API key)",
        )
    } else if t.contains("Hostname verification failed") {
        AppError::new(
            AppErrorKind::Forbidden,
            "SABnzbd: hostname verification failed: add the host name to [misc] host_whitelist",
        )
    } else if t.is_empty() {
        AppError::new(
            AppErrorKind::Forbidden,
            "403 Forbidden (api_warnings off: key or host rejected)",
        )
    } else {
        let short: String = t.chars().take(120).collect();
        AppError::new(AppErrorKind::Forbidden, format!("SABnzbd: 403 {short}"))
    }
}

impl SabClient {
    pub fn new(ep: AppEndpoint, api_key: Secret) -> Self {
        SabClient { ep, api_key }
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.ep
    }

    /// One API call. `with_key` adds `apikey`; `extra` are further query pairs.
    pub async fn api(
        &self,
        mode: &str,
        extra: &[(&str, &str)],
        with_key: bool,
    ) -> Result<Value, AppError> {
        if with_key && self.api_key.is_empty() {
            return Err(AppError::new(
                AppErrorKind::Config,
                "no SABnzbd API key configured",
            ));
        }
        let key = with_key.then(|| self.api_key.expose());
        let path = api_path(mode, extra, key);
        let resp = self.ep.get(&path, HeaderMap::new()).await?;
        self.decode(resp)
    }

    fn decode(&self, resp: RawResponse) -> Result<Value, AppError> {
        if resp.status.as_u16() == 403 {
            return Err(classify_403(&String::from_utf8_lossy(&resp.body)));
        }
        let resp = resp.error_for_status(&self.ep.url_base)?;
        let v: Value = resp.json()?;
        if v.get("status") == Some(&Value::Bool(false)) {
            let msg = v.get("error").and_then(Value::as_str).unwrap_or("error");
            if msg.contains("API Key") {
                return Err(AppError::new(
                    AppErrorKind::Unauthorized,
                    format!("SABnzbd: {msg}"),
                ));
            }
            return Err(AppError::new(
                AppErrorKind::Http { status: 200 },
                format!("SABnzbd error: {msg}"),
            ));
        }
        Ok(v)
    }

    /// `mode=version` (needs no key).
    pub async fn version(&self) -> Result<String, AppError> {
        let v = self.api("version", &[], false).await?;
        v.get("version")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| AppError::new(AppErrorKind::BadBody, "version answer has no version"))
    }

    pub async fn queue(&self) -> Result<QueueStatus, AppError> {
        let v = self.api("queue", &[("limit", "0")], true).await?;
        let q = v
            .get("queue")
            .ok_or_else(|| AppError::new(AppErrorKind::BadBody, "queue answer has no queue"))?;
        let s = |k: &str| q.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Ok(QueueStatus {
            status: s("status"),
            paused: q.get("paused").and_then(Value::as_bool).unwrap_or(false),
            slots: q
                .get("noofslots_total")
                .or_else(|| q.get("noofslots"))
                .and_then(Value::as_u64)
                .unwrap_or(0),
            speed: s("speed"),
            size_left: s("sizeleft"),
        })
    }

    pub async fn warnings(&self) -> Result<Vec<SabWarning>, AppError> {
        let v = self.api("warnings", &[], true).await?;
        let list = v.get("warnings").cloned().unwrap_or(Value::Array(vec![]));
        // Older versions list plain strings.
        Ok(list
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|w| match w {
                        Value::String(s) => SabWarning {
                            text: s.clone(),
                            kind: "WARNING".into(),
                        },
                        other => serde_json::from_value(other.clone()).unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `mode=get_config` (optionally one section); returns the `config` object.
    pub async fn get_config(&self, section: Option<&str>) -> Result<Value, AppError> {
        let extra: Vec<(&str, &str)> = section.map(|s| vec![("section", s)]).unwrap_or_default();
        let v = self.api("get_config", &extra, true).await?;
        v.get("config")
            .cloned()
            .ok_or_else(|| AppError::new(AppErrorKind::BadBody, "get_config answer has no config"))
    }

    /// The `[misc]` section (API key and NZB key included as the app reports them).
    pub async fn misc(&self) -> Result<Value, AppError> {
        let c = self.get_config(Some("misc")).await?;
        Ok(c.get("misc").cloned().unwrap_or(Value::Null))
    }

    pub async fn categories(&self) -> Result<Vec<SabCategory>, AppError> {
        let c = self.get_config(Some("categories")).await?;
        let list = c.get("categories").cloned().unwrap_or(Value::Null);
        serde_json::from_value(list).map_err(|e| {
            AppError::new(AppErrorKind::BadBody, format!("unexpected categories: {e}"))
        })
    }

    /// `mode=get_cats`: category names only.
    pub async fn category_names(&self) -> Result<Vec<String>, AppError> {
        let v = self.api("get_cats", &[], true).await?;
        Ok(v.get("categories")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `set_config section=misc keyword=… value=…`.
    pub async fn set_misc(&self, keyword: &str, value: &str) -> Result<(), AppError> {
        self.api(
            "set_config",
            &[("section", "misc"), ("keyword", keyword), ("value", value)],
            true,
        )
        .await
        .map(|_| ())
    }

    /// Create or update a category (`set_config section=categories name=…`).
    pub async fn set_category(&self, cat: &SabCategory) -> Result<(), AppError> {
        let prio = cat.priority.to_string();
        let mut extra = vec![
            ("section", "categories"),
            ("name", cat.name.as_str()),
            ("dir", cat.dir.as_str()),
            ("priority", prio.as_str()),
        ];
        if !cat.pp.is_empty() {
            extra.push(("pp", cat.pp.as_str()));
        }
        if !cat.script.is_empty() {
            extra.push(("script", cat.script.as_str()));
        }
        self.api("set_config", &extra, true).await.map(|_| ())
    }

    /// Version (no key), queue state and warnings (key).
    pub async fn health(&self) -> Result<AppHealth, AppError> {
        let version = self.version().await?;
        let queue = self.queue().await?;
        let warnings = self.warnings().await?;
        Ok(health_from(version, &queue, &warnings))
    }
}

/// Pure: version + queue + warnings → health.
pub fn health_from(version: String, queue: &QueueStatus, warnings: &[SabWarning]) -> AppHealth {
    let mut issues: Vec<HealthIssue> = warnings
        .iter()
        .map(|w| HealthIssue {
            source: "warnings".into(),
            level: if w.kind.eq_ignore_ascii_case("ERROR") {
                IssueLevel::Error
            } else {
                IssueLevel::Warning
            },
            message: w.text.clone(),
            wiki_url: None,
        })
        .collect();
    if queue.paused {
        issues.push(HealthIssue {
            source: "queue".into(),
            level: IssueLevel::Notice,
            message: "the download queue is paused".into(),
            wiki_url: None,
        });
    }
    AppHealth {
        version: Some(version),
        summary: if queue.status.is_empty() {
            "unknown".into()
        } else {
            queue.status.clone()
        },
        issues,
    }
}

/// `/api?mode=…&output=json&…[&apikey=…]` (built synchronously: the serializer is not `Send`).
fn api_path(mode: &str, extra: &[(&str, &str)], key: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("mode", mode).append_pair("output", "json");
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    if let Some(k) = key {
        q.append_pair("apikey", k);
    }
    format!("/api?{}", q.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_403_texts() {
        assert_eq!(
            classify_403("API Key Incorrect").kind,
            AppErrorKind::Unauthorized
        );
        assert_eq!(
            classify_403(
                "Access denied - Hostname verification failed: https://sabnzbd.org/hostname-check"
            )
            .kind,
            AppErrorKind::Forbidden
        );
        assert!(classify_403("Access denied - Hostname verification failed")
            .detail
            .contains("host_whitelist"));
    }
}
