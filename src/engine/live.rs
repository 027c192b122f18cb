//! Building the integration engine's [`Live`] context from the cluster: discovery, endpoints,
//! credentials, the Secrets the desired graph refers to, the keys the apps really use (read
//! where they keep them), and the desired file (`integrations.toml`, or the defaults).

use super::endpoint_for;
use super::facts::ClusterFacts;
use crate::cluster::{self, ClusterConn};
use crate::collect::credentials::AppCreds;
use crate::collect::secret_refs::Locations;
use crate::config::Config;
use crate::discover;
use crate::integrate::live::Live;
use crate::integrate::{Desired, KnownSecrets};
use crate::keys::live::PodExecSource;
use crate::keys::{decode_secret, observe_keys, AppKeyObservation, KeySource, NodePathSource};
use crate::keys::{SecretTarget, SuppliedKeys};
use crate::model::{AppKind, Inventory, PodPhase, Secret, ServiceId};
use anyhow::Context;
use k8s_openapi::api::core::v1::Secret as KSecret;
use kube::Api;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The desired graph: the file when it exists, else the defaults (which fit the target cluster).
pub fn load_desired(path: &Path) -> anyhow::Result<Desired> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            Desired::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Desired::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// `cfg` with the credential places `desired` names ([`Config::file_credentials`]): the one
/// resolution ([`crate::collect::secret_refs::Explicit::from_config`]) then honours
/// `[api_keys]` / `[download_client] password` for `check`, the pollers, `keys` and `integrate`
/// alike. Values equal to the defaults are unset (evidence decides, as in [`Desired::from_toml`]).
pub fn honour_file(cfg: &Config, desired: &Desired) -> Config {
    let mut cfg = cfg.clone();
    cfg.file_credentials = crate::config::FileCredentials {
        key_secret: desired.api_keys_set.then(|| {
            let t = &desired.api_keys;
            (t.namespace.clone(), t.name.clone(), t.key_names.clone())
        }),
        password: desired.password_set.then(|| {
            let p = &desired.download_client.password;
            (p.namespace.clone(), p.name.clone(), p.key.clone())
        }),
    };
    cfg
}

/// [`honour_file`] with the integration file at `path` (`check` and the console). A file that
/// cannot be read or parsed changes nothing here: the key check and the plan report it.
pub fn with_integrations_file(cfg: &Config, path: &Path) -> Config {
    match load_desired(path) {
        Ok(d) => honour_file(cfg, &d),
        Err(e) => {
            tracing::debug!("credential places of {}: {e:#}", path.display());
            cfg.clone()
        }
    }
}

/// A Kubernetes Secret's keys; `Ok(None)` when it does not exist.
pub async fn read_secret(
    conn: &ClusterConn,
    namespace: &str,
    name: &str,
) -> anyhow::Result<Option<BTreeMap<String, Secret>>> {
    match Api::<KSecret>::namespaced(conn.client.clone(), namespace)
        .get_opt(name)
        .await
    {
        Ok(s) => Ok(s.as_ref().map(decode_secret)),
        Err(e) => Err(anyhow::anyhow!(
            "Secret {namespace}/{name} not readable: {}",
            cluster::explain(&e)
        )),
    }
}

/// Keys given in the config file (`[services.sonarr] api_key = …`), as a key source.
pub fn supplied_keys(cfg: &Config, inv: &Inventory) -> SuppliedKeys {
    let mut s = SuppliedKeys::default();
    for svc in &inv.services {
        if let Some(k) = cfg
            .service(svc.id.as_str(), svc.kind.id())
            .and_then(|c| c.api_key.clone())
        {
            s.by_service.insert(svc.id.clone(), k);
        }
    }
    s
}

