//! Alertmanager API v2 (ops-facts §4.4) and, as the fallback when there is no Alertmanager,
//! Prometheus's own `/api/v1/alerts`: list alerts (active, silenced, inhibited), list
//! silences, create a silence from matchers, expire one. Every call goes through an
//! [`AppEndpoint`] (service proxy, direct or a configured URL) with its timeout.

use super::transport::AppEndpoint;
use crate::model::{AppError, AppErrorKind};
use bytes::Bytes;
use jiff::Timestamp;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One alert as either API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `active`, `suppressed` (Alertmanager), `firing`, `pending` (Prometheus).
    pub state: String,
    pub since: Option<Timestamp>,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub fingerprint: String,
}

impl Alert {
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("?", String::as_str)
    }
    pub fn severity(&self) -> &str {
        self.labels.get("severity").map_or("none", String::as_str)
    }
    /// `active`, `silenced`, `inhibited`, or Prometheus's `firing`/`pending`.
    pub fn shown_state(&self) -> &str {
        if !self.silenced_by.is_empty() {
            "silenced"
        } else if !self.inhibited_by.is_empty() {
            "inhibited"
        } else {
            &self.state
        }
    }
    /// Counts as a problem now (not silenced, inhibited or only pending).
    pub fn is_active(&self) -> bool {
        matches!(self.shown_state(), "active" | "firing")
    }
}

/// One silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    pub id: String,
    /// `active`, `pending`, `expired`.
    pub state: String,
    /// `name=value` (`=~` for a regex), joined.
    pub matchers: Vec<String>,
    pub ends_at: Option<Timestamp>,
    pub created_by: String,
    pub comment: String,
}

fn map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// Alertmanager's `GET /api/v2/alerts` body.
pub fn parse_am_alerts(v: &Value) -> Vec<Alert> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|a| Alert {
            labels: map(&a["labels"]),
            annotations: map(&a["annotations"]),
            state: a["status"]["state"]
                .as_str()
                .unwrap_or("unknown")
                .to_string(),
            since: ts(&a["startsAt"]),
            silenced_by: strings(&a["status"]["silencedBy"]),
            inhibited_by: strings(&a["status"]["inhibitedBy"]),
            fingerprint: a["fingerprint"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// Prometheus's `GET /api/v1/alerts` body.
pub fn parse_prom_alerts(v: &Value) -> Vec<Alert> {
    v["data"]["alerts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let labels = map(&a["labels"]);
            let fingerprint = labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            Alert {
                labels,
                annotations: map(&a["annotations"]),
                state: a["state"].as_str().unwrap_or("unknown").to_string(),
                since: ts(&a["activeAt"]),
                silenced_by: vec![],
                inhibited_by: vec![],
                fingerprint,
            }
        })
        .collect()
}

/// `GET /api/v2/silences` body.
pub fn parse_silences(v: &Value) -> Vec<Silence> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| Silence {
            id: s["id"].as_str().unwrap_or_default().to_string(),
            state: s["status"]["state"]
                .as_str()
                .unwrap_or("unknown")
                .to_string(),
            matchers: s["matchers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| {
                    let op = match (
                        m["isEqual"].as_bool().unwrap_or(true),
                        m["isRegex"].as_bool().unwrap_or(false),
                    ) {
                        (true, false) => "=",
                        (true, true) => "=~",
                        (false, false) => "!=",
                        (false, true) => "!~",
                    };
                    format!(
                        "{}{op}{}",
                        m["name"].as_str().unwrap_or("?"),
                        m["value"].as_str().unwrap_or("")
                    )
                })
                .collect(),
            ends_at: ts(&s["endsAt"]),
            created_by: s["createdBy"].as_str().unwrap_or_default().to_string(),
            comment: s["comment"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

pub struct AlertmanagerClient {
    ep: AppEndpoint,
}

fn json_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h
}

impl AlertmanagerClient {
    pub fn new(ep: AppEndpoint) -> Self {
        AlertmanagerClient { ep }
    }

    async fn get_json(&self, path: &str) -> Result<Value, AppError> {
        let r = self.ep.get(path, HeaderMap::new()).await?;
        r.error_for_status(&self.ep.url_base)?.json()
    }

    pub async fn alerts(&self) -> Result<Vec<Alert>, AppError> {
        Ok(parse_am_alerts(&self.get_json("/api/v2/alerts").await?))
    }

    pub async fn silences(&self) -> Result<Vec<Silence>, AppError> {
        Ok(parse_silences(&self.get_json("/api/v2/silences").await?))
    }

    /// Prometheus's own alerts (the fallback when there is no Alertmanager).
    pub async fn prometheus_alerts(&self) -> Result<Vec<Alert>, AppError> {
        Ok(parse_prom_alerts(&self.get_json("/api/v1/alerts").await?))
    }

    /// Silence what matches `matchers` (exact `name=value`) from now for `secs`; the new id.
    pub async fn silence(
        &self,
        matchers: &[(String, String)],
        secs: i64,
        created_by: &str,
        comment: &str,
    ) -> Result<String, AppError> {
        if matchers.is_empty() {
            return Err(AppError::new(
                AppErrorKind::Config,
                "a silence needs at least one matcher",
            ));
        }
        let now = Timestamp::now();
        let ends = Timestamp::from_second(now.as_second() + secs).unwrap_or(now);
        let body = json!({
            "matchers": matchers.iter().map(|(n, v)| json!({"name": n, "value": v, "isRegex": false, "isEqual": true})).collect::<Vec<_>>(),
            "startsAt": now.to_string(), "endsAt": ends.to_string(),
            "createdBy": created_by, "comment": comment,
        });
        let r = self
            .ep
            .send(
                Method::POST,
                "/api/v2/silences",
                json_headers(),
                Some(Bytes::from(body.to_string())),
            )
            .await?;
        let v: Value = r.error_for_status(&self.ep.url_base)?.json()?;
        v["silenceID"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| AppError::new(AppErrorKind::BadBody, "no silenceID in the answer"))
    }

    /// Expire a silence (`DELETE /api/v2/silence/{id}`).
    pub async fn expire(&self, id: &str) -> Result<(), AppError> {
        if !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') || id.is_empty() {
            return Err(AppError::new(
                AppErrorKind::Config,
                format!("not a silence id: {id:?}"),
            ));
        }
        let r = self
            .ep
            .send(
                Method::DELETE,
                &format!("/api/v2/silence/{id}"),
                HeaderMap::new(),
                None,
            )
            .await?;
        r.error_for_status(&self.ep.url_base)?;
        Ok(())
    }
}
