//! Shared fixtures and a key-driving harness for the TUI tests: model values shaped like the
//! target cluster, a fixed clock, and `Harness { app, terminal }` over a 120×40 TestBackend.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use k8s_nas::model::{
    AppError, AppErrorKind, AppHealth, AppKind, ConfigVolume, Finding, HealthIssue, Inventory,
    IssueLevel, PodStatus, ProbeResult, ServiceId, ServiceInfo, ServiceObservation, ServicePort,
    Severity, UrlBaseSource, VolumeSource, VpnSidecar, WorkloadRef,
};
use k8s_nas::tui::panes::findings::FindingsState;
use k8s_nas::tui::panes::integrations::IntegrationsState;
use k8s_nas::tui::panes::keys::KeysState;
use k8s_nas::tui::panes::logs::LogsState;
use k8s_nas::tui::panes::services::Services;
use k8s_nas::tui::render::render;
use k8s_nas::tui::{
    update, App, AppOptions, ClusterView, Effect, EventRow, Msg, TaskRequest, Theme,
};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeMap;

pub mod screen;
pub mod tmux;
pub mod world;
pub use world::{listing_of, target_world, world_listing, world_rows};

pub fn now() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

pub fn ago(secs: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() - secs).unwrap()
}

/// `(kind, namespace, workload, url base, vpn sidecar?)` for the nine apps of the target cluster.
pub const APPS: [(AppKind, &str, &str, &str, bool); 9] = [
    (AppKind::Sonarr, "media", "sonarr", "/sonarr", false),
    (AppKind::Radarr, "media", "radarr", "/radarr", false),
    (AppKind::Lidarr, "media", "lidarr", "/lidarr", false),
    (AppKind::Prowlarr, "media", "prowlarr", "/prowlarr", false),
    (AppKind::Bazarr, "media", "bazarr", "", false),
    (AppKind::Jellyseerr, "media", "jellyseerr", "", false),
    (AppKind::Jellyfin, "media", "jellyfin", "/jellyfin", false),
    (AppKind::Qbittorrent, "qbittorrent", "qbittorrent", "", true),
    (AppKind::Sabnzbd, "media", "sabnzbd", "/sabnzbd", true),
];

pub fn service(kind: AppKind, ns: &str, name: &str, url_base: &str, vpn: bool) -> ServiceInfo {
    let port = kind.default_port();
    ServiceInfo {
        id: ServiceId::new(ns, name),
        kind,
        namespace: ns.to_string(),
        workload: WorkloadRef {
            kind: "Deployment".into(),
            name: name.to_string(),
        },
        container: name.to_string(),
        image: format!("docker.io/linuxserver/{}:latest", kind.id()),
        selector: BTreeMap::from([("app".to_string(), name.to_string())]),
        service: Some(ServicePort {
            name: name.to_string(),
            port: if kind == AppKind::Jellyfin { 80 } else { port },
            target_port: port,
            port_name: None,
        }),
        url_base: url_base.to_string(),
        url_base_source: UrlBaseSource::Probe,
        probe_path: Some(format!("{url_base}/ping")),
        ingresses: vec![],
        config_volume: Some(ConfigVolume {
            mount_path: "/config".into(),
            source: VolumeSource::HostPath {
                path: format!("/mnt/data/configs/{name}"),
            },
        }),
        vpn: vpn.then(|| VpnSidecar {
            container: "vpn".into(),
            image: "qmcgaw/gluetun:latest".into(),
            provider: Some("ipvanish".into()),
            vpn_type: Some("openvpn".into()),
        }),
        evidence: vec![format!("image {}", kind.id())],
    }
}

pub fn pod(name: &str, vpn: bool, started_secs_ago: i64) -> PodStatus {
    let n = if vpn { 2 } else { 1 };
    PodStatus {
        name: name.to_string(),
        phase: "Running".into(),
        ready_containers: n,
        total_containers: n,
        restarts: 0,
        reason: None,
        started_at: Some(ago(started_secs_ago)),
        node: Some("home-server".into()),
        terminating: false,
        last_termination: None,
        restarts_last_hour: None,
    }
}

