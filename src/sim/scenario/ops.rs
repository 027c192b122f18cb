//! `ops-faults` (issue 12): the GitOps faults a console must surface, on the target world's
//! Argo CD objects. The Applications that deploy workloads (their destination namespace runs a
//! Deployment) are found by evidence and, in name order, get: a Degraded health with a failed
//! sync operation, an OutOfSync status with automated sync off, a sync operation still
//! running. `argocd-cm` gets the target cluster's health customisations that make every
//! Certificate, Job and CronJob look Healthy (target-cluster §4). Prometheus (the simulated
//! one behind its Service) reports the VPN tunnel down and a CronJob stale (that CronJob's last
//! success is three days old), and one alert still pending; an Alertmanager (v2 API, silences)
//! next to Prometheus receives the firing two, so `:alerts` reads it and can silence.
//! The world's last CronJob (by namespace/name) gets a Job whose pod is Pending on
//! ImagePullBackOff (`job.image_pull`); a world without CronJobs gets one first. Bazarr's
//! probes aim at `/bazarr/ping` while it serves at `/`, as on the target cluster
//! (`manifest.probe_target`), Jellyfin runs without CPU/memory limits
//! (`manifest.resources`), Sonarr on `:latest` (`manifest.image_unpinned`), Prowlarr rolls out
//! with `RollingUpdate` over its RWO claim (`manifest.strategy`) and Radarr has no startup
//! probe (`manifest.startup_probe`); the apps are found by their image names.

use super::Layer;
use crate::sim::world::World;
use serde_json::{json, Value};

/// The health script of the target cluster's `argocd-cm`: Healthy whatever the resource says.
const FORCE_HEALTHY: &str =
    "hs = {}\nhs.status = \"Healthy\"\nhs.message = \"ignored\"\nreturn hs\n";

fn ts_ago(secs: i64) -> String {
    jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() - secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

/// `(namespace, name)` of the Applications whose destination namespace runs a Deployment.
fn workload_apps(world: &World) -> Vec<(String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut v: Vec<(String, String)> = world
        .of_kind("Application")
        .filter(|a| {
            let dest = &a["spec"]["destination"]["namespace"];
            world
                .of_kind("Deployment")
                .any(|d| d["metadata"]["namespace"] == *dest)
        })
        .map(|a| (s(&a["metadata"]["namespace"]), s(&a["metadata"]["name"])))
        .collect();
    v.sort();
    v
}

/// The first Deployment of the Application's destination namespace, as a resource entry.
fn resource_of(world: &World, app: &Value, status: &str, health: &str) -> Option<Value> {
    let dest = &app["spec"]["destination"]["namespace"];
    let d = world
        .of_kind("Deployment")
        .filter(|d| d["metadata"]["namespace"] == *dest)
        .min_by_key(|d| {
            d["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })?;
    Some(
        json!({"group": "apps", "version": "v1", "kind": "Deployment",
        "namespace": d["metadata"]["namespace"], "name": d["metadata"]["name"],
        "status": status, "health": {"status": health}}),
    )
}

fn app_mut<'a>(world: &'a mut World, ns: &str, name: &str) -> Option<&'a mut Value> {
    world.objects.iter_mut().find(|o| {
        o["kind"] == "Application"
            && o["metadata"]["namespace"] == ns
            && o["metadata"]["name"] == name
    })
}

/// One Application edit: the world (read) and the Application (written).
type Edit = dyn Fn(&World, &mut Value);

pub struct OpsFaults;

impl Layer for OpsFaults {
    fn name(&self) -> &'static str {
        "ops-faults"
    }

    fn about(&self) -> &'static str {
        "a Degraded Application with a failed sync, one OutOfSync with auto-sync off, one sync still running; argocd-cm forcing Certificates, Jobs and CronJobs Healthy; Prometheus firing VPNTunnelDown and CronJobStale, an Alertmanager receiving them; a Job Pending on ImagePullBackOff; Bazarr probed at /bazarr/ping while it serves at /; Jellyfin without limits; Sonarr on :latest; Prowlarr RollingUpdate over a RWO claim; Radarr without a startup probe"
    }

    fn edit_world(&self, world: &mut World) {
        let apps = workload_apps(world);
        let edits: [&Edit; 3] = [
            &|w, a| {
                let r = resource_of(w, a, "Synced", "Degraded");
                a["status"]["health"] = json!({"status": "Degraded",
                    "message": "Deployment has not progressed within its deadline"});
                a["status"]["operationState"] = json!({"phase": "Failed",
                    "message": "one or more objects failed to apply, reason: Deployment.apps is invalid: spec.template.spec.containers[0].image: Required value",
                    "startedAt": ts_ago(700), "finishedAt": ts_ago(660),
                    "operation": {"sync": {"revision": a["status"]["sync"]["revision"]}}});
                a["status"]["resources"] = json!(r.into_iter().collect::<Vec<_>>());
            },
            &|w, a| {
                let r = resource_of(w, a, "OutOfSync", "Healthy");
                a["status"]["sync"]["status"] = json!("OutOfSync");
                a["status"]["resources"] = json!(r.into_iter().collect::<Vec<_>>());
                a["spec"]["syncPolicy"] = json!({"syncOptions": ["CreateNamespace=true"]});
                a["status"]["conditions"] = json!([{"type": "SyncError",
                    "message": "automated sync is disabled: changes in Git wait for a manual sync",
                    "lastTransitionTime": ts_ago(3_600)}]);
            },
            &|_, a| {
                a["status"]["operationState"] = json!({"phase": "Running",
                    "message": "waiting for healthy state of apps/Deployment",
                    "startedAt": ts_ago(90)});
            },
        ];
        for ((ns, name), edit) in apps.iter().zip(edits) {
            let Some(snapshot) = app_mut(world, ns, name).map(|a| a.clone()) else {
                continue;
            };
            let mut a = snapshot;
            edit(world, &mut a);
            if let Some(slot) = app_mut(world, ns, name) {
                *slot = a;
            }
        }
        ensure_cronjob(world);
        fire_alerts(world);
        image_pull_job(world);
        misaimed_probe(world);
        unlimited_jellyfin(world);
        manifest_faults(world);
        // argocd-cm lives where the Applications live.
        let Some(ns) = apps.first().map(|(ns, _)| ns.clone()) else {
            return;
        };
        world.objects.retain(|o| {
            !(o["kind"] == "ConfigMap"
                && o["metadata"]["namespace"] == ns.as_str()
                && o["metadata"]["name"] == "argocd-cm")
        });
        world.objects.push(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "argocd-cm", "namespace": ns,
                "labels": {"app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"}},
            "data": {
                "resource.customizations.health.cert-manager.io_Certificate": FORCE_HEALTHY,
                "resource.customizations.health.batch_Job": FORCE_HEALTHY,
                "resource.customizations.health.batch_CronJob": FORCE_HEALTHY,
                "server.rootpath": "/argocd",
            },
        }));
    }
}

