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

/// Drive the console's engine side of `s` (what the runtime does with the terminal) to its end.
async fn engine_session(
    sim: &KubeSim,
    ns: &str,
    pod: &str,
    container: &str,
    typed: &[&[u8]],
) -> (String, Result<String, String>) {
    let (mut term, io) = k8s_nas::bus::shell::channels();
    let client = sim.kube_client().await.unwrap();
    tokio::spawn(k8s_nas::engine::shell::run(
        client,
        ns.into(),
        pod.into(),
        container.into(),
        io,
    ));
    term.resize.send((100, 30)).await.unwrap();
    let mut seen = String::new();
    let mut keys = typed.iter();
    let done = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            tokio::select! {
                out = term.output.recv() => match out {
                    Some(b) => {
                        seen.push_str(&String::from_utf8_lossy(&b));
                        // Type the next line once the prompt is back.
                        if seen.ends_with("# ") {
                            if let Some(k) = keys.next() {
                                term.input.send(k.to_vec()).await.unwrap();
                            }
                        }
                    }
                    None => break (&mut term.done).await.unwrap(),
                },
                d = &mut term.done => {
                    while let Ok(b) = term.output.try_recv() {
                        seen.push_str(&String::from_utf8_lossy(&b));
                    }
                    break d.unwrap();
                }
            }
        }
    })
    .await
    .expect("the session ends");
    (seen, done)
}

#[tokio::test]
async fn engine_shell_session_bash_then_sh_and_rbac() {
    let (sim, pod) = start().await;
    let (seen, done) = engine_session(
        &sim,
        "media",
        &pod,
        "sonarr",
        &[b"pwd\r", b"stty size\r", b"exit 2\r"],
    )
    .await;
    assert!(seen.contains("pwd\r\n/\r\n"), "{seen:?}");
    assert!(
        seen.contains("30 100\r\n"),
        "the first size reached the shell: {seen:?}"
    );
    assert_eq!(
        done,
        Ok(format!("shell /bin/bash in media/{pod}:sonarr exited (2)"))
    );

    // gluetun has no bash: the session falls back to /bin/sh.
    let qb = sim
        .list("v1", "Pod", Some("media"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "qbittorrent")
        .and_then(|p| p["metadata"]["name"].as_str())
        .unwrap()
        .to_string();
    let (seen, done) = engine_session(&sim, "media", &qb, "gluetun", &[b"exit\r"]).await;
    assert!(seen.contains("executable file not found"), "{seen:?}");
    assert!(seen.contains("/ # exit\r\n"), "{seen:?}");
    assert_eq!(
        done,
        Ok(format!("shell /bin/sh in media/{qb}:gluetun exited (0)"))
    );

    // RBAC: no exec, no session.
    sim.deny("create", "pods/exec", "media");
    let (seen, done) = engine_session(&sim, "media", &pod, "sonarr", &[]).await;
    assert_eq!(seen, "");
    let why = done.unwrap_err();
    assert!(
        why.contains("forbidden: create pods/exec in media"),
        "{why}"
    );
}
