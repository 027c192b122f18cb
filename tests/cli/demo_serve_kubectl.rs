//! The README's promise, end to end: `k8s-nas demo --serve` prints a kubeconfig path, the real
//! `kubectl` works against it (get, describe, scale, logs), `k8s-nas check` works with the same
//! kubeconfig, and SIGTERM stops the simulator.

use crate::common::{k8s_nas_blocking, write_config};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn kubectl(kc: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .expect("kubectl is installed (preinstalled on these machines)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn kubectl_and_check_work_against_demo_serve() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("nas.yaml");
    let mut child = k8s_nas_blocking(dir.path())
        .args([
            "demo",
            "--serve",
            "--scenario",
            "healthy",
            "--kubeconfig-out",
        ])
        .arg(&kc)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kc.exists() {
        assert!(
            Instant::now() < deadline,
            "demo --serve wrote no kubeconfig"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    // `check` handshakes with the Ingress hosts: use the ingress settings `demo --serve` prints
    // (`ingress TLS: … (config: ingress_address = "…", ingress_http_address = "…", tls_ca_file = "…")`).
    {
        use std::io::BufRead;
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let line = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.starts_with("ingress TLS: "))
            .expect("demo --serve prints the ingress settings");
        let settings = line
            .split_once("(config: ")
            .and_then(|(_, r)| r.strip_suffix(')'))
            .unwrap()
            .replace("\", ", "\"\n");
        write_config(dir.path(), &format!("{settings}\n"));
        // Keep draining what it prints so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
    }

    let (ok, out) = kubectl(&kc, &["get", "pods", "-A"]);
    assert!(ok, "{out}");
    for app in [
        "sonarr",
        "radarr",
        "lidarr",
        "prowlarr",
        "bazarr",
        "jellyseerr",
        "jellyfin",
        "qbittorrent",
        "sabnzbd",
    ] {
        assert!(out.contains(app), "{app} missing from get pods -A:\n{out}");
    }
    assert!(
        out.contains("NAMESPACE") && out.contains("Running"),
        "{out}"
    );

    let (ok, out) = kubectl(
        &kc,
        &["get", "deploy,svc,ingress", "-n", "media", "-o", "wide"],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("deployment.apps/sonarr") && out.contains("service/jellyfin"),
        "{out}"
    );
    assert!(
        out.contains("ingress.networking.k8s.io/sonarr-ingress"),
        "{out}"
    );

    let (ok, pods) = kubectl(&kc, &["get", "pods", "-n", "media", "-o", "name"]);
    assert!(ok, "{pods}");
    let sonarr_pod = pods
        .lines()
        .find(|l| l.starts_with("pod/sonarr-"))
        .expect("a sonarr pod")
        .trim_start_matches("pod/")
        .to_string();
    let (ok, out) = kubectl(&kc, &["describe", "pod", "-n", "media", &sonarr_pod]);
    assert!(ok, "{out}");
    assert!(
        out.contains("linuxserver/sonarr") && out.contains("Liveness"),
        "{out}"
    );

    let (ok, out) = kubectl(
        &kc,
        &[
            "logs",
            "-n",
            "media",
            &sonarr_pod,
            "-c",
            "sonarr",
            "--tail",
            "3",
        ],
    );
    assert!(ok && out.lines().count() >= 1, "{out}");

    // the console's own check uses the same kubeconfig
    let check = k8s_nas_blocking(dir.path())
        .args(["check", "--kubeconfig"])
        .arg(&kc)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // scale to zero: the pod goes, and the console now reports it
    let (ok, out) = kubectl(
        &kc,
        &["scale", "deploy", "sonarr", "-n", "media", "--replicas=0"],
    );
    assert!(ok && out.contains("scaled"), "{out}");
    let (_, out) = kubectl(&kc, &["get", "pods", "-n", "media"]);
    assert!(!out.contains("sonarr-"), "{out}");
    let check = k8s_nas_blocking(dir.path())
        .args(["check", "--output", "json", "--kubeconfig"])
        .arg(&kc)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(
        v["findings"].to_string().contains("pod.missing"),
        "{}",
        v["findings"]
    );

    // SIGTERM ends it cleanly
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "demo --serve exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "demo --serve ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }
}
