//! The simulated node's filesystem (issue 11): a real directory tree standing for the node's
//! config paths, under a root that the console reaches through `backup.node_root`, so the world
//! keeps the real paths (`/mnt/data/configs/sonarr`, the local-path PV directories). Each
//! Servarr app gets its real-shaped config: `config.xml`, its SQLite database in WAL mode with
//! tables and rows, `logs.db` and `logs/`, `MediaCover/`, its own `Backups/`.
//!
//! While its Deployment has replicas the app "runs": it keeps writing to its database, and it
//! reads its API key from its own `config.xml` when it starts — so a restore that brings back
//! an old key is visible through the API, as on a real NAS. Scaled to 0 it stops (503) and
//! closes its database; when its pods are Ready again it starts anew from the files (an
//! unreadable config or database leaves it stopped, like a crash-looping app).

use super::apps::{AppSimConfig, RunningApp};
use super::kube::KubeSim;
use super::scenario::Layer;
use super::world::{crashloop_pod, is_pod_of, recover_pod, Backend, World};
use crate::model::AppKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The laid-out tree and the apps' life tasks (stopped when dropped).
pub struct NodeTree {
    pub root: PathBuf,
    /// Config directory (under `root`) per app.
    pub apps: Vec<(AppKind, PathBuf)>,
    stop: tokio_util::sync::CancellationToken,
    remove_on_drop: bool,
}