/// Every app's own key, read where the app keeps it: the config file's key, then the node
/// path of the config volume, then (when given) `cat` in the pod. Each observation carries
/// where it came from.
pub async fn observe_app_keys(
    cfg: &Config,
    inv: &Inventory,
    pod_exec: Option<&PodExecSource>,
) -> Vec<(AppKeyObservation, Option<String>)> {
    let supplied = supplied_keys(cfg, inv);
    let node = NodePathSource::new();
    let mut sources: Vec<&dyn KeySource> = vec![&supplied, &node];
    if let Some(p) = pod_exec {
        sources.push(p);
    }
    observe_keys(&sources, inv).await
}

/// A running pod of every discovered service, for [`PodExecSource`].
pub fn running_pods(
    inv: &Inventory,
    objs: &discover::ClusterObjects,
) -> BTreeMap<ServiceId, String> {
    inv.services
        .iter()
        .filter_map(|svc| {
            let pod = discover::pod_statuses(svc, objs)
                .into_iter()
                .find(|p| p.phase == PodPhase::Running)?;
            Some((svc.id.clone(), pod.name))
        })
        .collect()
}

/// Gather everything the integration engine needs from the console's facts: discovery over
/// the listing, endpoints on the console's connection, credentials from the Secrets at hand.
/// `desired_file` is `integrations.toml` ([`Paths::integrations_file`](crate::config::Paths)).
pub async fn live_context(
    cfg: &Config,
    facts: &ClusterFacts,
    desired_file: &Path,
) -> anyhow::Result<Live> {
    let (live, _) = live_context_with_keys(cfg, facts, desired_file).await?;
    Ok(live)
}

/// What the apps' own keys looked like while building the context (for `keys`).
pub type Observed = Vec<(AppKeyObservation, Option<String>)>;

/// [`live_context`], also returning where each app's own key was (or was not) found.
pub async fn live_context_with_keys(
    cfg: &Config,
    facts: &ClusterFacts,
    desired_file: &Path,
) -> anyhow::Result<(Live, Observed)> {
    let desired = load_desired(desired_file)?;
    // The file's credential places, resolved like everywhere else (one resolution); a Secret
    // it names that the facts do not carry yet is read by name.
    let cfg = &honour_file(cfg, &desired);
    let facts = &facts.clone().complete(cfg).await;
    let conn = &facts.conn;
    let listing = &facts.listing;
    let inventory = facts.inventory(cfg);
    let locs = facts.locations(cfg, &inventory);
    let desired = located(desired, &locs);
    let collected = facts.credentials(cfg);
    for w in listing.warnings.iter().chain(&collected.warnings) {
        tracing::warn!("{w}");
    }

    // Secrets the graph refers to.
    let mut secrets = KnownSecrets::default();
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    wanted.insert((
        desired.api_keys.namespace.clone(),
        desired.api_keys.name.clone(),
    ));
    let pw = &desired.download_client.password;
    wanted.insert((pw.namespace.clone(), pw.name.clone()));
    for (ns, name) in &wanted {
        let at_hand = facts.secret(ns, name).map(decode_secret);
        let read = match at_hand {
            Some(values) => Ok(Some(values)),
            None => read_secret(conn, ns, name).await,
        };
        match read {
            Ok(Some(values)) => secrets = secrets.with_secret(ns, name, &values),
            Ok(None) => tracing::warn!("Secret {ns}/{name} does not exist"),
            Err(e) => tracing::warn!("{e:#}"),
        }
    }
    secrets = honour_config(secrets, cfg, &inventory, &desired);
    let pod_exec = PodExecSource {
        client: conn.exec.clone(),
        pods: running_pods(&inventory, &listing.objects),
    };
    let observed = observe_app_keys(cfg, &inventory, Some(&pod_exec)).await;
    secrets = secrets.with_app_keys(observed.iter().map(|(o, _)| o));

    let mut endpoints = BTreeMap::new();
    for svc in &inventory.services {
        if let Some(ep) = endpoint_for(svc, cfg, conn) {
            endpoints.insert(svc.id.clone(), ep);
        }
    }
    // A Secret key is only wired into other apps when its own app accepts it: with the app's
    // own key unknown, check the Secret's key once and keep a rejected one out of the graph.
    for svc in &inventory.services {
        if secrets.app_keys.contains_key(&svc.id) {
            continue;
        }
        let (Ok(key), Some(ep)) = (
            secrets.app_key(svc, &desired.api_keys),
            endpoints.get(&svc.id),
        ) else {
            continue;
        };
        if let crate::keys::KeyVerdict::Rejected { detail } =
            crate::keys::live::verify_key(svc.kind, ep, &key).await
        {
            secrets.rejected.insert(svc.id.clone(), detail);
        }
    }
    let mut creds: BTreeMap<ServiceId, AppCreds> = BTreeMap::new();
    for svc in &inventory.services {
        let mut c = collected.for_service(svc, cfg);
        // The key the app really uses wins over the (possibly stale) Secret; a key written in
        // the config file wins over both.
        let configured = cfg
            .service(svc.id.as_str(), svc.kind.id())
            .and_then(|s| s.api_key.clone());
        if configured.is_none() {
            if let Some(k) = secrets.app_keys.get(&svc.id) {
                c.api_key = Some(k.clone());
            }
        }
        creds.insert(svc.id.clone(), c);
    }
    let prune = desired.prune;
    Ok((
        Live {
            inventory,
            endpoints,
            creds,
            secrets,
            desired,
            prune,
        },
        observed,
    ))
}

