//! Apply orchestration over the in-memory backend: plan → apply → re-read → test, idempotence,
//! partial failure, prune.

use crate::integrate_support;

use integrate_support::*;
use k8s_nas::integrate::fixtures::target_inventory;
use k8s_nas::integrate::*;
use k8s_nas::model::ServiceId;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Mutex;

fn resolution() -> Resolution {
    resolve(&Desired::default(), &target_inventory(), &secrets())
}

async fn read_plan(nas: &FakeNas, res: &Resolution, prune: bool) -> Plan {
    let mut currents = BTreeMap::new();
    for e in &res.edges {
        currents.insert(e.id.clone(), nas.read(e).await);
    }
    plan(res, &currents, prune)
}

fn with_jellyfin(nas: &FakeNas) {
    // Jellyseerr's setup wizard done by hand, on the container port (wrong: the Service is on 80).
    nas.state.lock().unwrap().seerr_jellyfin = json!({"name": "NAS", "ip": "jellyfin",
        "port": 8096, "useSsl": false, "urlBase": "/jellyfin", "apiKey": "jf-key"});
}

#[tokio::test]
async fn fresh_nas_is_wired_and_second_apply_writes_nothing() {
    let nas = FakeNas::new();
    with_jellyfin(&nas);
    let res = resolution();

    let before = read_plan(&nas, &res, false).await;
    assert_eq!(before.writes(), 17);
    assert_eq!(before.exit_code(), 1);
    assert!(before
        .edges
        .iter()
        .all(|e| e.state != EdgeState::Configured));

    let events = Mutex::new(Vec::new());
    let report = apply(
        &nas,
        &res.edges,
        ApplyOptions {
            prune: false,
            test: true,
        },
        &|ev| events.lock().unwrap().push(ev),
    )
    .await;
    assert!(report.all_verified(), "{:#?}", report.findings());
    assert_eq!(report.writes(), 17);
    assert_eq!(nas.write_count(), 17);
    assert!(report
        .outcomes
        .iter()
        .all(|o| o.test == TestOutcome::Passed));

    // Every edge went through read, write, re-read, verify, test.
    let events = events.into_inner().unwrap();
    let dc = "download-client:media/sonarr->qbittorrent/qbittorrent";
    let stages: Vec<Stage> = events
        .iter()
        .filter(|e| e.edge_id == dc)
        .map(|e| e.stage)
        .collect();
    assert_eq!(
        stages,
        [
            Stage::Read,
            Stage::Write,
            Stage::Reread,
            Stage::Verify,
            Stage::Test
        ]
    );
    assert!(events.iter().all(|e| e.ok));

    // Jellyseerr chose the root folder Sonarr got in phase one.
    {
        let s = nas.state.lock().unwrap();
        assert_eq!(
            s.seerr_servers["sonarr"][0]["activeDirectory"],
            "/data/media/tv"
        );
        assert_eq!(s.seerr_jellyfin["port"], 80);
        assert_eq!(s.bazarr["sonarr"]["base_url"], "/sonarr");
        // The stored qBittorrent password is the real one (reads show it masked).
        let sonarr = &s.providers[&ServiceId::new("media", "sonarr")];
        assert_eq!(sonarr.len(), 2);
        assert!(sonarr[0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == QBT_PASSWORD));
    }

    // The plan over the wired state is empty; a second apply makes zero writes.
    let after = read_plan(&nas, &res, false).await;
    assert!(after.is_empty(), "{}", after.render());
    assert_eq!(after.exit_code(), 0);
    assert!(plan_findings(&after).is_empty());
    let again = apply(&nas, &res.edges, ApplyOptions::default(), &|_| {}).await;
    assert_eq!(again.writes(), 0);
    assert!(again.all_verified());
    assert_eq!(nas.write_count(), 17);
}

#[tokio::test]
async fn partial_failure_reports_what_was_and_was_not_applied() {
    let nas = FakeNas::new();
    with_jellyfin(&nas);
    nas.fail_writes
        .lock()
        .unwrap()
        .insert(ServiceId::new("media", "radarr"));
    nas.fail_tests
        .lock()
        .unwrap()
        .insert("prowlarr-app:media/prowlarr->media/lidarr".into());
    let res = resolution();
    let events = Mutex::new(Vec::new());
    let report = apply(
        &nas,
        &res.edges,
        ApplyOptions {
            prune: false,
            test: true,
        },
        &|ev| events.lock().unwrap().push(ev),
    )
    .await;
    assert!(!report.all_verified());
    let failed: Vec<&EdgeOutcome> = report.outcomes.iter().filter(|o| !o.verified()).collect();
    // Radarr's three edges (qBittorrent, SABnzbd, root folder) and the failed Lidarr test.
    assert_eq!(failed.len(), 4, "{failed:#?}");
    for o in failed.iter().filter(|o| o.from.as_str() == "media/radarr") {
        assert!(matches!(
            o.failed,
            Some(Failure {
                stage: Stage::Write,
                ..
            })
        ));
        assert!(o.applied.is_empty());
        assert_eq!(o.not_applied.len(), 1);
    }
    assert!(failed
        .iter()
        .any(|o| matches!(o.test, TestOutcome::Failed { .. })));
    // Everything else was applied and verified.
    assert_eq!(report.writes(), 17 - 3);
    let findings = report.findings();
    assert_eq!(findings.len(), 4);
    assert!(findings
        .iter()
        .any(|f| f.message.contains("not applied: create download client")));
    assert!(events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e.stage == Stage::Write && !e.ok));

    // Once Radarr accepts writes, a second apply finishes the job and only that.
    nas.fail_writes.lock().unwrap().clear();
    let report = apply(&nas, &res.edges, ApplyOptions::default(), &|_| {}).await;
    assert_eq!(report.writes(), 3);
    assert!(report.all_verified());
}