pub fn healthy_view() -> ClusterView {
    let services: Vec<ServiceInfo> = APPS
        .iter()
        .map(|(k, ns, n, ub, vpn)| service(*k, ns, n, ub, *vpn))
        .collect();
    let pods = APPS
        .iter()
        .enumerate()
        .map(|(i, (_, ns, n, _, vpn))| {
            let started = 3 * 86_400 + 3_600 * i as i64;
            (
                ServiceId::new(ns, n),
                vec![pod(&format!("{n}-7d9f8c6b5-x{i}k2p"), *vpn, started)],
            )
        })
        .collect();
    ClusterView {
        context: "home-nas".into(),
        cluster: "https://10.1.0.20:6443".into(),
        namespaces: vec!["media".into(), "qbittorrent".into()],
        inventory: Inventory {
            services,
            namespaces: vec!["media".into(), "qbittorrent".into()],
            warnings: vec![],
        },
        pods,
        events: BTreeMap::new(),
        fetched_at: ago(3),
        error: None,
        kinds: vec![],
    }
}

pub fn ok_observation(latency_ms: u64, version: &str) -> ServiceObservation {
    ServiceObservation {
        fetched_at: ago(5),
        probe: Some(ProbeResult {
            status: Some(200),
            latency_ms,
            error: None,
        }),
        health: Ok(AppHealth {
            version: Some(version.into()),
            summary: "Healthy".into(),
            issues: vec![],
        }),
    }
}

pub fn healthy_observations() -> Vec<(ServiceId, ServiceObservation)> {
    APPS.iter()
        .enumerate()
        .map(|(i, (_, ns, n, _, _))| {
            (
                ServiceId::new(ns, n),
                ok_observation(12 + 7 * i as u64, "4.0.14"),
            )
        })
        .collect()
}

fn id(s: &str) -> ServiceId {
    ServiceId(s.to_string())
}

fn err_obs(
    latency: u64,
    status: Option<u16>,
    kind: AppErrorKind,
    detail: &str,
) -> ServiceObservation {
    let e = AppError::new(kind, detail);
    ServiceObservation {
        fetched_at: ago(8),
        probe: Some(ProbeResult {
            status,
            latency_ms: latency,
            error: Some(e.clone()),
        }),
        health: Err(e),
    }
}

