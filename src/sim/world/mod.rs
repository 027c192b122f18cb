//! The simulated cluster's Kubernetes objects, as JSON values the fake API server serves as-is.
//!
//! Two worlds: [`target_cluster`] shaped like `brettswift/k8s_nas` (see
//! `shared/docs/target-cluster.md`) and [`variant_cluster`], the same stack with other names,
//! namespaces, images, ports and URL bases, so discovery is proven not to depend on the names.
//! Each world is a table of rows ([`build::AppSpec`]) turned into objects by builder functions.

mod build;
pub mod crds;
mod objects;
mod platform;
mod target;
pub mod tls;
mod variant;

use crate::model::{AppKind, Secret};
use crate::sim::apps::AppSimConfig;
pub(crate) use build::secret;
use build::{configmap, namespace, node, AppSpec};
use objects::Ctx;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A simulated cluster. `Debug` masks the keys and the password.
#[derive(Clone)]
pub struct World {
    /// Every object (Namespaces, Node, workloads, Pods, Services, Ingresses, PVCs, PVs,
    /// ConfigMaps, Secrets, Events; on the target cluster also the cert-manager and Argo CD
    /// CRDs with their custom resources, TLS Secrets and CronJobs).
    pub objects: Vec<Value>,
    /// The API key each app really has in its own config (what the app simulators use).
    pub app_keys: BTreeMap<AppKind, String>,
    /// Services the demo must start a simulator for.
    pub backends: Vec<Backend>,
    /// qBittorrent WebUI password (`admin`), as in the cluster's Secret.
    pub qbittorrent_password: String,
}

/// One app Service the demo backs with a simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub namespace: String,
    pub service: String,
    /// The Service port (Jellyfin: 80 on the target cluster).
    pub port: u16,
    pub kind: AppKind,
    /// The URL base the app really serves under (`""` or `/sonarr`).
    pub url_base: String,
}

#[derive(Debug, Clone)]
pub struct WorldOptions {
    pub seed: u64,
    /// Unrelated pods added for benchmarks (Job pods in namespace `batch`).
    pub extra_pods: usize,
    pub now: jiff::Timestamp,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            seed: 1,
            extra_pods: 0,
            now: jiff::Timestamp::now(),
        }
    }
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: BTreeMap<AppKind, Secret> = self
            .app_keys
            .iter()
            .map(|(k, v)| (*k, Secret::new(v.clone())))
            .collect();
        f.debug_struct("World")
            .field("objects", &self.objects.len())
            .field("app_keys", &keys)
            .field("backends", &self.backends)
            .field(
                "qbittorrent_password",
                &Secret::new(self.qbittorrent_password.clone()),
            )
            .finish()
    }
}

impl World {
    /// Add an Alertmanager to `namespace` (a Deployment with its running pod and a Service
    /// `alertmanager` on 9093, probed at `/-/healthy`), built like the world's other workloads;
    /// the `ops-faults` layer puts one next to Prometheus. The node is the world's own.
    pub fn add_alertmanager(&mut self, namespace: &str) {
        use build::{Probe, SvcSpec, Target};
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let node = self
            .of_kind("Node")
            .find_map(|n| n["metadata"]["name"].as_str())
            .unwrap_or("nas");
        let mut ctx = Ctx::new(1, jiff::Timestamp::now(), leak(node));
        let spec = AppSpec {
            probe: Probe::Http("/-/healthy"),
            service: Some(SvcSpec {
                name: "alertmanager",
                port: 9093,
                port_name: Some("http"),
                target: Target::Number,
                extra: vec![],
            }),
            ..AppSpec::new(
                None,
                leak(namespace),
                "alertmanager",
                "quay.io/prometheus/alertmanager:v0.28.1",
                9093,
            )
        };
        self.objects.extend(build::build(&mut ctx, &spec));
    }

    /// One simulator config per backend: kind, namespace, URL base, the app's own key and, for
    /// qBittorrent, the WebUI password. Faults and seed stay at their defaults.
    pub fn sim_configs(&self) -> Vec<(Backend, AppSimConfig)> {
        self.backends
            .iter()
            .map(|b| {
                let key = self.app_keys.get(&b.kind).map(String::as_str).unwrap_or("");
                let mut c = AppSimConfig::new(b.kind, &b.url_base, key);
                c.namespace = b.namespace.clone();
                if b.kind == AppKind::Qbittorrent {
                    c.password = self.qbittorrent_password.clone();
                }
                (b.clone(), c)
            })
            .collect()
    }

