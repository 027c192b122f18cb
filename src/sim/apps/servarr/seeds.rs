//! Initial state: Fresh (nothing configured), Wired (the target cluster's wiring, §2.4 of
//! target-cluster.md, completed to the default integration graph), Miswired (the cluster's real mistakes: Prowlarr apps without URL bases,
//! a wrong download category, a missing root folder, so no indexers were ever synced).

use super::providers::render_template;
use super::schema;
use super::state::{Collection, State};
use crate::clients::servarr::category_field;
use crate::model::AppKind;
use crate::sim::apps::{AppSimConfig, Seed};
use serde_json::{json, Map, Value};

/// Directories that exist in each app's container (host `/mnt/data` mounted at `/data`), with the
/// subfolders a root folder there would list as unmapped.
fn existing_paths(kind: AppKind) -> Vec<(&'static str, Vec<&'static str>)> {
    match kind {
        AppKind::Sonarr => vec![
            ("/data/media/tv", vec![]),
            ("/data/media/series", vec!["Severance", "The Expanse"]),
            ("/downloads", vec![]),
        ],
        AppKind::Radarr => vec![
            ("/data/media/movies", vec!["Arrival (2016)", "Dune (2021)"]),
            ("/downloads", vec![]),
        ],
        AppKind::Lidarr => vec![
            ("/data/media/music", vec!["Radiohead"]),
            ("/downloads", vec![]),
        ],
        _ => vec![],
    }
}

fn profiles(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": i + 1, "name": n, "upgradeAllowed": false, "cutoff": 0, "items": []}))
        .collect()
}

/// A provider built from its template with some values changed.
fn provider(
    kind: AppKind,
    c: Collection,
    implementation: &str,
    name: &str,
    top: &[(&str, Value)],
    fields: &[(&str, Value)],
) -> Map<String, Value> {
    let Some(t) = schema::template(kind, c, implementation) else {
        return Map::new();
    };
    let mut m = render_template(kind, c, &t);
    m.remove("id");
    m.remove("presets");
    m.insert("name".into(), json!(name));
    for (k, v) in top {
        m.insert((*k).into(), v.clone());
    }
    if let Some(arr) = m.get_mut("fields").and_then(Value::as_array_mut) {
        for f in arr.iter_mut() {
            let n = f
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some((_, v)) = fields.iter().find(|(k, _)| *k == n) {
                f["value"] = v.clone();
            }
        }
    }
    m
}

fn random_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Prowlarr's indexers: (name, implementation, protocol, base URL, top categories).
const INDEXERS: [(&str, &str, &str, &str, &[i64]); 3] = [
    (
        "NZBgeek",
        "Newznab",
        "usenet",
        "https://api.nzbgeek.info",
        &[2000, 3000, 5000],
    ),
    (
        "DrunkenSlug",
        "Newznab",
        "usenet",
        "https://drunkenslug.com",
        &[2000, 5000],
    ),
    (
        "1337x",
        "Cardigann",
        "torrent",
        "https://1337x.to/",
        &[2000, 3000, 5000],
    ),
];

fn capabilities(top: &[i64]) -> Value {
    let cats: Vec<Value> = top
        .iter()
        .map(|c| {
            let subs: Vec<Value> = [10, 20, 30, 40]
                .iter()
                .map(|s| json!({"id": c + s, "name": format!("{} sub {s}", c)}))
                .collect();
            json!({"id": c, "name": match c { 2000 => "Movies", 3000 => "Audio", _ => "TV" }, "subCategories": subs})
        })
        .collect();
    json!({"supportsRawSearch": true, "categories": cats})
}

/// The category an app's download client uses on the target cluster, and the wrong one.
fn categories(kind: AppKind) -> (&'static str, &'static str) {
    match kind {
        AppKind::Sonarr => ("tv", "movies"),
        AppKind::Radarr => ("movies", "tv"),
        AppKind::Lidarr => ("music", "tv"),
        _ => ("prowlarr", "tv"),
    }
}

