//! Scale, create/patch/replace/delete, StatefulSets, world adoption, status, logs.

use super::common::*;
use futures::TryStreamExt;
use k8s_nas::sim::kube::{fixture, KubeSim};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn scaling_a_deployment_changes_pods_status_and_events() {
    let (sim, client) = start().await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "media");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let scale = deploys.get_scale("sonarr").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(1));

    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    let listed = pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
    for p in &listed.items {
        let name = p.metadata.name.as_deref().unwrap();
        let parts: Vec<&str> = name.rsplitn(3, '-').collect();
        assert_eq!(parts.len(), 3, "{name} is <deploy>-<hash>-<suffix>");
        assert_eq!(parts[0].len(), 5);
        let statuses = p
            .status
            .as_ref()
            .unwrap()
            .container_statuses
            .as_ref()
            .unwrap();
        assert!(statuses.iter().all(|c| c.ready));
    }
    let d = deploys.get("sonarr").await.unwrap();
    let st = d.status.unwrap();
    assert_eq!(
        (
            st.replicas,
            st.ready_replicas,
            st.available_replicas,
            st.updated_replicas
        ),
        (Some(3), Some(3), Some(3), Some(3))
    );

    deploys
        .patch_scale(
            "sonarr",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
        )
        .await
        .unwrap();
    assert!(pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap()
        .items
        .is_empty());
    let d = deploys.get("sonarr").await.unwrap();
    assert_eq!(d.status.unwrap().ready_replicas.unwrap_or(0), 0);
    let events: Api<Event> = Api::namespaced(client.clone(), "media");
    let evs = events
        .list(
            &ListParams::default()
                .fields("involvedObject.kind=Deployment,involvedObject.name=sonarr"),
        )
        .await
        .unwrap();
    let msgs: Vec<String> = evs
        .items
        .iter()
        .filter(|e| e.reason.as_deref() == Some("ScalingReplicaSet"))
        .filter_map(|e| e.message.clone())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("from 1 to 3")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("from 3 to 0")), "{msgs:?}");

    // A deleted pod of a Deployment is replaced.
    let qb = pods
        .list(&ListParams::default().labels("app=qbittorrent"))
        .await
        .unwrap();
    let old = qb.items[0].metadata.name.clone().unwrap();
    pods.delete(&old, &DeleteParams::default()).await.unwrap();
    let qb = pods
        .list(&ListParams::default().labels("app=qbittorrent"))
        .await
        .unwrap();
    assert_eq!(qb.items.len(), 1);
    assert_ne!(qb.items[0].metadata.name.as_deref(), Some(old.as_str()));
    sim.shutdown().await;
}

#[tokio::test]
async fn create_patch_replace_delete_round_trip() {
    let (sim, client) = start().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "media");
    let cm: ConfigMap = serde_json::from_value(configmap("settings", "1")).unwrap();
    let created = cms.create(&PostParams::default(), &cm).await.unwrap();
    assert!(created.metadata.uid.is_some());
    match cms.create(&PostParams::default(), &cm).await {
        Err(kube::Error::Api(s)) => assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists")),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let merged = cms
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"other": "2"}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data.as_ref().unwrap().len(), 2);
    let jp: json_patch::Patch =
        serde_json::from_value(json!([{"op": "remove", "path": "/data/key"}])).unwrap();
    let patched = cms
        .patch("settings", &PatchParams::default(), &Patch::<()>::Json(jp))
        .await
        .unwrap();
    assert_eq!(patched.data.as_ref().unwrap().len(), 1);
    // A stale resourceVersion on replace is a Conflict.
    let mut stale = created.clone();
    stale.data = Some([("x".to_string(), "y".to_string())].into());
    match cms
        .replace("settings", &PostParams::default(), &stale)
        .await
    {
        Err(kube::Error::Api(s)) => assert_eq!(s.code, 409),
        other => panic!("expected Conflict, got {other:?}"),
    }
    let mut fresh = cms.get("settings").await.unwrap();
    fresh.data = Some([("x".to_string(), "y".to_string())].into());
    let replaced = cms
        .replace("settings", &PostParams::default(), &fresh)
        .await
        .unwrap();
    assert_eq!(replaced.data.unwrap()["x"], "y");

    // Strategic merge on a Deployment merges containers and env by name.
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "media");
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "sonarr", "env": [{"name": "TZ", "value": "Europe/Berlin"}]}]}}}});
    let d = deploys
        .patch("sonarr", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let c = &d.spec.unwrap().template.spec.unwrap().containers[0];
    assert_eq!(
        c.image.as_deref(),
        Some("lscr.io/linuxserver/sonarr:4.0.19")
    );
    assert_eq!(c.env.as_ref().unwrap()[0].name, "TZ");
    assert_eq!(d.metadata.generation, Some(2));

    cms.delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    assert!(cms.get_opt("settings").await.unwrap().is_none());
    assert!(sim
        .get("v1", "ConfigMap", Some("media"), "settings")
        .is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn pod_logs_through_kube_rs() {
    use futures::AsyncBufReadExt;
    use kube::api::LogParams;
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let qb = pods
        .list(&ListParams::default().labels("app=qbittorrent"))
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    sim.set_logs(
        "media",
        &qb,
        "qbittorrent",
        vec!["first".into(), "second".into(), "third".into()],
    );
    let text = pods
        .logs(
            &qb,
            &LogParams {
                container: Some("qbittorrent".into()),
                tail_lines: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(text, "second\nthird\n");
    // Two containers and none named: 400 like the real server.
    match pods.logs(&qb, &LogParams::default()).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 400);
            assert!(
                s.message.contains("a container name must be specified"),
                "{}",
                s.message
            );
        }
        other => panic!("expected 400, got {other:?}"),
    }
    // follow=true streams generated lines until the client stops reading.
    let stream = pods
        .log_stream(
            &qb,
            &LogParams {
                container: Some("gluetun".into()),
                follow: true,
                tail_lines: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut lines = stream.lines();
    let mut got = Vec::new();
    while got.len() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(5), lines.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(line);
    }
    assert!(got.iter().all(|l| l.contains("INFO [")), "{got:?}");
    drop(lines);
    sim.shutdown().await;
}

#[tokio::test]
async fn statefulset_pods_follow_replicas_by_ordinal() {
    use k8s_openapi::api::apps::v1::StatefulSet;
    let (sim, client) = start().await;
    sim.apply(json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "jellyfin", "namespace": "media"},
        "spec": {"replicas": 2, "serviceName": "jellyfin", "selector": {"matchLabels": {"app": "jellyfin"}},
            "template": {"metadata": {"labels": {"app": "jellyfin"}},
                "spec": {"containers": [{"name": "jellyfin", "image": "jellyfin/jellyfin:10.11.11"}]}}}}))
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let names = |list: kube::core::ObjectList<Pod>| {
        list.items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            pods.list(&ListParams::default().labels("app=jellyfin"))
                .await
                .unwrap()
        ),
        ["jellyfin-0", "jellyfin-1"]
    );
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "media");
    sets.patch_scale(
        "jellyfin",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 1}})),
    )
    .await
    .unwrap();
    assert_eq!(
        names(
            pods.list(&ListParams::default().labels("app=jellyfin"))
                .await
                .unwrap()
        ),
        ["jellyfin-0"]
    );
    pods.delete("jellyfin-0", &DeleteParams::default())
        .await
        .unwrap();
    let again = pods.get("jellyfin-0").await.unwrap();
    assert_eq!(again.status.unwrap().phase.as_deref(), Some("Running"));
    let st = sets.get("jellyfin").await.unwrap().status.unwrap();
    assert_eq!((st.replicas, st.ready_replicas), (1, Some(1)));
    sim.shutdown().await;
}

