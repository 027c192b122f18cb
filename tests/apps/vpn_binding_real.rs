//! qBittorrent's VPN binding against a real `qbittorrent-nox` on loopback (its preferences API
//! is real): set `current_network_interface`, read it back through the VPN check's binding
//! reader, and the verdict follows — an interface that is not the tunnel is a LEAK, no binding
//! is never SECURE. SKIPPED loudly when the binary is missing (fails under `CI`).

use crate::support;

use k8s_nas::clients::qbittorrent::QbitClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppKind, Secret, ServiceId};
use k8s_nas::vpn::{observe::binding, verdict, Got, HomeIp, Verdict, VpnObservation};

fn obs(b: k8s_nas::vpn::Binding) -> VpnObservation {
    VpnObservation {
        service: ServiceId::new("qbittorrent", "qbittorrent"),
        kind: AppKind::Qbittorrent,
        pod: Some("qbittorrent-0".into()),
        container: "vpn".into(),
        provider: None,
        vpn_type: None,
        restarts: None,
        sidecar_started: None,
        sidecars: 1,
        tunnel: Some(Got::Ok("running".into())),
        health: None,
        health_loopback: None,
        app_reach: None,
        control_auth: None,
        exit: Some(Got::Ok(k8s_nas::clients::gluetun::PublicIp {
            public_ip: "203.0.113.9".into(),
            ..Default::default()
        })),
        forwarded_port: None,
        binding: Some(Got::Ok(b)),
        home: HomeIp {
            source: "config".into(),
            ip: Got::Ok("198.51.100.23".into()),
        },
        fetched_at: jiff::Timestamp::now(),
    }
}

#[tokio::test]
async fn binding_set_and_read_on_real_qbittorrent() {
    let Some(q) = support::qbit_real::start("binding_set_and_read_on_real_qbittorrent").await
    else {
        return;
    };
    let ep = AppEndpoint::direct(&q.origin, "");
    let pw = Secret::new("adminadmin");
    let c = QbitClient::new(ep.clone(), "admin", pw.clone());
    // A fresh profile binds to any interface: not SECURE.
    let b = binding(&ep, "admin", &pw).await.expect("binding");
    assert_eq!(b.interface, "");
    assert!(["connected", "firewalled", "disconnected"].contains(&b.connection_status.as_str()));
    assert_eq!(verdict(&obs(b)).0, Verdict::Unknown);
    // Bind to an interface the machine really has that is not a tunnel (`lo`): LEAK.
    let names = c.network_interfaces().await.expect("interface list");
    assert!(names.iter().any(|(_, v)| v == "lo"), "{names:?}");
    c.set_preferences(&serde_json::json!({"current_network_interface": "lo"}))
        .await
        .expect("setPreferences");
    let b = binding(&ep, "admin", &pw).await.expect("binding");
    assert_eq!(b.interface, "lo");
    let (v, why) = verdict(&obs(b));
    assert_eq!(v, Verdict::Leak, "{why}");
    assert!(why.contains("bound to lo"), "{why}");
    // Back to any interface.
    c.set_preferences(&serde_json::json!({"current_network_interface": ""}))
        .await
        .expect("setPreferences");
    assert_eq!(binding(&ep, "admin", &pw).await.unwrap().interface, "");
}