pub fn seed(cfg: &AppSimConfig) -> State {
    let kind = cfg.kind;
    let mut st = State::default();
    for (p, subs) in existing_paths(kind) {
        st.existing_paths
            .insert(p.to_string(), subs.iter().map(|s| s.to_string()).collect());
    }
    match kind {
        AppKind::Lidarr => {
            st.quality_profiles = profiles(&["Any", "Lossless", "Standard"]);
            st.metadata_profiles = profiles(&["Standard", "None"]);
        }
        AppKind::Prowlarr => {
            st.app_profiles = vec![json!({"id": 1, "name": "Standard", "enableRss": true,
                "enableAutomaticSearch": true, "enableInteractiveSearch": true, "minimumSeeders": 1})];
        }
        _ => {
            st.quality_profiles = profiles(&[
                "Any",
                "SD",
                "HD-720p",
                "HD-1080p",
                "Ultra-HD",
                "HD - 720p/1080p",
            ]);
        }
    }
    if cfg.seed == Seed::Fresh {
        return st;
    }
    let miswired = cfg.seed == Seed::Miswired;
    let peer = |k: AppKind| cfg.peer_keys.get(&k).cloned().unwrap_or_default();
    if kind == AppKind::Prowlarr {
        seed_prowlarr(cfg, &mut st, miswired);
        return st;
    }
    // Download clients.
    let (good, wrong) = categories(kind);
    let cat = if miswired { wrong } else { good };
    let qbit = provider(
        kind,
        Collection::DownloadClient,
        "QBittorrent",
        "qBittorrent",
        &[
            ("enable", json!(true)),
            ("priority", json!(1)),
            ("removeCompletedDownloads", json!(true)),
            ("removeFailedDownloads", json!(true)),
        ],
        &[
            ("host", json!("qbittorrent.qbittorrent.svc.cluster.local")),
            ("port", json!(8080)),
            ("username", json!("admin")),
            ("password", json!(peer(AppKind::Qbittorrent))),
            (category_field(kind), json!(cat)),
        ],
    );
    st.insert(Collection::DownloadClient, qbit);
    // The target cluster never wired Lidarr to SABnzbd (Miswired keeps that); Wired is wired
    // the way the default integration graph says, so `check` finds nothing to do there.
    if kind != AppKind::Lidarr || !miswired {
        let sab_category = if kind == AppKind::Lidarr {
            "audio"
        } else {
            good
        };
        let sab = provider(
            kind,
            Collection::DownloadClient,
            "Sabnzbd",
            "SABnzbd",
            &[
                ("enable", json!(true)),
                ("priority", json!(1)),
                ("removeCompletedDownloads", json!(true)),
                ("removeFailedDownloads", json!(true)),
            ],
            &[
                ("host", json!("sabnzbd.media.svc.cluster.local")),
                ("port", json!(8080)),
                ("urlBase", json!("/sabnzbd")),
                ("apiKey", json!(peer(AppKind::Sabnzbd))),
                (category_field(kind), json!(sab_category)),
                (&format!("recent{}Priority", media_word(kind)), json!(0)),
                (&format!("older{}Priority", media_word(kind)), json!(0)),
            ],
        );
        st.insert(Collection::DownloadClient, sab);
    }
    // Root folder.
    let path = match (kind, miswired) {
        // The target cluster uses /data/media/series (its admin declares it in the integration
        // file); Wired follows the default graph.
        (AppKind::Sonarr, false) => "/data/media/tv",
        (AppKind::Radarr, false) => "/data/media/movies",
        (_, false) => "/data/media/music",
        (AppKind::Sonarr, true) => "/tv",
        (AppKind::Radarr, true) => "/movies",
        (_, true) => "/music",
    };
    st.next_root_folder_id = 1;
    let mut rf = Map::new();
    rf.insert("id".into(), json!(1));
    rf.insert("path".into(), json!(path));
    if kind == AppKind::Lidarr {
        rf.insert("name".into(), json!("Music"));
        rf.insert("defaultMetadataProfileId".into(), json!(1));
        rf.insert("defaultQualityProfileId".into(), json!(1));
        rf.insert("defaultMonitorOption".into(), json!("all"));
        rf.insert("defaultNewItemMonitorOption".into(), json!("all"));
        rf.insert("defaultTags".into(), json!([]));
    }
    st.root_folders.push(rf);
    // Indexers synced from Prowlarr — only when Prowlarr could reach the app (Wired).
    if !miswired {
        let top = match kind {
            AppKind::Sonarr => 5000,
            AppKind::Radarr => 2000,
            _ => 3000,
        };
        for (pid, (name, _, protocol, _, cats)) in INDEXERS.iter().enumerate() {
            if !cats.contains(&top) {
                continue;
            }
            let torrent = *protocol == "torrent";
            let implementation = if torrent { "Torznab" } else { "Newznab" };
            let idx = provider(
                kind,
                Collection::Indexer,
                implementation,
                &format!("{name} (Prowlarr)"),
                &[
                    ("enableRss", json!(true)),
                    ("enableAutomaticSearch", json!(true)),
                    ("enableInteractiveSearch", json!(true)),
                ],
                &[
                    (
                        "baseUrl",
                        json!(format!("http://prowlarr:9696/prowlarr/{}/", pid + 1)),
                    ),
                    ("apiKey", json!(peer(AppKind::Prowlarr))),
                    ("categories", json!([top + 30, top + 40])),
                ],
            );
            st.insert(Collection::Indexer, idx);
        }
    }
    st
}

