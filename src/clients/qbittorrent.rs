//! qBittorrent WebUI API v2 client (`api-facts.md` §10), for 4.x and 5.x.
//!
//! There is no cookie store: [`QbitClient`] logs in with the WebUI credentials, keeps the session
//! cookie itself (`SID` before 5.2, `QBT_SID_<port>` from 5.2) and logs in again once when a call
//! answers 403 (expired session). Login answers are read for both generations: 200 `Ok.` /
//! `Fails.` (≤ 5.1) and 204 / 401 (5.2). No `Origin`/`Referer` is sent, so the CSRF check passes.

use super::transport::AppEndpoint;
use crate::model::{AppError, AppErrorKind, AppHealth, HealthIssue, IssueLevel, Secret};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `app/preferences`, the keys the console reads; everything else stays in `raw`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Preferences {
    #[serde(default)]
    pub save_path: String,
    #[serde(default)]
    pub listen_port: i64,
    #[serde(default)]
    pub web_ui_port: i64,
    #[serde(default)]
    pub web_ui_address: String,
    /// Interface the session is bound to; `""` means any (no VPN binding).
    #[serde(default)]
    pub current_network_interface: String,
    #[serde(default)]
    pub current_interface_address: String,
    #[serde(default)]
    pub bypass_local_auth: bool,
    #[serde(default)]
    pub bypass_auth_subnet_whitelist_enabled: bool,
    #[serde(default)]
    pub bypass_auth_subnet_whitelist: String,
    #[serde(skip)]
    pub raw: serde_json::Value,
}

/// `transfer/info`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct TransferInfo {
    #[serde(default)]
    pub dl_info_speed: u64,
    #[serde(default)]
    pub up_info_speed: u64,
    #[serde(default)]
    pub dht_nodes: u64,
    /// `connected`, `firewalled` or `disconnected`.
    #[serde(default)]
    pub connection_status: String,
}

/// One entry of `torrents/categories`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Category {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "savePath")]
    pub save_path: String,
    #[serde(default, rename = "downloadPath")]
    pub download_path: Option<serde_json::Value>,
}

/// One entry of `torrents/info` (the fields the console shows).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Torrent {
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub progress: f64,
    #[serde(default)]
    pub save_path: String,
    /// The metadata is known (a magnet's metadata was fetched from peers).
    #[serde(default)]
    pub has_metadata: bool,
}

#[derive(Clone)]
struct SessionCookie {
    name: String,
    value: Secret,
}

/// A qBittorrent WebUI client carrying its own session cookie.
pub struct QbitClient {
    ep: AppEndpoint,
    username: String,
    password: Secret,
    session: tokio::sync::Mutex<Option<Option<SessionCookie>>>,
}

impl std::fmt::Debug for QbitClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "QbitClient({}, user {})",
            self.ep.describe(),
            self.username
        )
    }
}

/// Find the session cookie (`SID` or `QBT_SID_<port>`) among `Set-Cookie` headers.
pub fn session_cookie(headers: &HeaderMap) -> Option<(String, String)> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| (*k == "SID" || k.starts_with("QBT_SID_")) && !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
}

fn form_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    h
}

fn encode_form(pairs: &[(&str, &str)]) -> Bytes {
    Bytes::from(
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter())
            .finish(),
    )
}

/// The body of a plain-text error answer, for error details (never contains a secret).
fn body_text(b: &Bytes) -> String {
    String::from_utf8_lossy(&b[..b.len().min(200)])
        .trim()
        .to_string()
}

impl QbitClient {
    pub fn new(ep: AppEndpoint, username: impl Into<String>, password: Secret) -> Self {
        QbitClient {
            ep,
            username: username.into(),
            password,
            session: tokio::sync::Mutex::new(None),
        }
    }

    pub fn endpoint(&self) -> &AppEndpoint {
        &self.ep
    }

