//! An interactive shell through `pods/exec` of the simulated API server (issue 8, `s`): kube-rs
//! `AttachParams::interactive_tty()` (stdin, TTY, resize channel) and the real `kubectl exec -i`
//! with stdin piped.

use k8s_nas::sim::kube::{fixture, KubeSim};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{AttachParams, TerminalSize};
use kube::Api;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

const KUBECTL: &str = "/usr/bin/kubectl";

async fn start() -> (KubeSim, String) {
    let sim = KubeSim::start(fixture::small_media_world(), None)
        .await
        .expect("sim starts");
    sim.put_file(
        "media",
        "sonarr",
        "sonarr",
        "/config/config.xml",
        "<Config/>\n",
    );
    let pod = sim
        .list("v1", "Pod", Some("media"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "sonarr")
        .and_then(|p| p["metadata"]["name"].as_str())
        .expect("a sonarr pod")
        .to_string();
    (sim, pod)
}

/// Read from `r` until `want` has been seen (or fail after 20 s): everything read.
async fn read_until(r: &mut (impl AsyncReadExt + Unpin), seen: &mut String, want: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 1024];
    while !seen.contains(want) {
        let n = tokio::time::timeout_at(deadline, r.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {want:?} in {seen:?}"))
            .expect("stdout read");
        assert!(n > 0, "stdout ended before {want:?}: {seen:?}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[tokio::test]
async fn kube_rs_interactive_tty_session() {
    let (sim, pod) = start().await;
    let api: Api<Pod> = Api::namespaced(sim.kube_client().await.unwrap(), "media");
    let params = AttachParams::interactive_tty().container("sonarr");
    let mut proc = api.exec(&pod, vec!["/bin/bash"], &params).await.unwrap();
    let mut stdin = proc.stdin().expect("stdin");
    let mut stdout = proc.stdout().expect("stdout");
    let mut resize = proc.terminal_size().expect("a TTY has a resize channel");
    let status = proc.take_status().expect("status");
    let mut seen = String::new();
    let prompt = format!("root@{pod}:/# ");
    read_until(&mut stdout, &mut seen, &prompt).await;

    use futures::SinkExt;
    resize
        .send(TerminalSize {
            width: 132,
            height: 43,
        })
        .await
        .unwrap();
    stdin.write_all(b"cd /config\rpwd\n").await.unwrap();
    read_until(&mut stdout, &mut seen, "pwd\r\n/config\r\n").await;
    stdin.write_all(b"ls\rstty size\r").await.unwrap();
    read_until(&mut stdout, &mut seen, "ls\r\nconfig.xml\r\n").await;
    read_until(&mut stdout, &mut seen, "43 132\r\n").await;
    stdin.write_all(b"exit\n").await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(20), status)
        .await
        .expect("the shell ends")
        .expect("a status");
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    proc.join().await.expect("exec task ends cleanly");
}

#[tokio::test]
async fn no_bash_in_the_gluetun_sidecar_but_sh() {
    let (sim, _) = start().await;
    let pod = sim
        .list("v1", "Pod", Some("media"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "qbittorrent")
        .and_then(|p| p["metadata"]["name"].as_str())
        .expect("a qbittorrent pod")
        .to_string();
    let api: Api<Pod> = Api::namespaced(sim.kube_client().await.unwrap(), "media");
    let params = AttachParams::interactive_tty().container("gluetun");
    let mut proc = api.exec(&pod, vec!["/bin/bash"], &params).await.unwrap();
    let status = proc.take_status().unwrap().await.expect("a status");
    let causes = status.details.and_then(|d| d.causes).unwrap_or_default();
    assert_eq!(causes[0].message.as_deref(), Some("127"));

    let mut proc = api.exec(&pod, vec!["/bin/sh"], &params).await.unwrap();
    let (mut stdin, mut stdout) = (proc.stdin().unwrap(), proc.stdout().unwrap());
    let status = proc.take_status().unwrap();
    let mut seen = String::new();
    read_until(&mut stdout, &mut seen, "/ # ").await;
    stdin.write_all(b"nope\rexit 4\r").await.unwrap();
    read_until(&mut stdout, &mut seen, "sh: nope: not found\r\n").await;
    let status = status.await.expect("a status");
    let causes = status.details.and_then(|d| d.causes).unwrap_or_default();
    assert_eq!(causes[0].message.as_deref(), Some("4"), "exit 4");
}

#[tokio::test]
async fn kubectl_exec_i_with_stdin_piped() {
    assert!(
        std::path::Path::new(KUBECTL).exists(),
        "kubectl is required at {KUBECTL}"
    );
    let (sim, pod) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let mut child = Command::new(KUBECTL)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args([
            "exec", "-i", "-n", "media", &pod, "-c", "sonarr", "--", "/bin/sh",
        ])
        .env("HOME", dir.path())
        .env_remove("KUBECONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kubectl runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"pwd\ncd /config\nls\ncat config.xml\n")
        .await
        .unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("kubectl finishes")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "/\nconfig.xml\n<Config/>\n"
    );
}
