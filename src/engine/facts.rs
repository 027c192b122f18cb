//! One connection, one context: what the console knows about its cluster at one moment — the
//! connection it started with and the latest listing of the watch stores — shared by the screen,
//! the sources and every task (`Arc`, never re-listed, never reconnected).
//!
//! The TUI's engine builds a new [`ClusterFacts`] from each watch snapshot; the headless commands
//! build one with [`ClusterFacts::connect`] (connect once, list once) and call the same functions.

use crate::cluster::{self, list::Listing, ClusterConn};
use crate::collect::credentials::{self, Credentials};
use crate::config::Config;
use crate::discover;
use crate::model::Inventory;
use k8s_openapi::api::core::v1::Secret as KSecret;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Secrets that could not be read, by `(namespace, name)`, with the reason.
pub type Unreadable = BTreeMap<(String, String), String>;

/// The console's connection and its latest view of the cluster.
#[derive(Clone)]
pub struct ClusterFacts {
    pub conn: ClusterConn,
    pub listing: Arc<Listing>,
    /// The credential Secrets (of [`credentials::wanted_secrets`]) at hand: the watched ones, or
    /// those read one by one when the watch does not deliver them.
    pub secrets: Arc<Vec<Arc<KSecret>>>,
    pub unreadable: Arc<Unreadable>,
}

impl ClusterFacts {
    /// Facts over a listing whose `secrets` are the credential Secrets.
    pub fn new(conn: ClusterConn, listing: Arc<Listing>) -> Self {
        let secrets = Arc::new(listing.secrets.clone());
        ClusterFacts {
            conn,
            listing,
            secrets,
            unreadable: Arc::default(),
        }
    }

    /// Headless commands: connect once (the kubeconfig is read here and nowhere else), list
    /// once, and read the credential Secrets when the listing does not carry them.
    pub async fn connect(cfg: &Config) -> anyhow::Result<Self> {
        let conn = cluster::connect(cfg.kubeconfig.as_deref(), cfg.context.as_deref()).await?;
        let listing =
            cluster::list::list_all(&conn, &cluster::kinds::Scope::from_config(cfg)).await?;
        let unreadable = Arc::new(listing.unreadable_secrets.clone());
        let mut f = ClusterFacts::new(conn, Arc::new(listing));
        f.unreadable = unreadable;
        Ok(f.complete(cfg).await)
    }

    /// These facts with every credential Secret `cfg` resolves to ([`credentials::wanted_with`])
    /// that they do not carry read by name (found, or why not): the Secrets the workloads
    /// reference, and those the config or `integrations.toml` names. No request when every one
    /// is at hand or known to be unreadable.
    pub async fn complete(self, cfg: &Config) -> Self {
        let inv = self.inventory(cfg);
        let locs = credentials::locate(cfg, &inv, &self.listing, &self.secrets);
        let missing: Vec<(String, String)> = credentials::wanted_with(cfg, &locs)
            .into_iter()
            .filter(|k| !has(&self.secrets, &k.0, &k.1) && !self.unreadable.contains_key(k))
            .collect();
        if missing.is_empty() {
            return self;
        }
        let (found, why) = credentials::fetch_secrets(&self.conn, missing).await;
        let mut secrets = (*self.secrets).clone();
        secrets.extend(found.into_iter().map(Arc::new));
        let mut unreadable = (*self.unreadable).clone();
        unreadable.extend(why);
        ClusterFacts {
            secrets: Arc::new(secrets),
            unreadable: Arc::new(unreadable),
            ..self
        }
    }

    /// The TUI's facts: the watch's listing, with the credential Secrets the watch did not
    /// deliver added from `read` (each read by name: the Secret, `None` when absent, or why it
    /// is unreadable). Also says whether every credential Secret is known either way — before
    /// that, no app should be called (it would look like a missing key).
    pub fn from_watch(
        cfg: &Config,
        conn: ClusterConn,
        listing: Arc<Listing>,
        read: &BTreeMap<(String, String), Result<Option<KSecret>, String>>,
    ) -> (Self, bool) {
        let watched = |ns: &str, name: &str| {
            listing.secrets.iter().any(|s| {
                s.metadata.namespace.as_deref() == Some(ns)
                    && s.metadata.name.as_deref() == Some(name)
            })
        };
        let mut secrets = listing.secrets.clone();
        let mut unreadable = Unreadable::new();
        for ((ns, name), r) in read {
            match r {
                Ok(Some(s)) if !watched(ns, name) => secrets.push(Arc::new(s.clone())),
                Ok(Some(_)) => {}
                Ok(None) => {
                    unreadable.insert((ns.clone(), name.clone()), "404 Not Found".into());
                }
                Err(e) => {
                    unreadable.insert((ns.clone(), name.clone()), e.clone());
                }
            }
        }
        let inv = discover::discover(&listing.objects, &cfg.discovery_overrides());
        let locs = credentials::locate(cfg, &inv, &listing, &secrets);
        let ready = credentials::wanted_with(cfg, &locs)
            .into_iter()
            .all(|k| watched(&k.0, &k.1) || read.contains_key(&k));
        let facts = ClusterFacts {
            conn,
            listing,
            secrets: Arc::new(secrets),
            unreadable: Arc::new(unreadable),
        };
        (facts, ready)
    }

