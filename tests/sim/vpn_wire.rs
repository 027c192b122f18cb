//! The VPN check against the simulated NAS over the real wire: gluetun's control server and
//! health server reached through the API server's pod proxy, qBittorrent's binding through the
//! service proxy, the home IP from the simulated internet's IP-echo service.

use k8s_nas::clients::gluetun::{ControlAuth, GluetunClient};
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::config::Config;
use k8s_nas::engine::facts::ClusterFacts;
use k8s_nas::model::{AppKind, Secret};
use k8s_nas::sim::nas::{SimNas, GLUETUN_CONTROL_PORT, GLUETUN_HEALTH_PORT, HOME_IP};
use k8s_nas::sim::scenario::Scenario;
use k8s_nas::vpn::{Got, Verdict, VpnReport};

async fn connect(
    nas: &SimNas,
    dir: &std::path::Path,
    cfg: impl FnOnce(&mut Config),
) -> (Config, ClusterFacts) {
    let kc = dir.join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let mut c = Config {
        kubeconfig: Some(kc),
        ..Config::default()
    };
    c.vpn.ip_echo_url = Some(nas.ip_echo_url());
    cfg(&mut c);
    let facts = ClusterFacts::connect(&c).await.unwrap();
    (c, facts)
}

fn report(v: &[VpnReport], kind: AppKind) -> &VpnReport {
    v.iter()
        .find(|r| r.obs.kind == kind)
        .expect("a VPN pod of the kind")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_demo_is_secure_with_exit_ips_and_countries() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |_| {}).await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    assert_eq!(v.reports.len(), 2, "{:#?}", v.reports);
    for kind in [AppKind::Qbittorrent, AppKind::Sabnzbd] {
        let r = report(&v.reports, kind);
        assert_eq!(r.verdict, Verdict::Secure, "{kind:?}: {}", r.reason);
        let exit = r.obs.exit.as_ref().and_then(Got::ok).unwrap();
        assert!(exit.public_ip.starts_with("203.0.113."), "{exit:?}");
        assert!(!exit.country.is_empty());
        assert_eq!(r.obs.home.ip, Got::Ok(HOME_IP.to_string()));
        assert!(r.badge().starts_with("SECURE "), "{}", r.badge());
    }
    // gluetun's health server listens on 127.0.0.1:9999 (the default, no HEALTH_SERVER_ADDRESS):
    // not probed, said so, and not DOWN.
    for r in &v.reports {
        assert_eq!(r.obs.health, None);
        assert_eq!(r.obs.health_loopback.as_deref(), Some("127.0.0.1:9999"));
        assert_eq!(
            r.health_label(),
            "health server loopback-only (127.0.0.1:9999)"
        );
    }
    // SABnzbd answers through its sidecar's network (its container port via the pod proxy).
    let sab = report(&v.reports, AppKind::Sabnzbd);
    assert!(
        matches!(sab.obs.app_reach, Some(Got::Ok(_))),
        "{:?}",
        sab.obs.app_reach
    );
    assert!(sab.reach_label().unwrap().starts_with("reachable :"));
    let q = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(
        q.obs.app_reach, None,
        "qBittorrent is judged by its binding"
    );
    let b = q.obs.binding.as_ref().and_then(Got::ok).unwrap();
    assert_eq!(b.interface, "tun0");
    // The sidecar's restarts and uptime come from the pod's container status.
    assert_eq!(q.obs.restarts, Some(0));
    assert!(q.obs.sidecar_started.is_some(), "{:?}", q.obs);
    assert_eq!(b.connection_status, "connected");
    // The audit lists every discovered workload, download clients with the VPN.
    assert_eq!(v.audit.len(), 9);
    for a in &v.audit {
        assert_eq!(a.has_vpn, a.wants_vpn, "{a:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_tunnel_down_and_auth_through_the_pod_proxy() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |_| {}).await;
    let inv = facts.inventory(&cfg);
    let svc = inv.first(AppKind::Qbittorrent).unwrap();
    let pod = k8s_nas::discover::pod_statuses(svc, &facts.listing.objects)
        .into_iter()
        .next()
        .unwrap()
        .name;
    let ep = |port: u16| {
        AppEndpoint::pod_proxy(
            facts.conn.client.clone(),
            &svc.namespace,
            &pod,
            &port.to_string(),
            "",
        )
    };
    let g = GluetunClient::new(ep(GLUETUN_CONTROL_PORT), ControlAuth::None);
    assert_eq!(g.vpn_status().await.unwrap(), "running");
    assert_eq!(g.forwarded_port().await.unwrap(), None);
    k8s_nas::clients::gluetun::health(&ep(GLUETUN_HEALTH_PORT))
        .await
        .unwrap();
    // Stop: the tunnel is down, the public IP is gone, the health server says 500.
    assert_eq!(g.set_vpn_status("stopped").await.unwrap(), "stopped");
    assert_eq!(g.public_ip().await.unwrap().public_ip, "");
    let h = k8s_nas::clients::gluetun::health(&ep(GLUETUN_HEALTH_PORT)).await;
    assert!(h.unwrap_err().detail.contains("stopped"));
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    let r = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(r.verdict, Verdict::Down, "{}", r.reason);
    // Running again.
    assert_eq!(g.set_vpn_status("running").await.unwrap(), "running");
    let sim = nas.gluetun(AppKind::Qbittorrent).unwrap();
    assert_eq!(
        sim.state.lock().unwrap().status_changes,
        ["stopped", "running"]
    );
    // A control server with an API key: 401 is "needs credentials", never DOWN.
    sim.edit(|c| c.api_key = Some("k-123".into()));
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    let r = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(r.verdict, Verdict::Unknown);
    assert!(
        r.reason.contains("control server needs credentials"),
        "{}",
        r.reason
    );
    let mut with_key = cfg.clone();
    with_key.vpn.control_api_key = Some(Secret::new("k-123"));
    let v = k8s_nas::vpn::check(&with_key, &facts).await;
    assert_eq!(
        report(&v.reports, AppKind::Qbittorrent).verdict,
        Verdict::Secure
    );
    let json = serde_json::to_string(&v.reports).unwrap();
    assert!(!json.contains("k-123"), "the key never reaches the output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_ip_unknown_or_unreachable_is_never_secure() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |c| c.vpn.ip_echo_url = None).await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    for r in &v.reports {
        assert_eq!(r.verdict, Verdict::Unknown, "{}", r.reason);
        assert!(r.reason.contains("home IP"), "{}", r.reason);
    }
    let mut dead = cfg.clone();
    dead.vpn.ip_echo_url = Some("http://127.0.0.1:9/".into());
    let v = k8s_nas::vpn::check(&dead, &facts).await;
    for r in &v.reports {
        assert_eq!(r.verdict, Verdict::Unknown, "{}", r.reason);
        assert!(r.reason.contains("IP-echo"), "{}", r.reason);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_replicas_is_down_with_the_reason_and_old_gluetun_falls_back() {
    use k8s_openapi::api::apps::v1::Deployment;
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |_| {}).await;
    // An old gluetun without /v1/vpn/status: the legacy /v1/openvpn/status answers, which
    // says `stopped` for SABnzbd's WireGuard tunnel whatever its state: UNKNOWN, not DOWN.
    // qBittorrent's OpenVPN tunnel reads fine from it.
    for k in [AppKind::Sabnzbd, AppKind::Qbittorrent] {
        nas.gluetun(k).unwrap().edit(|c| c.legacy_routes = true);
    }
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    let sab = report(&v.reports, AppKind::Sabnzbd);
    assert_eq!(sab.verdict, Verdict::Unknown, "{}", sab.reason);
    assert!(sab.reason.contains("old gluetun"), "{}", sab.reason);
    let q = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(q.verdict, Verdict::Secure, "{}", q.reason);
    // Scale qBittorrent to zero: no pod runs, DOWN with the reason, never SECURE.
    let api: kube::Api<Deployment> =
        kube::Api::namespaced(facts.conn.client.clone(), "qbittorrent");
    api.patch_scale(
        "qbittorrent",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(serde_json::json!({"spec": {"replicas": 0}})),
    )
    .await
    .unwrap();
    let mut last = None;
    for _ in 0..50 {
        let facts = ClusterFacts::connect(&cfg).await.unwrap();
        let v = k8s_nas::vpn::check(&cfg, &facts).await;
        let q = report(&v.reports, AppKind::Qbittorrent).clone();
        if q.obs.pod.is_none() {
            last = Some(q);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let q = last.expect("the pods go away");
    assert_eq!(q.verdict, Verdict::Down);
    assert!(q.reason.contains("no running pod"), "{}", q.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_control_server_is_unknown_within_the_timeout_not_down() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |c| c.timeout_ms = 400).await;
    nas.gluetun(AppKind::Qbittorrent)
        .unwrap()
        .edit(|c| c.hang = true);
    let started = std::time::Instant::now();
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let q = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(q.verdict, Verdict::Unknown, "{}", q.reason);
    assert!(q.reason.contains("no answer within 400 ms"), "{}", q.reason);
    // The other pod is not held up.
    assert_eq!(
        report(&v.reports, AppKind::Sabnzbd).verdict,
        Verdict::Secure
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_vpn_sidecars_in_one_pod_is_unknown_and_an_audit_error() {
    use k8s_nas::sim::world::{target_cluster, WorldOptions};
    let mut world = target_cluster(&WorldOptions {
        seed: 7,
        extra_pods: 0,
        now: jiff::Timestamp::now(),
    });
    // A second gluetun container in qBittorrent's pod template and pods.
    for o in world.objects.iter_mut() {
        let is_qbit = o["metadata"]["namespace"] == "qbittorrent"
            && (o["kind"] == "Deployment" || o["kind"] == "Pod");
        if !is_qbit {
            continue;
        }
        let spec = if o["kind"] == "Deployment" {
            &mut o["spec"]["template"]["spec"]
        } else {
            &mut o["spec"]
        };
        let Some(cs) = spec["containers"].as_array_mut() else {
            continue;
        };
        if let Some(vpn) = cs.iter().find(|c| c["name"] == "vpn").cloned() {
            let mut second = vpn;
            second["name"] = serde_json::json!("vpn2");
            cs.push(second);
        }
    }
    let nas = SimNas::start_world(world, Scenario::Healthy, None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |_| {}).await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    let q = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(q.verdict, Verdict::Unknown, "{}", q.reason);
    assert!(q.reason.contains("2 gluetun sidecars"), "{}", q.reason);
    let audit = v
        .audit
        .iter()
        .find(|a| a.kind == AppKind::Qbittorrent)
        .unwrap();
    assert!(
        audit.findings.iter().any(|f| f.code == "vpn.sidecars"),
        "{:?}",
        audit.findings
    );
}

/// A one-shot HTTP server answering every connection with `status_line`.
async fn answering(status_line: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf).await;
            let body =
                "error trying to connect: dial tcp 10.42.0.9:8080: connect: connection refused";
            let _ = s
                .write_all(
                    format!(
                        "{status_line}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sabnzbd_reachability_counts_app_answers_not_the_proxys_errors() {
    use k8s_nas::clients::transport::AppEndpoint;
    use k8s_nas::vpn::observe::reach;
    let ep = |u: String| AppEndpoint::direct(u, "").with_timeout(std::time::Duration::from_secs(2));
    // The app answers (even 401 or a redirect to its login): reachable.
    assert_eq!(
        reach(&ep(answering("HTTP/1.1 401 Unauthorized").await), 8080)
            .await
            .unwrap(),
        8080
    );
    assert_eq!(
        reach(&ep(answering("HTTP/1.1 303 See Other").await), 8080)
            .await
            .unwrap(),
        8080
    );
    // The API server's 503 (nothing listening in the pod's network namespace): unreachable.
    let e = reach(
        &ep(answering("HTTP/1.1 503 Service Unavailable").await),
        8080,
    )
    .await
    .unwrap_err();
    assert!(
        e.detail.contains("port 8080 through the sidecar's network"),
        "{e:?}"
    );
    assert!(e.detail.contains("connection refused"), "{e:?}");
    // Nothing at all: unreachable too.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    assert!(reach(&ep(closed), 8080).await.is_err());
}

/// The target world with qBittorrent's gluetun container reading its control-server role from
/// `HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE` ← Secret `secret` key `role` (created when `key` is
/// given).
fn world_with_role_secret(secret: &str, key: Option<&str>) -> k8s_nas::sim::world::World {
    use k8s_nas::sim::world::{target_cluster, WorldOptions};
    let mut world = target_cluster(&WorldOptions {
        seed: 7,
        extra_pods: 0,
        now: jiff::Timestamp::now(),
    });
    for o in world.objects.iter_mut() {
        let is_qbit = o["metadata"]["namespace"] == "qbittorrent"
            && (o["kind"] == "Deployment" || o["kind"] == "Pod");
        if !is_qbit {
            continue;
        }
        let spec = if o["kind"] == "Deployment" {
            &mut o["spec"]["template"]["spec"]
        } else {
            &mut o["spec"]
        };
        for list in ["containers", "initContainers"] {
            for c in spec[list].as_array_mut().into_iter().flatten() {
                if c["image"].as_str().is_some_and(|i| i.contains("gluetun")) {
                    let env = c["env"].as_array_mut().unwrap();
                    env.push(
                        serde_json::json!({"name": "HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE",
                        "valueFrom": {"secretKeyRef": {"name": secret, "key": "role"}}}),
                    );
                }
            }
        }
    }
    if let Some(k) = key {
        use base64::Engine;
        let role = format!(r#"{{"auth":"apikey","apikey":"{k}"}}"#);
        world.objects.push(serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": secret, "namespace": "qbittorrent"},
            "data": {"role": base64::engine::general_purpose::STANDARD.encode(role)},
        }));
    }
    world
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_server_credentials_come_from_the_secret_the_sidecar_references() {
    use k8s_nas::sim::scenario_vpn::AUTH_API_KEY;
    let world = world_with_role_secret("gluetun-control", Some(AUTH_API_KEY));
    let nas = SimNas::start_world(world, Scenario::parse("vpn-auth").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |_| {}).await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    let q = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(q.verdict, Verdict::Secure, "{}", q.reason);
    assert_eq!(
        q.obs.control_auth.as_deref(),
        Some("Secret qbittorrent/gluetun-control key role")
    );
    // The key never reaches the report.
    let json = serde_json::to_string(&v.reports).unwrap();
    assert!(!json.contains(AUTH_API_KEY));
    // SABnzbd's sidecar references nothing: still "needs credentials", not DOWN.
    let s = report(&v.reports, AppKind::Sabnzbd);
    assert_eq!(s.verdict, Verdict::Unknown, "{}", s.reason);
    assert!(
        s.reason.contains("control server needs credentials"),
        "{}",
        s.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referenced_secret_that_is_missing_stays_needs_credentials_and_says_why() {
    let world = world_with_role_secret("gluetun-gone", None);
    let nas = SimNas::start_world(world, Scenario::parse("vpn-auth").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cfg, facts) = connect(&nas, dir.path(), |_| {}).await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    let q = report(&v.reports, AppKind::Qbittorrent);
    assert_eq!(q.verdict, Verdict::Unknown, "{}", q.reason);
    assert!(
        q.reason.contains("control server needs credentials"),
        "{}",
        q.reason
    );
    let why = q.obs.control_auth.clone().unwrap();
    assert!(
        why.starts_with("Secret qbittorrent/gluetun-gone key role: "),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_ip_from_a_pod_without_vpn_through_exec() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // `auto`: a pod without a VPN sidecar fetches the IP-echo URL (pods/exec wget).
    let (cfg, facts) = connect(&nas, dir.path(), |c| {
        c.vpn.ip_echo_from_pod = Some("auto".into())
    })
    .await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    for r in &v.reports {
        assert_eq!(
            r.obs.home.ip,
            Got::Ok(HOME_IP.to_string()),
            "{:?}",
            r.obs.home
        );
        assert!(
            r.obs
                .home
                .source
                .starts_with(&format!("{} from pod ", nas.ip_echo_url())),
            "{}",
            r.obs.home.source
        );
        assert_eq!(r.verdict, Verdict::Secure, "{}", r.reason);
    }
    // A named service: that one's pod.
    let (cfg, facts) = connect(&nas, dir.path(), |c| {
        c.vpn.ip_echo_from_pod = Some("media/sonarr".into())
    })
    .await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    assert!(v.reports[0]
        .obs
        .home
        .source
        .contains("from pod media/sonarr-"));
    // A VPN pod's egress is not the home connection: refused, so never SECURE.
    let (cfg, facts) = connect(&nas, dir.path(), |c| {
        c.vpn.ip_echo_from_pod = Some("qbittorrent/qbittorrent".into())
    })
    .await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    for r in &v.reports {
        assert_eq!(r.verdict, Verdict::Unknown, "{}", r.reason);
        assert!(r.reason.contains("runs behind the VPN"), "{}", r.reason);
    }
    // An echo service the pod cannot reach: UNKNOWN with wget's reason.
    let (cfg, facts) = connect(&nas, dir.path(), |c| {
        c.vpn.ip_echo_url = Some("http://192.0.2.1/".into());
        c.vpn.ip_echo_from_pod = Some("auto".into());
    })
    .await;
    let v = k8s_nas::vpn::check(&cfg, &facts).await;
    for r in &v.reports {
        assert_eq!(r.verdict, Verdict::Unknown, "{}", r.reason);
        assert!(r.reason.contains("bad address"), "{}", r.reason);
    }
}
