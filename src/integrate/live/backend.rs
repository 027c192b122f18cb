//! [`HttpBackend`]: the [`EdgeBackend`] over the protocol clients, one client per service.
//!
//! Every request goes through a client (`ServarrClient::request`, `SeerrClient::call`,
//! `BazarrClient`), so URL bases, auth headers, redirects and error classification are the
//! clients' business. The backend counts requests per resource and writes, and can keep a
//! read snapshot (plan mode: every resource is read once, whatever asks for it).

use super::{bazarr, seerr, servarr};
use crate::clients::bazarr::BazarrClient;
use crate::clients::sabnzbd::SabClient;
use crate::clients::seerr::SeerrClient;
use crate::clients::servarr::ServarrClient;
use crate::clients::transport::AppEndpoint;
use crate::integrate::apply::EdgeBackend;
use crate::integrate::edge::{Current, Edge, EdgeKind};
use crate::keys::WireJson;
use crate::model::{AppError, AppErrorKind, AppKind, Secret, ServiceId};
use async_trait::async_trait;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The client that talks to one service.
#[derive(Debug)]
pub enum AppClient {
    Servarr(ServarrClient),
    Seerr(SeerrClient),
    Bazarr(BazarrClient),
    Sab(SabClient),
}

/// Single-flight memo: concurrent readers of one key wait for the first one's answer.
/// Failures are not kept (the next reader tries again).
type Cells = Mutex<HashMap<String, Arc<OnceCell<Value>>>>;

fn cell(cells: &Cells, key: &str) -> Arc<OnceCell<Value>> {
    match cells.lock() {
        Ok(mut m) => m.entry(key.to_string()).or_default().clone(),
        Err(_) => Arc::new(OnceCell::new()),
    }
}

/// How the backend reaches one service.
pub struct ServiceAccess {
    pub id: ServiceId,
    pub kind: AppKind,
    pub endpoint: Option<AppEndpoint>,
    /// The API key, or why it is unknown.
    pub key: Result<Secret, String>,
}

/// HTTP implementation of [`EdgeBackend`].
pub struct HttpBackend {
    clients: BTreeMap<ServiceId, AppClient>,
    /// Why a service has no client (no endpoint, no key), for clear errors.
    missing: BTreeMap<ServiceId, String>,
    /// Plan mode: answers of GETs (and Seerr's read-only tests) kept by `service|resource`.
    snapshot: Option<Cells>,
    /// Provider schemas never change while the app runs: read once per app and collection.
    schemas: Cells,
    requests: Mutex<BTreeMap<String, usize>>,
    writes: AtomicUsize,
}

impl HttpBackend {
    /// `services`: (id, kind, endpoint, API key) of every service that holds edges.
    /// `services`: every service that holds edges, with how to reach it and its key.
    pub fn new(services: Vec<ServiceAccess>) -> Self {
        let mut clients = BTreeMap::new();
        let mut missing = BTreeMap::new();
        for ServiceAccess {
            id,
            kind,
            endpoint: ep,
            key,
        } in services
        {
            let Some(ep) = ep else {
                missing.insert(id, format!("{} has no reachable endpoint", kind.display()));
                continue;
            };
            let key = match key {
                Ok(k) => k,
                Err(why) => {
                    missing.insert(id, why);
                    continue;
                }
            };
            let c = match kind {
                k if k.is_servarr() => AppClient::Servarr(ServarrClient::new(k, ep, key)),
                AppKind::Jellyseerr => AppClient::Seerr(SeerrClient::new(ep, key)),
                AppKind::Bazarr => AppClient::Bazarr(BazarrClient::new(ep, key)),
                AppKind::Sabnzbd => AppClient::Sab(SabClient::new(ep, key)),
                _ => continue,
            };
            clients.insert(id, c);
        }
        HttpBackend {
            clients,
            missing,
            snapshot: None,
            schemas: Cells::default(),
            requests: Mutex::new(BTreeMap::new()),
            writes: AtomicUsize::new(0),
        }
    }

    /// Plan mode: every GET is made once and then answered from memory.
    pub fn snapshot_reads(mut self) -> Self {
        self.snapshot = Some(Cells::default());
        self
    }

    pub fn client(&self, id: &ServiceId) -> Result<&AppClient, AppError> {
        self.clients.get(id).ok_or_else(|| {
            let why = self.missing.get(id).cloned().unwrap_or_else(|| {
                format!("{id} is not a service the integration engine talks to")
            });
            AppError::new(AppErrorKind::Config, why)
        })
    }

    pub fn servarr(&self, id: &ServiceId) -> Result<&ServarrClient, AppError> {
        match self.client(id)? {
            AppClient::Servarr(c) => Ok(c),
            _ => Err(wrong_client(id, "a Servarr app")),
        }
    }

    pub fn seerr(&self, id: &ServiceId) -> Result<&SeerrClient, AppError> {
        match self.client(id)? {
            AppClient::Seerr(c) => Ok(c),
            _ => Err(wrong_client(id, "Jellyseerr")),
        }
    }

    pub fn bazarr(&self, id: &ServiceId) -> Result<&BazarrClient, AppError> {
        match self.client(id)? {
            AppClient::Bazarr(c) => Ok(c),
            _ => Err(wrong_client(id, "Bazarr")),
        }
    }

