use super::*;
use crate::sim::world::{target_cluster, WorldOptions};

/// Read one key of a Secret object (base64 `data` or plain `stringData`).
fn secret_value(objects: &[Value], namespace: &str, secret: &str, key: &str) -> Option<String> {
    let o = objects.iter().find(|o| {
        is(o, "Secret")
            && name(o) == Some(secret)
            && o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
    })?;
    if let Some(v) = o
        .pointer(&format!("/stringData/{key}"))
        .and_then(Value::as_str)
    {
        return Some(v.to_string());
    }
    let b = o.pointer(&format!("/data/{key}")).and_then(Value::as_str)?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
    String::from_utf8(raw).ok()
}

fn world() -> World {
    target_cluster(&WorldOptions {
        now: jiff::Timestamp::UNIX_EPOCH,
        ..Default::default()
    })
}

fn edited(s: &Scenario) -> World {
    let mut w = world();
    s.edit_world(&mut w);
    w
}

fn bazarr_reason(w: &World) -> Value {
    let bazarr = w
        .objects
        .iter()
        .find(|o| is(o, "Pod") && name(o).is_some_and(|n| n.starts_with("bazarr-")))
        .unwrap();
    bazarr["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].clone()
}

fn app(s: &Scenario, kind: AppKind) -> AppSimConfig {
    let mut cfg = AppSimConfig::new(kind, "", "k");
    cfg.faults.status_500 = true; // whatever was there before is replaced
    s.configure(&mut cfg);
    cfg
}

fn key(w: &World, k: &str) -> Option<String> {
    secret_value(&w.objects, "media", "starr-secrets", k)
}

#[test]
fn names_parse_and_bad_names_explain() {
    for l in LAYERS {
        let s = Scenario::parse(l.name()).unwrap();
        assert_eq!(s.name(), l.name());
        assert!(!l.about().is_empty());
    }
    assert_eq!(Scenario::parse("degraded").unwrap(), Scenario::Degraded);
    assert_eq!(Scenario::parse("healthy").unwrap(), Scenario::default());
    let e = Scenario::parse("nope").unwrap_err().to_string();
    assert!(e.contains("healthy, degraded, fresh, miswired"), "{e}");
    let e = Scenario::parse("degraded,nope").unwrap_err().to_string();
    assert!(e.contains("\"nope\"") && e.contains("miswired"), "{e}");
    assert!(Scenario::parse("").is_err());
    assert!(Scenario::parse("degraded,").is_err());
}

#[test]
fn degraded_edits_pod_and_secret() {
    let w = edited(&Scenario::Degraded);
    assert_eq!(bazarr_reason(&w), "CrashLoopBackOff");
    assert_eq!(
        key(&w, "PROWLARR_API_KEY").as_deref(),
        Some("00000000000000000000000000000000")
    );
}

/// Each named scenario on its own is what it was before scenarios composed.
#[test]
fn single_scenarios_keep_their_seed_faults_and_world() {
    let untouched = world();
    let h = Scenario::Healthy;
    assert_eq!(h.seed(), Seed::Wired);
    assert_eq!(edited(&h).objects, untouched.objects);
    for k in AppKind::ALL {
        assert_eq!(app(&h, k).faults, Faults::default(), "{k:?}");
        assert_eq!(app(&Scenario::Fresh, k).faults, Faults::default());
        assert_eq!(app(&Scenario::Miswired, k).faults, Faults::default());
    }
    assert_eq!(app(&Scenario::Fresh, AppKind::Sonarr).seed, Seed::Fresh);
    assert_eq!(edited(&Scenario::Fresh).objects, untouched.objects);

    let d = Scenario::Degraded;
    assert_eq!(app(&d, AppKind::Sonarr).seed, Seed::Wired);
    assert_eq!(
        app(&d, AppKind::Radarr).faults.latency,
        Duration::from_millis(2_400)
    );
    assert!(app(&d, AppKind::Lidarr).faults.health_errors);
    assert!(app(&d, AppKind::Jellyseerr).faults.hang);
    assert_eq!(app(&d, AppKind::Sonarr).faults, Faults::default());

    let m = edited(&Scenario::Miswired);
    assert_eq!(
        app(&Scenario::Miswired, AppKind::Radarr).seed,
        Seed::Miswired
    );
    assert_eq!(
        key(&m, "RADARR_API_KEY").as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(
        key(&m, "PROWLARR_API_KEY"),
        key(&untouched, "PROWLARR_API_KEY")
    );
}

#[test]
fn layers_stack_their_faults_and_edits() {
    let s = Scenario::parse(" degraded , miswired ").unwrap();
    assert_eq!(s.name(), "degraded,miswired");
    assert_eq!(s.seed(), Seed::Miswired, "miswired decides the seed");
    let w = edited(&s);
    assert_eq!(bazarr_reason(&w), "CrashLoopBackOff");
    assert_eq!(
        key(&w, "PROWLARR_API_KEY").as_deref(),
        Some("00000000000000000000000000000000")
    );
    assert_eq!(
        key(&w, "RADARR_API_KEY").as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    let radarr = app(&s, AppKind::Radarr);
    assert_eq!(radarr.seed, Seed::Miswired);
    assert_eq!(radarr.faults.latency, Duration::from_millis(2_400));
    // The same layers the other way round give the same NAS here (they touch different things).
    let r = Scenario::parse("miswired,degraded").unwrap();
    assert_eq!(edited(&r).objects, w.objects);
    assert_eq!(
        app(&r, AppKind::Jellyseerr).faults,
        app(&s, AppKind::Jellyseerr).faults
    );
    // Fresh apps can be degraded too.
    let f = Scenario::parse("fresh,degraded").unwrap();
    assert_eq!(app(&f, AppKind::Lidarr).seed, Seed::Fresh);
    assert!(app(&f, AppKind::Lidarr).faults.health_errors);
    // healthy adds nothing.
    assert_eq!(
        edited(&Scenario::parse("healthy,degraded").unwrap()).objects,
        edited(&Scenario::Degraded).objects
    );
}

#[test]
fn conflicting_or_repeated_layers_are_errors() {
    let e = Scenario::parse("fresh,miswired").unwrap_err().to_string();
    assert!(
        e.contains("\"fresh\"") && e.contains("\"miswired\"") && e.contains("pick one"),
        "{e}"
    );
    let e = Scenario::parse("degraded,degraded")
        .unwrap_err()
        .to_string();
    assert!(e.contains("twice"), "{e}");
}

/// A layer defined elsewhere (as later issues add `vpn-leak`, `cert-stale` …) composes with the
/// registered ones without any other edit; later layers win where two touch the same thing.
#[test]
fn a_new_layer_is_one_impl_and_applies_in_order() {
    struct Snappy;
    impl Layer for Snappy {
        fn name(&self) -> &'static str {
            "snappy"
        }
        fn about(&self) -> &'static str {
            "Radarr answers at once"
        }
        fn configure_app(&self, cfg: &mut AppSimConfig) {
            cfg.faults.latency = Duration::ZERO;
        }
        fn edit_world(&self, world: &mut World) {
            edit_secret(world, "PROWLARR_API_KEY", "snappy");
        }
    }
    let after = Scenario::compose(vec![&Degraded, &Snappy]).unwrap();
    assert_eq!(after.name(), "degraded,snappy");
    assert_eq!(app(&after, AppKind::Radarr).faults.latency, Duration::ZERO);
    assert_eq!(
        key(&edited(&after), "PROWLARR_API_KEY").as_deref(),
        Some("snappy")
    );
    let before = Scenario::compose(vec![&Snappy, &Degraded]).unwrap();
    assert_eq!(
        app(&before, AppKind::Radarr).faults.latency,
        Duration::from_millis(2_400)
    );
    assert_eq!(
        key(&edited(&before), "PROWLARR_API_KEY").as_deref(),
        Some("00000000000000000000000000000000")
    );
}

/// `demo --help` names every registered scenario.
#[test]
fn demo_help_lists_every_scenario() {
    use clap::CommandFactory;
    let cmd = crate::cli::Cli::command();
    let demo = cmd.find_subcommand("demo").expect("demo subcommand");
    let arg = demo
        .get_arguments()
        .find(|a| a.get_id() == "scenario")
        .expect("--scenario");
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    for l in LAYERS {
        assert!(
            help.contains(l.name()),
            "{} missing from {help:?}",
            l.name()
        );
    }
}
