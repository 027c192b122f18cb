//! Fixtures for the Integrations and Keys pane tests: integration views of a fresh, a miswired
//! and a wired stack (planned over the in-memory backend), a keys view with the target
//! cluster's drift, and harnesses that open the panes and answer their tasks.
#![allow(dead_code)]

use crate::integrate_support::*;
use crate::tui_common::*;
use k8s_nas::integrate::fixtures::target_inventory;
use k8s_nas::integrate::*;
use k8s_nas::keys::{compare, AppKeyObservation, KeyVerdict, SecretTarget};
use k8s_nas::model::{AppError, AppErrorKind, AppKind, HealthIssue, IssueLevel, Secret, ServiceId};
use k8s_nas::tui::views::{
    field_rows, HealthNote, IndexerCount, IntegrationsView, KeyRow, KeysView, RootFolderInfo,
};
use k8s_nas::tui::{Effect, Msg, TaskId, TaskOutcome, TaskRequest};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub type Currents = BTreeMap<String, Result<Current, AppError>>;

pub fn resolution() -> Resolution {
    resolve(&Desired::default(), &target_inventory(), &secrets())
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub fn read_all(nas: &FakeNas, res: &Resolution) -> Currents {
    block_on(async {
        let mut out = BTreeMap::new();
        for e in &res.edges {
            out.insert(e.id.clone(), nas.read(e).await);
        }
        out
    })
}

/// A NAS whose Jellyseerr went through its setup wizard by hand (as in the apply tests).
pub fn nas_with_jellyfin() -> FakeNas {
    let nas = FakeNas::new();
    nas.state.lock().unwrap().seerr_jellyfin = json!({"name": "NAS", "ip": "jellyfin",
        "port": 8096, "useSsl": false, "urlBase": "/jellyfin", "apiKey": "jf-key"});
    nas
}

pub fn wired_nas() -> FakeNas {
    let nas = nas_with_jellyfin();
    let res = resolution();
    let report = block_on(apply(
        &nas,
        &res.edges,
        ApplyOptions {
            prune: false,
            test: true,
        },
        &|_| {},
    ));
    assert!(report.all_verified(), "{:#?}", report.findings());
    nas
}

pub fn view(res: &Resolution, currents: &Currents) -> IntegrationsView {
    let mut v = IntegrationsView::new(plan(res, currents, false), ago(4));
    for e in &res.edges {
        if let Some(c) = currents.get(&e.id) {
            v.fields.insert(e.id.clone(), field_rows(e, c.as_ref()));
        }
    }
    v
}

pub fn sid(s: &str) -> ServiceId {
    ServiceId(s.to_string())
}

pub fn note(svc: &str, kind: AppKind, level: IssueLevel, source: &str, msg: &str) -> HealthNote {
    HealthNote {
        service: sid(svc),
        kind,
        issue: HealthIssue {
            source: source.into(),
            level,
            message: msg.into(),
            wiki_url: None,
        },
    }
}

pub fn indexers(n: [u32; 3]) -> Vec<IndexerCount> {
    [
        ("media/sonarr", AppKind::Sonarr),
        ("media/radarr", AppKind::Radarr),
        ("media/lidarr", AppKind::Lidarr),
    ]
    .iter()
    .zip(n)
    .map(|((s, k), c)| IndexerCount {
        service: sid(s),
        kind: *k,
        count: Ok(c),
    })
    .collect()
}

pub fn folder(svc: &str, kind: AppKind, path: &str, ok: bool, free: u64) -> RootFolderInfo {
    RootFolderInfo {
        service: sid(svc),
        kind,
        path: path.into(),
        accessible: ok,
        free_space: Some(free),
    }
}

pub fn fresh_view() -> IntegrationsView {
    let res = resolution();
    let mut v = view(&res, &read_all(&FakeNas::new(), &res));
    v.indexers = indexers([0, 0, 0]);
    v.health = vec![
        note(
            "media/sonarr",
            AppKind::Sonarr,
            IssueLevel::Warning,
            "DownloadClientCheck",
            "No download client is available",
        ),
        note(
            "media/sonarr",
            AppKind::Sonarr,
            IssueLevel::Warning,
            "IndexerSearchCheck",
            "No indexers available with Automatic Search enabled, Sonarr will not provide any automatic search results",
        ),
        note(
            "media/radarr",
            AppKind::Radarr,
            IssueLevel::Warning,
            "DownloadClientCheck",
            "No download client is available",
        ),
    ];
    v
}

pub const TB: u64 = 1_000_000_000_000;

pub fn wired_side(v: &mut IntegrationsView) {
    v.indexers = indexers([12, 12, 9]);
    v.root_folders = vec![
        folder(
            "media/sonarr",
            AppKind::Sonarr,
            "/data/media/tv",
            true,
            2 * TB,
        ),
        folder(
            "media/radarr",
            AppKind::Radarr,
            "/data/media/movies",
            true,
            2 * TB,
        ),
        folder(
            "media/lidarr",
            AppKind::Lidarr,
            "/data/media/music",
            true,
            2 * TB,
        ),
    ];
}

pub fn wired_view() -> IntegrationsView {
    let res = resolution();
    let mut v = view(&res, &read_all(&wired_nas(), &res));
    wired_side(&mut v);
    v
}

pub const PROWLARR_SONARR: &str = "prowlarr-app:media/prowlarr->media/sonarr";

pub fn set_field(item: &mut Value, name: &str, value: Value) {
    for f in item["fields"].as_array_mut().unwrap() {
        if f["name"] == name {
            f["value"] = value.clone();
        }
    }
}

/// The target cluster's real mistakes on a wired stack: Prowlarr reaches Sonarr without its URL
/// base, Sonarr's qBittorrent entry uses a short name from another namespace and lost its
/// password, and Lidarr does not answer.
pub fn miswired_view() -> IntegrationsView {
    let nas = wired_nas();
    {
        let mut s = nas.state.lock().unwrap();
        let prowlarr = s.providers.get_mut(&sid("media/prowlarr")).unwrap();
        let app = prowlarr
            .iter_mut()
            .find(|a| a["implementation"] == "Sonarr")
            .unwrap();
        set_field(app, "baseUrl", json!("http://sonarr:8989"));
        let sonarr = s.providers.get_mut(&sid("media/sonarr")).unwrap();
        let qbt = sonarr
            .iter_mut()
            .find(|a| a["implementation"] == "QBittorrent")
            .unwrap();
        set_field(qbt, "host", json!("qbittorrent"));
        set_field(qbt, "password", json!(""));
    }
    let res = resolution();
    let mut currents = read_all(&nas, &res);
    for e in res
        .edges
        .iter()
        .filter(|e| e.from.as_str() == "media/lidarr")
    {
        currents.insert(
            e.id.clone(),
            Err(AppError::new(
                AppErrorKind::Unreachable,
                "connection refused (no ready endpoints)",
            )),
        );
    }
    let mut v = view(&res, &currents);
    wired_side(&mut v);
    v.indexers[2].count = Err("Lidarr unreachable".into());
    v.root_folders.pop();
    v.health = vec![note(
        "media/sonarr",
        AppKind::Sonarr,
        IssueLevel::Error,
        "DownloadClientCheck",
        "Unable to communicate with qBittorrent. Failed to connect to qbittorrent:8080",
    )];
    v
}

/// Open `:integrations`, answer the plan task with `v`, finish the task.
pub fn integrations(readonly: bool, v: IntegrationsView) -> Harness {
    let mut h = if readonly {
        let mut h = Harness::new(true);
        h.feed(Msg::Cluster(Box::new(healthy_view())));
        h
    } else {
        Harness::healthy()
    };
    let fx = h.press(":int<enter>");
    let id = plan_task(&fx).expect("entering the pane plans");
    h.feed(Msg::Integrations(Box::new(v)));
    h.feed(Msg::TaskDone {
        id,
        outcome: TaskOutcome::Succeeded("17 edges read".into()),
    });
    h.feed(Msg::Tick(now()));
    h
}

pub fn plan_task(fx: &[Effect]) -> Option<TaskId> {
    fx.iter().find_map(|e| match e {
        Effect::RunTask {
            id,
            request: TaskRequest::PlanIntegrations,
        } => Some(*id),
        _ => None,
    })
}

pub const SECRETS: [&str; 5] = [SONARR_KEY, RADARR_KEY, LIDARR_KEY, SAB_KEY, QBT_PASSWORD];

pub fn assert_masked(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "secret {s} on screen:\n{text}");
    }
}

