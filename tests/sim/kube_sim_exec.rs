//! `pods/exec` of the simulated API server over the real wire: kube-rs `Api::<Pod>::exec`
//! (WebSocket, `v5.channel.k8s.io`) and the real `kubectl exec` (v1.32, /usr/bin/kubectl).

use k8s_nas::sim::kube::{fixture, KubeSim};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::AttachParams;
use kube::Api;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

const KUBECTL: &str = "/usr/bin/kubectl";
const CONFIG_XML: &str = "<Config>\n  <Port>8989</Port>\n  <ApiKey>0123456789abcdef0123456789abcdef</ApiKey>\n</Config>\n";

async fn start() -> (KubeSim, String) {
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .expect("sim starts");
    sim.put_file(
        "media",
        "sonarr",
        "sonarr",
        "/config/config.xml",
        CONFIG_XML,
    );
    let pod = pod_of(&sim, "sonarr");
    (sim, pod)
}

fn pod_of(sim: &KubeSim, app: &str) -> String {
    sim.list("v1", "Pod", Some("media"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == app)
        .and_then(|p| p["metadata"]["name"].as_str())
        .unwrap_or_else(|| panic!("no pod for {app}"))
        .to_string()
}

/// Run a command by exec: (stdout, stderr, status).
async fn exec(
    api: &Api<Pod>,
    pod: &str,
    container: &str,
    cmd: &[&str],
) -> Result<(String, String, Option<Status>), kube::Error> {
    let params = AttachParams::default()
        .container(container)
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let mut proc = api.exec(pod, cmd.to_vec(), &params).await?;
    let (mut out, mut err) = (String::new(), String::new());
    let mut so = proc.stdout().expect("stdout");
    let mut se = proc.stderr().expect("stderr");
    let status = proc.take_status().expect("status");
    let (a, b, status) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(
            so.read_to_string(&mut out),
            se.read_to_string(&mut err),
            status
        )
    })
    .await
    .expect("exec finishes");
    a.expect("stdout read");
    b.expect("stderr read");
    proc.join().await.expect("exec task ends cleanly");
    Ok((out, err, status))
}

