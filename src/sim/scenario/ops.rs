//! `ops-faults` (issue 12): the GitOps faults a console must surface, on the target world's
//! Argo CD objects. The Applications that deploy workloads (their destination namespace runs a
//! Deployment) are found by evidence and, in name order, get: a Degraded health with a failed
//! sync operation, an OutOfSync status with automated sync off, a sync operation still
//! running. `argocd-cm` gets the target cluster's health customisations that make every
//! Certificate, Job and CronJob look Healthy (target-cluster §4).

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
        "a Degraded Application with a failed sync, one OutOfSync with auto-sync off, one sync still running; argocd-cm forcing Certificates, Jobs and CronJobs Healthy"
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