pub const BAZARR_KEY: &str = "b4z4rrb4z4rrb4z4rrb4z4rrb4z4rr00";
pub const PROWLARR_KEY: &str = "9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a";

pub fn keys_view() -> KeysView {
    let target = SecretTarget::default();
    // The Secret as the user's script left it: Sonarr stale, Lidarr blanked, Prowlarr dropped.
    let secret: BTreeMap<String, Secret> = [
        ("SONARR_API_KEY", "00000000000000000000000000000000"),
        ("RADARR_API_KEY", RADARR_KEY),
        ("LIDARR_API_KEY", ""),
        ("BAZARR_API_KEY", BAZARR_KEY),
        ("SABNZBD_API_KEY", SAB_KEY),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Secret::new(v)))
    .collect();
    let apps = [
        ("media/sonarr", AppKind::Sonarr, Ok(SONARR_KEY)),
        ("media/radarr", AppKind::Radarr, Ok(RADARR_KEY)),
        ("media/lidarr", AppKind::Lidarr, Ok(LIDARR_KEY)),
        ("media/prowlarr", AppKind::Prowlarr, Ok(PROWLARR_KEY)),
        ("media/bazarr", AppKind::Bazarr, Ok(BAZARR_KEY)),
        ("media/sabnzbd", AppKind::Sabnzbd, Ok(SAB_KEY)),
        (
            "media/jellyseerr",
            AppKind::Jellyseerr,
            Err("settings.json not readable on this node (run on the node or pass --key)"),
        ),
    ];
    let obs: Vec<AppKeyObservation> = apps
        .iter()
        .map(|(s, k, key)| AppKeyObservation {
            service: sid(s),
            kind: *k,
            key: key.map(Secret::new).map_err(String::from),
        })
        .collect();
    let drift = compare(&target, &secret, &obs);
    let location = |s: &str, k: AppKind| -> Result<String, String> {
        let name = s.trim_start_matches("media/");
        match k {
            AppKind::Sabnzbd => Ok("node:/var/lib/rancher/k3s/storage/pvc-sabnzbd-config_media_sabnzbd-config/sabnzbd.ini [misc] api_key".into()),
            AppKind::Bazarr => Ok("node:/var/lib/rancher/k3s/storage/pvc-bazarr-config_media_bazarr-config/config/config.yaml auth.apikey".into()),
            AppKind::Jellyseerr => Err("settings.json not readable on this node".into()),
            _ => Ok(format!("node:/mnt/data/configs/{name}/config.xml <ApiKey>")),
        }
    };
    let verdict = |k: AppKind| match k {
        AppKind::Lidarr => Some(KeyVerdict::WrongUrlBase {
            location: "/lidarr/api/v1/system/status".into(),
        }),
        AppKind::Sabnzbd => Some(KeyVerdict::Unreachable {
            detail: "connection refused".into(),
        }),
        AppKind::Jellyseerr => None,
        _ => Some(KeyVerdict::Valid),
    };
    let mut rows: Vec<KeyRow> = apps
        .iter()
        .map(|(s, k, _)| KeyRow {
            service: sid(s),
            kind: *k,
            location: location(s, *k),
            verdict: verdict(*k),
            drift: drift.iter().find(|d| d.kind == *k).cloned(),
        })
        .collect();
    rows.push(KeyRow {
        service: sid("media/jellyfin"),
        kind: AppKind::Jellyfin,
        location: Ok("created through the API (k8s-nas)".into()),
        verdict: Some(KeyVerdict::Rejected {
            detail: "401 Unauthorized".into(),
        }),
        drift: None,
    });
    KeysView {
        secret: target.display(),
        secret_exists: true,
        rows,
        fetched_at: ago(2),
        error: None,
    }
}

pub fn keys_harness(readonly: bool) -> Harness {
    let mut h = Harness::new(readonly);
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    let fx = h.press(":keys<enter>");
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::RunTask {
                id,
                request: TaskRequest::CheckKeys,
            } => Some(*id),
            _ => None,
        })
        .expect("entering :keys checks keys");
    h.feed(Msg::Keys(Box::new(keys_view())));
    h.feed(Msg::TaskDone {
        id,
        outcome: TaskOutcome::Succeeded("8 apps checked".into()),
    });
    h.feed(Msg::Tick(now()));
    h
}

pub fn assert_no_keys(text: &str) {
    assert_masked(text);
    for s in [BAZARR_KEY, PROWLARR_KEY, "00000000000000000000000000000000"] {
        assert!(!text.contains(s), "key {s} on screen:\n{text}");
    }
}
