//! The `:vpn` pane and the Services pane's VPN column: a snapshot of each verdict (SECURE,
//! LEAK, DOWN, UNKNOWN) with its reason, the isolation audit below the table, and `r`
//! re-checking.

use crate::tui_common::*;
use k8s_nas::checks::catalog;
use k8s_nas::checks::vpn::VpnFacts;
use k8s_nas::clients::gluetun::PublicIp;
use k8s_nas::model::{AppError, AppErrorKind, AppKind, ServiceId};
use k8s_nas::tui::{Effect, Msg, TaskRequest};
use k8s_nas::vpn::audit::AuditRow;
use k8s_nas::vpn::{Binding, Got, HomeIp, Verdict, VpnObservation, VpnReport};

fn obs(kind: AppKind, ns: &str, name: &str, exit: &str, country: &str) -> VpnObservation {
    VpnObservation {
        service: ServiceId::new(ns, name),
        kind,
        pod: Some(format!("{name}-7c9d8-abcde")),
        container: "vpn".into(),
        provider: Some("ipvanish".into()),
        vpn_type: Some("openvpn".into()),
        restarts: Some(0),
        sidecar_started: Some(ago(18_000)),
        sidecars: 1,
        tunnel: Some(Got::Ok("running".into())),
        health: None,
        health_loopback: None,
        app_reach: None,
        control_auth: None,
        exit: Some(Got::Ok(PublicIp {
            public_ip: exit.into(),
            country: country.into(),
            ..Default::default()
        })),
        forwarded_port: Some(Got::Ok(None)),
        binding: (kind == AppKind::Qbittorrent).then(|| {
            Got::Ok(Binding {
                interface: "tun0".into(),
                listen_port: 6881,
                connection_status: "connected".into(),
            })
        }),
        home: HomeIp {
            source: "http://ip-echo/".into(),
            ip: Got::Ok("198.51.100.23".into()),
        },
        fetched_at: now(),
    }
}

pub(crate) fn qbit() -> VpnObservation {
    obs(
        AppKind::Qbittorrent,
        "qbittorrent",
        "qbittorrent",
        "203.0.113.27",
        "Canada",
    )
}

pub(crate) fn sab() -> VpnObservation {
    obs(
        AppKind::Sabnzbd,
        "media",
        "sabnzbd",
        "203.0.113.28",
        "Netherlands",
    )
}

/// The audit of the nine apps: the media apps clean, the download clients with the target
/// cluster's sidecar mistake.
fn audit() -> Vec<AuditRow> {
    APPS.iter()
        .map(|(kind, ns, name, _, vpn)| {
            let id = ServiceId::new(ns, name);
            let findings = if *vpn {
                let wl = format!("Deployment {ns}/{name}");
                vec![catalog::VPN_NOT_NATIVE.for_service(
                    &id,
                    format!("{wl}: gluetun `vpn` is an ordinary container (start-up leak window)"),
                    &[("workload", &wl), ("container", "vpn")],
                )]
            } else {
                Vec::new()
            };
            AuditRow {
                service: id,
                kind: *kind,
                workload: format!("Deployment {ns}/{name}"),
                wants_vpn: *vpn,
                has_vpn: *vpn,
                findings,
            }
        })
        .collect()
}

pub(crate) fn feed(h: &mut Harness, reports: Vec<VpnObservation>) {
    let v = VpnFacts {
        reports: reports.into_iter().map(VpnReport::new).collect(),
        audit: audit(),
    };
    h.feed(Msg::Vpn(Box::new(v)));
}

#[test]
fn secure_both_with_exit_ips_and_countries() {
    let mut h = Harness::healthy();
    feed(&mut h, vec![qbit(), sab()]);
    let services = h.frame();
    assert!(services.contains("SECURE Canada"), "{services}");
    insta::assert_snapshot!("services_vpn_secure", services);
    h.press(":vpn<enter>");
    let screen = h.frame();
    assert!(
        screen.contains("203.0.113.27 Canada") && screen.contains("tun0"),
        "{screen}"
    );
    insta::assert_snapshot!("vpn_secure", screen);
}