    /// The same cluster without cert-manager and Argo CD installed: their CRDs and every
    /// custom resource of their groups are gone (the API server then does not serve them).
    /// Returns how many objects were removed.
    pub fn without_custom_resources(&mut self) -> usize {
        let before = self.objects.len();
        let groups: Vec<String> = self
            .of_kind("CustomResourceDefinition")
            .filter_map(|c| c["spec"]["group"].as_str().map(String::from))
            .collect();
        self.objects.retain(|o| {
            let group = o["apiVersion"].as_str().and_then(|v| v.split_once('/'));
            o["kind"] != "CustomResourceDefinition"
                && !group.is_some_and(|(g, _)| groups.iter().any(|x| x == g))
        });
        before - self.objects.len()
    }

    /// Objects of one kind (`"Pod"`, `"Service"` …).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().filter(move |o| o["kind"] == kind)
    }

    /// The first object of `kind` named `name` in `namespace` (`""` for cluster-scoped).
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&Value> {
        self.objects.iter().find(|o| {
            o["kind"] == kind
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"].as_str().unwrap_or("") == namespace
        })
    }

    /// Make the pod(s) of `workload` in `namespace` crash-loop: app container waiting in
    /// `CrashLoopBackOff` after `restarts` restarts, last terminated with `Error`, pod not Ready.
    /// Returns how many pods were changed.
    pub fn crashloop(&mut self, namespace: &str, workload: &str, restarts: u32) -> usize {
        let mut n = 0;
        for pod in self
            .objects
            .iter_mut()
            .filter(|o| is_pod_of(o, namespace, workload))
        {
            let at = pod["status"]["startTime"].clone();
            n += usize::from(crashloop_pod(pod, restarts, &at));
        }
        n
    }
}

/// Whether `o` is a pod of `workload` in `namespace` (named `<workload>-…`).
pub fn is_pod_of(o: &Value, namespace: &str, workload: &str) -> bool {
    o["kind"] == "Pod"
        && o["metadata"]["namespace"] == namespace
        && o["metadata"]["name"]
            .as_str()
            .and_then(|s| s.strip_prefix(workload))
            .is_some_and(|rest| rest.starts_with('-'))
}

/// One pod crash-looping: its app container (the last) waiting in `CrashLoopBackOff` after
/// `restarts` restarts, last run and terminated with `Error` at `at`; the pod not Ready. False
/// when the pod has no container statuses.
pub fn crashloop_pod(pod: &mut Value, restarts: u32, at: &Value) -> bool {
    let Some(app) = pod["status"]["containerStatuses"]
        .as_array_mut()
        .and_then(|s| s.last_mut())
    else {
        return false;
    };
    app["ready"] = json!(false);
    app["started"] = json!(false);
    app["restartCount"] = json!(restarts);
    app["state"] = json!({"waiting": {"reason": "CrashLoopBackOff",
        "message": "back-off 5m0s restarting failed container"}});
    app["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error",
        "startedAt": at, "finishedAt": at}});
    set_ready_conditions(pod, false);
    true
}

/// One pod running again after a restart: its app container (the last) running since
/// `started_at` and Ready (the restart count and last termination stay); the pod Ready.
pub fn recover_pod(pod: &mut Value, started_at: &str) {
    if let Some(app) = pod["status"]["containerStatuses"]
        .as_array_mut()
        .and_then(|s| s.last_mut())
    {
        app["ready"] = json!(true);
        app["started"] = json!(true);
        app["state"] = json!({"running": {"startedAt": started_at}});
    }
    set_ready_conditions(pod, true);
}

fn set_ready_conditions(pod: &mut Value, ready: bool) {
    if let Some(conds) = pod["status"]["conditions"].as_array_mut() {
        for c in conds.iter_mut() {
            if c["type"] == "Ready" || c["type"] == "ContainersReady" {
                c["status"] = json!(if ready { "True" } else { "False" });
                if let Some(m) = c.as_object_mut() {
                    if ready {
                        m.remove("reason");
                    } else {
                        m.insert("reason".into(), json!("ContainersNotReady"));
                    }
                }
            }
        }
    }
}

/// The qBittorrent WebUI password of a world built from `seed`.
pub fn qbittorrent_password(seed: u64) -> String {
    format!(
        "{:012x}",
        build::mix(seed, "qbittorrent-password") & 0xffff_ffff_ffff
    )
}

/// The API key `kind` has in its own config: 32 lower-case hex digits derived from `seed`.
pub fn app_key(seed: u64, kind: AppKind) -> String {
    format!(
        "{:016x}{:016x}",
        build::mix(seed, &format!("key/{}", kind.id())),
        build::mix(seed.rotate_left(17), &format!("key2/{}", kind.id()))
    )
}

