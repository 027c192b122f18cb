//! Shared helpers for the kube-rs wire tests.

use k8s_nas::sim::kube::{fixture, KubeSim};
use serde_json::json;
use std::time::Duration;

pub async fn client_for(sim: &KubeSim) -> kube::Client {
    let kubeconfig =
        kube::config::Kubeconfig::from_yaml(&sim.kubeconfig_yaml()).expect("kubeconfig parses");
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kubeconfig loads");
    // kube 5 retries 429/503/504 up to 15 times with backoff up to 1000 s by default; the
    // service proxy's "no endpoints" 503 must reach the caller at once.
    config.default_retry = false;
    kube::Client::try_from(config).expect("client builds")
}

pub async fn start() -> (KubeSim, kube::Client) {
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .expect("sim starts");
    let client = client_for(&sim).await;
    (sim, client)
}

/// Poll `check` until it returns true or 5 s pass.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

pub fn configmap(name: &str, value: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "media", "labels": {"team": "media"}},
           "data": {"key": value}})
}