/// The degraded scenario: crash-looping Radarr, slow Sonarr (2,430 ms), Prowlarr with health
/// errors, Bazarr rejecting its key (401), Jellyseerr hung (timeout), and the matching findings.
pub fn degraded() -> (
    ClusterView,
    Vec<(ServiceId, ServiceObservation)>,
    Vec<Finding>,
) {
    let mut view = healthy_view();
    let radarr = id("media/radarr");
    if let Some(p) = view.pods.get_mut(&radarr).and_then(|v| v.first_mut()) {
        p.phase = "Running".into();
        p.ready_containers = 0;
        p.reason = Some("CrashLoopBackOff".into());
        p.restarts = 14;
        p.started_at = Some(ago(95));
    }
    view.events.insert(
        radarr.clone(),
        vec![
            EventRow {
                type_: "Warning".into(),
                reason: "BackOff".into(),
                object: "Pod/radarr-7d9f8c6b5-x1k2p".into(),
                message: "Back-off restarting failed container radarr".into(),
                count: 14,
                last_seen: Some(ago(40)),
            },
            EventRow {
                type_: "Normal".into(),
                reason: "Pulled".into(),
                object: "Pod/radarr-7d9f8c6b5-x1k2p".into(),
                message: "Container image already present on machine".into(),
                count: 15,
                last_seen: Some(ago(95)),
            },
        ],
    );
    let mut obs = healthy_observations();
    let set = |obs: &mut Vec<(ServiceId, ServiceObservation)>, sid: &str, o: ServiceObservation| {
        if let Some(e) = obs.iter_mut().find(|(i, _)| i.as_str() == sid) {
            e.1 = o;
        }
    };
    set(&mut obs, "media/sonarr", ok_observation(2_430, "4.0.14"));
    set(
        &mut obs,
        "media/radarr",
        err_obs(
            3,
            None,
            AppErrorKind::Unreachable,
            "connection refused (no ready endpoints)",
        ),
    );
    set(
        &mut obs,
        "media/prowlarr",
        ServiceObservation {
            fetched_at: ago(6),
            probe: Some(ProbeResult {
                status: Some(200),
                latency_ms: 31,
                error: None,
            }),
            health: Ok(AppHealth {
                version: Some("1.24.3".into()),
                summary: "2 issues".into(),
                issues: vec![
                    HealthIssue {
                        source: "IndexerStatusCheck".into(),
                        level: IssueLevel::Error,
                        message: "All indexers are unavailable due to failures".into(),
                        wiki_url: Some(
                            "https://wiki.servarr.com/prowlarr/system#indexers-are-unavailable-due-to-failures".into(),
                        ),
                    },
                    HealthIssue {
                        source: "UpdateCheck".into(),
                        level: IssueLevel::Warning,
                        message: "New update is available".into(),
                        wiki_url: None,
                    },
                ],
            }),
        },
    );
    let mut bazarr = err_obs(
        9,
        Some(401),
        AppErrorKind::Unauthorized,
        "401 Unauthorized: API key rejected",
    );
    if let Some(p) = bazarr.probe.as_mut() {
        p.error = None;
        p.status = Some(200);
    }
    set(&mut obs, "media/bazarr", bazarr);
    set(
        &mut obs,
        "media/jellyseerr",
        err_obs(
            5_000,
            None,
            AppErrorKind::Timeout { after_ms: 5_000 },
            "no answer within 5000 ms",
        ),
    );
    let findings = vec![
        Finding::new(
            Severity::Critical,
            "pod.crashloop",
            "media/radarr",
            "radarr is crash-looping (14 restarts, CrashLoopBackOff)",
            "Read the previous container log (l) and fix the cause; check /config permissions",
        ),
        Finding::new(
            Severity::Warning,
            "health.http_slow",
            "media/sonarr",
            "sonarr answered /ping in 2430 ms (budget 2000 ms)",
            "Check node load and the app's database size; restart the pod if it persists",
        ),
        Finding::new(
            Severity::Error,
            "health.app_error",
            "media/prowlarr",
            "Prowlarr: All indexers are unavailable due to failures",
            "Open Prowlarr → System → Status and test the failing indexers",
        )
        .with_runbook(
            "https://wiki.servarr.com/prowlarr/system#indexers-are-unavailable-due-to-failures",
        ),
        Finding::new(
            Severity::Error,
            "keys.rejected",
            "media/bazarr",
            "bazarr rejected the API key from starr-secrets (401)",
            "Run `k8s-nas keys sync bazarr` or update BAZARR_API_KEY in starr-secrets",
        ),
        Finding::new(
            Severity::Error,
            "health.timeout",
            "media/jellyseerr",
            "jellyseerr did not answer within 5000 ms",
            "The app is hung: restart the pod (kubectl rollout restart deploy/jellyseerr -n media)",
        ),
    ];
    (view, obs, findings)
}

pub fn options(readonly: bool) -> AppOptions {
    AppOptions {
        readonly,
        theme: Theme::builtin_default(),
        theme_warning: None,
        now: now(),
        size: (120, 40),
    }
}

/// The tasks among `fx` (what a key press started).
pub fn tasks(fx: &[Effect]) -> Vec<TaskRequest> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::RunTask { request, .. } => Some(request.clone()),
            _ => None,
        })
        .collect()
}

/// An App and a 120×40 test terminal, driven by key strings.
pub struct Harness {
    pub app: App,
    pub terminal: Terminal<TestBackend>,
    /// Every effect returned so far.
    pub effects: Vec<Effect>,
}

impl Harness {
    pub fn new(readonly: bool) -> Harness {
        Harness {
            app: App::new(options(readonly)),
            terminal: Terminal::new(TestBackend::new(120, 40)).unwrap(),
            effects: vec![],
        }
    }

    /// A harness over a given app (e.g. with extra panes registered).
    pub fn with_app(app: App) -> Harness {
        Harness {
            app,
            terminal: Terminal::new(TestBackend::new(120, 40)).unwrap(),
            effects: vec![],
        }
    }

    /// Draw on a terminal of another size from now on.
    pub fn resize(&mut self, w: u16, h: u16) {
        self.terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        self.feed(Msg::Resize(w, h));
    }