    /// The credentials the console calls apps with (no network).
    pub fn credentials(&self, cfg: &Config) -> Credentials {
        let locs = self.locations(cfg, &self.inventory(cfg));
        Credentials::from_secrets(&self.secrets, cfg, &locs, &self.unreadable)
    }

    /// Where each credential lives (the one resolution, [`credentials::locate`]).
    pub fn locations(
        &self,
        cfg: &Config,
        inv: &Inventory,
    ) -> crate::collect::secret_refs::Locations {
        credentials::locate(cfg, inv, &self.listing, &self.secrets)
    }

    /// Discovery over the listing.
    pub fn inventory(&self, cfg: &Config) -> Inventory {
        discover::discover(&self.listing.objects, &cfg.discovery_overrides())
    }

    /// A credential Secret's keys, `None` when it is not at hand.
    pub fn secret(&self, namespace: &str, name: &str) -> Option<&KSecret> {
        self.secrets
            .iter()
            .find(|s| {
                s.metadata.namespace.as_deref() == Some(namespace)
                    && s.metadata.name.as_deref() == Some(name)
            })
            .map(|s| &**s)
    }
}

fn has(secrets: &[Arc<KSecret>], ns: &str, name: &str) -> bool {
    secrets.iter().any(|s| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;

    fn secret(ns: &str, name: &str, key: &str, value: &str) -> KSecret {
        let mut s = KSecret::default();
        s.metadata.namespace = Some(ns.into());
        s.metadata.name = Some(name.into());
        s.data = Some([(key.to_string(), ByteString(value.as_bytes().to_vec()))].into());
        s
    }

    fn conn() -> ClusterConn {
        crate::init_tls();
        let cfg = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let client = kube::Client::try_from(cfg).unwrap();
        ClusterConn {
            exec: client.clone(),
            client,
            context: "test".into(),
            server: "http://127.0.0.1:9".into(),
        }
    }

    fn key(ns: &str, name: &str) -> (String, String) {
        (ns.into(), name.into())
    }

    #[tokio::test]
    async fn watched_secrets_win_and_readiness_waits_for_every_credential_secret() {
        let cfg = Config::default();
        let watched = secret("media", "starr-secrets", "SONARR_API_KEY", "fresh");
        let listing = Listing {
            secrets: vec![watched.into()],
            ..Listing::default()
        };
        let mut read = BTreeMap::new();
        // An older copy read by name never shadows the watched one.
        read.insert(
            key("media", "starr-secrets"),
            Ok(Some(secret(
                "media",
                "starr-secrets",
                "SONARR_API_KEY",
                "stale",
            ))),
        );
        let (facts, ready) = ClusterFacts::from_watch(&cfg, conn(), Arc::new(listing), &read);
        assert!(
            !ready,
            "the qBittorrent and Jellyfin admin Secrets are not known yet"
        );
        let creds = facts.credentials(&cfg);
        let sonarr = creds.api_keys[&crate::model::AppKind::Sonarr]
            .expose()
            .to_string();
        assert_eq!(sonarr, "fresh");

        read.insert(
            key("qbittorrent", "qbittorrent-secrets"),
            Err("403 Forbidden: secrets is forbidden".into()),
        );
        read.insert(key("media", "jellyfin-admin"), Ok(None));
        let listing = Arc::new(Listing::default());
        let (facts, ready) = ClusterFacts::from_watch(&cfg, conn(), listing, &read);
        assert!(ready, "every credential Secret is known, found or not");
        assert_eq!(facts.secrets.len(), 1, "the one read by name");
        assert_eq!(
            facts
                .unreadable
                .get(&key("media", "jellyfin-admin"))
                .map(String::as_str),
            Some("404 Not Found")
        );
        let creds = facts.credentials(&cfg);
        assert!(
            creds.warnings.iter().any(|w| w.contains("403 Forbidden")),
            "{:?}",
            creds.warnings
        );
    }
}
