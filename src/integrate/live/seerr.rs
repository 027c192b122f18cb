//! Jellyseerr edges: the Sonarr/Radarr servers and the Jellyfin settings.

use super::backend::HttpBackend;
use crate::clients::seerr::SeerrArr;
use crate::integrate::edge::{AppChoices, Current, Edge, EdgeKind, Profile};
use crate::keys::WireJson;
use crate::model::{AppError, AppErrorKind};
use http::Method;
use serde_json::{json, Value};

fn arr(edge: &Edge) -> (SeerrArr, &'static str) {
    match edge.kind {
        EdgeKind::SeerrRadarr => (SeerrArr::Radarr, "radarr"),
        _ => (SeerrArr::Sonarr, "sonarr"),
    }
}

/// The connection fields a test needs, taken from `src` (the edge's desired values or an entry).
fn test_body(get: impl Fn(&str) -> Option<Value>) -> Value {
    json!({
        "hostname": get("hostname").unwrap_or(json!("")),
        "port": get("port").unwrap_or(json!(0)),
        "apiKey": get("apiKey").unwrap_or(json!("")),
        "useSsl": get("useSsl").unwrap_or(json!(false)),
        "baseUrl": get("baseUrl").unwrap_or(json!("")),
    })
}

fn desired_test_body(edge: &Edge) -> Value {
    test_body(|k| {
        edge.fields
            .iter()
            .find(|f| f.name == k)
            .map(|f| f.value.json())
    })
}