impl Drop for NodeTree {
    fn drop(&mut self) {
        self.stop.cancel();
        if self.remove_on_drop {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

impl NodeTree {
    /// The config directory of `kind`.
    pub fn dir(&self, kind: AppKind) -> Option<&Path> {
        self.apps
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, p)| p.as_path())
    }
}

/// Called with the laid-out config directories before the apps start.
pub type Prepare<'a> = &'a dyn Fn(&[(AppKind, PathBuf)]);

/// The database file name of a Servarr app (`sonarr.db`).
pub fn db_name(kind: AppKind) -> String {
    format!("{}.db", kind.id())
}

/// Lay out every Servarr app's config directory under `root` and start the apps' life tasks.
/// `remove_on_drop`: the tree is this run's only (demo, tests).
pub fn start(
    root: &Path,
    world: &World,
    kube: &KubeSim,
    apps: &[(Backend, RunningApp)],
    configs: &[(Backend, AppSimConfig)],
    remove_on_drop: bool,
    prepare: Prepare,
) -> anyhow::Result<NodeTree> {
    use crate::discover::{discover, ClusterObjects};
    let inv = discover(
        &ClusterObjects::from_values(&world.objects),
        &Default::default(),
    );
    let stop = tokio_util::sync::CancellationToken::new();
    let mut laid = Vec::new();
    let mut lives = Vec::new();
    for (b, cfg) in configs {
        let Some(svc) = inv.services.iter().find(|s| {
            s.namespace == b.namespace
                && s.kind == b.kind
                && s.service.as_ref().is_some_and(|p| p.name == b.service)
        }) else {
            continue;
        };
        let Some(node) = svc
            .config_volume
            .as_ref()
            .and_then(|v| v.source.node_path())
        else {
            continue;
        };
        let dir = root.join(node.trim_start_matches('/'));
        let port = svc.service.as_ref().map_or(b.port, |p| p.target_port);
        if laid.iter().any(|(_, d)| d == &dir) {
            continue; // one volume shared by two containers (SABnzbd and its VPN sidecar)
        }
        let text = super::nas::key_file_text(b.kind, cfg, port);
        laid.push((b.kind, dir.clone()));
        if !b.kind.is_servarr() {
            lay_other(&dir, b.kind, &text)?;
            continue;
        }
        lay(&dir, b.kind, &text)?;
        if let Some((_, app)) = apps.iter().find(|(ab, _)| ab == b) {
            lives.push((
                svc.namespace.clone(),
                svc.workload.name.clone(),
                b.kind,
                dir,
                app.faults.clone(),
            ));
        }
    }
    // The files as the apps find them when they start (a scenario's damage included).
    prepare(&laid);
    for (ns, wl, kind, dir, faults) in lives {
        tokio::spawn(life(kube.clone(), ns, wl, kind, dir, faults, stop.clone()));
    }
    Ok(NodeTree {
        root: root.to_path_buf(),
        apps: laid,
        stop,
        remove_on_drop,
    })
}

fn lay(dir: &Path, kind: AppKind, config_xml: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("logs"))?;
    std::fs::write(dir.join("config.xml"), config_xml)?;
    let c = rusqlite::Connection::open(dir.join(db_name(kind)))?;
    let _: String = c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    let items = match kind {
        AppKind::Sonarr => ["Severance", "Andor", "The Bear", "Shogun", "Slow Horses"],
        AppKind::Radarr => ["Dune", "Arrival", "Heat", "Alien", "Sicario"],
        AppKind::Lidarr => ["Radiohead", "Bjork", "Portishead", "Massive Attack", "Air"],
        _ => ["NZBgeek", "DrunkenSlug", "1337x", "Nyaa", "TorrentLeech"],
    };
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS Config (Id INTEGER PRIMARY KEY, Key TEXT UNIQUE NOT NULL, Value TEXT);
         CREATE TABLE IF NOT EXISTS Items (Id INTEGER PRIMARY KEY, Title TEXT NOT NULL, Path TEXT, Added TEXT);
         CREATE TABLE IF NOT EXISTS DownloadClients (Id INTEGER PRIMARY KEY, Name TEXT, Implementation TEXT, Settings TEXT);
         CREATE TABLE IF NOT EXISTS Indexers (Id INTEGER PRIMARY KEY, Name TEXT, Implementation TEXT, Settings TEXT);
         CREATE TABLE IF NOT EXISTS History (Id INTEGER PRIMARY KEY, Date TEXT, EventType INTEGER, SourceTitle TEXT, Data TEXT);",
    )?;
    c.execute(
        "INSERT OR REPLACE INTO Config (Key, Value) VALUES ('instancename', ?1)",
        [kind.display()],
    )?;
    for (i, t) in items.iter().enumerate() {
        c.execute(
            "INSERT INTO Items (Title, Path, Added) VALUES (?1, ?2, datetime('now'))",
            (t, format!("/data/media/{t}")),
        )?;
        std::fs::create_dir_all(dir.join(format!("MediaCover/{}", i + 1)))?;
        std::fs::write(
            dir.join(format!("MediaCover/{}/poster.jpg", i + 1)),
            vec![0xffu8; 8 * 1024],
        )?;
    }
    c.execute(
        "INSERT INTO DownloadClients (Name, Implementation, Settings) VALUES ('qBittorrent', 'QBittorrent', '{}')",
        [],
    )?;
    c.execute(
        "INSERT INTO Indexers (Name, Implementation, Settings) VALUES ('Prowlarr', 'Torznab', '{}')",
        [],
    )?;
    drop(c);
    let logs = rusqlite::Connection::open(dir.join("logs.db"))?;
    logs.execute_batch(
        "CREATE TABLE IF NOT EXISTS Logs (Id INTEGER PRIMARY KEY, Message TEXT, Time TEXT);
         INSERT INTO Logs (Message, Time) VALUES ('Application started', datetime('now'));",
    )?;
    std::fs::write(
        dir.join(format!("logs/{}.txt", kind.id())),
        "[Info] Bootstrap: Starting\n",
    )?;
    std::fs::create_dir_all(dir.join("Backups/scheduled"))?;
    std::fs::write(
        dir.join(format!(
            "Backups/scheduled/{}_backup_v1_2026.01.01_00.00.00.zip",
            kind.id()
        )),
        b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    )?;
    Ok(())
}