#[tokio::test]
async fn world_pods_given_after_their_deployment_are_adopted() {
    let mut world = fixture::small_media_world();
    // A crashlooping Sonarr pod, listed after its Deployment as a world file would have it.
    world.push(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "sonarr-5d8f7c9b4-abcde", "namespace": "media", "labels": {"app": "sonarr"}},
        "spec": {"nodeName": "nas", "containers": [{"name": "sonarr", "image": "lscr.io/linuxserver/sonarr:4.0.19"}]},
        "status": {"phase": "Running", "podIP": "10.42.0.99", "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "sonarr", "ready": false, "restartCount": 12,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}));
    let sim = KubeSim::start(world, None).await.unwrap();
    let client = client_for(&sim).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let sonarr = pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap()
        .items;
    assert_eq!(sonarr.len(), 1);
    assert_eq!(
        sonarr[0].metadata.name.as_deref(),
        Some("sonarr-5d8f7c9b4-abcde")
    );
    let d: Deployment = Api::namespaced(client.clone(), "media")
        .get("sonarr")
        .await
        .unwrap();
    let st = d.status.unwrap();
    assert_eq!(
        (
            st.replicas,
            st.ready_replicas.unwrap_or(0),
            st.unavailable_replicas
        ),
        (Some(1), 0, Some(1))
    );
    // Not Ready → the Service has no endpoints and the proxy says so.
    let ep: k8s_openapi::api::core::v1::Endpoints = Api::namespaced(client.clone(), "media")
        .get("sonarr")
        .await
        .unwrap();
    let subset = &ep.subsets.unwrap()[0];
    assert!(subset.addresses.is_none());
    assert_eq!(
        subset.not_ready_addresses.as_ref().unwrap()[0].ip,
        "10.42.0.99"
    );
    // A bad batch applies nothing.
    assert!(sim
        .apply_all(vec![
            configmap("ok", "1"),
            json!({"apiVersion": "v9", "kind": "Nope", "metadata": {"name": "x"}})
        ])
        .is_err());
    assert!(sim.get("v1", "ConfigMap", Some("media"), "ok").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn status_subresource_and_previous_logs() {
    let (sim, client) = start().await;
    let cert = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "home-tls", "namespace": "media"},
        "spec": {"secretName": "home-tls", "issuerRef": {"name": "letsencrypt"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    sim.apply(cert).unwrap();
    let gvk = kube::api::GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate");
    let ar = kube::api::ApiResource::from_gvk(&gvk);
    let certs: Api<kube::api::DynamicObject> = Api::namespaced_with(client.clone(), "media", &ar);
    // The main resource ignores status changes; the status subresource ignores spec changes.
    let patch = json!({"spec": {"secretName": "other"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
    let after = certs
        .patch("home-tls", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(after.data["spec"]["secretName"], "other");
    assert_eq!(after.data["status"]["conditions"][0]["status"], "True");
    let patch = json!({"spec": {"secretName": "again"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
    let after = certs
        .patch_status("home-tls", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(after.data["spec"]["secretName"], "other");
    assert_eq!(after.data["status"]["conditions"][0]["status"], "False");

    // previous=true answers for a container that restarted, with the last run's lines.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "media");
    let name = pods
        .list(&ListParams::default().labels("app=sonarr"))
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    let mut pod = sim.get("v1", "Pod", Some("media"), &name).unwrap();
    pod["status"]["containerStatuses"][0]["restartCount"] = json!(3);
    sim.apply(pod).unwrap();
    let params = kube::api::LogParams {
        previous: true,
        tail_lines: Some(2),
        ..Default::default()
    };
    let text = pods.logs(&name, &params).await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("exited with code 1"), "{text}");
    sim.shutdown().await;
}
