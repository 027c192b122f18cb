//! Bazarr edges: its Sonarr and Radarr connections (`system/settings`, form-encoded writes).

use super::backend::HttpBackend;
use crate::clients::bazarr::{arr_from_settings, BazarrArr};
use crate::integrate::edge::{Current, Edge, EdgeKind};
use crate::keys::WireJson;
use crate::model::{AppError, AppErrorKind, Secret};
use serde_json::Value;

fn arr(edge: &Edge) -> BazarrArr {
    match edge.kind {
        EdgeKind::BazarrRadarr => BazarrArr::Radarr,
        _ => BazarrArr::Sonarr,
    }
}

pub async fn read(b: &HttpBackend, edge: &Edge) -> Result<Current, AppError> {
    let c = b.bazarr(&edge.from)?;
    let path = "/api/system/settings";
    let v = b
        .read_cached(&edge.from, "GET", path, || c.settings())
        .await?;
    Ok(Current::items(vec![v]))
}

/// The planner's body is `{"settings-sonarr-ip": "…", …}` with string values.
pub async fn write(b: &HttpBackend, edge: &Edge, body: &WireJson) -> Result<(), AppError> {
    let c = b.bazarr(&edge.from)?;
    let obj = body.expose().as_object().ok_or_else(|| {
        AppError::new(
            AppErrorKind::Config,
            "Bazarr settings body is not an object",
        )
    })?;
    let mut pairs = Vec::new();
    let mut secrets = Vec::new();
    for (k, v) in obj {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if k.ends_with("-apikey") {
            secrets.push(Secret::new(text.clone()));
        }
        pairs.push((k.clone(), text));
    }
    let refs: Vec<&Secret> = secrets.iter().collect();
    b.count_write(&edge.from, "POST", "/api/system/settings");
    c.post_settings_form(&pairs, &refs).await
}

/// Bazarr's own connection tester: the call to Sonarr/Radarr is made from Bazarr.
pub async fn test(b: &HttpBackend, edge: &Edge, entry: &Value) -> Result<(), AppError> {
    let c = b.bazarr(&edge.from)?;
    let conn = arr_from_settings(entry, arr(edge))?;
    b.count(&edge.from, "GET", "/test");
    let t = c.test_arr_connection(&conn).await?;
    if t.ok {
        Ok(())
    } else {
        Err(AppError::new(
            AppErrorKind::Http { status: t.code },
            format!(
                "Bazarr could not reach {} at {}: {}",
                edge.to_kind.display(),
                conn.url(),
                t.error.unwrap_or_else(|| format!("HTTP {}", t.code))
            ),
        ))
    }
}