/// Prometheus (the Service of a `prom/prometheus` pod) reports two alerts firing and one
/// pending, about the Application edited first and a CronJob of the world.
fn fire_alerts(world: &mut World) {
    use crate::sim::apps::prometheus::FIRING;
    let prom_ns: Vec<String> = world
        .of_kind("Deployment")
        .filter(|d| {
            d["spec"]["template"]["spec"]["containers"]
                .as_array()
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c["image"]
                            .as_str()
                            .is_some_and(|i| i.contains("prom/prometheus"))
                    })
                })
        })
        .filter_map(|d| d["metadata"]["namespace"].as_str().map(str::to_string))
        .collect();
    let cronjob = world
        .of_kind("CronJob")
        .filter_map(|c| {
            Some((
                c["metadata"]["namespace"].as_str()?.to_string(),
                c["metadata"]["name"].as_str()?.to_string(),
            ))
        })
        .min();
    // The CronJob really is stale: its last success three days ago.
    if let Some((ns, name)) = &cronjob {
        if let Some(c) = world.objects.iter_mut().find(|o| {
            o["kind"] == "CronJob"
                && o["metadata"]["namespace"] == ns.as_str()
                && o["metadata"]["name"] == name.as_str()
        }) {
            c["status"]["lastSuccessfulTime"] = json!(ts_ago(3 * 86_400));
        }
    }
    let since = ts_ago(900);
    let mut alerts = vec![json!({
        "labels": {"alertname": "VPNTunnelDown", "severity": "critical", "namespace": "qbittorrent", "pod": "qbittorrent-0"},
        "annotations": {"summary": "VPN tunnel of qbittorrent is down", "runbook_url": "docs/runbooks/alert-VPNTunnelDown.md"},
        "state": "firing", "activeAt": since, "value": "0"})];
    if let Some((ns, name)) = cronjob {
        alerts.push(json!({
            "labels": {"alertname": "CronJobStale", "severity": "warning", "namespace": ns, "cronjob": name},
            "annotations": {"summary": format!("CronJob {ns}/{name} has not succeeded within twice its interval"),
                "runbook_url": "docs/runbooks/alert-CronJobStale.md"},
            "state": "firing", "activeAt": since, "value": "1"}));
    }
    alerts.push(json!({
        "labels": {"alertname": "CPUNearLimit", "severity": "warning", "namespace": "media", "pod": "jellyfin-0", "container": "jellyfin"},
        "annotations": {"summary": "jellyfin uses over 80 % of its CPU limit", "runbook_url": "docs/runbooks/alert-CPUNearLimit.md"},
        "state": "pending", "activeAt": ts_ago(60), "value": "0.91"}));
    let text = serde_json::to_string(&alerts).unwrap_or_default();
    for o in world.objects.iter_mut() {
        if o["kind"] == "Service"
            && o["metadata"]["namespace"]
                .as_str()
                .is_some_and(|n| prom_ns.iter().any(|p| p == n))
        {
            if !o["metadata"]["annotations"].is_object() {
                o["metadata"]["annotations"] = json!({});
            }
            o["metadata"]["annotations"][FIRING] = json!(text);
        }
    }
    // An Alertmanager next to Prometheus (the target cluster has none), receiving what fires.
    let Some(ns) = prom_ns.first() else { return };
    world.add_alertmanager(ns);
    let received: Vec<Value> = alerts
        .iter()
        .filter(|a| a["state"] == "firing")
        .map(|a| json!({"labels": a["labels"], "annotations": a["annotations"], "startsAt": a["activeAt"]}))
        .collect();
    let text = serde_json::to_string(&received).unwrap_or_default();
    for o in world.objects.iter_mut() {
        if o["kind"] == "Service"
            && o["metadata"]["namespace"] == ns.as_str()
            && o["metadata"]["name"] == "alertmanager"
        {
            if !o["metadata"]["annotations"].is_object() {
                o["metadata"]["annotations"] = json!({});
            }
            o["metadata"]["annotations"][FIRING] = json!(text);
        }
    }
}