/// `GET /settings/{arr}`; `choices` from `POST …/test` with the edge's desired connection.
/// A failing test leaves the choices empty (the plan then asks for a manual step).
pub async fn read_server(b: &HttpBackend, edge: &Edge) -> Result<Current, AppError> {
    let c = b.seerr(&edge.from)?;
    let (_, name) = arr(edge);
    let path = format!("/settings/{name}");
    let items = match b
        .read_cached(&edge.from, "GET", &path, || {
            c.call_json(Method::GET, &path, None)
        })
        .await?
    {
        Value::Array(a) => a,
        _ => {
            return Err(AppError::new(
                AppErrorKind::BadBody,
                format!("{path} is not a list"),
            ))
        }
    };
    let test_path = format!("/settings/{name}/test");
    let tested = b
        .read_cached(&edge.from, "POST", &test_path, || {
            c.call_json(Method::POST, &test_path, Some(desired_test_body(edge)))
        })
        .await;
    let mut choices = AppChoices::default();
    if let Ok(t) = tested {
        choices.quality_profiles = t["profiles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        Some(Profile {
                            id: p.get("id")?.as_i64()?,
                            name: p.get("name")?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        choices.root_folders = t["rootFolders"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.get("path")?.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
    }
    Ok(Current {
        items,
        template: None,
        choices,
    })
}

pub async fn create_server(b: &HttpBackend, edge: &Edge, body: &WireJson) -> Result<(), AppError> {
    let c = b.seerr(&edge.from)?;
    let (_, name) = arr(edge);
    let path = format!("/settings/{name}");
    b.count_write(&edge.from, "POST", &path);
    c.call_json(Method::POST, &path, Some(body.expose().clone()))
        .await
        .map(|_| ())
}

pub async fn update_server(
    b: &HttpBackend,
    edge: &Edge,
    id: Option<i64>,
    body: &WireJson,
) -> Result<(), AppError> {
    let id = id.ok_or_else(|| AppError::new(AppErrorKind::Config, "server has no id to update"))?;
    let c = b.seerr(&edge.from)?;
    let (_, name) = arr(edge);
    let path = format!("/settings/{name}");
    b.count_write(&edge.from, "PUT", &path);
    c.call_json(
        Method::PUT,
        &format!("{path}/{id}"),
        Some(body.expose().clone()),
    )
    .await
    .map(|_| ())
}

pub async fn delete_server(b: &HttpBackend, edge: &Edge, id: i64) -> Result<(), AppError> {
    let c = b.seerr(&edge.from)?;
    let (which, name) = arr(edge);
    let id = u64::try_from(id)
        .map_err(|_| AppError::new(AppErrorKind::Config, format!("bad server id {id}")))?;
    b.count_write(&edge.from, "DELETE", &format!("/settings/{name}"));
    c.delete_server(which, id).await
}

/// Jellyseerr's own test, with the entry's stored connection (Jellyseerr returns keys in clear).
pub async fn test_server(b: &HttpBackend, edge: &Edge, entry: &Value) -> Result<(), AppError> {
    let c = b.seerr(&edge.from)?;
    let (_, name) = arr(edge);
    let path = format!("/settings/{name}/test");
    b.count(&edge.from, "POST", &path);
    c.call_json(
        Method::POST,
        &path,
        Some(test_body(|k| entry.get(k).cloned())),
    )
    .await
    .map(|_| ())
}

pub async fn read_jellyfin(b: &HttpBackend, edge: &Edge) -> Result<Current, AppError> {
    let c = b.seerr(&edge.from)?;
    let path = "/settings/jellyfin";
    let v = b
        .read_cached(&edge.from, "GET", path, || {
            c.call_json(Method::GET, path, None)
        })
        .await?;
    Ok(Current::items(vec![v]))
}

/// `POST /settings/jellyfin` with the changed fields; Jellyseerr checks the server first.
pub async fn update_jellyfin(
    b: &HttpBackend,
    edge: &Edge,
    body: &WireJson,
) -> Result<(), AppError> {
    let c = b.seerr(&edge.from)?;
    let path = "/settings/jellyfin";
    b.count_write(&edge.from, "POST", path);
    c.call_json(Method::POST, path, Some(body.expose().clone()))
        .await
        .map(|_| ())
}

/// Jellyseerr has no Jellyfin "test" button: a library sync that keeps the enabled libraries
/// proves it reaches Jellyfin with its key.
pub async fn test_jellyfin(b: &HttpBackend, edge: &Edge, entry: &Value) -> Result<(), AppError> {
    let c = b.seerr(&edge.from)?;
    let enabled: Vec<&str> = entry["libraries"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|l| l["enabled"].as_bool() == Some(true))
                .filter_map(|l| l["id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    b.count(&edge.from, "GET", "/settings/jellyfin/library?sync=true");
    match c.sync_jellyfin_libraries(&enabled).await {
        Ok(_) => Ok(()),
        // 404 SYNC_ERROR_NO_LIBRARIES comes only after Jellyfin answered its library list: the
        // connection works, Jellyfin simply has no movie/show library yet.
        Err(e)
            if e.kind == (AppErrorKind::Http { status: 404 })
                && e.detail.contains("SYNC_ERROR_NO_LIBRARIES") =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// What the first sign-in needs: the Jellyfin admin and where Jellyfin is (from the edge).
pub struct FirstLogin<'a> {
    pub username: &'a str,
    pub password: &'a crate::model::Secret,
}

/// Has Jellyseerr been set up with a Jellyfin server? `Ok(false)`: no admin yet (403 with a
/// key) or no Jellyfin server configured.
pub async fn is_set_up(b: &HttpBackend, edge: &Edge) -> Result<bool, AppError> {
    let c = b.seerr(&edge.from)?;
    b.count(&edge.from, "GET", "/settings/public");
    let public = c.public_settings().await?;
    if !public.initialized {
        return Ok(false);
    }
    match read_jellyfin(b, edge).await {
        Ok(cur) => Ok(cur
            .items
            .first()
            .and_then(|v| v["ip"].as_str())
            .is_some_and(|ip| !ip.trim().is_empty())),
        Err(e) if e.kind == AppErrorKind::Forbidden => Ok(false),
        Err(e) => Err(e),
    }
}

/// Jellyseerr's setup wizard over its API: sign in with the Jellyfin administrator (which
/// creates Jellyseerr's admin, its Jellyfin key and the server entry), then mark setup done.
pub async fn first_login(
    b: &HttpBackend,
    edge: &Edge,
    who: &FirstLogin<'_>,
) -> Result<(), AppError> {
    use crate::clients::seerr::{JellyfinLogin, JellyfinServer};
    let c = b.seerr(&edge.from)?;
    let field = |k: &str| {
        edge.fields
            .iter()
            .find(|f| f.name == k)
            .map(|f| f.value.json())
    };
    let configured = match read_jellyfin(b, edge).await {
        Ok(cur) => cur
            .items
            .first()
            .and_then(|v| v["ip"].as_str())
            .is_some_and(|ip| !ip.trim().is_empty()),
        Err(e) if e.kind == AppErrorKind::Forbidden => false,
        Err(e) => return Err(e),
    };
    let server = JellyfinServer {
        hostname: field("ip")
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        port: field("port")
            .and_then(|v| v.as_u64())
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(8096),
        url_base: field("urlBase")
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        use_ssl: field("useSsl").and_then(|v| v.as_bool()).unwrap_or(false),
    };
    let login = JellyfinLogin {
        username: who.username.to_string(),
        password: who.password.clone(),
        server: (!configured).then_some(server),
        email: String::new(),
    };
    b.count_write(&edge.from, "POST", "/auth/jellyfin");
    c.login_jellyfin(&login).await?;
    b.count(&edge.from, "GET", "/settings/public");
    if !c.public_settings().await?.initialized {
        b.count_write(&edge.from, "POST", "/settings/initialize");
        c.initialize().await?;
    }
    Ok(())
}