#[tokio::test]
async fn prune_only_when_the_file_says_so() {
    let nas = FakeNas::new();
    with_jellyfin(&nas);
    nas.state.lock().unwrap().providers.insert(
        ServiceId::new("media", "sonarr"),
        vec![json!({"id": 77, "name": "qBittorrent", "enable": true,
            "implementation": "QBittorrent", "configContract": "QBittorrentSettings",
            "fields": [{"name": "host", "value": "10.1.0.99"}, {"name": "password", "value": "x"}]})],
    );
    let res = resolution();
    let report = apply(&nas, &res.edges, ApplyOptions::default(), &|_| {}).await;
    assert!(report.all_verified(), "{:#?}", report.findings());
    let names: Vec<String> = nas.state.lock().unwrap().providers
        [&ServiceId::new("media", "sonarr")]
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["qBittorrent", "qBittorrent (k8s-nas)", "SABnzbd"]);

    let report = apply(
        &nas,
        &res.edges,
        ApplyOptions {
            prune: true,
            test: false,
        },
        &|_| {},
    )
    .await;
    assert_eq!(report.writes(), 1);
    let ids: Vec<i64> = nas.state.lock().unwrap().providers[&ServiceId::new("media", "sonarr")]
        .iter()
        .filter_map(|i| i["id"].as_i64())
        .collect();
    assert!(!ids.contains(&77));
    assert_eq!(ids.len(), 2);
}

/// Wraps the fake: the first read of each *arr app waits until all three are reading at once
/// (so a sequential apply would time out), and counts how many calls per app overlap.
struct Gate {
    inner: FakeNas,
    barrier: tokio::sync::Barrier,
    seen: Mutex<std::collections::BTreeSet<ServiceId>>,
    in_flight: Mutex<BTreeMap<ServiceId, usize>>,
    max_per_app: Mutex<usize>,
}

#[async_trait::async_trait]
impl EdgeBackend for Gate {
    async fn read(&self, edge: &Edge) -> Result<Current, k8s_nas::model::AppError> {
        {
            let mut f = self.in_flight.lock().unwrap();
            let n = f.entry(edge.from.clone()).or_default();
            *n += 1;
            let mut m = self.max_per_app.lock().unwrap();
            *m = (*m).max(*n);
        }
        let first = self.seen.lock().unwrap().insert(edge.from.clone());
        if first && edge.kind == EdgeKind::DownloadClient {
            let waited =
                tokio::time::timeout(std::time::Duration::from_secs(2), self.barrier.wait()).await;
            if waited.is_err() {
                return Err(k8s_nas::model::AppError::new(
                    k8s_nas::model::AppErrorKind::Timeout { after_ms: 2000 },
                    "apps were not read in parallel",
                ));
            }
        }
        tokio::task::yield_now().await;
        let r = self.inner.read(edge).await;
        *self.in_flight.lock().unwrap().get_mut(&edge.from).unwrap() -= 1;
        r
    }
    async fn create(
        &self,
        e: &Edge,
        b: &k8s_nas::keys::WireJson,
    ) -> Result<(), k8s_nas::model::AppError> {
        self.inner.create(e, b).await
    }
    async fn update(
        &self,
        e: &Edge,
        id: Option<i64>,
        b: &k8s_nas::keys::WireJson,
    ) -> Result<(), k8s_nas::model::AppError> {
        self.inner.update(e, id, b).await
    }
    async fn delete(&self, e: &Edge, id: i64) -> Result<(), k8s_nas::model::AppError> {
        self.inner.delete(e, id).await
    }
    async fn test(&self, e: &Edge, v: &serde_json::Value) -> Result<(), k8s_nas::model::AppError> {
        self.inner.test(e, v).await
    }
}

#[tokio::test]
async fn apps_run_in_parallel_one_writer_per_app() {
    let gate = Gate {
        inner: FakeNas::new(),
        barrier: tokio::sync::Barrier::new(3),
        seen: Mutex::default(),
        in_flight: Mutex::default(),
        max_per_app: Mutex::new(0),
    };
    with_jellyfin(&gate.inner);
    let res = resolution();
    let report = apply(&gate, &res.edges, ApplyOptions::default(), &|_| {}).await;
    assert!(report.all_verified(), "{:#?}", report.findings());
    assert_eq!(*gate.max_per_app.lock().unwrap(), 1);
}
