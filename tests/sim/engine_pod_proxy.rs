//! The API server's pod proxy (`/api/v1/namespaces/NS/pods/NAME:PORT/proxy/...`) on the
//! simulated NAS: through `AppEndpoint::pod_proxy` (kube-rs) and with the real
//! `kubectl get --raw`. A port behind a Service reaches that Service's backend; a port no
//! Service exposes (gluetun's control server, here a stand-in) reaches a backend registered
//! for the pod.

use http::HeaderMap;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::collect::probe::probe;
use k8s_nas::config::Config;
use k8s_nas::engine::facts::ClusterFacts;
use k8s_nas::model::AppKind;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const KUBECTL: &str = "/usr/bin/kubectl";
const CONTROL_PORT: u16 = 8000;

/// A stand-in for gluetun's HTTP control server.
async fn control_server() -> std::net::SocketAddr {
    use axum::{routing::get, Json, Router};
    let app = Router::new().route(
        "/v1/publicip/ip",
        get(|| async {
            Json(serde_json::json!({"public_ip": "203.0.113.7", "country": "Sweden"}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

struct Found {
    /// A running pod of the app, its namespace and workload, and its container port.
    pod: String,
    namespace: String,
    workload: String,
    port: u16,
    url_base: String,
}

async fn running_pod(facts: &ClusterFacts, cfg: &Config, kind: AppKind) -> Found {
    let inv = facts.inventory(cfg);
    let svc = inv.first(kind).expect("the app is discovered");
    let pod = k8s_nas::discover::pod_statuses(svc, &facts.listing.objects)
        .into_iter()
        .find(|p| p.phase == k8s_nas::model::PodPhase::Running)
        .expect("a running pod");
    Found {
        pod: pod.name,
        namespace: svc.namespace.clone(),
        workload: svc.workload.name.clone(),
        port: svc.service.as_ref().expect("a Service").target_port,
        url_base: svc.url_base.clone(),
    }
}

async fn kubectl_raw(kubeconfig: &Path, home: &Path, path: &str) -> (bool, String, String) {
    assert!(
        Path::new(KUBECTL).exists(),
        "kubectl is required at {KUBECTL} (preinstalled on these machines)"
    );
    let out = tokio::process::Command::new(KUBECTL)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "--raw", path])
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("kubectl finishes")
        .expect("kubectl runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_proxy_through_kube_rs_and_kubectl() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    let cfg = Config {
        kubeconfig: Some(kc.clone()),
        ..Config::default()
    };
    let facts = ClusterFacts::connect(&cfg).await.unwrap();
    let client = facts.conn.client.clone();

    // A container port behind a Service: the app answers through the pod proxy.
    let sonarr = running_pod(&facts, &cfg, AppKind::Sonarr).await;
    let ep = AppEndpoint::pod_proxy(
        client.clone(),
        "media",
        &sonarr.pod,
        &sonarr.port.to_string(),
        &sonarr.url_base,
    );
    assert!(ep
        .describe()
        .contains(&format!("/pods/{}:{}/proxy", sonarr.pod, sonarr.port)));
    let p = probe(&ep, AppKind::Sonarr).await;
    assert_eq!(p.status, Some(200), "{p:?}");
    let r = ep.get("/ping", HeaderMap::new()).await.unwrap();
    assert_eq!(r.json::<serde_json::Value>().unwrap()["status"], "OK");
    // A port no Service exposes: the backend registered for the pod (gluetun's control server).
    let qbit = running_pod(&facts, &cfg, AppKind::Qbittorrent).await;
    let control = control_server().await;
    let qbit_ns = qbit.namespace.clone();
    nas.kube
        .register_pod_backend(&qbit_ns, &qbit.workload, CONTROL_PORT, control);
    let gluetun = AppEndpoint::pod_proxy(
        client.clone(),
        &qbit_ns,
        &qbit.pod,
        &CONTROL_PORT.to_string(),
        "",
    );
    let r = gluetun
        .get("/v1/publicip/ip", HeaderMap::new())
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json::<serde_json::Value>().unwrap()["public_ip"],
        "203.0.113.7"
    );

    // Errors read like a real API server's (9999 is gluetun's health server on the simulated
    // NAS, so a port nothing listens on is used).
    let nobody = AppEndpoint::pod_proxy(client.clone(), &qbit_ns, &qbit.pod, "9797", "");
    let r = nobody.get("/", HeaderMap::new()).await.unwrap();
    assert_eq!(r.status, 503);
    assert!(String::from_utf8_lossy(&r.body).contains("connection refused"));
    let gone = AppEndpoint::pod_proxy(client.clone(), "media", "no-such-pod", "80", "");
    assert_eq!(gone.get("/", HeaderMap::new()).await.unwrap().status, 404);

    // The real kubectl, same paths.
    let home = dir.path();
    let path = format!(
        "/api/v1/namespaces/media/pods/{}:{}/proxy{}/ping",
        sonarr.pod, sonarr.port, sonarr.url_base
    );
    let (ok, out, err) = kubectl_raw(&kc, home, &path).await;
    assert!(ok, "kubectl get --raw {path}: {err}");
    assert!(out.contains("\"OK\""), "{out}");
    let path = format!(
        "/api/v1/namespaces/{qbit_ns}/pods/{}:{CONTROL_PORT}/proxy/v1/publicip/ip",
        qbit.pod
    );
    let (ok, out, err) = kubectl_raw(&kc, home, &path).await;
    assert!(ok, "kubectl get --raw {path}: {err}");
    assert!(out.contains("203.0.113.7"), "{out}");
    let (ok, _, err) = kubectl_raw(
        &kc,
        home,
        "/api/v1/namespaces/media/pods/no-such-pod:80/proxy/",
    )
    .await;
    assert!(!ok && err.contains("NotFound"), "{err}");
}
