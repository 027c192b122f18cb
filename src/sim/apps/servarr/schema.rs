//! Provider templates (`…/schema`): which implementations each app offers per provider collection,
//! with their fields, defaults and privacy. Per-app differences are data here, not code paths.

use super::state::Collection;
use crate::clients::servarr::category_field;
use crate::model::AppKind;
use serde_json::{json, Value};

/// One field of a provider's settings.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    /// `textbox`, `password`, `checkbox`, `select`, `number`, `tag`, `url` …
    pub ty: &'static str,
    pub default: Value,
    /// `normal`, `apiKey`, `password`, `userName`.
    pub privacy: &'static str,
    /// `(value, name)` of a select field.
    pub options: Vec<(i64, &'static str)>,
}

impl FieldDef {
    /// Is this a secret the app masks in its answers?
    pub fn is_secret(&self) -> bool {
        matches!(self.privacy, "apiKey" | "password")
    }

    pub fn render(&self, order: usize, value: &Value) -> Value {
        let mut v = json!({
            "order": order,
            "name": self.name,
            "label": self.label,
            "value": value,
            "type": self.ty,
            "advanced": false,
            "privacy": self.privacy,
            "isFloat": false,
        });
        if !self.options.is_empty() {
            v["selectOptions"] = Value::Array(
                self.options
                    .iter()
                    .enumerate()
                    .map(|(i, (val, name))| json!({"value": val, "name": name, "order": i}))
                    .collect(),
            );
        }
        v
    }
}

/// One implementation offered by a provider collection.
#[derive(Debug, Clone)]
pub struct Template {
    pub implementation: &'static str,
    pub implementation_name: &'static str,
    pub config_contract: &'static str,
    /// `torrent` / `usenet` for download clients and indexers.
    pub protocol: Option<&'static str>,
    pub fields: Vec<FieldDef>,
}