    /// `POST auth/login`. Succeeds on 200 `Ok.` or 204; wrong credentials (`Fails.` / 401)
    /// are [`AppErrorKind::Unauthorized`], a ban (403) is [`AppErrorKind::Forbidden`].
    pub async fn login(&self) -> Result<(), AppError> {
        let body = encode_form(&[
            ("username", self.username.as_str()),
            ("password", self.password.expose()),
        ]);
        let resp = self
            .ep
            .send(
                Method::POST,
                "/api/v2/auth/login",
                form_headers(),
                Some(body),
            )
            .await?;
        let text = body_text(&resp.body);
        let ok = match resp.status.as_u16() {
            204 => true,
            200 if text == "Ok." => true,
            200 if text == "Fails." => false,
            401 => false,
            403 => {
                return Err(AppError::new(
                    AppErrorKind::Forbidden,
                    format!("403 Forbidden at login: {text}"),
                ))
            }
            200 => {
                return Err(
                    // An HTML page or anything else: not a qBittorrent WebAPI.
                    AppError::new(
                        AppErrorKind::BadBody,
                        "login answered neither Ok. nor Fails.",
                    ),
                );
            }
            _ => {
                return Err(resp
                    .error_for_status(&self.ep.url_base)
                    .err()
                    .unwrap_or_else(|| {
                        AppError::new(AppErrorKind::Http { status: 0 }, "unexpected login answer")
                    }))
            }
        };
        if !ok {
            return Err(AppError::new(
                AppErrorKind::Unauthorized,
                "qBittorrent rejected the WebUI username or password",
            ));
        }
        let cookie = session_cookie(&resp.headers).map(|(name, value)| SessionCookie {
            name,
            value: Secret::new(value),
        });
        *self.session.lock().await = Some(cookie);
        Ok(())
    }

    async fn cookie_header(&self) -> Result<HeaderMap, AppError> {
        let mut guard = self.session.lock().await;
        if guard.is_none() {
            drop(guard);
            self.login().await?;
            guard = self.session.lock().await;
        }
        let mut h = HeaderMap::new();
        if let Some(Some(c)) = guard.as_ref() {
            let v = format!("{}={}", c.name, c.value.expose());
            let v = HeaderValue::from_str(&v).map_err(|_| {
                AppError::new(
                    AppErrorKind::BadBody,
                    "session cookie is not a valid header",
                )
            })?;
            h.insert(header::COOKIE, v);
        }
        Ok(h)
    }