fn api_code(e: kube::Error) -> (u16, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn kube_rs_exec_reads_files_and_reports_exit_codes() {
    let (sim, pod) = start().await;
    let api = Api::<Pod>::namespaced(sim.kube_client().await.unwrap(), "media");

    let (out, err, status) = exec(&api, &pod, "sonarr", &["cat", "/config/config.xml"])
        .await
        .expect("exec cat");
    assert_eq!(out, CONFIG_XML);
    assert_eq!(err, "");
    assert_eq!(status.and_then(|s| s.status).as_deref(), Some("Success"));

    let (out, err, status) = exec(&api, &pod, "sonarr", &["cat", "/config/nope.xml"])
        .await
        .expect("exec cat missing");
    assert_eq!(out, "");
    assert_eq!(err, "cat: /config/nope.xml: No such file or directory\n");
    let status = status.expect("a status");
    assert_eq!(status.status.as_deref(), Some("Failure"));
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    let cause = &status.details.expect("details").causes.expect("causes")[0];
    assert_eq!(cause.reason.as_deref(), Some("ExitCode"));
    assert_eq!(cause.message.as_deref(), Some("1"));

    let (out, _, _) = exec(&api, &pod, "sonarr", &["ls", "/config"])
        .await
        .expect("ls");
    assert_eq!(out, "config.xml\n");
    let (out, _, _) = exec(&api, &pod, "sonarr", &["echo", "hello", "world"])
        .await
        .expect("echo");
    assert_eq!(out, "hello world\n");
    let (_, err, status) = exec(&api, &pod, "sonarr", &["sh", "-c", "true"])
        .await
        .expect("exec sh");
    assert_eq!(err, "exec: \"sh\": executable file not found in $PATH\n");
    let status = status.expect("a status");
    assert_eq!(status.status.as_deref(), Some("Failure"));
    let causes = status.details.and_then(|d| d.causes).unwrap_or_default();
    assert_eq!(causes[0].message.as_deref(), Some("127"));

    // Files belong to one container of the matching pods.
    let (_, err, _) = exec(&api, &pod, "sonarr", &["cat", "/config/other"])
        .await
        .unwrap();
    assert!(err.contains("No such file"), "{err}");
    assert!(sim.remove_file("media", "sonarr", "sonarr", "/config/config.xml"));
    let (out, err, _) = exec(&api, &pod, "sonarr", &["cat", "/config/config.xml"])
        .await
        .unwrap();
    assert_eq!(out, "");
    assert!(err.contains("No such file"), "{err}");
    sim.shutdown().await;
}

#[tokio::test]
async fn kube_rs_exec_errors_before_the_upgrade() {
    let (sim, pod) = start().await;
    let api = Api::<Pod>::namespaced(sim.kube_client().await.unwrap(), "media");

    let e = exec(&api, &pod, "radarr", &["cat", "/x"])
        .await
        .unwrap_err();
    assert_eq!(
        api_code(e),
        (400, format!("container radarr is not valid for pod {pod}"))
    );
    let e = exec(&api, "sonarr-missing-00000", "sonarr", &["cat", "/x"])
        .await
        .unwrap_err();
    assert_eq!(
        api_code(e),
        (404, "pods \"sonarr-missing-00000\" not found".to_string())
    );
    // The qBittorrent pod has two containers: a name is required.
    let qb = pod_of(&sim, "qbittorrent");
    let params = AttachParams::default().stdout(true).stderr(true);
    let e = api.exec(&qb, vec!["ls"], &params).await.err().expect("400");
    let (code, msg) = api_code(e);
    assert_eq!(code, 400);
    assert!(msg.contains("a container name must be specified"), "{msg}");

    sim.forbid_namespace("media");
    let e = exec(&api, &pod, "sonarr", &["cat", "/x"])
        .await
        .unwrap_err();
    let (code, msg) = api_code(e);
    assert_eq!(code, 403);
    assert!(
        msg.contains("cannot create resource \"pods/exec\""),
        "{msg}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_file_survives_the_pod_being_recreated() {
    let (sim, pod) = start().await;
    sim.delete("v1", "Pod", Some("media"), &pod).unwrap();
    let mut new_pod = String::new();
    for _ in 0..50 {
        let p = sim
            .list("v1", "Pod", Some("media"))
            .iter()
            .find(|p| p["metadata"]["labels"]["app"] == "sonarr")
            .and_then(|p| p["metadata"]["name"].as_str().map(str::to_string));
        if let Some(p) = p.filter(|p| *p != pod) {
            new_pod = p;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!new_pod.is_empty(), "the Deployment re-creates the pod");
    let api = Api::<Pod>::namespaced(sim.kube_client().await.unwrap(), "media");
    let (out, _, _) = exec(&api, &new_pod, "sonarr", &["cat", "/config/config.xml"])
        .await
        .unwrap();
    assert_eq!(out, CONFIG_XML);
    sim.shutdown().await;
}

#[tokio::test]
async fn kubectl_exec_prints_the_file_and_fails_on_a_missing_one() {
    assert!(
        std::path::Path::new(KUBECTL).exists(),
        "kubectl is required at {KUBECTL}"
    );
    let (sim, pod) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let run = |args: Vec<String>| {
        let mut c = Command::new(KUBECTL);
        c.arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .env("HOME", dir.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        async move {
            let out = tokio::time::timeout(Duration::from_secs(60), c.output())
                .await
                .expect("kubectl finishes")
                .expect("kubectl runs");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).to_string(),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        }
    };
    let args = |cmd: &[&str]| {
        let mut a: Vec<String> = ["exec", "-n", "media", pod.as_str(), "-c", "sonarr", "--"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(cmd.iter().map(|s| s.to_string()));
        a
    };
    let (code, out, err) = run(args(&["cat", "/config/config.xml"])).await;
    assert_eq!(code, Some(0), "kubectl exec failed: {err}");
    assert_eq!(out, CONFIG_XML);

    let (code, out, err) = run(args(&["cat", "/nope"])).await;
    assert_eq!(code, Some(1), "stdout {out:?} stderr {err:?}");
    assert!(
        err.contains("cat: /nope: No such file or directory"),
        "{err}"
    );
    assert!(err.contains("command terminated with exit code 1"), "{err}");

    let (code, _, err) = run(vec![
        "exec".into(),
        "-n".into(),
        "media".into(),
        pod.clone(),
        "-c".into(),
        "nope".into(),
        "--".into(),
        "ls".into(),
    ])
    .await;
    assert_ne!(code, Some(0));
    assert!(
        err.contains(&format!("container nope is not valid for pod {pod}")),
        "{err}"
    );
    sim.shutdown().await;
}

/// A raw HTTP/1.1 upgrade over the plain-HTTP port: (status line + headers, the socket).
async fn raw_upgrade(
    sim: &KubeSim,
    method: &str,
    path: &str,
    protocols: Option<&str>,
) -> (String, tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    let mut tcp = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n",
        sim.addr(),
        sim.token()
    );
    if let Some(p) = protocols {
        req.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut byte))
            .await
            .expect("an answer")
            .unwrap();
        assert_eq!(n, 1, "connection closed after {head:?}");
        head.push(byte[0]);
    }
    (String::from_utf8_lossy(&head).to_lowercase(), tcp)
}

#[tokio::test]
async fn post_upgrade_and_subprotocol_negotiation() {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::protocol::Role;
    use tokio_tungstenite::tungstenite::Message;
    let (sim, pod) = start().await;
    let path = format!(
        "/api/v1/namespaces/media/pods/{pod}/exec?command=cat&command=%2Fconfig%2Fconfig.xml&container=sonarr&stdout=true&stderr=true"
    );
    // POST works too; v5 is chosen over v4 whatever the order offered.
    let (head, tcp) = raw_upgrade(
        &sim,
        "POST",
        &path,
        Some("v4.channel.k8s.io, v5.channel.k8s.io"),
    )
    .await;
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(
        head.contains("sec-websocket-protocol: v5.channel.k8s.io"),
        "{head}"
    );
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(tcp, Role::Client, None).await;
    let mut frames = Vec::new();
    while let Some(Ok(m)) = ws.next().await {
        match m {
            Message::Binary(b) => frames.push(b.to_vec()),
            Message::Close(c) => {
                assert_eq!(c.map(|c| u16::from(c.code)), Some(1000));
                break;
            }
            _ => {}
        }
    }
    assert_eq!(frames.len(), 2, "stdout then status");
    assert_eq!(frames[0][0], 1);
    assert_eq!(&frames[0][1..], CONFIG_XML.as_bytes());
    assert_eq!(frames[1][0], 3);
    let status: serde_json::Value = serde_json::from_slice(&frames[1][1..]).unwrap();
    assert_eq!(status["status"], "Success");

    let (head, _) = raw_upgrade(&sim, "GET", &path, Some("v4.channel.k8s.io")).await;
    assert!(
        head.contains("sec-websocket-protocol: v4.channel.k8s.io"),
        "{head}"
    );
    let (head, _) = raw_upgrade(&sim, "GET", &path, Some("channel.k8s.io")).await;
    assert!(head.starts_with("http/1.1 400"), "{head}");

    // Without an upgrade: 400 like the real server.
    k8s_nas::init_tls();
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}{path}", sim.http_url()))
        .bearer_auth(sim.token())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Upgrade request required"));
    // And without a token: 401, as every other route.
    let resp = client
        .get(format!("{}{path}", sim.http_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    sim.shutdown().await;
}
