//! The console's connection: its main client speaks HTTP/2 to an API server that offers it
//! (every watch, list and proxied probe multiplexed over one connection, as kubectl does), and
//! its `exec` client speaks HTTP/1.1 (WebSocket upgrades do not exist in HTTP/2).

use k8s_nas::sim::kube::{fixture, KubeSim};
use k8s_openapi::api::core::v1::Pod;
use kube::api::AttachParams;
use kube::Api;
use tokio::io::AsyncReadExt;

async fn version_of(client: &kube::Client) -> http::Version {
    let req = http::Request::get("/version")
        .body(Vec::new())
        .expect("request");
    client
        .send(req.map(Into::into))
        .await
        .expect("reply")
        .version()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_client_is_http2_and_exec_client_upgrades_over_http1() {
    k8s_nas::init_tls();
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .expect("sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc).expect("kubeconfig");
    let conn = k8s_nas::cluster::connect(Some(&kc), None)
        .await
        .expect("connects");
    assert_eq!(version_of(&conn.client).await, http::Version::HTTP_2);
    assert_eq!(version_of(&conn.exec).await, http::Version::HTTP_11);

    // exec works through the upgrade client (and would fail over HTTP/2)
    sim.put_file("media", "sonarr", "sonarr", "/config/hello.txt", "hi\n");
    let pod = sim
        .list("v1", "Pod", Some("media"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "sonarr")
        .and_then(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .expect("sonarr pod");
    let params = AttachParams::default().container("sonarr").stderr(false);
    let api: Api<Pod> = Api::namespaced(conn.exec.clone(), "media");
    let mut proc = api
        .exec(&pod, vec!["cat", "/config/hello.txt"], &params)
        .await
        .expect("exec over HTTP/1.1");
    let mut out = String::new();
    proc.stdout()
        .expect("stdout")
        .read_to_string(&mut out)
        .await
        .expect("read");
    assert_eq!(out, "hi\n");
    let h2: Api<Pod> = Api::namespaced(conn.client.clone(), "media");
    assert!(
        h2.exec(&pod, vec!["cat", "/config/hello.txt"], &params)
            .await
            .is_err(),
        "an upgrade cannot go over the HTTP/2 client"
    );
}