/// The other apps' config directories: their key file where they keep it, their database
/// (Jellyfin, Jellyseerr), a log. They do not restart from these files.
fn lay_other(dir: &Path, kind: AppKind, key_text: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("logs"))?;
    std::fs::write(dir.join("logs/app.log"), "started\n")?;
    if let Some(kf) = crate::keys::key_file(kind) {
        let p = dir.join(kf.rel_path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, key_text)?;
    }
    let db = match kind {
        AppKind::Jellyfin => Some("data/jellyfin.db"),
        AppKind::Jellyseerr => Some("db/db.sqlite3"),
        _ => None,
    };
    if let Some(rel) = db {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let c = rusqlite::Connection::open(p)?;
        let _: String = c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        c.execute_batch(
            "CREATE TABLE IF NOT EXISTS Users (Id INTEGER PRIMARY KEY, Name TEXT);
             INSERT INTO Users (Name) VALUES ('admin');",
        )?;
    }
    if kind == AppKind::Qbittorrent {
        std::fs::create_dir_all(dir.join("qBittorrent"))?;
        std::fs::write(
            dir.join("qBittorrent/qBittorrent.conf"),
            "[Preferences]\nWebUI\\Port=8080\n",
        )?;
    }
    Ok(())
}

/// The key and whether the database opens: what the app reads when it starts.
fn start_app(dir: &Path, kind: AppKind) -> Result<(String, rusqlite::Connection), String> {
    let text = std::fs::read_to_string(dir.join("config.xml")).map_err(|e| e.to_string())?;
    let key = crate::keys::parse_key(kind, &text).map_err(|e| e.to_string())?;
    let c = rusqlite::Connection::open(dir.join(db_name(kind))).map_err(|e| e.to_string())?;
    c.busy_timeout(Duration::from_secs(5))
        .map_err(|e| e.to_string())?;
    let ok: String = c
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if ok != "ok" {
        return Err(format!("database malformed: {ok}"));
    }
    Ok((key.expose().to_string(), c))
}

/// The kubelet's restart back-off for a container that keeps failing: 10 s, doubled after
/// each failure, at most 5 min.
const RESTART_BACKOFF: (Duration, Duration) = (Duration::from_secs(10), Duration::from_secs(300));

