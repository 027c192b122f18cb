//! Certificate actions against the simulator: renew sets `Issuing=True` through the status
//! subresource and the simulated issuing controller answers with a new revision, a new
//! certificate in the Secret and `Ready=True`; a failing issuance is reported as such; re-sync
//! makes a stale copy equal to its source (data only, labels and annotations kept).

use k8s_nas::certs::actions::{follow, renew, resync, Renewal};
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;
use std::time::Duration;

fn first_certificate(nas: &SimNas) -> (String, String, String) {
    let c = nas
        .kube
        .list("cert-manager.io/v1", "Certificate", None)
        .into_iter()
        .next()
        .expect("a Certificate");
    let s = |v: &Value| v.as_str().unwrap().to_string();
    (
        s(&c["metadata"]["namespace"]),
        s(&c["metadata"]["name"]),
        s(&c["spec"]["secretName"]),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renew_moves_the_certificate_to_a_new_ready_revision() {
    k8s_nas::init_tls();
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let client = nas.kube.kube_client().await.unwrap();
    let (ns, name, secret) = first_certificate(&nas);
    let crt = |nas: &SimNas| {
        nas.kube.get("v1", "Secret", Some(&ns), &secret).unwrap()["data"]["tls.crt"].clone()
    };
    let old_crt = crt(&nas);
    let before = renew(&client, &ns, &name).await.unwrap();
    assert_eq!(before, 3);
    let out = follow(&client, &ns, &name, before, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(out, Renewal::Ready { revision: 4 });
    assert_ne!(crt(&nas), old_crt, "the Secret holds a new certificate");
    let cr = nas.kube.get(
        "cert-manager.io/v1",
        "CertificateRequest",
        Some(&ns),
        &format!("{name}-4"),
    );
    assert!(cr.is_some(), "CertificateRequest of revision 4");
    let c = nas
        .kube
        .get("cert-manager.io/v1", "Certificate", Some(&ns), &name)
        .unwrap();
    let types: Vec<&str> = c["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Ready"], "Issuing removed once issued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renew_of_a_failing_certificate_reports_the_failure() {
    k8s_nas::init_tls();
    let nas = SimNas::start(Scenario::parse("cert-failing").unwrap(), None)
        .await
        .unwrap();
    let client = nas.kube.kube_client().await.unwrap();
    let (ns, name, _) = first_certificate(&nas);
    let before = renew(&client, &ns, &name).await.unwrap();
    match follow(&client, &ns, &name, before, Duration::from_secs(10))
        .await
        .unwrap()
    {
        Renewal::Failed(msg) => assert!(msg.contains("invalid"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let c = nas
        .kube
        .get("cert-manager.io/v1", "Certificate", Some(&ns), &name)
        .unwrap();
    assert_eq!(c["status"]["failedIssuanceAttempts"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_makes_the_stale_copy_equal_to_its_source() {
    k8s_nas::init_tls();
    let nas = SimNas::start(Scenario::parse("cert-stale").unwrap(), None)
        .await
        .unwrap();
    let client = nas.kube.kube_client().await.unwrap();
    let listing = || async {
        let conn = k8s_nas::cluster::ClusterConn {
            client: client.clone(),
            exec: client.clone(),
            context: "sim".into(),
            server: nas.kube.url(),
        };
        k8s_nas::cluster::list::list_all(&conn, &Default::default())
            .await
            .unwrap()
    };
    let facts = k8s_nas::certs::from_listing(&listing().await);
    let stale = facts
        .secrets
        .iter()
        .find(|s| s.stale)
        .expect("a stale copy");
    let src = stale.source.clone().unwrap();
    let (src_ns, src_name) = src.split_once('/').unwrap();
    let labels_before = nas
        .kube
        .get("v1", "Secret", Some(&stale.namespace), &stale.name)
        .unwrap()["metadata"]["labels"]
        .clone();
    resync(&client, (&stale.namespace, &stale.name), (src_ns, src_name))
        .await
        .unwrap();
    let after = k8s_nas::certs::from_listing(&listing().await);
    let row = after.secrets.iter().find(|s| s.id() == stale.id()).unwrap();
    assert_eq!(row.equals_source, Some(true));
    assert!(!row.stale);
    let copy = nas
        .kube
        .get("v1", "Secret", Some(&stale.namespace), &stale.name)
        .unwrap();
    assert_eq!(copy["metadata"]["labels"], labels_before);
    assert_eq!(copy["metadata"]["namespace"], stale.namespace.as_str());
}
