use super::*;

fn ip(p: &str, country: &str) -> Option<Got<PublicIp>> {
    Some(Got::Ok(PublicIp {
        public_ip: p.into(),
        country: country.into(),
        ..Default::default()
    }))
}

fn home(h: &str) -> HomeIp {
    HomeIp {
        source: "config".into(),
        ip: Got::Ok(h.into()),
    }
}

fn bound(iface: &str) -> Option<Got<Binding>> {
    Some(Got::Ok(Binding {
        interface: iface.into(),
        listen_port: 6881,
        connection_status: "connected".into(),
    }))
}

/// A healthy qBittorrent VPN pod.
fn obs() -> VpnObservation {
    VpnObservation {
        service: ServiceId::new("qbittorrent", "qbittorrent"),
        kind: AppKind::Qbittorrent,
        pod: Some("qbittorrent-abc".into()),
        container: "vpn".into(),
        provider: Some("ipvanish".into()),
        vpn_type: Some("openvpn".into()),
        restarts: Some(0),
        sidecar_started: None,
        sidecars: 1,
        tunnel: Some(Got::Ok("running".into())),
        health: None,
        health_loopback: None,
        app_reach: None,
        control_auth: None,
        exit: ip("203.0.113.20", "Canada"),
        forwarded_port: Some(Got::Ok(None)),
        binding: bound("tun0"),
        home: home("198.51.100.23"),
        fetched_at: jiff::Timestamp::UNIX_EPOCH,
    }
}

fn err(kind: AppErrorKind, d: &str) -> AppError {
    AppError::new(kind, d)
}

#[test]
fn secure_only_with_exit_ip_home_ip_and_tunnel_binding() {
    let (v, why) = verdict(&obs());
    assert_eq!(v, Verdict::Secure, "{why}");
    assert!(
        why.contains("203.0.113.20") && why.contains("tun0"),
        "{why}"
    );
    let r = VpnReport::new(obs());
    assert_eq!(r.badge(), "SECURE Canada");
    assert_eq!(r.exit_label(), "203.0.113.20 Canada");
    // SABnzbd has no binding to read: exit ≠ home is enough.
    let mut sab = obs();
    sab.kind = AppKind::Sabnzbd;
    sab.binding = None;
    assert_eq!(verdict(&sab).0, Verdict::Secure);
}

#[test]
fn leak_when_exit_equals_home_or_bound_elsewhere() {
    let mut o = obs();
    o.exit = ip("198.51.100.23", "Home");
    let (v, why) = verdict(&o);
    assert_eq!(v, Verdict::Leak);
    assert!(why.contains("equals the home IP"), "{why}");
    let mut o = obs();
    o.binding = bound("eth0");
    let (v, why) = verdict(&o);
    assert_eq!(v, Verdict::Leak);
    assert!(why.contains("eth0"), "{why}");
    // A leak by binding is known even when the home IP is not.
    o.home = HomeIp::not_configured();
    assert_eq!(verdict(&o).0, Verdict::Leak);
}

#[test]
fn down_when_the_tunnel_is_not_running_or_no_pod_runs() {
    let mut o = obs();
    o.tunnel = Some(Got::Ok("stopped".into()));
    assert_eq!(verdict(&o), (Verdict::Down, "tunnel is stopped".into()));
    let mut o = obs();
    o.health = Some(Got::Error(err(
        AppErrorKind::ServerError { status: 500 },
        "VPN is crashed",
    )));
    assert_eq!(verdict(&o).0, Verdict::Down);
    let mut o = obs();
    o.pod = None;
    o.tunnel = None;
    o.exit = None;
    let (v, why) = verdict(&o);
    assert_eq!(v, Verdict::Down);
    assert!(why.contains("0 replicas"), "{why}");
}

#[test]
fn never_secure_on_missing_data() {
    type Edit = Box<dyn Fn(&mut VpnObservation)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "401",
            Box::new(|o| o.tunnel = Some(Got::Error(err(AppErrorKind::Unauthorized, "401")))),
        ),
        (
            "timeout",
            Box::new(|o| {
                o.tunnel = Some(Got::Error(err(
                    AppErrorKind::Timeout { after_ms: 5000 },
                    "no answer",
                )))
            }),
        ),
        ("no status", Box::new(|o| o.tunnel = None)),
        (
            "exit error",
            Box::new(|o| o.exit = Some(Got::Error(err(AppErrorKind::Unreachable, "refused")))),
        ),
        ("exit empty", Box::new(|o| o.exit = ip("", ""))),
        ("no exit", Box::new(|o| o.exit = None)),
        (
            "home unknown",
            Box::new(|o| o.home = HomeIp::not_configured()),
        ),
        (
            "echo down",
            Box::new(|o| o.home.ip = Got::Error(err(AppErrorKind::Unreachable, "echo refused"))),
        ),
        ("binding any", Box::new(|o| o.binding = bound(""))),
        (
            "binding unread",
            Box::new(|o| o.binding = Some(Got::Error(err(AppErrorKind::Forbidden, "403")))),
        ),
        ("two sidecars", Box::new(|o| o.sidecars = 2)),
    ];
    for (name, edit) in cases {
        let mut o = obs();
        edit(&mut o);
        let (v, why) = verdict(&o);
        assert_eq!(v, Verdict::Unknown, "{name}: {why}");
        assert!(!why.is_empty(), "{name}");
    }
    let mut o = obs();
    o.tunnel = Some(Got::Error(err(AppErrorKind::Unauthorized, "401")));
    assert!(verdict(&o).1.contains("control server needs credentials"));
}

#[test]
fn tunnel_interfaces() {
    for i in ["tun0", "wg0", "tun12", "wg"] {
        assert!(is_tunnel_interface(i), "{i}");
    }
    for i in ["eth0", "", "lo", "wlan0", "tunnel", "ens3"] {
        assert!(!is_tunnel_interface(i), "{i}");
    }
}

#[test]
fn reachable_ports() {
    use observe::reachable_port;
    assert_eq!(reachable_port(":8000"), Some(8000));
    assert_eq!(reachable_port("0.0.0.0:9999"), Some(9999));
    assert_eq!(reachable_port("127.0.0.1:9999"), None);
    assert_eq!(reachable_port("[::1]:9999"), None);
}

#[test]
fn report_serialises_without_secrets_and_with_the_verdict() {
    let v = serde_json::to_value(VpnReport::new(obs())).unwrap();
    assert_eq!(v["verdict"], "SECURE");
    assert_eq!(v["exit"]["ok"]["public_ip"], "203.0.113.20");
    assert_eq!(v["binding"]["ok"]["interface"], "tun0");
}