/// The desired file's credential places resolved like everywhere else ([`ClusterFacts::locations`]):
/// what the file names (`[api_keys] namespace`/`name`, `[download_client] password`) wins; else
/// the config's `api_key_secret` / `qbittorrent_password_secret` when set; else the Secret and
/// key the workloads reference.
pub fn located(mut desired: Desired, locs: &Locations) -> Desired {
    if !desired.api_keys_set {
        if let Some((ns, name)) = &locs.key_secret {
            desired.api_keys.namespace = ns.clone();
            desired.api_keys.name = name.clone();
            for (id, l) in &locs.api_keys {
                let (Ok(l), Some(kind)) = (l, locs.kinds.get(id)) else {
                    continue;
                };
                if &l.namespace == ns && &l.name == name {
                    desired.api_keys.key_names.insert(*kind, l.key.clone());
                }
            }
        }
    }
    if !desired.password_set {
        if let Some(Ok(l)) = locs.passwords.values().next() {
            desired.download_client.password =
                crate::integrate::SecretRef::new(&l.namespace, &l.name, &l.key);
        }
    }
    desired
}

/// [`load_desired`] with its credential places resolved ([`located`]).
pub fn load_located(cfg: &Config, facts: &ClusterFacts, path: &Path) -> anyhow::Result<Desired> {
    let inv = facts.inventory(cfg);
    let desired = load_desired(path)?;
    let locs = facts.locations(&honour_file(cfg, &desired), &inv);
    Ok(located(desired, &locs))
}

/// Credentials written in the config file win for `integrate` as they do for `check`, `keys`
/// and the screen (one resolution): `[services.X] api_key` is the key wired into the other apps
/// (unless the app's own key is read later), and `[services.qbittorrent] password` is the
/// password the download clients get.
pub fn honour_config(
    mut secrets: KnownSecrets,
    cfg: &Config,
    inventory: &Inventory,
    desired: &Desired,
) -> KnownSecrets {
    for svc in &inventory.services {
        let Some(sc) = cfg.service(svc.id.as_str(), svc.kind.id()) else {
            continue;
        };
        if let Some(key) = sc.api_key.clone().filter(|k| !k.is_empty()) {
            if let Some(name) = desired.api_keys.key_name(svc.kind) {
                let r = crate::integrate::SecretRef::new(
                    &desired.api_keys.namespace,
                    &desired.api_keys.name,
                    name,
                );
                secrets.refs.insert(r, key);
            }
        }
        if svc.kind == AppKind::Qbittorrent {
            if let Some(pw) = sc.password.clone().filter(|p| !p.is_empty()) {
                secrets
                    .refs
                    .insert(desired.download_client.password.clone(), pw);
            }
        }
    }
    secrets
}