/// A cluster shaped like `brettswift/k8s_nas` (branch `live`).
pub fn target_cluster(opts: &WorldOptions) -> World {
    let mut ctx = Ctx::new(opts.seed, opts.now, "home-server");
    let keys = keys(opts.seed);
    let mut extra = target_extras(&ctx, &keys);
    extra.extend(platform::objects(&ctx));
    let mut world = assemble(
        &mut ctx,
        opts,
        target::NAMESPACES,
        target::rows(),
        extra,
        keys,
    );
    // The `sync-cert-secret` CronJob copies each TLS Secret next to the Ingresses using it.
    let mut copies: Vec<(String, (&str, &str, &str))> = Vec::new();
    for ing in world.of_kind("Ingress") {
        let ns = ing["metadata"]["namespace"].as_str().unwrap_or("");
        for t in ing["spec"]["tls"].as_array().into_iter().flatten() {
            let want = t["secretName"].as_str().unwrap_or("");
            for &c in platform::CERTIFICATES.iter().filter(|c| c.1 == want) {
                if ns != "kube-system" && !copies.iter().any(|(n, x)| n == ns && x.1 == want) {
                    copies.push((ns.to_string(), c));
                }
            }
        }
    }
    for (ns, c) in copies {
        world
            .objects
            .push(platform::certificate_secret(&ctx, &ns, c));
    }
    world
}

/// The same stack under other names, namespaces, images, ports and URL bases.
pub fn variant_cluster(opts: &WorldOptions) -> World {
    let mut ctx = Ctx::new(opts.seed, opts.now, "nas-01");
    let keys = keys(opts.seed);
    let extra = variant::extras(&keys, qbittorrent_password(opts.seed));
    assemble(
        &mut ctx,
        opts,
        variant::NAMESPACES,
        variant::rows(),
        extra,
        keys,
    )
}

fn keys(seed: u64) -> BTreeMap<AppKind, String> {
    AppKind::ALL
        .into_iter()
        .map(|k| (k, app_key(seed, k)))
        .collect()
}

fn assemble(
    ctx: &mut Ctx,
    opts: &WorldOptions,
    namespaces: &[&str],
    rows: Vec<AppSpec>,
    extra: Vec<Value>,
    app_keys: BTreeMap<AppKind, String>,
) -> World {
    let created = ctx.ago(86_400 * 200);
    let mut objects = vec![node(ctx)];
    let mut all_ns: Vec<&str> = vec!["default", "kube-public", "kube-node-lease"];
    all_ns.extend(namespaces);
    if opts.extra_pods > 0 {
        all_ns.push("batch");
    }
    objects.extend(all_ns.iter().map(|ns| namespace(ns, &created)));
    let mut backends = vec![];
    for row in &rows {
        objects.extend(build::build(ctx, row));
        if let (Some(kind), Some(svc)) = (row.kind, &row.service) {
            backends.push(Backend {
                namespace: row.namespace.to_string(),
                service: svc.name.to_string(),
                port: svc.port,
                kind,
                url_base: row.url_base.to_string(),
            });
        }
    }
    objects.extend(extra);
    objects.extend(extra_pods(ctx, opts.extra_pods));
    World {
        objects,
        app_keys,
        backends,
        qbittorrent_password: qbittorrent_password(opts.seed),
    }
}

/// `n` Job pods in namespace `batch`, mostly Succeeded, some Running.
fn extra_pods(ctx: &mut Ctx, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let job = format!("report-{:05}", i / 2);
            let name = format!("{job}-{}", ctx.suffix(&format!("job/{i}"), 5));
            let running = i % 7 == 0;
            let started = ctx.ago(600 + i as i64);
            let ip = ctx.pod_ip();
            let state = if running {
                json!({"running": {"startedAt": started}})
            } else {
                json!({"terminated": {"exitCode": 0, "reason": "Completed",
                    "startedAt": started, "finishedAt": started}})
            };
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "batch", "creationTimestamp": started,
                    "labels": {"job-name": job, "batch.kubernetes.io/job-name": job},
                    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": job,
                        "uid": ctx.uid(&format!("Job/batch/{job}")),
                        "controller": true}]},
                "spec": {"nodeName": ctx.node, "restartPolicy": "Never",
                    "containers": [{"name": "report", "image": "busybox:1.36",
                        "command": ["sh", "-c", "sleep 30"]}]},
                "status": {"phase": if running { "Running" } else { "Succeeded" },
                    "podIP": ip, "startTime": started,
                    "conditions": [{"type": "Ready", "status": if running { "True" } else { "False" }}],
                    "containerStatuses": [{"name": "report", "image": "busybox:1.36",
                        "imageID": "docker.io/library/busybox@sha256:7c3c3cea5d4d6133d6a694d23382f6a7b32652f23855abdba3eb039ca5995447",
                        "containerID": format!("containerd://{:016x}", ctx.hash(&name)),
                        "ready": running, "restartCount": 0, "started": running, "state": state}]},
            })
        })
        .collect()
}

