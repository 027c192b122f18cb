//! Bad input against the simulators: an app failing mid-apply (report says what was applied
//! and what was not; a rerun converges) and validation errors (400 field messages reach the
//! report).

use crate::support;

use k8s_nas::integrate::live;
use k8s_nas::integrate::Stage;
use k8s_nas::model::AppKind;
use k8s_nas::sim::apps::Seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_failing_mid_apply_is_reported_and_a_rerun_converges() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let live = stack.live();
    let radarr = stack.id(AppKind::Radarr);
    stack
        .app(AppKind::Radarr)
        .faults
        .update(|f| f.status_500 = true);

    let report = live::apply(&live, &|_| {}).await;
    assert!(!report.all_verified());
    let (good, bad): (Vec<_>, Vec<_>) = report.outcomes.iter().partition(|o| o.verified());
    // Everything that does not involve Radarr went through.
    for o in &good {
        assert!(
            !o.label.contains("Radarr"),
            "{} verified while Radarr fails",
            o.label
        );
        assert!(!o.applied.is_empty(), "{}", o.label);
    }
    assert!(good.len() >= 10, "{} verified", good.len());
    // Radarr's own edges could not even be read.
    let own: Vec<_> = bad.iter().filter(|o| o.from == radarr).collect();
    assert_eq!(own.len(), 3, "{own:?}");
    for o in &own {
        let f = o.failed.as_ref().expect("failed");
        assert_eq!(f.stage, Stage::Read, "{}", o.label);
        assert!(o.applied.is_empty());
    }
    // Prowlarr tests Radarr before saving: the write is refused, and the report says so.
    let pr = bad
        .iter()
        .find(|o| o.label == "Prowlarr → Radarr")
        .expect("Prowlarr → Radarr outcome");
    let f = pr.failed.as_ref().expect("failed");
    assert_eq!(f.stage, Stage::Write);
    assert!(
        f.error.detail.contains("Prowlarr rejected it"),
        "{}",
        f.error.detail
    );
    assert_eq!(pr.not_applied.len(), 1, "{:?}", pr.not_applied);
    assert!(pr.applied.is_empty());
    let findings = report.findings();
    assert!(
        findings
            .iter()
            .any(|f| f.message.contains("not applied: create application Radarr")),
        "{findings:?}"
    );

    stack
        .app(AppKind::Radarr)
        .faults
        .update(|f| f.status_500 = false);
    let rerun = live::apply(&live, &|_| {}).await;
    for o in &rerun.outcomes {
        assert!(o.verified(), "{}: {o:?}", o.label);
    }
    // The rerun only wrote what was missing.
    for o in rerun
        .outcomes
        .iter()
        .filter(|o| good.iter().any(|g| g.id == o.id))
    {
        assert!(
            o.applied.is_empty(),
            "{} written twice: {:?}",
            o.label,
            o.applied
        );
    }
    let plan = live::read_plan(&live).await;
    assert!(plan.plan.is_empty(), "{}", plan.plan.render());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_reach_the_report_field_by_field() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let mut live = stack.live();
    live.desired.prowlarr.sync_level = "sometimes".into();

    let report = live::apply(&live, &|_| {}).await;
    let prowlarr: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| o.label.starts_with("Prowlarr →"))
        .collect();
    assert_eq!(prowlarr.len(), 3);
    for o in prowlarr {
        let f = o.failed.as_ref().expect("refused");
        assert_eq!(f.stage, Stage::Write);
        assert_eq!(
            f.error.kind,
            k8s_nas::model::AppErrorKind::Http { status: 400 }
        );
        let d = &f.error.detail;
        assert!(
            d.contains("SyncLevel: 'sometimes' is not a valid value"),
            "{d}"
        );
        assert!(
            d.contains("fullSync"),
            "the app's list of valid values is kept: {d}"
        );
        assert_eq!(o.not_applied.len(), 1);
    }
    let msgs: Vec<String> = report.findings().into_iter().map(|f| f.message).collect();
    assert!(
        msgs.iter().any(|m| m.contains("SyncLevel: 'sometimes'")),
        "{msgs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_app_version_is_reported_not_guessed() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Wired, |cfg| {
        if cfg.kind == AppKind::Sonarr {
            cfg.version = "5.0.0.1234".into();
        }
    })
    .await;
    let p = live::read_plan(&stack.live()).await;
    assert_eq!(p.version_warnings.len(), 1, "{:?}", p.version_warnings);
    assert!(p.version_warnings[0].contains("Sonarr 5.0.0.1234"));
    let sonarr = stack.id(AppKind::Sonarr);
    assert_eq!(p.versions[&sonarr].as_deref(), Some("5.0.0.1234"));
}
