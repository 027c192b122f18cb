//! The demo's Alertmanager (`ops-faults`, issue 12): found from its Service by the same
//! discovery the console uses, read through the API server's service proxy; the firing alerts
//! are listed with runbooks, a silence from an alert's labels makes it silenced (no finding),
//! expiring the silence makes it active again; Prometheus's pending alert never reaches it.

use k8s_nas::alerts::{discover, fetch, matchers_of, Backend};
use k8s_nas::clients::alertmanager::AlertmanagerClient;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_and_expire_against_the_demo_alertmanager() {
    k8s_nas::init_tls();
    let nas = SimNas::start(Scenario::parse("ops-faults").unwrap(), None)
        .await
        .unwrap();
    let conn = k8s_nas::cluster::ClusterConn::with_client(
        nas.kube.kube_client().await.unwrap(),
        "sim",
        &nas.kube.url(),
    );
    let listing = k8s_nas::cluster::list::list_all(&conn, &Default::default())
        .await
        .unwrap();
    let src = discover(&listing, &k8s_nas::config::Config::default()).expect("a source");
    assert_eq!(src.backend, Backend::Alertmanager, "{}", src.label());
    let ep = src.endpoint(&conn, Duration::from_secs(5));
    let facts = fetch(&src, &ep).await;
    assert_eq!(facts.error, None);
    let mut names: Vec<&str> = facts.alerts.iter().map(|a| a.name()).collect();
    names.sort();
    assert_eq!(names, ["CronJobStale", "VPNTunnelDown"]);
    assert!(facts.alerts.iter().all(|a| a.shown_state() == "active"));
    assert_eq!(k8s_nas::checks::alerts::evaluate(&facts).len(), 2);

    let vpn = facts
        .alerts
        .iter()
        .find(|a| a.name() == "VPNTunnelDown")
        .unwrap();
    let c = AlertmanagerClient::new(ep.clone());
    let id = c
        .silence(&matchers_of(vpn), 3_600, "k8s-nas", "test: tunnel work")
        .await
        .unwrap();
    let facts = fetch(&src, &ep).await;
    let state = |f: &k8s_nas::alerts::AlertsFacts, n: &str| {
        f.alerts
            .iter()
            .find(|a| a.name() == n)
            .unwrap()
            .shown_state()
            .to_string()
    };
    assert_eq!(state(&facts, "VPNTunnelDown"), "silenced");
    assert_eq!(state(&facts, "CronJobStale"), "active");
    let codes: Vec<String> = k8s_nas::checks::alerts::evaluate(&facts)
        .into_iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(codes, ["alert.CronJobStale"]);
    assert!(facts
        .silences
        .iter()
        .any(|s| s.id == id && s.state == "active" && s.comment == "test: tunnel work"));

    c.expire(&id).await.unwrap();
    let facts = fetch(&src, &ep).await;
    assert_eq!(state(&facts, "VPNTunnelDown"), "active");
    assert!(facts
        .silences
        .iter()
        .any(|s| s.id == id && s.state == "expired"));
    // An unknown silence is an error, not a silent success.
    assert!(c
        .expire("00000000-0000-4000-8000-000000000000")
        .await
        .is_err());
}
