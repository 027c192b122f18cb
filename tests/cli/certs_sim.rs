//! `k8s-nas certs` against the simulated NAS through the real binary: the ingress TLS listener
//! serves each host's certificate by SNI, the healthy world exits 0, `cert-stale` shows the
//! stale copy and the 20-day certificate and exits 1, `cert-failing` the failing Certificate.

use crate::common::{finding_pairs, ingress_config, json, k8s_nas, start};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;

async fn certs(s: Scenario) -> (Option<i32>, Value) {
    certs_with(s, |_| String::new()).await
}

/// `certs --output json` with more config lines (given the simulated NAS).
async fn certs_with(s: Scenario, extra: impl Fn(&SimNas) -> String) -> (Option<i32>, Value) {
    let (nas, dir, kc) = start(s).await;
    let cfg = dir.path().join("config.toml");
    let config = ingress_config(&nas, dir.path()) + &extra(&nas);
    std::fs::write(&cfg, config).unwrap();
    let out = k8s_nas(dir.path())
        .args(["certs", "--output", "json", "--kubeconfig"])
        .arg(&kc)
        .arg("--config")
        .arg(&cfg)
        .output()
        .await
        .unwrap();
    (out.status.code(), json(&out))
}

fn findings(v: &Value) -> Vec<(String, String)> {
    finding_pairs(v, "code", "message")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_world_serves_valid_certificates_and_exits_0() {
    let (code, v) = certs(Scenario::Healthy).await;
    assert_eq!(findings(&v), vec![], "{v:#}");
    assert_eq!(code, Some(0));
    assert_eq!(v["schema"], "k8s-nas/certs/v1");
    let served = v["certs"]["served"].as_array().unwrap();
    assert!(served.len() >= 3, "{served:?}");
    for s in served {
        let leaf = &s["served"]["chain"][0];
        assert_eq!(s["served"]["chain_verdict"]["state"], "valid", "{s:#}");
        assert!(leaf["sans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("*.")));
        assert_eq!(leaf["issuer"], "CN=Simulated ACME Root");
        // FR017: plain HTTP redirects to https://.
        assert_eq!(s["http"]["status"], 308, "{s:#}");
        let host = s["host"].as_str().unwrap();
        assert_eq!(s["http"]["location"], format!("https://{host}/"));
    }
    assert_eq!(v["certs"]["cert_manager"], true);
    assert_eq!(v["certs"]["certificates"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_stale_shows_the_stale_copy_and_the_20_day_certificate() {
    let (code, v) = certs(Scenario::parse("cert-stale").unwrap()).await;
    assert_eq!(code, Some(1));
    let f = findings(&v);
    let stale: Vec<_> = f.iter().filter(|(c, _)| c == "cert.stale_copy").collect();
    assert_eq!(stale.len(), 1, "{f:#?}");
    assert!(f
        .iter()
        .any(|(c, m)| c == "cert.expires_soon" && m.contains("expires in 20 days")));
    assert!(f
        .iter()
        .any(|(c, m)| c == "cert.expires_critical" && m.contains("expires in 3 days")));
    // The stale copy is what its Ingress hosts are served.
    let copy = v["certs"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stale"] == true)
        .unwrap();
    let fp = &copy["chain"][0]["sha256"];
    let ingresses = copy["ingresses"].as_array().unwrap();
    assert!(!ingresses.is_empty());
    assert!(v["certs"]["served"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| &s["served"]["chain"][0]["sha256"] == fp));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_failing_reports_the_certificate() {
    let (code, v) = certs(Scenario::parse("cert-failing").unwrap()).await;
    assert_eq!(code, Some(1));
    let f = findings(&v);
    assert!(
        f.iter()
            .any(|(c, m)| c == "cert.not_ready" && m.contains("3 failed issuance attempts")),
        "{f:#?}"
    );
    // Its failed CertificateRequest and the (Ready) ClusterIssuer are rows of their own.
    let failed: Vec<&Value> = v["certs"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["failure_time"].is_string())
        .collect();
    assert_eq!(failed.len(), 1, "{v:#}");
    assert_eq!(failed[0]["ready"]["reason"], "Failed");
    assert!(f
        .iter()
        .any(|(c, m)| c == "cert.request_failed" && m.contains("DNS-01 challenge failed")));
    let issuers = v["certs"]["issuers"].as_array().unwrap();
    assert!(!issuers.is_empty());
    assert!(
        issuers.iter().all(|i| i["ready"]["status"] == "True"),
        "{issuers:?}"
    );
    assert!(!f.iter().any(|(c, _)| c == "cert.issuer_not_ready"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_urls_are_handshaked_like_ingress_hosts() {
    // A configured URL no Ingress names: reached at its own host and port (not through
    // ingress_address), its chain parsed and judged; the simulated ingress answers an unknown
    // SNI with its "Fake Certificate", so the row is a handshake with findings on that URL.
    let (code, v) = certs_with(Scenario::Healthy, |nas| {
        format!(
            "[certs]\nextra_urls = [\"https://localhost:{}/\"]\n",
            nas.ingress.addr.port()
        )
    })
    .await;
    let port = v["certs"]["served"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["host"] == "localhost")
        .unwrap_or_else(|| panic!("no row for the extra URL: {v:#}"))
        .clone();
    let url = port["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("https://localhost:"), "{port:#}");
    assert!(port["served"]["address"]
        .as_str()
        .unwrap()
        .starts_with("localhost:"));
    assert_eq!(port["served"]["sni"], "localhost");
    assert!(
        port["http"].is_null(),
        "no redirect check for extra URLs: {port:#}"
    );
    let f = findings(&v);
    let on_url: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["subject"] == url.as_str())
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        on_url.contains(&"cert.host_not_covered".to_string()),
        "{f:#?}"
    );
    assert_eq!(code, Some(1));
    // The Ingress hosts are still all there.
    assert!(v["certs"]["served"].as_array().unwrap().len() >= 4, "{v:#}");
}
