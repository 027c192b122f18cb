//! Issue 8 actions against the simulator, seen through a kube-rs watch: restart
//! (`rollout restart` annotation → new pods), scale to 0 and back, delete a pod (a replacement
//! comes); RBAC asked with SelfSubjectAccessReview (a denied verb is reported as forbidden);
//! the real `kubectl rollout restart` works too.

use crate::kubectl_common::start_with;
use futures::StreamExt;
use k8s_nas::cluster::workload as wl;
use k8s_nas::sim::world::{target_cluster, WorldOptions};
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::watcher;
use kube::Api;
use std::collections::BTreeSet;
use std::time::Duration;

/// Names of the pods of `app` the watch shows, after each event, until `done` holds.
async fn until<F: Fn(&BTreeSet<String>) -> bool>(
    events: &mut (impl futures::Stream<Item = Result<watcher::Event<Pod>, watcher::Error>> + Unpin),
    seen: &mut BTreeSet<String>,
    app: &str,
    done: F,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(seen) {
        let ev = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("watch never showed the change; pods {seen:?}"))
            .expect("watch open")
            .expect("watch event");
        let ours = |p: &Pod| {
            let n = p.metadata.name.clone().unwrap_or_default();
            n.starts_with(&format!("{app}-")).then_some(n)
        };
        match ev {
            watcher::Event::Apply(p) | watcher::Event::InitApply(p) => {
                if let Some(n) = ours(&p) {
                    if p.metadata.deletion_timestamp.is_some() {
                        seen.remove(&n);
                    } else {
                        seen.insert(n);
                    }
                }
            }
            watcher::Event::Delete(p) => {
                if let Some(n) = ours(&p) {
                    seen.remove(&n);
                }
            }
            watcher::Event::Init => seen.clear(),
            watcher::Event::InitDone => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_scale_delete_seen_through_the_watch_and_rbac_checked() {
    k8s_nas::init_tls();
    let world = target_cluster(&WorldOptions::default());
    let b = world
        .backends
        .iter()
        .find(|b| b.kind == k8s_nas::model::AppKind::Jellyseerr)
        .cloned()
        .unwrap();
    let (ns, app) = (b.namespace.clone(), b.service.clone());
    let ctx = start_with(world.objects).await;
    let conn = k8s_nas::cluster::connect(Some(&ctx.kubeconfig), None)
        .await
        .unwrap();
    let client = conn.client.clone();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let mut events = Box::pin(watcher(pods, watcher::Config::default()));
    let mut seen = BTreeSet::new();
    until(&mut events, &mut seen, &app, |s| s.len() == 1).await;
    let first = seen.clone();

    // RBAC allows, then one verb is denied.
    assert_eq!(wl::can_i(&client, &ns, wl::DELETE_POD).await.unwrap(), None);
    let kind = "Deployment";
    let access = wl::restart_access(kind).unwrap();
    assert_eq!(wl::can_i(&client, &ns, access).await.unwrap(), None);

    // Restart: the template annotation, then a new pod replaces the old one.
    let at = wl::rollout_restart(&client, &ns, kind, &app).await.unwrap();
    let dep = ctx
        .sim
        .get("apps/v1", "Deployment", Some(&ns), &app)
        .unwrap();
    assert_eq!(
        dep["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
        at.as_str()
    );
    until(&mut events, &mut seen, &app, |s| {
        s.len() == 1 && *s != first
    })
    .await;

    // Scale to 0 and back to 1.
    wl::scale(&client, &ns, kind, &app, 0).await.unwrap();
    until(&mut events, &mut seen, &app, |s| s.is_empty()).await;
    wl::scale(&client, &ns, kind, &app, 1).await.unwrap();
    until(&mut events, &mut seen, &app, |s| s.len() == 1).await;

    // Delete the pod: the Deployment brings a replacement.
    let victim = seen.iter().next().unwrap().clone();
    wl::delete_pod(&client, &ns, &victim).await.unwrap();
    until(&mut events, &mut seen, &app, |s| {
        s.len() == 1 && !s.contains(&victim)
    })
    .await;

    // A Role without patch on deployments: the review says so, and the patch is refused.
    ctx.sim.deny("patch", "deployments", &ns);
    let why = wl::can_i(&client, &ns, access).await.unwrap();
    assert_eq!(
        why.as_deref(),
        Some(format!("forbidden: patch deployments in {ns}: RBAC does not allow it").as_str())
    );
    let denied = wl::denied_actions(
        &client,
        std::slice::from_ref(&ns),
        &k8s_nas::bus::ACCESS_ACTIONS,
    )
    .await;
    let actions: Vec<&str> = denied.iter().map(|(_, a, _)| a.as_str()).collect();
    assert_eq!(actions, ["restart", "scale"]);
    let err = wl::rollout_restart(&client, &ns, kind, &app)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("forbidden"), "{err:#}");

    // The real kubectl (in a namespace where patch is allowed).
    let other = ctx
        .sim
        .list("apps/v1", "Deployment", None)
        .into_iter()
        .find(|d| d["metadata"]["namespace"] != ns.as_str())
        .expect("a Deployment in another namespace");
    let (ons, oname) = (
        other["metadata"]["namespace"].as_str().unwrap().to_string(),
        other["metadata"]["name"].as_str().unwrap().to_string(),
    );
    let out = ctx
        .ok(&[
            "rollout",
            "restart",
            "-n",
            &ons,
            &format!("deployment/{oname}"),
        ])
        .await;
    assert_eq!(out.trim(), format!("deployment.apps/{oname} restarted"));
    let d = ctx
        .sim
        .get("apps/v1", "Deployment", Some(&ons), &oname)
        .unwrap();
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string(),
        "{d}"
    );
    ctx.sim.shutdown().await;
}
