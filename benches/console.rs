//! Console benchmarks: prints figures (no assertions, no timing in tests).
//!
//! Run: `cargo bench --bench console` (release build). Measures
//! 1. discovery over the target world plus 2,000 unrelated pods,
//! 2. frame render time of the Services pane (TestBackend, 160×50) with those 2,000 pods watched,
//!    and with 2,000 service rows (windowed table),
//! 3. time to the first frame (App::new + first draw, before any network reply),
//! 4. a concurrent health sweep of the simulated NAS (healthy, then degraded with a hung app):
//!    total wall time versus the slowest single observation.

use k8s_nas::discover::{self, ClusterObjects, Overrides};
use k8s_nas::model::{Inventory, ServiceId};
use k8s_nas::sim::world::{target_cluster, WorldOptions};
use k8s_nas::tui::{update, App, AppOptions, ClusterView, Msg, Theme};
use ratatui::{backend::TestBackend, Terminal};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn app() -> App {
    let (theme, _) = Theme::load("default", None);
    App::new(AppOptions {
        readonly: false,
        theme,
        theme_warning: None,
        now: jiff::Timestamp::now(),
        size: (160, 50),
    })
}

fn view(inventory: Inventory, objs: &ClusterObjects) -> ClusterView {
    let pods = inventory
        .services
        .iter()
        .map(|s| (s.id.clone(), discover::pod_statuses(s, objs)))
        .collect();
    ClusterView {
        context: "bench".into(),
        cluster: "http://127.0.0.1".into(),
        namespaces: vec![],
        inventory,
        pods,
        events: BTreeMap::new(),
        fetched_at: jiff::Timestamp::now(),
        error: None,
        kinds: vec![],
    }
}

fn per_draw(app: &App, frames: u32) -> Duration {
    let mut term = Terminal::new(TestBackend::new(160, 50)).expect("terminal");
    term.draw(|f| k8s_nas::tui::render::render(f, app))
        .expect("draw");
    let t = Instant::now();
    for _ in 0..frames {
        term.draw(|f| k8s_nas::tui::render::render(f, app))
            .expect("draw");
    }
    t.elapsed() / frames
}

fn main() {
    // 1. discovery with 2,000 noise pods
    let world = target_cluster(&WorldOptions {
        extra_pods: 2_000,
        ..Default::default()
    });
    let pods_total = world.objects.iter().filter(|o| o["kind"] == "Pod").count();
    let objs = ClusterObjects::from_values(&world.objects);
    let t = Instant::now();
    let runs = 20;
    let mut inv = Inventory::default();
    for _ in 0..runs {
        inv = discover::discover(&objs, &Overrides::default());
    }
    println!(
        "discovery: {} pods -> {} services in {:.2} ms per run",
        pods_total,
        inv.services.len(),
        t.elapsed().as_secs_f64() * 1e3 / f64::from(runs)
    );

    // 2a. frame time, Services pane, 2,000 pods watched
    let mut a = app();
    update(&mut a, Msg::Cluster(Box::new(view(inv.clone(), &objs))));
    a.sync();
    let d = per_draw(&a, 500);
    println!(
        "frame: Services pane, {pods_total} pods watched: {:.1} µs per draw",
        d.as_secs_f64() * 1e6
    );

    // 2b. frame time with 2,000 service rows (windowed table)
    let mut big = inv.clone();
    let template = inv.services[0].clone();
    big.services = (0..2_000)
        .map(|i| {
            let mut s = template.clone();
            s.id = ServiceId::new("bench", &format!("svc-{i:04}"));
            s
        })
        .collect();
    let mut a = app();
    update(&mut a, Msg::Cluster(Box::new(view(big, &objs))));
    a.sync();
    let d = per_draw(&a, 200);
    println!(
        "frame: Services pane, 2000 rows: {:.1} µs per draw",
        d.as_secs_f64() * 1e6
    );

    // 3. first frame
    let t = Instant::now();
    let a = app();
    let mut term = Terminal::new(TestBackend::new(160, 50)).expect("terminal");
    term.draw(|f| k8s_nas::tui::render::render(f, &a))
        .expect("draw");
    println!(
        "first frame (App::new + draw, no network): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    // 4. health sweep against the simulated NAS
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(sweep("healthy"));
    rt.block_on(sweep("degraded"));
}

async fn sweep(scenario: &str) {
    use k8s_nas::config::Config;
    use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
    let nas = SimNas::start(Scenario::parse(scenario).expect("scenario"), None)
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    nas.kube.write_kubeconfig(&kc).expect("kubeconfig");
    let cfg = Config {
        kubeconfig: Some(kc),
        timeout_ms: 5_000,
        ..Config::default()
    };
    let conn = k8s_nas::cluster::connect(cfg.kubeconfig.as_deref(), None)
        .await
        .expect("connect");
    let listing = k8s_nas::cluster::list::list_all(&conn, &Default::default())
        .await
        .expect("list");
    let inv = discover::discover(&listing.objects, &cfg.discovery_overrides());
    let creds = k8s_nas::collect::credentials::load(&conn, &cfg, &listing).await;
    for round in 0..3 {
        let start = Instant::now();
        let futs = inv.services.iter().filter_map(|svc| {
            let ep = k8s_nas::engine::endpoint_for(svc, &cfg, &conn)?;
            let c = creds.for_service(svc, &cfg);
            Some(async move {
                let o = k8s_nas::engine::observe::observe(svc, &ep, &c).await;
                (svc.kind, start.elapsed(), o.health.is_ok())
            })
        });
        let done = futures::future::join_all(futs).await;
        if round == 0 {
            let each: Vec<String> = done
                .iter()
                .map(|(k, t, ok)| {
                    format!(
                        "{k} {:.0} ms{}",
                        t.as_secs_f64() * 1e3,
                        if *ok { "" } else { " (failed)" }
                    )
                })
                .collect();
            println!("  per service ({scenario}): {}", each.join(", "));
        }
        let total = start.elapsed();
        let slowest = done.iter().map(|d| d.1).max().unwrap_or_default();
        let ok_max = done
            .iter()
            .filter(|d| d.2)
            .map(|d| d.1)
            .max()
            .unwrap_or_default();
        println!(
            "health sweep ({scenario}, round {round}): {} services, total {:.1} ms, slowest single {:.1} ms (+{:.2} ms); \
             slowest healthy answer {:.1} ms",
            done.len(),
            total.as_secs_f64() * 1e3,
            slowest.as_secs_f64() * 1e3,
            (total.saturating_sub(slowest)).as_secs_f64() * 1e3,
            ok_max.as_secs_f64() * 1e3
        );
    }
}