impl Template {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn fd(name: &str, label: &str, ty: &'static str, default: Value) -> FieldDef {
    FieldDef {
        name: name.to_string(),
        label: label.to_string(),
        ty,
        default,
        privacy: "normal",
        options: Vec::new(),
    }
}

fn private(mut f: FieldDef, privacy: &'static str) -> FieldDef {
    f.privacy = privacy;
    f
}

fn select(mut f: FieldDef, options: &[(i64, &'static str)]) -> FieldDef {
    f.options = options.to_vec();
    f
}

const QBIT_PRIORITY: &[(i64, &str)] = &[(0, "Last"), (1, "First")];
const QBIT_STATE: &[(i64, &str)] = &[(0, "Start"), (1, "ForceStart"), (2, "Stop")];
const QBIT_LAYOUT: &[(i64, &str)] = &[(0, "Default"), (1, "Original"), (2, "Subfolder")];
const SAB_PRIORITY: &[(i64, &str)] = &[
    (-100, "Default"),
    (-2, "Paused"),
    (-1, "Low"),
    (0, "Normal"),
    (1, "High"),
    (2, "Force"),
];

/// `Tv`, `Movie`, `Music` — the word inside per-app field names (`recentTvPriority`).
fn media_word(kind: AppKind) -> Option<&'static str> {
    match kind {
        AppKind::Sonarr => Some("Tv"),
        AppKind::Radarr => Some("Movie"),
        AppKind::Lidarr => Some("Music"),
        _ => None,
    }
}

fn connection_fields(with_api_key: bool) -> Vec<FieldDef> {
    let mut v = vec![
        fd("host", "Host", "textbox", json!("localhost")),
        fd("port", "Port", "textbox", json!(8080)),
        fd("useSsl", "Use SSL", "checkbox", json!(false)),
        fd("urlBase", "URL Base", "textbox", json!("")),
    ];
    if with_api_key {
        v.push(private(
            fd("apiKey", "API Key", "textbox", json!("")),
            "apiKey",
        ));
    }
    v.push(private(
        fd("username", "Username", "textbox", json!("")),
        "userName",
    ));
    v.push(private(
        fd("password", "Password", "password", json!("")),
        "password",
    ));
    v
}

fn qbittorrent(kind: AppKind) -> Template {
    // Sonarr ≥ 4.0.17 has an apiKey (qBittorrent ≥ 5.2 bearer key); the others do not.
    let mut fields = connection_fields(kind == AppKind::Sonarr);
    let cat = category_field(kind);
    match media_word(kind) {
        Some(w) => {
            let default_cat = match kind {
                AppKind::Sonarr => "tv-sonarr",
                AppKind::Radarr => "radarr",
                _ => "lidarr",
            };
            let lower = w.to_ascii_lowercase();
            fields.push(fd(cat, "Category", "textbox", json!(default_cat)));
            fields.push(fd(
                &format!("{lower}ImportedCategory"),
                "Post-Import Category",
                "textbox",
                json!(""),
            ));
            for p in ["recent", "older"] {
                fields.push(select(
                    fd(&format!("{p}{w}Priority"), "Priority", "select", json!(0)),
                    QBIT_PRIORITY,
                ));
            }
        }
        None => {
            fields.push(fd(cat, "Category", "textbox", json!("prowlarr")));
            fields.push(select(
                fd("priority", "Priority", "select", json!(0)),
                QBIT_PRIORITY,
            ));
        }
    }
    fields.push(select(
        fd("initialState", "Initial State", "select", json!(0)),
        QBIT_STATE,
    ));
    fields.push(fd(
        "sequentialOrder",
        "Sequential Order",
        "checkbox",
        json!(false),
    ));
    fields.push(fd(
        "firstAndLast",
        "First and Last First",
        "checkbox",
        json!(false),
    ));
    fields.push(select(
        fd("contentLayout", "Content Layout", "select", json!(0)),
        QBIT_LAYOUT,
    ));
    Template {
        implementation: "QBittorrent",
        implementation_name: "qBittorrent",
        config_contract: "QBittorrentSettings",
        protocol: Some("torrent"),
        fields,
    }
}

fn sabnzbd(kind: AppKind) -> Template {
    let mut fields = connection_fields(true);
    let cat = category_field(kind);
    match media_word(kind) {
        Some(w) => {
            let default_cat = match kind {
                AppKind::Sonarr => "tv",
                AppKind::Radarr => "movies",
                _ => "music",
            };
            fields.push(fd(cat, "Category", "textbox", json!(default_cat)));
            for p in ["recent", "older"] {
                fields.push(select(
                    fd(
                        &format!("{p}{w}Priority"),
                        "Priority",
                        "select",
                        json!(-100),
                    ),
                    SAB_PRIORITY,
                ));
            }
        }
        None => {
            fields.push(fd(cat, "Category", "textbox", json!("prowlarr")));
            fields.push(select(
                fd("priority", "Priority", "select", json!(-100)),
                SAB_PRIORITY,
            ));
        }
    }
    Template {
        implementation: "Sabnzbd",
        implementation_name: "SABnzbd",
        config_contract: "SabnzbdSettings",
        protocol: Some("usenet"),
        fields,
    }
}

/// Default Newznab categories an indexer is created with in each app.
fn default_categories(kind: AppKind) -> Value {
    match kind {
        AppKind::Sonarr => json!([5030, 5040]),
        AppKind::Radarr => json!([2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060]),
        AppKind::Lidarr => json!([3000, 3010, 3030, 3040]),
        _ => json!([]),
    }
}

fn starr_indexer(kind: AppKind, torznab: bool) -> Template {
    let mut fields = vec![
        fd("baseUrl", "URL", "textbox", json!("")),
        fd("apiPath", "API Path", "textbox", json!("/api")),
        private(fd("apiKey", "API Key", "textbox", json!("")), "apiKey"),
        fd(
            "categories",
            "Categories",
            "select",
            default_categories(kind),
        ),
    ];
    if kind == AppKind::Sonarr {
        fields.push(fd(
            "animeCategories",
            "Anime Categories",
            "select",
            json!([]),
        ));
        fields.push(fd(
            "animeStandardFormatSearch",
            "Anime Standard Format Search",
            "checkbox",
            json!(false),
        ));
    }
    fields.push(fd(
        "additionalParameters",
        "Additional Parameters",
        "textbox",
        json!(""),
    ));
    if torznab {
        fields.push(fd("minimumSeeders", "Minimum Seeders", "number", json!(1)));
        fields.push(fd(
            "seedCriteria.seedRatio",
            "Seed Ratio",
            "textbox",
            Value::Null,
        ));
        fields.push(fd(
            "seedCriteria.seedTime",
            "Seed Time",
            "number",
            Value::Null,
        ));
        match kind {
            AppKind::Sonarr => fields.push(fd(
                "seedCriteria.seasonPackSeedTime",
                "Season-Pack Seed Time",
                "number",
                Value::Null,
            )),
            AppKind::Lidarr => fields.push(fd(
                "seedCriteria.discographySeedTime",
                "Discography Seed Time",
                "number",
                Value::Null,
            )),
            _ => {}
        }
        fields.push(fd(
            "rejectBlocklistedTorrentHashesWhileGrabbing",
            "Reject Blocklisted Torrent Hashes While Grabbing",
            "checkbox",
            json!(false),
        ));
    }
    Template {
        implementation: if torznab { "Torznab" } else { "Newznab" },
        implementation_name: if torznab { "Torznab" } else { "Newznab" },
        config_contract: if torznab {
            "TorznabSettings"
        } else {
            "NewznabSettings"
        },
        protocol: Some(if torznab { "torrent" } else { "usenet" }),
        fields,
    }
}

fn prowlarr_indexers() -> Vec<Template> {
    let generic = |implementation, name, contract, protocol| Template {
        implementation,
        implementation_name: name,
        config_contract: contract,
        protocol: Some(protocol),
        fields: vec![
            fd("baseUrl", "URL", "textbox", json!("")),
            fd("apiPath", "API Path", "textbox", json!("/api")),
            private(fd("apiKey", "API Key", "textbox", json!("")), "apiKey"),
            fd(
                "additionalParameters",
                "Additional Parameters",
                "textbox",
                json!(""),
            ),
        ],
    };
    vec![
        generic("Newznab", "Generic Newznab", "NewznabSettings", "usenet"),
        generic("Torznab", "Generic Torznab", "TorznabSettings", "torrent"),
        Template {
            implementation: "Cardigann",
            implementation_name: "Cardigann",
            config_contract: "CardigannSettings",
            protocol: Some("torrent"),
            fields: vec![
                fd("definitionFile", "Definition File", "textbox", json!("")),
                fd("baseUrl", "Base Url", "select", json!("")),
            ],
        },
    ]
}

/// The Servarr apps Prowlarr can push indexers to, with the categories it syncs by default.
pub fn application_templates() -> Vec<Template> {
    let app = |kind: AppKind, cats: Value| {
        let mut fields = vec![
            fd(
                "prowlarrUrl",
                "Prowlarr Server",
                "textbox",
                json!("http://localhost:9696"),
            ),
            fd(
                "baseUrl",
                &format!("{} Server", kind.display()),
                "textbox",
                json!(format!("http://localhost:{}", kind.default_port())),
            ),
            private(fd("apiKey", "API Key", "textbox", json!("")), "apiKey"),
            fd("syncCategories", "Sync Categories", "select", cats),
        ];
        if kind == AppKind::Sonarr {
            fields.push(fd(
                "animeSyncCategories",
                "Anime Sync Categories",
                "select",
                json!([5070]),
            ));
            fields.push(fd(
                "syncAnimeStandardFormatSearch",
                "Sync Anime Standard Format Search",
                "checkbox",
                json!(true),
            ));
        }
        fields.push(fd(
            "syncRejectBlocklistedTorrentHashesWhileGrabbing",
            "Sync Reject Blocklisted Torrent Hashes While Grabbing",
            "checkbox",
            json!(false),
        ));
        let (implementation, contract) = match kind {
            AppKind::Sonarr => ("Sonarr", "SonarrSettings"),
            AppKind::Radarr => ("Radarr", "RadarrSettings"),
            _ => ("Lidarr", "LidarrSettings"),
        };
        Template {
            implementation,
            implementation_name: implementation,
            config_contract: contract,
            protocol: None,
            fields,
        }
    };
    vec![
        app(
            AppKind::Sonarr,
            json!([5000, 5010, 5020, 5030, 5040, 5045, 5050, 5090]),
        ),
        app(
            AppKind::Radarr,
            json!([2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]),
        ),
        app(AppKind::Lidarr, json!([3000, 3010, 3030, 3040, 3050, 3060])),
    ]
}

/// Every template one app offers for one collection (empty when the collection does not exist).
pub fn templates(kind: AppKind, collection: Collection) -> Vec<Template> {
    match (collection, kind) {
        (Collection::DownloadClient, _) => vec![qbittorrent(kind), sabnzbd(kind)],
        (Collection::Indexer, AppKind::Prowlarr) => prowlarr_indexers(),
        (Collection::Indexer, _) => vec![starr_indexer(kind, false), starr_indexer(kind, true)],
        (Collection::Application, AppKind::Prowlarr) => application_templates(),
        (Collection::Application, _) => Vec::new(),
    }
}

/// The template of `implementation` (case-insensitive).
pub fn template(kind: AppKind, collection: Collection, implementation: &str) -> Option<Template> {
    templates(kind, collection)
        .into_iter()
        .find(|t| t.implementation.eq_ignore_ascii_case(implementation))
}