    /// Feed the healthy fixture (cluster, observations, no findings).
    pub fn load_healthy(&mut self) {
        self.feed(Msg::Cluster(Box::new(healthy_view())));
        for (i, o) in healthy_observations() {
            self.feed(Msg::Observation(i, o));
        }
        self.feed(Msg::Findings(vec![]));
    }

    /// The healthy fixture at `w`×`h`, `msgs` fed, then `keys` pressed (`:jobs<enter>`).
    pub fn opened(w: u16, h: u16, msgs: impl IntoIterator<Item = Msg>, keys: &str) -> Harness {
        let mut hs = Harness::healthy();
        hs.resize(w, h);
        for m in msgs {
            hs.feed(m);
        }
        hs.press(keys);
        hs
    }

    pub fn healthy() -> Harness {
        let mut h = Harness::new(false);
        h.feed(Msg::Cluster(Box::new(healthy_view())));
        for (i, o) in healthy_observations() {
            h.feed(Msg::Observation(i, o));
        }
        h.feed(Msg::Findings(vec![]));
        h
    }

    pub fn degraded() -> Harness {
        let mut h = Harness::new(false);
        let (view, obs, findings) = degraded();
        h.feed(Msg::Cluster(Box::new(view)));
        for (i, o) in obs {
            h.feed(Msg::Observation(i, o));
        }
        h.feed(Msg::Findings(findings));
        h.feed(Msg::Tick(now()));
        h
    }

    /// The Services pane's state.
    pub fn services(&self) -> &Services {
        self.app
            .pane::<Services>()
            .expect("the services pane is registered")
    }

    pub fn logs(&self) -> &LogsState {
        self.app
            .pane::<LogsState>()
            .expect("the logs pane is registered")
    }

    pub fn findings_pane(&self) -> &FindingsState {
        self.app
            .pane::<FindingsState>()
            .expect("the findings pane is registered")
    }

    pub fn integrations(&self) -> &IntegrationsState {
        self.app
            .pane::<IntegrationsState>()
            .expect("the integrations pane is registered")
    }

    pub fn keys_pane(&self) -> &KeysState {
        self.app
            .pane::<KeysState>()
            .expect("the keys pane is registered")
    }

    pub fn feed(&mut self, msg: Msg) -> Vec<Effect> {
        let fx = update(&mut self.app, msg);
        self.effects.extend(fx.iter().cloned());
        fx
    }

    pub fn key(&mut self, ev: KeyEvent) -> Vec<Effect> {
        self.feed(Msg::Key(ev))
    }

    /// Press keys: each char is a key, except `<enter> <esc> <tab> <up> <down> <pgdn> <pgup>
    /// <bksp> <ctrl-X>` tokens.
    pub fn press(&mut self, keys: &str) -> Vec<Effect> {
        let mut out = vec![];
        let mut rest = keys;
        while !rest.is_empty() {
            let (ev, used) = if rest.starts_with('<') && rest.contains('>') {
                let end = rest.find('>').unwrap();
                let tok = &rest[1..end];
                let ev = match tok {
                    "enter" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                    "esc" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                    "tab" => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
                    "up" => KeyEvent::new(KeyCode::Up, KeyModifiers::NONE),
                    "down" => KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
                    "pgdn" => KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
                    "pgup" => KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE),
                    "bksp" => KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
                    t if t.starts_with("ctrl-") => KeyEvent::new(
                        KeyCode::Char(t.chars().last().unwrap()),
                        KeyModifiers::CONTROL,
                    ),
                    t => panic!("unknown key token <{t}>"),
                };
                (ev, end + 1)
            } else {
                let c = rest.chars().next().unwrap();
                let mods = if c.is_ascii_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    KeyModifiers::NONE
                };
                (KeyEvent::new(KeyCode::Char(c), mods), c.len_utf8())
            };
            out.extend(self.key(ev));
            rest = &rest[used..];
        }
        out
    }

    /// Draw and return the screen as text (one line per row).
    pub fn frame(&mut self) -> String {
        self.app.sync();
        let app = &self.app;
        self.terminal.draw(|f| render(f, app)).unwrap();
        screen::text(self.terminal.backend().buffer())
    }

    /// The style of the first cell of `needle` on screen (after a `frame()`).
    pub fn style_of(&self, needle: &str) -> Option<ratatui::style::Style> {
        screen::style_of(self.terminal.backend().buffer(), needle)
    }
}