/// ConfigMaps, Secrets and Events of the target cluster.
fn target_extras(ctx: &Ctx, keys: &BTreeMap<AppKind, String>) -> Vec<Value> {
    let svc_url = |name: &str, port: u16| format!("http://{name}.media.svc.cluster.local:{port}");
    let mut out = vec![
        configmap(
            "media",
            "starr-common-config",
            &[
                ("PUID", "1000".into()),
                ("PGID", "1000".into()),
                ("TZ", "America/Denver".into()),
                ("SONARR_URL", svc_url("sonarr", 8989)),
                ("RADARR_URL", svc_url("radarr", 7878)),
                ("LIDARR_URL", svc_url("lidarr", 8686)),
                ("BAZARR_URL", svc_url("bazarr", 6767)),
                ("PROWLARR_URL", svc_url("prowlarr", 9696)),
                ("JELLYSEERR_URL", svc_url("jellyseerr", 5055)),
                (
                    "QBITTORRENT_URL",
                    "http://qbittorrent.qbittorrent.svc.cluster.local:8080".into(),
                ),
                (
                    "SABNZBD_URL",
                    format!("{}/sabnzbd", svc_url("sabnzbd", 8080)),
                ),
                ("FLARESOLVERR_URL", svc_url("flaresolverr", 8191)),
                (
                    "SAB_HOST_WHITELIST",
                    "home.brettswift.com,home.brettswift.com:443,localhost,127.0.0.1,sabnzbd,\
                     sabnzbd.media.svc.cluster.local"
                        .into(),
                ),
            ],
        ),
        configmap(
            "media",
            "jellyfin-config",
            &[(
                "network.xml",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<NetworkConfiguration>\n  \
                 <BaseUrl>/jellyfin</BaseUrl>\n  <EnableHttps>false</EnableHttps>\n  \
                 <InternalHttpPort>8096</InternalHttpPort>\n  <KnownProxies>\n    \
                 <string>10.42.0.0/16</string>\n  </KnownProxies>\n</NetworkConfiguration>\n"
                    .into(),
            )],
        ),
        configmap(
            "qbittorrent",
            "qbittorrent-scripts",
            &[(
                "notify_f1.sh",
                "#!/bin/sh\necho \"completed: $1\" >> /config/f1-completed.log\n".into(),
            )],
        ),
    ];
    let key = |k: AppKind| keys.get(&k).cloned().unwrap_or_default();
    let starr: Vec<(&str, String)> = AppKind::ALL
        .into_iter()
        .filter_map(|k| k.secret_key_name().map(|n| (n, key(k))))
        .collect();
    out.push(secret("media", "starr-secrets", &starr));
    let pw = qbittorrent_password(ctx.seed);
    out.push(secret(
        "qbittorrent",
        "qbittorrent-secrets",
        &[("WEBUI_PASSWORD", pw)],
    ));
    for ns in ["media", "qbittorrent"] {
        out.push(secret(
            ns,
            "vpn-secrets",
            &[
                ("OPENVPN_USER", "nas-user@example.invalid".into()),
                ("OPENVPN_PASSWORD", format!("{:016x}", ctx.hash("openvpn"))),
            ],
        ));
    }
    // A few Events beyond the per-pod `Started` ones: SABnzbd's restarts under load (§8.1 #14).
    let sab_pod = format!("sabnzbd-{}", ctx.suffix("rs/media/sabnzbd", 10));
    let sab_pod = format!("{sab_pod}-{}", ctx.suffix("pod/media/sabnzbd", 5));
    out.push(build::event(
        ctx,
        "media",
        &sab_pod,
        "Warning",
        "Unhealthy",
        "Liveness probe failed: dial tcp 10.42.0.18:8080: connect: connection refused",
        7_200,
    ));
    out.push(build::event(
        ctx,
        "media",
        &sab_pod,
        "Normal",
        "Killing",
        "Container sabnzbd failed liveness probe, will be restarted",
        7_190,
    ));
    out.push(build::event(
        ctx,
        "qbittorrent",
        "qbittorrent-f1-scraper-29403720-x7k2p",
        "Normal",
        "Completed",
        "Job completed",
        3_600,
    ));
    out.push(secret(
        "media",
        "sabnzbd-wireguard-config",
        &[
            (
                "WIREGUARD_PRIVATE_KEY",
                format!("{:016x}=", ctx.hash("wg-private")),
            ),
            ("WIREGUARD_ADDRESSES", "10.64.0.2/32".into()),
            (
                "WIREGUARD_PUBLIC_KEY",
                format!("{:016x}=", ctx.hash("wg-public")),
            ),
            ("WIREGUARD_ENDPOINT_IP", "198.51.100.20".into()),
            ("WIREGUARD_ENDPOINT_PORT", "51820".into()),
        ],
    ));
    out
}

#[cfg(test)]
mod tests;
