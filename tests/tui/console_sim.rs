//! The TUI core driven by the real engine against the simulated NAS, without a terminal:
//! engine messages go through `update`, effects from key presses go back to the engine, and the
//! screen is rendered with ratatui's TestBackend.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_nas::config::Config;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use k8s_nas::tui::{update, App, AppOptions, Effect, Msg, Theme};
use ratatui::{backend::TestBackend, Terminal};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Harness {
    app: App,
    rx: mpsc::Receiver<Msg>,
    effects: mpsc::UnboundedSender<Effect>,
    term: Terminal<TestBackend>,
}

impl Harness {
    fn screen(&mut self) -> String {
        self.app.sync();
        let app = &self.app;
        self.term
            .draw(|f| k8s_nas::tui::render::render(f, app))
            .unwrap();
        crate::tui_common::screen::text(self.term.backend().buffer())
    }

    fn apply(&mut self, msg: Msg) {
        for e in update(&mut self.app, msg) {
            let _ = self.effects.send(e);
        }
    }

    fn key(&mut self, c: char) {
        self.apply(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }

    /// Feed engine messages until the screen satisfies `pred` (or fail after `secs`).
    async fn until(&mut self, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out; last screen:\n{screen}");
            if let Ok(Some(m)) =
                tokio::time::timeout(left.min(Duration::from_millis(500)), self.rx.recv()).await
            {
                self.apply(m);
            }
        }
    }
}

async fn harness(s: Scenario) -> (Harness, SimNas, tempfile::TempDir) {
    let nas = SimNas::start(s, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let mut cfg = Config {
        kubeconfig: Some(kc),
        refresh_seconds: 2,
        ..Config::default()
    };
    // As `demo` does: the simulated internet's IP-echo service gives the home IP, and the
    // Ingress hosts are reached at the simulated ingress listener.
    cfg.vpn.ip_echo_url = Some(nas.ip_echo_url());
    cfg.ingress_address = Some(nas.ingress.addr.to_string());
    cfg.ingress_http_address = Some(nas.ingress.http_addr.to_string());
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, nas.tls_ca_pem().expect("the world's ca.crt")).unwrap();
    cfg.tls_ca_file = Some(ca);
    let (tx, rx) = mpsc::channel(1024);
    let (etx, erx) = mpsc::unbounded_channel();
    tokio::spawn(k8s_nas::engine::runtime::run(cfg, tx, erx));
    let (theme, _) = Theme::load("default", None);
    let app = App::new(AppOptions {
        readonly: false,
        theme,
        theme_warning: None,
        now: jiff::Timestamp::now(),
        size: (160, 45),
    });
    let term = Terminal::new(TestBackend::new(160, 45)).unwrap();
    (
        Harness {
            app,
            rx,
            effects: etx,
            term,
        },
        nas,
        dir,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_pane_fills_from_the_live_engine_and_logs_stream() {
    let (mut h, _nas, _dir) = harness(Scenario::Healthy).await;
    // the first frame exists before any network reply
    assert!(h.screen().contains("connecting"));
    let screen = h
        .until(20, |s| {
            s.matches(" 200 ").count() >= 9 && s.contains("sabnzbd")
        })
        .await;
    for name in [
        "sonarr",
        "radarr",
        "lidarr",
        "prowlarr",
        "bazarr",
        "jellyseerr",
        "jellyfin",
        "qbittorrent",
        "sabnzbd",
    ] {
        assert!(screen.contains(name), "{name} missing:\n{screen}");
    }
    // The VPN column shows each VPN pod's verdict with its exit country.
    h.until(20, |s| {
        s.contains("SECURE Canada") && s.contains("SECURE Netherlands")
    })
    .await;
    // logs of the selected service stream in through the API server
    h.key('l');
    h.until(10, |s| s.contains("[Info]") || s.contains("INFO"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn degraded_faults_reach_the_screen() {
    let (mut h, _nas, _dir) = harness(Scenario::Degraded).await;
    let screen = h
        .until(25, |s| s.contains("timeout") && s.contains("401"))
        .await;
    assert!(screen.contains("error"), "{screen}");
    // the findings pane lists each with a remediation
    h.key('F');
    // Each app's finding appears when its own round ends (probe, then health): wait for all.
    h.until(15, |s| {
        s.contains("http.timeout") && s.contains("auth.rejected") && s.contains("http.slow")
    })
    .await;
}

impl Harness {
    /// Type `text`; `\n` is Enter.
    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            self.apply(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        }
    }
}

/// Issue 12 in the demo: `t` on a CronJob runs it now (a `<cronjob>-manual-…` Job appears,
/// Complete), `l` shows that run's log (the stream ends: the run is over); `:alerts` reads the demo's Alertmanager.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_now_logs_and_alertmanager_in_the_ops_faults_demo() {
    let (mut h, nas, _dir) = harness(Scenario::parse("ops-faults").unwrap()).await;
    let cj = first_cronjob(&nas);
    h.keys(":jobs\n");
    h.until(20, |s| s.contains(&cj)).await;
    h.keys(&format!("/{cj}\n"));
    h.keys("t");
    h.until(5, |s| s.contains("kubectl create job --from=cronjob/"))
        .await;
    h.keys("y");
    let manual = format!("{cj}-manual-");
    h.until(20, |s| {
        s.lines()
            .any(|l| l.contains(&manual) && l.contains("Complete"))
    })
    .await;
    h.keys("l");
    h.until(10, |s| {
        s.lines()
            .any(|l| l.contains("logs ") && l.contains(&manual) && l.contains("stream ended"))
    })
    .await;
    h.apply(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    h.keys(":alerts\n");
    h.until(20, |s| {
        s.contains("VPNTunnelDown") && s.contains("Alertmanager")
    })
    .await;
}

/// Issue 8 leftovers against the live engine: `:ns media` scopes the Services pane, and `d` on
/// a CronJob row describes it from the watch stores (a custom-resource row) with its YAML.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ns_argument_and_generic_describe_in_the_degraded_demo() {
    let (mut h, nas, _dir) = harness(Scenario::Degraded).await;
    h.until(20, |s| s.contains("sabnzbd")).await;
    h.keys(":ns media\n");
    let screen = h.until(5, |s| s.contains("Services(media)")).await;
    assert!(!screen.contains("qbittorrent "), "{screen}");
    // Not watched-by-config nor an app's: known from the cluster's namespaces, read when `:ns `
    // is typed,
    // completing from the list the prompt asked for when it opened.
    h.keys(":ns kube-s");
    h.until(5, |s| s.contains("ns kube-system")).await;
    h.apply(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    h.keys("\n");
    h.until(5, |s| s.contains("Services(kube-system)")).await;
    h.keys(":ns all\n");
    h.until(5, |s| s.contains("qbittorrent ")).await;
    let cj = first_cronjob(&nas);
    h.keys(":jobs\n");
    h.until(20, |s| s.contains(&cj)).await;
    h.keys(&format!("/{cj}\nd"));
    h.until(10, |s| {
        s.contains(&format!("Name:         {cj}"))
            && s.contains("Kind:         CronJob")
            && s.contains("schedule:")
    })
    .await;
}

/// The demo's first CronJob by name.
fn first_cronjob(nas: &SimNas) -> String {
    nas.kube
        .list("batch/v1", "CronJob", None)
        .into_iter()
        .filter_map(|c| c["metadata"]["name"].as_str().map(str::to_string))
        .min()
        .expect("a CronJob in the demo")
}