/// The target cluster's probe mistake: Bazarr's liveness and readiness probes aim at
/// `/bazarr/ping` while it serves at `/` (or, when it serves under a base, at `/ping` without
/// it) — `manifest.probe_target`. Bazarr is found by its image; its base from the world.
fn misaimed_probe(world: &mut World) {
    use crate::model::AppKind;
    let Some(b) = world
        .backends
        .iter()
        .find(|b| b.kind == AppKind::Bazarr)
        .cloned()
    else {
        return;
    };
    let wrong = if b.url_base.is_empty() {
        "/bazarr/ping".to_string()
    } else {
        "/ping".to_string()
    };
    for o in world.objects.iter_mut() {
        let ours = o["kind"] == "Deployment" && o["metadata"]["namespace"] == b.namespace.as_str();
        let Some(cs) = ours
            .then(|| o["spec"]["template"]["spec"]["containers"].as_array_mut())
            .flatten()
        else {
            continue;
        };
        for c in cs {
            if !c["image"].as_str().is_some_and(|i| i.contains("bazarr")) {
                continue;
            }
            for p in ["livenessProbe", "readinessProbe"] {
                if c[p]["httpGet"].is_object() {
                    c[p]["httpGet"]["path"] = json!(wrong);
                }
            }
        }
    }
}

/// Jellyfin (found by its image) without CPU/memory limits — `manifest.resources`.
fn unlimited_jellyfin(world: &mut World) {
    for o in world.objects.iter_mut() {
        if !matches!(o["kind"].as_str(), Some("Deployment" | "StatefulSet")) {
            continue;
        }
        for c in o["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if c["image"]
                .as_str()
                .is_some_and(|i| i.contains("jellyfin/jellyfin"))
            {
                if let Some(r) = c["resources"].as_object_mut() {
                    r.remove("limits");
                }
            }
        }
    }
}

