//! Servarr edges: download clients, Prowlarr applications (providers) and root folders.

use super::backend::HttpBackend;
use crate::clients::servarr::ProviderKind;
use crate::integrate::edge::{AppChoices, Current, Edge, EdgeKind, Profile};
use crate::keys::WireJson;
use crate::model::{AppError, AppErrorKind, AppKind};
use http::Method;
use serde_json::Value;

fn provider_kind(edge: &Edge) -> ProviderKind {
    match edge.kind {
        EdgeKind::ProwlarrApp => ProviderKind::Application,
        _ => ProviderKind::DownloadClient,
    }
}

fn list(v: Value, what: &str) -> Result<Vec<Value>, AppError> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(AppError::new(
            AppErrorKind::BadBody,
            format!("{what} is not a list"),
        )),
    }
}

/// `GET` one resource of a Servarr app as JSON, through the snapshot.
pub(super) async fn get(
    b: &HttpBackend,
    edge_from: &crate::model::ServiceId,
    rest: &str,
) -> Result<Value, AppError> {
    let c = b.servarr(edge_from)?;
    b.read_cached(edge_from, "GET", rest, || async move {
        c.request(Method::GET, rest, None).await?.json::<Value>()
    })
    .await
}

/// The list + the `/schema` entry of the edge's implementation as the create template.
pub async fn read_providers(b: &HttpBackend, edge: &Edge) -> Result<Current, AppError> {
    let seg = provider_kind(edge).segment();
    let items = list(get(b, &edge.from, seg).await?, seg)?;
    let schema = list(b.schema(&edge.from, seg).await?, "schema")?;
    let template = schema.into_iter().find(|s| {
        s.get("implementation")
            .and_then(Value::as_str)
            .is_some_and(|i| i.eq_ignore_ascii_case(&edge.implementation))
    });
    if template.is_none() {
        return Err(AppError::new(
            AppErrorKind::BadBody,
            format!(
                "{} offers no {} implementation (unknown app version?)",
                edge.from_kind.display(),
                edge.implementation
            ),
        ));
    }
    Ok(Current {
        items,
        template,
        choices: AppChoices::default(),
    })
}

fn profiles(v: Value) -> Vec<Profile> {
    v.as_array()
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
        .unwrap_or_default()
}

/// `GET /rootfolder`; Lidarr also its quality and metadata profiles (needed to add one).
pub async fn read_root_folders(b: &HttpBackend, edge: &Edge) -> Result<Current, AppError> {
    let items = list(get(b, &edge.from, "rootfolder").await?, "rootfolder")?;
    let mut choices = AppChoices::default();
    if edge.from_kind == AppKind::Lidarr {
        choices.quality_profiles = profiles(get(b, &edge.from, "qualityprofile").await?);
        choices.metadata_profiles = profiles(get(b, &edge.from, "metadataprofile").await?);
    }
    Ok(Current {
        items,
        template: None,
        choices,
    })
}

pub async fn create_provider(
    b: &HttpBackend,
    edge: &Edge,
    body: &WireJson,
) -> Result<(), AppError> {
    let c = b.servarr(&edge.from)?;
    let seg = provider_kind(edge).segment();
    b.count_write(&edge.from, "POST", seg);
    c.request(Method::POST, seg, Some(body.expose()))
        .await
        .map(|_| ())
}

pub async fn update_provider(
    b: &HttpBackend,
    edge: &Edge,
    id: Option<i64>,
    body: &WireJson,
) -> Result<(), AppError> {
    let id = id.ok_or_else(|| AppError::new(AppErrorKind::Config, "entry has no id to update"))?;
    let c = b.servarr(&edge.from)?;
    let seg = provider_kind(edge).segment();
    b.count_write(&edge.from, "PUT", seg);
    c.request(Method::PUT, &format!("{seg}/{id}"), Some(body.expose()))
        .await
        .map(|_| ())
}

pub async fn delete_provider(b: &HttpBackend, edge: &Edge, id: i64) -> Result<(), AppError> {
    let c = b.servarr(&edge.from)?;
    let kind = provider_kind(edge);
    b.count_write(&edge.from, "DELETE", kind.segment());
    c.delete_provider(kind, id).await
}

/// `POST …/test` with the entry as the app returned it (masked secrets are kept by the app).
pub async fn test_provider(b: &HttpBackend, edge: &Edge, entry: &Value) -> Result<(), AppError> {
    let c = b.servarr(&edge.from)?;
    let seg = provider_kind(edge).segment();
    b.count(&edge.from, "POST", &format!("{seg}/test"));
    c.request(Method::POST, &format!("{seg}/test"), Some(entry))
        .await
        .map(|_| ())
}

pub async fn create_root_folder(
    b: &HttpBackend,
    edge: &Edge,
    body: &WireJson,
) -> Result<(), AppError> {
    let c = b.servarr(&edge.from)?;
    b.count_write(&edge.from, "POST", "rootfolder");
    c.request(Method::POST, "rootfolder", Some(body.expose()))
        .await
        .map(|_| ())
}

pub async fn delete_root_folder(b: &HttpBackend, edge: &Edge, id: i64) -> Result<(), AppError> {
    let c = b.servarr(&edge.from)?;
    b.count_write(&edge.from, "DELETE", "rootfolder");
    c.delete_root_folder(id).await
}

/// A root folder "passes" when the app reports it accessible.
pub fn test_root_folder(edge: &Edge, entry: &Value) -> Result<(), AppError> {
    if entry.get("accessible").and_then(Value::as_bool) == Some(true) {
        Ok(())
    } else {
        let path = entry.get("path").and_then(Value::as_str).unwrap_or("?");
        Err(AppError::new(
            AppErrorKind::Config,
            format!(
                "{} reports {path} as not accessible (missing or not writable)",
                edge.from_kind.display()
            ),
        ))
    }
}