    pub fn sab(&self, id: &ServiceId) -> Result<&SabClient, AppError> {
        match self.client(id)? {
            AppClient::Sab(c) => Ok(c),
            _ => Err(wrong_client(id, "SABnzbd")),
        }
    }

    /// Versions the Servarr apps announced (`X-Application-Version`), by service.
    pub fn app_versions(&self) -> BTreeMap<ServiceId, Option<String>> {
        self.clients
            .iter()
            .filter_map(|(id, c)| match c {
                AppClient::Servarr(s) => Some((id.clone(), s.app_version())),
                _ => None,
            })
            .collect()
    }

    /// Requests made, by `service METHOD resource`.
    pub fn requests(&self) -> BTreeMap<String, usize> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Writes (create, update, delete) the apps accepted or refused.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    pub(super) fn count(&self, svc: &ServiceId, method: &str, resource: &str) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry(format!("{svc} {method} {resource}")).or_default() += 1;
        }
    }

    pub(super) fn count_write(&self, svc: &ServiceId, method: &str, resource: &str) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.count(svc, method, resource);
    }

    /// A read, answered from the snapshot in plan mode; counted when it goes on the wire.
    pub(super) async fn read_cached<F, Fut>(
        &self,
        svc: &ServiceId,
        method: &str,
        resource: &str,
        fetch: F,
    ) -> Result<Value, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, AppError>>,
    {
        let Some(snap) = &self.snapshot else {
            self.count(svc, method, resource);
            return fetch().await;
        };
        let c = cell(snap, &format!("{svc}|{method} {resource}"));
        c.get_or_try_init(|| async {
            self.count(svc, method, resource);
            fetch().await
        })
        .await
        .cloned()
    }

    /// The provider schema list of `segment`, read once per backend.
    pub(super) async fn schema(&self, svc: &ServiceId, segment: &str) -> Result<Value, AppError> {
        let c = self.servarr(svc)?;
        let path = format!("{segment}/schema");
        cell(&self.schemas, &format!("{svc}|{segment}"))
            .get_or_try_init(|| async {
                self.count(svc, "GET", &path);
                c.request(http::Method::GET, &path, None)
                    .await?
                    .json::<Value>()
            })
            .await
            .cloned()
    }
}

fn wrong_client(id: &ServiceId, want: &str) -> AppError {
    AppError::new(
        AppErrorKind::Config,
        format!("{id} is not {want}: the edge does not fit the discovered app"),
    )
}

#[async_trait]
impl EdgeBackend for HttpBackend {
    async fn read(&self, edge: &Edge) -> Result<Current, AppError> {
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                servarr::read_providers(self, edge).await
            }
            EdgeKind::RootFolder => servarr::read_root_folders(self, edge).await,
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => seerr::read_server(self, edge).await,
            EdgeKind::SeerrJellyfin => seerr::read_jellyfin(self, edge).await,
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => bazarr::read(self, edge).await,
        }
    }

    async fn create(&self, edge: &Edge, body: &WireJson) -> Result<(), AppError> {
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                servarr::create_provider(self, edge, body).await
            }
            EdgeKind::RootFolder => servarr::create_root_folder(self, edge, body).await,
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
                seerr::create_server(self, edge, body).await
            }
            EdgeKind::SeerrJellyfin => seerr::update_jellyfin(self, edge, body).await,
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => {
                bazarr::write(self, edge, body).await
            }
        }
    }

    async fn update(&self, edge: &Edge, id: Option<i64>, body: &WireJson) -> Result<(), AppError> {
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                servarr::update_provider(self, edge, id, body).await
            }
            EdgeKind::RootFolder => Err(AppError::new(
                AppErrorKind::Config,
                "root folders cannot be updated, only added or removed",
            )),
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
                seerr::update_server(self, edge, id, body).await
            }
            EdgeKind::SeerrJellyfin => seerr::update_jellyfin(self, edge, body).await,
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => {
                bazarr::write(self, edge, body).await
            }
        }
    }

    async fn delete(&self, edge: &Edge, id: i64) -> Result<(), AppError> {
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                servarr::delete_provider(self, edge, id).await
            }
            EdgeKind::RootFolder => servarr::delete_root_folder(self, edge, id).await,
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
                seerr::delete_server(self, edge, id).await
            }
            EdgeKind::SeerrJellyfin | EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => {
                Err(AppError::new(
                    AppErrorKind::Config,
                    format!("{} settings cannot be deleted", edge.from_kind.display()),
                ))
            }
        }
    }

    async fn test(&self, edge: &Edge, entry: &Value) -> Result<(), AppError> {
        match edge.kind {
            EdgeKind::DownloadClient | EdgeKind::UsenetClient | EdgeKind::ProwlarrApp => {
                servarr::test_provider(self, edge, entry).await
            }
            EdgeKind::RootFolder => servarr::test_root_folder(edge, entry),
            EdgeKind::SeerrSonarr | EdgeKind::SeerrRadarr => {
                seerr::test_server(self, edge, entry).await
            }
            EdgeKind::SeerrJellyfin => seerr::test_jellyfin(self, edge, entry).await,
            EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr => {
                bazarr::test(self, edge, entry).await
            }
        }
    }
}
