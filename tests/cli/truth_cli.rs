//! Issue 7 through the real binary: the `healthy` demo is healthy by the console's own rules
//! (`integrate plan` exits 0 with no change planned; `check` finds nothing about the stack).

use crate::common::{kubeconfig, run};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthy_demo_is_healthy_by_the_consoles_own_rules() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(&nas, dir.path());
    let out = run(&kc, &["integrate", "plan"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 change(s) to apply"), "{stdout}");
    // `check`: no finding about the stack. (The `cert.*` checks need the demo's ingress address
    // in the config, which this test does not give; they are the certificates' business.)
    let out = run(&kc, &["check", "--output", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|c| !c.starts_with("cert."))
        .collect();
    assert!(codes.is_empty(), "{codes:?}");
}
