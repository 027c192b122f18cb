//! `k8s-nas vpn` against the simulated NAS through the real binary: SECURE with exit IPs and
//! countries on the healthy NAS (exit 0 only when the audit is clean too), LEAK and exit 1 on
//! `vpn-leak` and `vpn-eth0`, DOWN on `vpn-down`, UNKNOWN with the 401 reason on `vpn-auth`, and
//! `check` carrying the VPN verdicts once a home IP source is configured.

use crate::common::{ingress_config, json, k8s_nas, kubeconfig, write_config};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;

struct Run {
    code: Option<i32>,
    json: Value,
}

async fn run(nas: &SimNas, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(nas, dir.path());
    // The home IP source, from the config file (`[vpn] ip_echo_url`); the simulated Ingress
    // hosts at the simulator's ingress listener, as `demo` sets (`check` handshakes with them).
    let config = ingress_config(nas, dir.path())
        + &format!("[vpn]\nip_echo_url = \"{}\"\n", nas.ip_echo_url());
    write_config(dir.path(), &config);
    let out = k8s_nas(dir.path())
        .args(args)
        .arg("--kubeconfig")
        .arg(&kc)
        .args(["--output", "json"])
        .output()
        .await
        .unwrap();
    Run {
        code: out.status.code(),
        json: json(&out),
    }
}

fn pod<'a>(v: &'a Value, kind: &str) -> &'a Value {
    v["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} VPN pod in {v}"))
}

async fn scenario(s: &str) -> SimNas {
    SimNas::start(Scenario::parse(s).unwrap(), None)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_is_secure_and_the_audit_names_the_target_clusters_mistakes() {
    let nas = scenario("healthy").await;
    let r = run(&nas, &["vpn"]).await;
    assert_eq!(r.json["schema"], "k8s-nas/vpn/v1");
    for kind in ["qbittorrent", "sabnzbd"] {
        let p = pod(&r.json, kind);
        assert_eq!(p["verdict"], "SECURE", "{p}");
        assert!(p["exit"]["ok"]["public_ip"]
            .as_str()
            .unwrap()
            .starts_with("203.0.113."));
        assert!(!p["exit"]["ok"]["country"].as_str().unwrap().is_empty());
    }
    // The target-shaped world carries gluetun as an ordinary container without probes:
    // the audit says so, with remediation, and the exit code follows.
    let audit = r.json["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 9);
    let qbit = audit.iter().find(|a| a["kind"] == "qbittorrent").unwrap();
    let codes: Vec<&str> = qbit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"vpn.not_native_sidecar"), "{codes:?}");
    assert_eq!(r.code, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leak_eth0_down_and_auth_each_have_their_verdict_and_exit_1() {
    for (s, kind, verdict, why) in [
        ("vpn-leak", "qbittorrent", "LEAK", "equals the home IP"),
        ("vpn-leak", "sabnzbd", "LEAK", "equals the home IP"),
        ("vpn-eth0", "qbittorrent", "LEAK", "eth0"),
        ("vpn-down", "sabnzbd", "DOWN", "stopped"),
        (
            "vpn-auth",
            "qbittorrent",
            "UNKNOWN",
            "control server needs credentials",
        ),
    ] {
        let nas = scenario(s).await;
        let r = run(&nas, &["vpn"]).await;
        let p = pod(&r.json, kind);
        assert_eq!(p["verdict"], verdict, "{s}: {p}");
        assert!(p["reason"].as_str().unwrap().contains(why), "{s}: {p}");
        assert_eq!(r.code, Some(1), "{s}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_carries_the_vpn_verdicts_once_the_home_ip_is_known() {
    let nas = scenario("vpn-leak").await;
    let r = run(&nas, &["check"]).await;
    assert_eq!(r.code, Some(1));
    let leaks: Vec<&Value> = r.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "vpn.leak")
        .collect();
    assert_eq!(leaks.len(), 2, "{}", r.json["findings"]);
    assert_eq!(leaks[0]["severity"], "critical");
    assert!(!leaks[0]["remediation"].as_str().unwrap().is_empty());
    // Healthy with a home IP: no VPN finding, exit 0 (the audit is not part of `check`).
    let nas = scenario("healthy").await;
    let r = run(&nas, &["check"]).await;
    assert_eq!(r.code, Some(0), "{}", r.json["findings"]);
}