    /// One authenticated call; logs in first when needed and once more after a 403.
    async fn call(
        &self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Result<super::transport::RawResponse, AppError> {
        for attempt in 0..2 {
            let mut h = self.cookie_header().await?;
            let body = form.map(|f| {
                h.extend(form_headers());
                encode_form(f)
            });
            let resp = self.ep.send(method.clone(), path, h, body).await?;
            if resp.status.as_u16() == 403 && attempt == 0 {
                *self.session.lock().await = None;
                continue;
            }
            if resp.status.is_success() {
                return Ok(resp);
            }
            let text = body_text(&resp.body);
            let mut e = resp
                .error_for_status(&self.ep.url_base)
                .err()
                .unwrap_or_else(|| {
                    AppError::new(AppErrorKind::Http { status: 0 }, "unexpected answer")
                });
            if !text.is_empty() && !text.starts_with('<') {
                e.detail = format!("{}: {text}", e.detail);
            }
            return Err(e);
        }
        Err(AppError::new(
            AppErrorKind::Forbidden,
            "403 Forbidden: no session after logging in again",
        ))
    }

    async fn get_text(&self, path: &str) -> Result<String, AppError> {
        let r = self.call(Method::GET, path, None).await?;
        let t = String::from_utf8_lossy(&r.body).trim().to_string();
        if t.starts_with('<') {
            return Err(AppError::new(
                AppErrorKind::BadBody,
                "answered an HTML page instead of text",
            ));
        }
        Ok(t)
    }

    /// `auth/logout`; the next call logs in again.
    pub async fn logout(&self) -> Result<(), AppError> {
        self.call(Method::POST, "/api/v2/auth/logout", Some(&[]))
            .await?;
        *self.session.lock().await = None;
        Ok(())
    }

    /// `app/networkInterfaceList`: `(name, value)` pairs; `value` is what
    /// `current_network_interface` takes (e.g. `tun0` to bind to the VPN).
    pub async fn network_interfaces(&self) -> Result<Vec<(String, String)>, AppError> {
        #[derive(Deserialize)]
        struct Iface {
            name: String,
            value: String,
        }
        let list: Vec<Iface> = self
            .call(Method::GET, "/api/v2/app/networkInterfaceList", None)
            .await?
            .json()?;
        Ok(list.into_iter().map(|i| (i.name, i.value)).collect())
    }

    /// `app/version`, e.g. `v5.1.4`.
    pub async fn version(&self) -> Result<String, AppError> {
        self.get_text("/api/v2/app/version").await
    }

    /// `app/webapiVersion`, e.g. `2.11.4`.
    pub async fn webapi_version(&self) -> Result<String, AppError> {
        self.get_text("/api/v2/app/webapiVersion").await
    }

    pub async fn preferences(&self) -> Result<Preferences, AppError> {
        let r = self
            .call(Method::GET, "/api/v2/app/preferences", None)
            .await?;
        let raw: serde_json::Value = r.json()?;
        let mut p: Preferences = serde_json::from_value(raw.clone()).map_err(|e| {
            AppError::new(
                AppErrorKind::BadBody,
                format!("unexpected preferences: {e}"),
            )
        })?;
        p.raw = raw;
        Ok(p)
    }

    /// `app/setPreferences` with a partial JSON object (only present keys change).
    pub async fn set_preferences(&self, changes: &serde_json::Value) -> Result<(), AppError> {
        let json = changes.to_string();
        self.call(
            Method::POST,
            "/api/v2/app/setPreferences",
            Some(&[("json", json.as_str())]),
        )
        .await
        .map(|_| ())
    }

    pub async fn transfer_info(&self) -> Result<TransferInfo, AppError> {
        self.call(Method::GET, "/api/v2/transfer/info", None)
            .await?
            .json()
    }

    /// `torrents/info`, optionally for one category (`Some("")` = uncategorised).
    pub async fn torrents(&self, category: Option<&str>) -> Result<Vec<Torrent>, AppError> {
        let path = match category {
            Some(c) => format!(
                "/api/v2/torrents/info?category={}",
                url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
            ),
            None => "/api/v2/torrents/info".to_string(),
        };
        self.call(Method::GET, &path, None).await?.json()
    }

    pub async fn categories(&self) -> Result<BTreeMap<String, Category>, AppError> {
        self.call(Method::GET, "/api/v2/torrents/categories", None)
            .await?
            .json()
    }

    /// `torrents/createCategory`; 409 (exists / bad name) is returned as `Http { 409 }`.
    pub async fn create_category(&self, name: &str, save_path: &str) -> Result<(), AppError> {
        self.call(
            Method::POST,
            "/api/v2/torrents/createCategory",
            Some(&[("category", name), ("savePath", save_path)]),
        )
        .await
        .map(|_| ())
    }

    /// `torrents/editCategory` (changes the save path of an existing category).
    pub async fn edit_category(&self, name: &str, save_path: &str) -> Result<(), AppError> {
        self.call(
            Method::POST,
            "/api/v2/torrents/editCategory",
            Some(&[("category", name), ("savePath", save_path)]),
        )
        .await
        .map(|_| ())
    }

    /// `torrents/add` of URLs or magnets (newline-separated) into `category`. ≤ 5.1 answers
    /// `Ok.`/`Fails.`; 5.2 answers JSON (202 pending, 409 all failed).
    pub async fn add_urls(&self, urls: &str, category: &str) -> Result<(), AppError> {
        let r = self
            .call(
                Method::POST,
                "/api/v2/torrents/add",
                Some(&[("urls", urls), ("category", category)]),
            )
            .await?;
        if String::from_utf8_lossy(&r.body).trim() == "Fails." {
            return Err(AppError::new(
                AppErrorKind::Http { status: 200 },
                "qBittorrent refused the torrent (Fails.)",
            ));
        }
        Ok(())
    }

    /// `torrents/delete` (`hashes` `|`-separated), with the downloaded data when `files`.
    pub async fn delete_torrents(&self, hashes: &str, files: bool) -> Result<(), AppError> {
        let files = if files { "true" } else { "false" };
        self.call(
            Method::POST,
            "/api/v2/torrents/delete",
            Some(&[("hashes", hashes), ("deleteFiles", files)]),
        )
        .await
        .map(|_| ())
    }

    /// `torrents/removeCategories`.
    pub async fn remove_category(&self, name: &str) -> Result<(), AppError> {
        self.call(
            Method::POST,
            "/api/v2/torrents/removeCategories",
            Some(&[("categories", name)]),
        )
        .await
        .map(|_| ())
    }

    /// Create the category, or fix its save path when it exists with another one.
    pub async fn ensure_category(&self, name: &str, save_path: &str) -> Result<bool, AppError> {
        match self.categories().await?.get(name) {
            Some(c) if c.save_path.trim_end_matches('/') == save_path.trim_end_matches('/') => {
                Ok(false)
            }
            Some(_) => self.edit_category(name, save_path).await.map(|_| true),
            None => self.create_category(name, save_path).await.map(|_| true),
        }
    }

    /// Log in, read the version and the connection status.
    pub async fn health(&self) -> Result<AppHealth, AppError> {
        let version = self.version().await?;
        let info = self.transfer_info().await?;
        Ok(health_from(version, &info))
    }
}

/// Pure: turn version + transfer info into the health summary.
pub fn health_from(version: String, info: &TransferInfo) -> AppHealth {
    let mut issues = Vec::new();
    match info.connection_status.as_str() {
        "connected" => {}
        "firewalled" => issues.push(HealthIssue {
            source: "connection".into(),
            level: IssueLevel::Warning,
            message:
                "firewalled: peers cannot connect in (check the VPN port forward and listen_port)"
                    .into(),
            wiki_url: None,
        }),
        "disconnected" => issues.push(HealthIssue {
            source: "connection".into(),
            level: IssueLevel::Error,
            message: "disconnected: the BitTorrent session is not listening (VPN interface down?)"
                .into(),
            wiki_url: None,
        }),
        other => issues.push(HealthIssue {
            source: "connection".into(),
            level: IssueLevel::Warning,
            message: format!("unknown connection status {other:?}"),
            wiki_url: None,
        }),
    }
    AppHealth {
        version: Some(version),
        summary: if info.connection_status.is_empty() {
            "unknown".into()
        } else {
            info.connection_status.clone()
        },
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_cookie_names() {
        let mut h = HeaderMap::new();
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("other=1; path=/"),
        );
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("QBT_SID_8080=abc; HttpOnly; path=/"),
        );
        assert_eq!(
            session_cookie(&h),
            Some(("QBT_SID_8080".into(), "abc".into()))
        );
        let mut h = HeaderMap::new();
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("SID=x; path=/"),
        );
        assert_eq!(session_cookie(&h).map(|c| c.0), Some("SID".into()));
    }

    #[test]
    fn health_levels() {
        let mut i = TransferInfo {
            connection_status: "connected".into(),
            ..Default::default()
        };
        assert!(health_from("v5".into(), &i).issues.is_empty());
        i.connection_status = "disconnected".into();
        assert_eq!(
            health_from("v5".into(), &i).worst_level(),
            IssueLevel::Error
        );
    }
}