fn media_word(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Sonarr => "Tv",
        AppKind::Radarr => "Movie",
        _ => "Music",
    }
}

fn seed_prowlarr(cfg: &AppSimConfig, st: &mut State, miswired: bool) {
    let kind = AppKind::Prowlarr;
    for (name, implementation, protocol, url, cats) in INDEXERS {
        let mut fields = vec![("baseUrl", json!(url))];
        if implementation == "Cardigann" {
            fields.push(("definitionFile", json!(name.to_ascii_lowercase())));
        } else {
            fields.push(("apiKey", json!(random_key())));
        }
        let mut idx = provider(
            kind,
            Collection::Indexer,
            implementation,
            name,
            &[
                ("enable", json!(true)),
                ("protocol", json!(protocol)),
                (
                    "privacy",
                    json!(if protocol == "torrent" {
                        "public"
                    } else {
                        "private"
                    }),
                ),
                ("added", json!("2025-11-02T10:00:00Z")),
            ],
            &fields,
        );
        idx.insert("capabilities".into(), capabilities(cats));
        st.insert(Collection::Indexer, idx);
    }
    let prowlarr_url = if miswired {
        "http://prowlarr:9696"
    } else {
        "http://prowlarr:9696/prowlarr"
    };
    for app in [AppKind::Sonarr, AppKind::Radarr, AppKind::Lidarr] {
        let base = format!("http://{}:{}", app.id(), app.default_port());
        let base = if miswired {
            base
        } else {
            format!("{base}/{}", app.id())
        };
        let a = provider(
            kind,
            Collection::Application,
            app.display(),
            app.display(),
            &[("syncLevel", json!("fullSync")), ("enable", json!(true))],
            &[
                ("prowlarrUrl", json!(prowlarr_url)),
                ("baseUrl", json!(base)),
                (
                    "apiKey",
                    json!(cfg.peer_keys.get(&app).cloned().unwrap_or_default()),
                ),
            ],
        );
        st.insert(Collection::Application, a);
    }
    let sab = provider(
        kind,
        Collection::DownloadClient,
        "Sabnzbd",
        "SABnzbd",
        &[("enable", json!(true)), ("priority", json!(1))],
        &[
            ("host", json!("sabnzbd")),
            ("port", json!(8080)),
            ("urlBase", json!("/sabnzbd")),
            (
                "apiKey",
                json!(cfg
                    .peer_keys
                    .get(&AppKind::Sabnzbd)
                    .cloned()
                    .unwrap_or_default()),
            ),
            ("category", json!("prowlarr")),
        ],
    );
    st.insert(Collection::DownloadClient, sab);
}