/// The key Secret target of the desired file (`media/starr-secrets` by default).
pub fn key_target(live: &Live) -> &SecretTarget {
    &live.desired.api_keys
}

/// Services whose key lives in the key Secret.
pub fn keyed_services(live: &Live) -> Vec<&crate::model::ServiceInfo> {
    live.inventory
        .services
        .iter()
        .filter(|s| {
            live.desired.api_keys.key_name(s.kind).is_some() && s.kind != AppKind::Qbittorrent
        })
        .collect()
}

/// Everything one key check produced (the `keys` command and the Keys pane share it).
pub struct KeysCheck {
    pub live: Live,
    pub observed: Observed,
    pub target: SecretTarget,
    pub secret_exists: bool,
    /// Why a keyed app's key Secret is not known (`no key Secret referenced by deployment …`).
    pub unlocated: Vec<String>,
    /// How the key Secret was found (`envFrom of deployment arr/sonarr`, `set in the config` …).
    pub found_by: Option<String>,
    pub report: crate::keys::live::KeysReport,
}

/// Find every app's key, read the key Secret, verify both, and compute drift and the sync write.
/// The key Secret is read fresh (it is the object a sync writes), everything else comes from
/// the facts.
pub async fn check_keys(
    cfg: &Config,
    facts: &ClusterFacts,
    desired_file: &Path,
) -> anyhow::Result<KeysCheck> {
    let (live, observed) = live_context_with_keys(cfg, facts, desired_file).await?;
    let target = live.desired.api_keys.clone();
    let locs = facts.locations(&honour_file(cfg, &live.desired), &live.inventory);
    // The strongest evidence for the target: a workload's reference before "shared".
    let in_target: Vec<_> = locs
        .api_keys
        .values()
        .flatten()
        .filter(|l| l.namespace == target.namespace && l.name == target.name)
        .collect();
    let mut found_by = in_target
        .iter()
        .find(|l| {
            matches!(
                l.origin,
                crate::collect::secret_refs::Origin::Workload { .. }
            )
        })
        .or(in_target.first())
        .map(|l| l.origin.describe());
    let mut unlocated: Vec<String> = locs
        .api_keys
        .into_values()
        .filter_map(Result::err)
        .collect();
    if live.desired.api_keys_set {
        unlocated.clear();
        found_by = Some("set in integrations.toml".into());
    }
    let secret = read_secret(&facts.conn, &target.namespace, &target.name).await?;
    let secret_exists = secret.is_some();
    let secret = secret.unwrap_or_default();
    let mut report = crate::keys::live::keys_report(
        &live.inventory,
        &live.endpoints,
        &target,
        &secret,
        secret_exists,
        &observed,
    )
    .await;
    if !secret_exists && !unlocated.is_empty() {
        // No workload names a key Secret and none has the default name: a key cannot be
        // "missing in" a Secret nobody uses, and there is nowhere to sync to.
        report
            .drift
            .retain(|d| d.state != crate::keys::KeyDriftState::MissingInSecret);
        report.sync = None;
    }
    Ok(KeysCheck {
        live,
        observed,
        target,
        secret_exists,
        unlocated,
        found_by,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// integrations.toml's `[api_keys]` and `[download_client] password` reach the one
    /// resolution (so `check`, the pollers and the watched Secrets), over the config's
    /// `api_key_secret` and over evidence; values equal to the defaults change nothing.
    #[test]
    fn the_integration_files_places_serve_the_one_resolution() {
        use crate::collect::credentials::wanted_with;
        use crate::collect::secret_refs::{locate_for, Origin};
        let inventory = crate::integrate::fixtures::target_inventory();
        let objs = crate::discover::ClusterObjects::default();
        let text = "[api_keys]\nnamespace = \"arr\"\nname = \"console-keys\"\n\
                    [api_keys.key_names]\nsonarr = \"TV_KEY\"\n\
                    [download_client.password]\nnamespace = \"torrent\"\n\
                    name = \"login\"\nkey = \"pw\"\n";
        let desired = Desired::from_toml(text).expect("file");
        let cfg = Config {
            api_key_secret: "elsewhere/keys".into(),
            ..Config::default()
        };
        let cfg = honour_file(&cfg, &desired);
        let locs = locate_for(&cfg, &inventory, &objs, &|_, _| false);
        let by_kind = |kind: AppKind| {
            let svc = inventory.services.iter().find(|s| s.kind == kind).unwrap();
            locs.api_keys[&svc.id].clone().expect("located")
        };
        let sonarr = by_kind(AppKind::Sonarr);
        assert_eq!(
            (
                sonarr.namespace.as_str(),
                sonarr.name.as_str(),
                sonarr.key.as_str()
            ),
            ("arr", "console-keys", "TV_KEY")
        );
        assert_eq!(sonarr.origin, Origin::IntegrationFile);
        assert_eq!(by_kind(AppKind::Radarr).key, "RADARR_API_KEY");
        let pw = locs.passwords.values().next().unwrap().clone().expect("pw");
        assert_eq!((pw.namespace.as_str(), pw.key.as_str()), ("torrent", "pw"));
        let wanted = wanted_with(&cfg, &locs);
        assert!(
            wanted.contains(&("arr".into(), "console-keys".into())),
            "{wanted:?}"
        );
        assert!(
            wanted.contains(&("torrent".into(), "login".into())),
            "{wanted:?}"
        );
        // keys/integrate see the same places.
        let d = located(desired, &locs);
        assert_eq!(d.api_keys.display(), "arr/console-keys");
        // The shipped defaults spelled out: nothing set, the config's Secret wins again.
        let plain = Config {
            api_key_secret: "elsewhere/keys".into(),
            ..Config::default()
        };
        let dflt = Desired::from_toml(crate::integrate::desired::DEFAULT_FILE).expect("defaults");
        let locs = locate_for(&honour_file(&plain, &dflt), &inventory, &objs, &|_, _| {
            false
        });
        let svc = inventory
            .services
            .iter()
            .find(|s| s.kind == AppKind::Sonarr)
            .unwrap();
        let l = locs.api_keys[&svc.id].clone().expect("located");
        assert_eq!((l.name.as_str(), l.origin), ("keys", Origin::Config));
    }

    /// Issue 7: `integrate` honours `[services.qbittorrent] password` and `[services.X] api_key`
    /// like every other command.
    #[test]
    fn config_credentials_reach_the_integration_graph() {
        let inventory = crate::integrate::fixtures::target_inventory();
        let desired = Desired::default();
        let mut cfg = Config::default();
        let toml = "[services.qbittorrent]\npassword = \"from-config\"\n\
                    [services.sonarr]\napi_key = \"sonarr-from-config\"\n";
        let parsed: Config = toml::from_str(toml).expect("config");
        cfg.services = parsed.services;
        let secrets = honour_config(KnownSecrets::default(), &cfg, &inventory, &desired);
        let pw = secrets
            .get(&desired.download_client.password)
            .expect("password");
        assert_eq!(pw.expose(), "from-config");
        let sonarr = inventory
            .services
            .iter()
            .find(|s| s.kind == AppKind::Sonarr)
            .unwrap();
        let key = secrets.app_key(sonarr, &desired.api_keys).expect("key");
        assert_eq!(key.expose(), "sonarr-from-config");
        // Without config values nothing is invented.
        let none = honour_config(
            KnownSecrets::default(),
            &Config::default(),
            &inventory,
            &desired,
        );
        assert!(none.refs.is_empty());
    }
}
