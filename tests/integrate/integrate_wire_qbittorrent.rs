//! Sonarr → qBittorrent against a real `qbittorrent-nox`: the engine creates the download
//! client in the Sonarr simulator, whose connection test logs into the real WebUI over
//! loopback; a wrong password is refused by Sonarr's test with the reason in the report.
//! Absent binary: loud SKIP locally, failure when `CI` is set.

use crate::support;

use k8s_nas::integrate::live;
use k8s_nas::integrate::{EdgeKind, SecretRef, Stage, TestOutcome};
use k8s_nas::model::{AppKind, Secret};
use k8s_nas::sim::apps::Seed;

fn only_sonarr_to_qbit(live: &mut live::Live, port: u16, password: &str) {
    let d = &mut live.desired;
    d.download_client.apps = vec![AppKind::Sonarr];
    d.download_client.host = Some("127.0.0.1".into());
    d.download_client.port = Some(port);
    d.download_client.url_base = Some(String::new());
    d.download_client.username = support::qbit_real::USER.into();
    d.download_client.password = SecretRef::new("test", "real-qbittorrent", "PASSWORD");
    d.usenet.enabled = Some(false);
    d.root_folders.clear();
    d.prowlarr.enabled = false;
    d.jellyseerr.jellyfin = false;
    d.jellyseerr.sonarr = false;
    d.jellyseerr.radarr = false;
    d.bazarr.sonarr = false;
    d.bazarr.radarr = false;
    live.secrets.refs.insert(
        SecretRef::new("test", "real-qbittorrent", "PASSWORD"),
        Secret::new(password),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sonarr_download_client_against_real_qbittorrent() {
    k8s_nas::init_tls();
    let Some(q) =
        support::qbit_real::start("sonarr_download_client_against_real_qbittorrent").await
    else {
        return;
    };
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;

    // A wrong password: Sonarr tests the client before saving it and refuses.
    let mut wrong = stack.live();
    only_sonarr_to_qbit(&mut wrong, q.port, "not-the-password");
    let report = live::apply(&wrong, &|_| {}).await;
    assert_eq!(report.outcomes.len(), 1, "{:?}", report.outcomes);
    let o = &report.outcomes[0];
    let f = o.failed.as_ref().expect("refused");
    assert_eq!(f.stage, Stage::Write);
    assert!(
        f.error.detail.contains("Sonarr rejected it"),
        "{}",
        f.error.detail
    );
    eprintln!("wrong password: {}", f.error.detail);

    let mut live = stack.live();
    only_sonarr_to_qbit(&mut live, q.port, support::qbit_real::PASSWORD);
    let edges = live.resolution().edges;
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0].kind, EdgeKind::DownloadClient);
    let report = live::apply(&live, &|e| eprintln!("{:?} {} {}", e.stage, e.ok, e.detail)).await;
    let o = &report.outcomes[0];
    assert!(o.verified(), "{o:?}");
    assert_eq!(o.test, TestOutcome::Passed);
    assert_eq!(o.applied.len(), 1, "{:?}", o.applied);

    let tests = live::test_all(&live).await;
    assert!(tests.iter().all(|(_, r)| r.is_ok()), "{tests:?}");
    let plan = live::read_plan(&live).await;
    assert!(plan.plan.is_empty(), "{}", plan.plan.render());
}
