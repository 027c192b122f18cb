//! `:nodes` rows from the simulated cluster (issue 8): conditions, usage from the metrics API
//! against allocatable, disk use of the stack's mounted paths under `node_root` (statvfs).

use k8s_nas::sim::kube::KubeSim;
use k8s_nas::sim::world::{target_cluster, WorldOptions};

#[tokio::test]
async fn nodes_with_conditions_usage_and_disks() {
    let world = target_cluster(&WorldOptions::default());
    let sim = KubeSim::start(world.objects.clone(), None)
        .await
        .expect("sim starts");
    let client = sim.kube_client().await.unwrap();
    let listing = std::sync::Arc::new(k8s_nas::cluster::list::Listing {
        objects: k8s_nas::discover::ClusterObjects::from_values(&world.objects),
        ..Default::default()
    });
    let paths = k8s_nas::engine::nodes::host_paths(&listing);
    let (node, mounted) = paths.iter().next().expect("the stack mounts node paths");
    let root = tempfile::tempdir().unwrap();
    let first = mounted.iter().next().unwrap();
    std::fs::create_dir_all(root.path().join(first.trim_start_matches('/'))).unwrap();

    let rows = k8s_nas::engine::nodes::rows(
        client.clone(),
        Some(listing.clone()),
        Some(root.path().into()),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(&r.name, node);
    assert_eq!(
        (r.ready.as_str(), r.status.as_str(), r.bad),
        ("Ready", "no pressure", false)
    );
    assert!(
        r.info.starts_with("cpu ") && r.info.contains("m/8000m ("),
        "{}",
        r.info
    );
    assert!(r.info.contains(&format!("disk {first} ")), "{}", r.info);
    assert!(r.info.contains("% of "), "{}", r.info);

    // Without the metrics API: allocatable only, said so.
    sim.set_metrics(false);
    let rows = k8s_nas::engine::nodes::rows(client, Some(listing), None)
        .await
        .unwrap();
    assert!(
        rows[0]
            .info
            .starts_with("allocatable cpu 8000m mem 31.2Gi (no metrics API)"),
        "{}",
        rows[0].info
    );
}