#[test]
fn leak_and_down_with_their_reasons() {
    let mut h = Harness::healthy();
    let mut q = qbit();
    q.exit = Some(Got::Ok(PublicIp {
        public_ip: "198.51.100.23".into(),
        ..Default::default()
    }));
    let mut s = sab();
    s.tunnel = Some(Got::Ok("stopped".into()));
    assert_eq!(VpnReport::new(q.clone()).verdict, Verdict::Leak);
    assert_eq!(VpnReport::new(s.clone()).verdict, Verdict::Down);
    feed(&mut h, vec![q, s]);
    let services = h.frame();
    assert!(
        services.contains("LEAK") && services.contains("DOWN"),
        "{services}"
    );
    h.press(":vpn<enter>");
    let screen = h.frame();
    assert!(screen.contains("equals the home IP"), "{screen}");
    insta::assert_snapshot!("vpn_leak_down", screen);
}

#[test]
fn unknown_says_why_and_r_rechecks() {
    let mut h = Harness::healthy();
    let mut q = qbit();
    q.tunnel = Some(Got::Error(AppError::new(AppErrorKind::Unauthorized, "401")));
    let mut s = sab();
    s.home = HomeIp::not_configured();
    feed(&mut h, vec![q, s]);
    h.press(":vpn<enter>");
    let screen = h.frame();
    assert!(
        screen.contains("UNKNOWN") && screen.contains("needs credentials"),
        "{screen}"
    );
    insta::assert_snapshot!("vpn_unknown", screen);
    let fx = h.press("r");
    assert!(fx.contains(&Effect::RefreshNow), "{fx:?}");
}

#[test]
fn restart_tunnel_asks_first_and_is_hidden_in_read_only_mode() {
    let mut h = Harness::healthy();
    feed(&mut h, vec![qbit(), sab()]);
    h.press(":vpn<enter>");
    assert!(h.press("R").is_empty(), "nothing runs before the confirm");
    let screen = h.frame();
    assert!(screen.contains("Restart tunnel"), "{screen}");
    let fx = h.press("<tab><enter>");
    let started = fx.iter().any(|e| {
        matches!(e, Effect::RunTask { request: TaskRequest::RestartTunnel(id), .. }
            if id.as_str() == "qbittorrent/qbittorrent")
    });
    assert!(started, "{fx:?}");

    let mut ro = Harness::new(true);
    ro.load_healthy();
    feed(&mut ro, vec![qbit()]);
    ro.press(":vpn<enter>");
    assert!(ro.press("R").is_empty());
    assert!(!ro.frame().contains("restart tunnel"));
}

#[test]
fn sabnzbd_reachability_and_loopback_health_server_in_the_rows() {
    for (w, h_, name) in [(160, 45, "vpn_reach_160x45"), (80, 24, "vpn_reach_80x24")] {
        let mut h = Harness::healthy();
        h.resize(w, h_);
        let mut q = qbit();
        q.health_loopback = Some("127.0.0.1:9999".into());
        q.control_auth = Some("Secret qbittorrent/gluetun-control key role".into());
        let mut s = sab();
        s.health_loopback = Some("127.0.0.1:9999".into());
        s.app_reach = Some(Got::Error(AppError::new(
            AppErrorKind::Http { status: 503 },
            "port 8080 through the sidecar's network: 503 Service Unavailable",
        )));
        let mut s2 = sab();
        s2.service = ServiceId::new("media", "sabnzbd-2");
        s2.app_reach = Some(Got::Ok(8080));
        // A loopback-only health server is not DOWN.
        assert_eq!(VpnReport::new(q.clone()).verdict, Verdict::Secure);
        feed(&mut h, vec![q, s, s2]);
        h.press(":vpn<enter>");
        let screen = h.frame();
        assert!(screen.contains("unreachable"), "{screen}");
        assert!(screen.contains("reachable"), "{screen}");
        // The why box has room for it at 160 columns.
        assert!(
            w < 160 || screen.contains("health server loopback-only (127.0.0.1:9999)"),
            "{screen}"
        );
        insta::assert_snapshot!(name, screen);
    }
}
