//! GitOps actions against the simulator's Argo CD controller (`ops-faults`): a sync request
//! turns the OutOfSync Application Synced with a Succeeded operation; a sync while an
//! operation runs is refused and writes nothing; a refresh is picked up (annotation removed,
//! reconciledAt set). The watched listing gives the same facts the pane and `check` use.

use k8s_nas::gitops::{actions, app_state};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use kube::api::DynamicObject;

fn apps(nas: &SimNas) -> Vec<k8s_nas::gitops::AppState> {
    nas.kube
        .list("argoproj.io/v1alpha1", "Application", None)
        .into_iter()
        .map(|v| app_state(&serde_json::from_value::<DynamicObject>(v).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_and_refresh_against_the_simulated_argo_cd() {
    k8s_nas::init_tls();
    let nas = SimNas::start(Scenario::parse("ops-faults").unwrap(), None)
        .await
        .unwrap();
    let client = nas.kube.kube_client().await.unwrap();
    let all = apps(&nas);
    let out = all
        .iter()
        .find(|a| a.sync == "OutOfSync")
        .expect("an OutOfSync app");
    assert!(!out.auto_sync && !out.out_of_sync.is_empty(), "{out:?}");
    let running = all
        .iter()
        .find(|a| a.operation_running())
        .expect("a running op");
    assert!(all
        .iter()
        .any(|a| a.health == "Degraded" && a.phase.as_deref() == Some("Failed")));

    // Sync the OutOfSync one: the controller runs the operation.
    actions::sync(&client, &out.namespace, &out.name)
        .await
        .unwrap();
    let after = apps(&nas).into_iter().find(|a| a.name == out.name).unwrap();
    assert_eq!(after.sync, "Synced");
    assert_eq!(after.phase.as_deref(), Some("Succeeded"));
    assert!(
        !after.operation_requested && after.out_of_sync.is_empty(),
        "{after:?}"
    );

    // A sync while an operation runs is refused and nothing is written.
    let err = actions::sync(&client, &running.namespace, &running.name)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("already in progress"), "{err}");
    let still = apps(&nas)
        .into_iter()
        .find(|a| a.name == running.name)
        .unwrap();
    assert_eq!(still.phase.as_deref(), Some("Running"));
    assert!(!still.operation_requested);

    // Refresh: the controller removes the annotation and stamps reconciledAt.
    let before = nas
        .kube
        .get(
            "argoproj.io/v1alpha1",
            "Application",
            Some(&out.namespace),
            &out.name,
        )
        .unwrap()["status"]["reconciledAt"]
        .clone();
    actions::refresh(&client, &out.namespace, &out.name, false)
        .await
        .unwrap();
    let v = nas
        .kube
        .get(
            "argoproj.io/v1alpha1",
            "Application",
            Some(&out.namespace),
            &out.name,
        )
        .unwrap();
    assert!(
        v["metadata"]["annotations"]["argocd.argoproj.io/refresh"].is_null(),
        "{v:#}"
    );
    assert_ne!(v["status"]["reconciledAt"], before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_faults_world_carries_the_health_overrides() {
    let nas = SimNas::start(Scenario::parse("ops-faults").unwrap(), None)
        .await
        .unwrap();
    let cm = nas
        .kube
        .list("v1", "ConfigMap", None)
        .into_iter()
        .find(|c| c["metadata"]["name"] == "argocd-cm")
        .expect("argocd-cm");
    let data: std::collections::BTreeMap<String, String> =
        serde_json::from_value(cm["data"].clone()).unwrap();
    let kinds: Vec<String> = k8s_nas::gitops::health_overrides("argocd/argocd-cm", &data)
        .into_iter()
        .map(|o| o.kind)
        .collect();
    assert_eq!(
        kinds,
        ["batch/CronJob", "batch/Job", "cert-manager.io/Certificate"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applicationset_refresh_is_picked_up_by_the_simulated_controller() {
    k8s_nas::init_tls();
    let nas = SimNas::start(Scenario::parse("healthy").unwrap(), None)
        .await
        .unwrap();
    let client = nas.kube.kube_client().await.unwrap();
    let sets = nas
        .kube
        .list("argoproj.io/v1alpha1", "ApplicationSet", None);
    let set = sets.first().expect("the demo world has an ApplicationSet");
    let ns = set["metadata"]["namespace"].as_str().unwrap();
    let name = set["metadata"]["name"].as_str().unwrap();
    actions::refresh_appset(&client, ns, name).await.unwrap();
    let after = nas
        .kube
        .get("argoproj.io/v1alpha1", "ApplicationSet", Some(ns), name)
        .unwrap();
    assert!(
        after["metadata"]["annotations"][actions::APPSET_REFRESH].is_null(),
        "{after}"
    );
    let up_to_date = after["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "ResourcesUpToDate" && c["status"] == "True");
    assert!(up_to_date, "{after}");
}
