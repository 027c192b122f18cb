//! `k8s-nas certs` against the simulated NAS through the real binary: the ingress TLS listener
//! serves each host's certificate by SNI, the healthy world exits 0, `cert-stale` shows the
//! stale copy and the 20-day certificate and exits 1, `cert-failing` the failing Certificate.

use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;

async fn certs(s: Scenario) -> (Option<i32>, Value) {
    let nas = SimNas::start(s, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, nas.tls_ca_pem().expect("the world's ca.crt")).unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "ingress_address = \"{}\"\ningress_http_address = \"{}\"\ntls_ca_file = \"{}\"\n",
            nas.ingress.addr,
            nas.ingress.http_addr,
            ca.display()
        ),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_k8s-nas"))
        .args(["certs", "--output", "json", "--kubeconfig"])
        .arg(&kc)
        .arg("--config")
        .arg(&cfg)
        .env("K8S_NAS_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}; stderr: {stderr}"));
    (out.status.code(), v)
}

fn findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
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
}