async fn life(
    kube: KubeSim,
    ns: String,
    workload: String,
    kind: AppKind,
    dir: PathBuf,
    faults: std::sync::Arc<super::apps::faults::FaultSwitch>,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut db: Option<rusqlite::Connection> = None;
    let mut n = 0u64;
    let mut started = false;
    // When the app last failed to start and the back-off before the next try: its pods
    // crash-loop until a start succeeds.
    let mut crashed: Option<(std::time::Instant, Duration)> = None;
    loop {
        let d = kube.get("apps/v1", "Deployment", Some(&ns), &workload);
        let want = d
            .as_ref()
            .and_then(|d| d["spec"]["replicas"].as_u64())
            .unwrap_or(1);
        let ready = d
            .as_ref()
            .and_then(|d| d["status"]["readyReplicas"].as_u64())
            .unwrap_or(0);
        let retry = crashed.is_some_and(|(at, wait)| at.elapsed() >= wait);
        if want == 0 {
            crashed = None;
            if db.is_some() || !started {
                db = None;
                started = true;
                faults.update(|f| f.stopped = true);
            }
        } else if db.is_none() && (ready > 0 || !started || retry) {
            started = true;
            match start_app(&dir, kind) {
                Ok((key, c)) => {
                    faults.update(|f| {
                        f.stopped = false;
                        f.config_key = Some(key);
                    });
                    db = Some(c);
                    if crashed.take().is_some() {
                        let now = super::kube::store::now_rfc3339();
                        edit_pods(&kube, &ns, &workload, |p| recover_pod(p, &now));
                    }
                }
                Err(e) => {
                    tracing::debug!("{kind} cannot start: {e}");
                    faults.update(|f| f.stopped = true);
                    // The container exits: not Ready, restarted, so the Service has no
                    // endpoint and the Deployment no ready replica.
                    let wait =
                        crashed.map_or(RESTART_BACKOFF.0, |(_, w)| (w * 2).min(RESTART_BACKOFF.1));
                    crashed = Some((std::time::Instant::now(), wait));
                    let now = serde_json::json!(super::kube::store::now_rfc3339());
                    edit_pods(&kube, &ns, &workload, |p| {
                        let restarts = p["status"]["containerStatuses"]
                            .as_array()
                            .and_then(|s| s.last())
                            .and_then(|c| c["restartCount"].as_u64())
                            .unwrap_or(0);
                        let restarts = u32::try_from(restarts + 1).unwrap_or(u32::MAX);
                        crashloop_pod(p, restarts, &now);
                    });
                }
            }
        }
        if let Some(c) = &db {
            n += 1;
            let _ = c.execute(
                "INSERT INTO History (Date, EventType, SourceTitle, Data) VALUES (datetime('now'), 1, ?1, ?2)",
                (format!("grab {n}"), "{}"),
            );
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
}

/// Apply `edit` to the pods of `workload` in `ns`; the controllers then count the
/// Deployment's ready replicas and the Service's endpoints anew.
fn edit_pods(kube: &KubeSim, ns: &str, workload: &str, edit: impl Fn(&mut serde_json::Value)) {
    for mut pod in kube
        .list("v1", "Pod", Some(ns))
        .into_iter()
        .filter(|p| is_pod_of(p, ns, workload))
    {
        edit(&mut pod);
        if let Err(e) = kube.apply(pod) {
            tracing::debug!("{workload}: pod status not updated: {e}");
        }
    }
}

/// `config-corrupted`: Sonarr's database and config.xml damaged on the node (a failed disk
/// write, a bad edit): Sonarr cannot start until its config is restored.
pub struct ConfigCorrupted;

impl Layer for ConfigCorrupted {
    fn name(&self) -> &'static str {
        "config-corrupted"
    }
    fn about(&self) -> &'static str {
        "Sonarr's database and config.xml damaged on the node (restore it from a backup)"
    }
    fn edit_node(&self, apps: &[(AppKind, PathBuf)]) {
        if let Some((_, dir)) = apps.iter().find(|(k, _)| *k == AppKind::Sonarr) {
            corrupt(dir, AppKind::Sonarr);
        }
    }
}

/// Damage an app's config: the database header overwritten, config.xml cut mid-element.
pub fn corrupt(dir: &Path, kind: AppKind) {
    let db = dir.join(db_name(kind));
    if let Ok(mut bytes) = std::fs::read(&db) {
        for b in bytes.iter_mut().take(100) {
            *b = 0x5a;
        }
        let _ = std::fs::write(&db, bytes);
    }
    let _ = std::fs::remove_file(dir.join(format!("{}-wal", db_name(kind))));
    let _ = std::fs::remove_file(dir.join(format!("{}-shm", db_name(kind))));
    let _ = std::fs::write(dir.join("config.xml"), "<Config>\n  <ApiKe");
}

impl super::nas::SimNas {
    /// Lay the node's config directories under `root` (the console's `backup.node_root`),
    /// call `prepare` (the demo takes last night's backup there), apply the scenario's node
    /// edits, then start the apps' life on them.
    pub fn node_tree(
        &self,
        root: &Path,
        remove_on_drop: bool,
        prepare: Prepare,
    ) -> anyhow::Result<NodeTree> {
        let scenario = self.scenario.clone();
        start(
            root,
            &self.world,
            &self.kube,
            &self.apps,
            &self.app_configs,
            remove_on_drop,
            &|apps| {
                prepare(apps);
                scenario.edit_node(apps);
            },
        )
    }
}
