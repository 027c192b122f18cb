//! The real `kubectl` (v1.32, /usr/bin/kubectl) against the simulated API server: discovery,
//! Table output, describe, scale, logs (and -f), events, service proxy, RBAC, create/delete.

use k8s_nas::sim::kube::fixture;
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::kubectl_common::{start_with, Ctx};

async fn start() -> Ctx {
    start_with(fixture::small_media_world()).await
}

/// The name of the first pod labelled `app=<app>` in `media` (the fixture world's namespace).
fn pod_of(ctx: &Ctx, app: &str) -> String {
    ctx.sim
        .list("v1", "Pod", Some("media"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == app)
        .map(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string())
        .next()
        .unwrap_or_else(|| panic!("no pod for {app}"))
}

/// Collapse runs of spaces so assertions do not depend on kubectl's column alignment.
fn squash(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Split a kubectl table into rows of whitespace-separated cells.
fn rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_pods_all_namespaces_prints_kubectl_columns() {
    let ctx = start().await;
    let out = ctx.ok(&["get", "pods", "-A"]).await;
    let r = rows(&out);
    assert_eq!(
        r[0],
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{out}"
    );
    let sonarr = r
        .iter()
        .find(|row| row[1].starts_with("sonarr-"))
        .expect(&out);
    assert_eq!(sonarr[0], "media");
    assert_eq!(&sonarr[2..5], ["1/1", "Running", "0"]);
    let qb = r
        .iter()
        .find(|row| row[1].starts_with("qbittorrent-"))
        .expect(&out);
    assert_eq!(qb[2], "2/2");

    // Wide adds IP and NODE; -o json gives the objects.
    let wide = ctx.ok(&["get", "pods", "-n", "media", "-o", "wide"]).await;
    assert!(
        wide.lines().next().unwrap().contains("IP") && wide.contains("nas"),
        "{wide}"
    );
    assert!(wide.contains("10.42.0."), "{wide}");
    let js: serde_json::Value =
        serde_json::from_str(&ctx.ok(&["get", "pods", "-n", "media", "-o", "json"]).await).unwrap();
    assert_eq!(js["items"].as_array().unwrap().len(), 2);

    // A crashlooping pod shows its waiting reason and restarts like kubectl prints them.
    let mut broken = ctx
        .sim
        .get("v1", "Pod", Some("media"), &pod_of(&ctx, "sonarr"))
        .unwrap();
    broken["status"]["containerStatuses"][0]["ready"] = json!(false);
    broken["status"]["containerStatuses"][0]["restartCount"] = json!(7);
    broken["status"]["containerStatuses"][0]["state"] =
        json!({"waiting": {"reason": "CrashLoopBackOff"}});
    ctx.sim.apply(broken).unwrap();
    let out = ctx
        .ok(&["get", "pods", "-n", "media", "-l", "app=sonarr"])
        .await;
    let r = rows(&out);
    assert_eq!(&r[1][1..4], ["0/1", "CrashLoopBackOff", "7"], "{out}");
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_deploy_svc_ingress_wide() {
    let ctx = start().await;
    let out = ctx
        .ok(&["get", "deploy,svc,ingress", "-n", "media", "-o", "wide"])
        .await;
    assert!(
        out.contains("NAME                          READY   UP-TO-DATE   AVAILABLE   AGE"),
        "{out}"
    );
    let r = rows(&out);
    let dep = r
        .iter()
        .find(|x| x[0] == "deployment.apps/sonarr")
        .expect(&out);
    assert_eq!(&dep[1..4], ["1/1", "1", "1"]);
    assert_eq!(dep[5], "sonarr");
    assert_eq!(dep[6], "lscr.io/linuxserver/sonarr:4.0.19");
    assert_eq!(dep[7], "app=sonarr");
    let svc = r.iter().find(|x| x[0] == "service/sonarr").expect(&out);
    assert_eq!(svc[1], "ClusterIP");
    assert_eq!(svc[4], "8989/TCP");
    let ing = r
        .iter()
        .find(|x| x[0] == "ingress.networking.k8s.io/sonarr")
        .expect(&out);
    assert_eq!(
        &ing[1..5],
        ["traefik", "sonarr.nas.lan", "192.168.1.10", "80"]
    );

    // Short names and the rest of the kinds resolve through discovery.
    let out = ctx.ok(&["get", "pvc,cm,ep,rs", "-n", "media"]).await;
    assert!(
        out.contains("persistentvolumeclaim/sonarr-config   Bound"),
        "{out}"
    );
    assert!(out.contains("endpoints/sonarr"), "{out}");
    assert!(out.contains("replicaset.apps/sonarr-"), "{out}");
    let out = ctx.ok(&["get", "nodes", "-o", "wide"]).await;
    assert!(
        out.contains("nas    Ready    control-plane") && out.contains("192.168.1.10"),
        "{out}"
    );

    // Custom resources print their columns.
    ctx.sim
        .apply(json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "nas-tls", "namespace": "media"},
            "spec": {"secretName": "nas-tls", "issuerRef": {"name": "letsencrypt"}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "message": "Certificate is up to date"}]}}))
        .unwrap();
    ctx.sim
        .apply(
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "media", "namespace": "argocd"},
            "spec": {"project": "default"},
            "status": {"sync": {"status": "OutOfSync"}, "health": {"status": "Healthy"}}}),
        )
        .unwrap();
    ctx.sim
        .apply(json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "backup", "namespace": "media"},
            "spec": {"schedule": "0 3 * * *", "timeZone": "America/Denver", "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "backup", "image": "alpine:3.20"}], "restartPolicy": "OnFailure"}}}}},
            "status": {}}))
        .unwrap();
    ctx.sim
        .apply(json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "backup-29000000", "namespace": "media"},
            "spec": {"completions": 1, "template": {"spec": {"containers": [{"name": "backup", "image": "alpine:3.20"}]}}},
            "status": {"succeeded": 1, "startTime": "2026-01-01T03:00:00Z", "completionTime": "2026-01-01T03:00:42Z",
                "conditions": [{"type": "Complete", "status": "True"}]}}))
        .unwrap();
    let out = ctx.ok(&["get", "cj,jobs", "-n", "media"]).await;
    let r = rows(&out);
    let cj = r
        .iter()
        .find(|x| x[0] == "cronjob.batch/backup")
        .expect(&out);
    assert_eq!(
        &cj[1..9],
        ["0", "3", "*", "*", "*", "America/Denver", "False", "0"],
        "{out}"
    );
    let job = r
        .iter()
        .find(|x| x[0] == "job.batch/backup-29000000")
        .expect(&out);
    assert_eq!(&job[1..4], ["Complete", "1/1", "42s"], "{out}");

    let out = ctx
        .ok(&["get", "certificates,applications.argoproj.io", "-A"])
        .await;
    assert!(
        out.contains("certificate.cert-manager.io/nas-tls   True"),
        "{out}"
    );
    assert!(
        out.contains("application.argoproj.io/media   OutOfSync     Healthy"),
        "{out}"
    );
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_pod_and_deployment() {
    let ctx = start().await;
    let pod = pod_of(&ctx, "sonarr");
    let out = squash(&ctx.ok(&["describe", "pod", "-n", "media", &pod]).await);
    for want in [
        format!("Name: {pod}"),
        "Status: Running".into(),
        "Controlled By: ReplicaSet/sonarr-".into(),
        "ClaimName: sonarr-config".into(),
        "Readiness: http-get http://:http/ping delay=0s timeout=1s period=10s #success=1 #failure=3".into(),
        "Port: 8989/TCP".into(),
        "Normal Scheduled".into(),
        format!("default-scheduler Successfully assigned media/{pod} to nas"),
        "kubelet Started container sonarr".into(),
    ] {
        assert!(out.contains(&want), "missing {want:?} in\n{out}");
    }
    // Events come in the order they were recorded.
    assert!(
        out.find("Scheduled").unwrap() < out.find("Started container").unwrap(),
        "{out}"
    );
    let out = squash(
        &ctx.ok(&["describe", "deploy", "-n", "media", "sonarr"])
            .await,
    );
    for want in [
        "Replicas: 1 desired | 1 updated | 1 total | 1 available | 0 unavailable",
        "Selector: app=sonarr",
        "NewReplicaSet: sonarr-",
        "Normal ScalingReplicaSet",
        "Scaled up replica set sonarr-",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    let out = squash(&ctx.ok(&["describe", "svc", "-n", "media", "sonarr"]).await);
    assert!(
        out.contains("Endpoints: 10.42.0.") && out.contains(":8989"),
        "{out}"
    );
    assert!(out.contains("TargetPort: http/TCP"), "{out}");
    ctx.sim.shutdown().await;
}

async fn spawn_backend() -> std::net::SocketAddr {
    let app = axum::Router::new()
        .fallback(|uri: axum::http::Uri| async move { format!("pong from {uri}") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_to_zero_removes_pods_and_proxy_answers_503() {
    let ctx = start().await;
    ctx.sim
        .register_backend("media", "sonarr", 8989, spawn_backend().await);
    let raw = "/api/v1/namespaces/media/services/sonarr:8989/proxy/ping?x=1";
    assert_eq!(
        ctx.ok(&["get", "--raw", raw]).await.trim(),
        "pong from /ping?x=1"
    );

    let out = ctx
        .ok(&["scale", "deploy", "sonarr", "-n", "media", "--replicas=0"])
        .await;
    assert_eq!(out.trim(), "deployment.apps/sonarr scaled");
    let (ok, out, err) = ctx
        .run(&["get", "pods", "-n", "media", "-l", "app=sonarr"])
        .await;
    assert!(ok && out.is_empty(), "{out}");
    assert!(
        err.contains("No resources found in media namespace."),
        "{err}"
    );
    let out = ctx.ok(&["get", "deploy", "sonarr", "-n", "media"]).await;
    assert!(rows(&out)[1][1] == "0/0", "{out}");
    let (ok, _, err) = ctx.run(&["get", "--raw", raw]).await;
    assert!(!ok);
    assert!(
        err.contains("ServiceUnavailable") && err.contains("no endpoints available for service"),
        "{err}"
    );

    let out = ctx.ok(&["get", "events", "-n", "media"]).await;
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains("LAST SEEN   TYPE     REASON"),
        "{out}"
    );
    assert!(out.contains("Scaled down replica set sonarr-"), "{out}");
    assert!(out.contains("deployment/sonarr"), "{out}");

    ctx.ok(&["scale", "deploy/sonarr", "-n", "media", "--replicas=2"])
        .await;
    let out = ctx
        .ok(&[
            "get",
            "pods",
            "-n",
            "media",
            "-l",
            "app=sonarr",
            "--no-headers",
        ])
        .await;
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(
        ctx.ok(&["get", "--raw", raw]).await.trim(),
        "pong from /ping?x=1"
    );
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_tail_container_and_follow() {
    let ctx = start().await;
    let pod = pod_of(&ctx, "sonarr");
    let lines: Vec<String> = (1..=5).map(|i| format!("line {i}")).collect();
    ctx.sim.set_logs("media", &pod, "sonarr", lines);
    let out = ctx.ok(&["logs", "-n", "media", &pod]).await;
    assert_eq!(out, "line 1\nline 2\nline 3\nline 4\nline 5\n");
    let out = ctx
        .ok(&["logs", "-n", "media", "deploy/sonarr", "--tail=2"])
        .await;
    assert_eq!(out, "line 4\nline 5\n");
    let out = ctx
        .ok(&["logs", "-n", "media", &pod, "--tail=1", "--timestamps"])
        .await;
    assert!(out.ends_with(" line 5\n") && out.starts_with("20"), "{out}");

    let qb = pod_of(&ctx, "qbittorrent");
    let out = ctx
        .ok(&["logs", "-n", "media", &qb, "-c", "gluetun", "--tail=3"])
        .await;
    assert_eq!(out.lines().count(), 3);
    assert!(out.contains("INFO ["), "{out}");
    let (ok, _, err) = ctx.run(&["logs", "-n", "media", &qb, "-c", "nope"]).await;
    assert!(
        !ok && err.contains("container nope is not valid for pod"),
        "{err}"
    );
    let (ok, _, err) = ctx
        .run(&["logs", "-n", "media", &qb, "-c", "gluetun", "--previous"])
        .await;
    assert!(
        !ok && err.contains("previous terminated container"),
        "{err}"
    );

    // -f keeps streaming: after the tail line, new lines arrive about once a second.
    let mut child = ctx
        .cmd(&[
            "logs", "-n", "media", &qb, "-c", "gluetun", "-f", "--tail=1",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut got = Vec::new();
    let started = std::time::Instant::now();
    while got.len() < 3 {
        match tokio::time::timeout(Duration::from_secs(10), reader.next_line()).await {
            Ok(Ok(Some(l))) => got.push(l),
            other => panic!("log stream ended early: {other:?} after {got:?}"),
        }
    }
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "lines 2 and 3 were streamed, not buffered"
    );
    child.kill().await.unwrap();
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_namespace_and_can_i() {
    let ctx = start().await;
    ctx.sim.forbid_namespace("media");
    let (ok, _, err) = ctx.run(&["get", "pods", "-n", "media"]).await;
    assert!(!ok);
    assert!(
        err.contains("Error from server (Forbidden): pods is forbidden"),
        "{err}"
    );
    let (_, out, _) = ctx
        .run(&["auth", "can-i", "list", "pods", "-n", "media"])
        .await;
    assert_eq!(out.trim(), "no");
    let out = ctx
        .ok(&["auth", "can-i", "list", "pods", "-n", "default"])
        .await;
    assert_eq!(out.trim(), "yes");
    ctx.sim.shutdown().await;
}

async fn next_line(
    r: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(10), r.next_line())
        .await
        .ok()
        .and_then(|l| l.ok())
        .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_patch_delete_and_watch() {
    let ctx = start().await;
    let file = ctx.dir.path().join("cm.json");
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "media"}, "data": {"a": "1"}});
    std::fs::write(&file, manifest.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let out = ctx.ok(&["create", "-f", file]).await;
    assert_eq!(out.trim(), "configmap/settings created");
    let out = ctx
        .ok(&[
            "patch",
            "configmap",
            "settings",
            "-n",
            "media",
            "-p",
            r#"{"data":{"b":"2"}}"#,
        ])
        .await;
    assert_eq!(out.trim(), "configmap/settings patched");
    let cm = ctx
        .sim
        .get("v1", "ConfigMap", Some("media"), "settings")
        .unwrap();
    assert_eq!(cm["data"], json!({"a": "1", "b": "2"}));
    let (ok, _, err) = ctx.run(&["create", "-f", file]).await;
    assert!(!ok && err.contains("AlreadyExists"), "{err}");
    // Typed-client creates arrive as protobuf.
    let out = ctx
        .ok(&[
            "create",
            "configmap",
            "literal",
            "-n",
            "media",
            "--from-literal=x=1",
            "--from-literal=y=2",
        ])
        .await;
    assert_eq!(out.trim(), "configmap/literal created");
    let cm = ctx
        .sim
        .get("v1", "ConfigMap", Some("media"), "literal")
        .unwrap();
    assert_eq!(cm["data"], json!({"x": "1", "y": "2"}));
    // apply: a three-way merge sent as a strategic merge patch.
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "media"}, "data": {"a": "3", "b": "2"}});
    std::fs::write(file, manifest.to_string()).unwrap();
    let out = ctx.ok(&["apply", "-f", file]).await;
    assert_eq!(out.trim(), "configmap/settings configured");
    let cm = ctx
        .sim
        .get("v1", "ConfigMap", Some("media"), "settings")
        .unwrap();
    assert_eq!(cm["data"], json!({"a": "3", "b": "2"}));
    let out = ctx.ok(&["get", "cm", "settings", "-n", "media"]).await;
    assert_eq!(&rows(&out)[1][..2], ["settings", "2"]);

    // `get -w` streams Table rows as objects change.
    let mut child = ctx
        .cmd(&["get", "configmaps", "-n", "media", "-w"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(next_line(&mut reader).await.unwrap().starts_with("NAME"));
    let mut initial = vec![
        next_line(&mut reader).await.unwrap(),
        next_line(&mut reader).await.unwrap(),
    ];
    initial.sort();
    assert!(
        initial[0].starts_with("literal") && initial[1].starts_with("settings"),
        "{initial:?}"
    );
    ctx.sim
        .apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "later", "namespace": "media"}, "data": {"x": "1"}}))
        .unwrap();
    let line = next_line(&mut reader).await.unwrap();
    assert!(line.starts_with("later"), "{line}");
    child.kill().await.unwrap();

    let out = ctx
        .ok(&["delete", "configmap", "settings", "-n", "media"])
        .await;
    assert_eq!(out.trim(), "configmap \"settings\" deleted");
    assert!(ctx
        .sim
        .get("v1", "ConfigMap", Some("media"), "settings")
        .is_none());
    let (ok, _, err) = ctx.run(&["get", "cm", "settings", "-n", "media"]).await;
    assert!(
        !ok && err.contains("configmaps \"settings\" not found"),
        "{err}"
    );

    // Deleting a Deployment's pod: the controller replaces it.
    let pod = pod_of(&ctx, "sonarr");
    ctx.ok(&["delete", "pod", "-n", "media", &pod]).await;
    let now = pod_of(&ctx, "sonarr");
    assert_ne!(now, pod);

    // rollout restart changes the template: a new ReplicaSet, the old one scaled to zero.
    let old_rs = now.rsplit_once('-').unwrap().0.to_string();
    let out = ctx
        .ok(&["rollout", "restart", "deploy/sonarr", "-n", "media"])
        .await;
    assert_eq!(out.trim(), "deployment.apps/sonarr restarted");
    let out = ctx
        .ok(&[
            "rollout",
            "status",
            "deploy/sonarr",
            "-n",
            "media",
            "--timeout=20s",
        ])
        .await;
    assert!(out.contains("successfully rolled out"), "{out}");
    let fresh = pod_of(&ctx, "sonarr");
    assert!(!fresh.starts_with(&old_rs), "{fresh} still from {old_rs}");
    let out = ctx
        .ok(&["get", "rs", "-n", "media", &old_rs, "--no-headers"])
        .await;
    assert_eq!(&rows(&out)[0][1..4], ["0", "0", "0"], "{out}");

    // A bare pod is scheduled and started.
    let out = ctx
        .ok(&["run", "probe", "--image=busybox:1.36", "-n", "default"])
        .await;
    assert_eq!(out.trim(), "pod/probe created");
    let out = ctx
        .ok(&["get", "pod", "probe", "-n", "default", "--no-headers"])
        .await;
    assert_eq!(&rows(&out)[0][1..3], ["1/1", "Running"], "{out}");
    ctx.sim.shutdown().await;
}
