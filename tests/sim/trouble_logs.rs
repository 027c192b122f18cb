//! Issue 8: the crash-looping Bazarr of the degraded demo has a previous run (a Python
//! traceback ending in a config error, exit code 1) while its current container waits with no
//! output; read through kube-rs (`cluster::logs`, as the console does) and the real kubectl.

use crate::kubectl_common::{start_with, Ctx};
use futures::StreamExt;
use k8s_nas::cluster::logs::{stream, LogRequest};
use k8s_nas::sim::world::{target_cluster, WorldOptions};

async fn start() -> (Ctx, String, String) {
    let mut world = target_cluster(&WorldOptions::default());
    let b = world
        .backends
        .iter()
        .find(|b| b.kind == k8s_nas::model::AppKind::Bazarr)
        .cloned()
        .expect("bazarr in the target world");
    assert_eq!(world.crashloop(&b.namespace, &b.service, 14), 1);
    let ctx = start_with(world.objects).await;
    let pod = ctx
        .sim
        .list("v1", "Pod", Some(&b.namespace))
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str())
        .find(|n| n.starts_with(&format!("{}-", b.service)))
        .expect("bazarr pod")
        .to_string();
    (ctx, b.namespace.clone(), pod)
}

fn req(ns: &str, pod: &str, previous: bool) -> LogRequest {
    LogRequest {
        namespace: ns.into(),
        pod: pod.into(),
        container: None,
        follow: false,
        tail: Some(500),
        previous,
        timestamps: false,
        since_seconds: None,
    }
}

async fn read(ctx: &Ctx, r: &LogRequest) -> Vec<String> {
    let conn = k8s_nas::cluster::connect(Some(&ctx.kubeconfig), None)
        .await
        .unwrap();
    stream(&conn, r).await.unwrap().collect().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_run_of_crashlooping_bazarr_through_kube_rs_and_kubectl() {
    let (ctx, ns, pod) = start().await;

    let current = read(&ctx, &req(&ns, &pod, false)).await;
    assert!(
        current.is_empty(),
        "the waiting container printed {current:?}"
    );
    let prev = read(&ctx, &req(&ns, &pod, true)).await;
    assert!(
        prev.iter()
            .any(|l| l == "Traceback (most recent call last):"),
        "{prev:?}"
    );
    assert!(
        prev.iter()
            .any(|l| l.starts_with("dynaconf.validator.ValidationError: auth.type")),
        "{prev:?}"
    );
    let mut ts = req(&ns, &pod, true);
    ts.timestamps = true;
    let stamped = read(&ctx, &ts).await;
    assert!(
        stamped[0].split(' ').next().unwrap().ends_with('Z'),
        "{stamped:?}"
    );
    // The previous run ended when the pod started (the world's fixed past): nothing in 1 minute.
    let mut since = req(&ns, &pod, true);
    since.since_seconds = Some(60);
    since.tail = None;
    assert_eq!(read(&ctx, &since).await, Vec::<String>::new());

    let out = ctx.ok(&["logs", "-n", &ns, &pod, "--previous"]).await;
    assert!(out.contains("Traceback (most recent call last):"), "{out}");
    assert!(out.contains("ValidationError"), "{out}");
    let out = ctx.ok(&["logs", "-n", &ns, &pod]).await;
    assert_eq!(out, "", "current run has no output");
    let out = ctx
        .ok(&["get", "pod", "-n", &ns, &pod, "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].state.waiting.reason}"])
        .await;
    assert_eq!(out, "1 CrashLoopBackOff");
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_top_pod_reads_the_metrics_api() {
    let (ctx, ns, bazarr) = start().await;
    let out = ctx.ok(&["top", "pod", "-n", &ns]).await;
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("CPU(cores)"),
        "{out}"
    );
    assert!(out.contains("jellyfin-") && out.contains("Mi"), "{out}");
    assert!(
        !out.contains(&bazarr),
        "a crash-looping pod has no running container: {out}"
    );
    let out = ctx.ok(&["top", "pod", "-A", "--containers"]).await;
    assert!(out.contains("gluetun") || out.contains("vpn"), "{out}");
    ctx.sim.set_metrics(false);
    let (ok, _, err) = ctx.run(&["top", "pod", "-n", &ns]).await;
    assert!(!ok, "{err}");
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_usage_through_kube_rs_and_absent_metrics_api() {
    let (ctx, ns, bazarr) = start().await;
    let conn = k8s_nas::cluster::connect(Some(&ctx.kubeconfig), None)
        .await
        .unwrap();
    let usage = k8s_nas::cluster::metrics::pod_usage(&conn.client)
        .await
        .unwrap()
        .expect("the simulator serves the metrics API");
    let jellyfin = usage
        .iter()
        .find(|(k, _)| k.starts_with(&format!("{ns}/jellyfin-")))
        .map(|(_, u)| *u)
        .expect("jellyfin measured");
    // Busy, and under its 512Mi memory limit (over it, it would have been OOM-killed).
    assert!(
        jellyfin.cpu_milli >= 180
            && jellyfin.mem_bytes >= 300 << 20
            && jellyfin.mem_bytes < 512 << 20,
        "{jellyfin:?}"
    );
    assert!(!usage.contains_key(&format!("{ns}/{bazarr}")));
    ctx.sim.set_metrics(false);
    assert_eq!(
        k8s_nas::cluster::metrics::pod_usage(&conn.client)
            .await
            .unwrap(),
        None
    );
    ctx.sim.shutdown().await;
}