/// The workloads (Deployments, StatefulSets) whose app container's image name is `name`
/// (`docker.io/linuxserver/sonarr:4.0.15` → `sonarr`), with that container's index.
fn each_app_container(world: &mut World, name: &str, mut f: impl FnMut(&mut Value, usize)) {
    for o in world.objects.iter_mut() {
        if !matches!(o["kind"].as_str(), Some("Deployment" | "StatefulSet")) {
            continue;
        }
        let idx = o["spec"]["template"]["spec"]["containers"]
            .as_array()
            .and_then(|cs| {
                cs.iter().position(|c| {
                    c["image"]
                        .as_str()
                        .and_then(|i| i.split('@').next()?.rsplit('/').next())
                        .and_then(|last| last.split(':').next())
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            });
        if let Some(i) = idx {
            f(o, i);
        }
    }
}

/// Three manifest mistakes the audit must name: Sonarr on `:latest`, Prowlarr rolling out
/// with `RollingUpdate` (its config is a RWO claim), Radarr without its startup probe.
fn manifest_faults(world: &mut World) {
    each_app_container(world, "sonarr", |w, i| {
        let c = &mut w["spec"]["template"]["spec"]["containers"][i];
        let image = c["image"].as_str().unwrap_or_default();
        let image = image.split('@').next().unwrap_or(image);
        let repo = match image.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => repo.to_string(),
            _ => image.to_string(),
        };
        c["image"] = json!(format!("{repo}:latest"));
        c["imagePullPolicy"] = json!("Always");
    });
    each_app_container(world, "prowlarr", |w, _| {
        if w["kind"] == "Deployment" {
            w["spec"]["strategy"] = json!({"type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}});
        }
    });
    each_app_container(world, "radarr", |w, i| {
        if let Some(c) = w["spec"]["template"]["spec"]["containers"][i].as_object_mut() {
            c.remove("startupProbe");
        }
    });
}

/// A world without CronJobs gets one (in the namespace of its first Deployment), so the stale
/// CronJob of the alert is a real object.
fn ensure_cronjob(world: &mut World) {
    if world.of_kind("CronJob").next().is_some() {
        return;
    }
    let Some(ns) = world
        .of_kind("Deployment")
        .filter_map(|d| d["metadata"]["namespace"].as_str().map(str::to_string))
        .min()
    else {
        return;
    };
    world.objects.push(json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly-report", "namespace": ns, "creationTimestamp": ts_ago(86_400 * 30)},
        "spec": {"schedule": "@daily", "suspend": false,
            "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "report", "image": "busybox:1.36", "command": ["/bin/sh", "-c", "date"]}]}}}}},
        "status": {"lastScheduleTime": ts_ago(3_600), "lastSuccessfulTime": ts_ago(3_600)},
    }));
}

/// A Job of the world's last CronJob whose pod cannot pull its image (a tag that does not
/// exist): the pod is Pending on ImagePullBackOff.
fn image_pull_job(world: &mut World) {
    let Some(cj) = world
        .of_kind("CronJob")
        .max_by_key(|c| {
            (
                c["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                c["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .cloned()
    else {
        return;
    };
    let ns = cj["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let cj_name = cj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let job = format!("{cj_name}-29410200");
    let pod = format!("{job}-x7k2q");
    let uid = |kind: &str, name: &str| {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in format!("{kind}/{ns}/{name}").bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        format!(
            "{:08x}-0000-4000-8000-{:012x}",
            h >> 32,
            h & 0xffff_ffff_ffff
        )
    };
    let cj_uid = cj["metadata"]["uid"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| uid("CronJob", &cj_name));
    let job_uid = uid("Job", &job);
    let mut template = cj["spec"]["jobTemplate"]["spec"]["template"].clone();
    let image = "registry.example.invalid/ops/job-runner:0.0.0-missing";
    if let Some(c) = template["spec"]["containers"][0].as_object_mut() {
        c.insert("image".into(), json!(image));
    }
    let container = template["spec"]["containers"][0]["name"]
        .as_str()
        .unwrap_or("job")
        .to_string();
    let started = ts_ago(1_200);
    world.objects.push(json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": job, "namespace": ns, "uid": job_uid, "creationTimestamp": started,
            "labels": {"job-name": job, "batch.kubernetes.io/job-name": job},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cj_name,
                "uid": cj_uid, "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"backoffLimit": 0, "template": template},
        "status": {"active": 1, "startTime": started, "ready": 0},
    }));
    world.objects.push(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod, "namespace": ns, "creationTimestamp": started,
            "labels": {"job-name": job, "batch.kubernetes.io/job-name": job},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": job,
                "uid": job_uid, "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"restartPolicy": "Never", "containers": [{"name": container, "image": image}]},
        "status": {"phase": "Pending", "startTime": started,
            "conditions": [{"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [{"name": container, "image": image, "imageID": "", "ready": false,
                "restartCount": 0, "started": false,
                "state": {"waiting": {"reason": "ImagePullBackOff",
                    "message": format!("Back-off pulling image \"{image}\"")}}}]},
    }));
    if let Some(c) = world.objects.iter_mut().find(|o| {
        o["kind"] == "CronJob"
            && o["metadata"]["namespace"] == ns.as_str()
            && o["metadata"]["name"] == cj_name.as_str()
    }) {
        c["status"]["active"] = json!([{"apiVersion": "batch/v1", "kind": "Job", "name": job, "namespace": ns, "uid": job_uid}]);
        c["status"]["lastScheduleTime"] = json!(started);
    }
}
