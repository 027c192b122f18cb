//! The pipeline as a whole: every area's findings from one call, and the catalog against the
//! README.

use super::*;
use crate::integrate::plan::{Change, EdgePlan, EdgeState};
use crate::integrate::EdgeKind;
use crate::keys::{KeyDrift, KeyDriftState, SecretTarget};
use crate::model::{AppHealth, ProbeResult, Severity};

fn edge(from: &ServiceId, state: EdgeState, changes: Vec<Change>) -> EdgePlan {
    let to = ServiceId::new("qbittorrent", "qbittorrent");
    EdgePlan {
        id: format!("download-client:{from}->{to}"),
        label: "Sonarr → qBittorrent".into(),
        kind: EdgeKind::DownloadClient,
        from: from.clone(),
        to,
        state,
        changes,
    }
}

#[test]
fn one_call_gives_health_keys_and_integration_findings_worst_first() {
    let inv = crate::integrate::fixtures::target_inventory();
    let sonarr = inv
        .services
        .iter()
        .find(|s| s.workload.name == "sonarr")
        .unwrap()
        .id
        .clone();
    let now = jiff::Timestamp::from_second(1_000_000).unwrap();
    // Every service observed and answering; no pods watched for Sonarr only.
    let observations: BTreeMap<_, _> = inv
        .services
        .iter()
        .map(|s| {
            let latency_ms = if s.id == sonarr { 2_500 } else { 20 };
            let o = ServiceObservation {
                fetched_at: now,
                probe: Some(ProbeResult {
                    status: Some(200),
                    latency_ms,
                    error: None,
                }),
                health: Ok(AppHealth::default()),
            };
            (s.id.clone(), o)
        })
        .collect();
    let running = |name: &str| PodStatus {
        name: format!("{name}-0"),
        phase: "Running".into(),
        ready_containers: 1,
        total_containers: 1,
        restarts: 0,
        reason: None,
        started_at: None,
        node: None,
        terminating: false,
        last_termination: None,
        restarts_last_hour: None,
    };
    let mut pods: BTreeMap<_, _> = inv
        .services
        .iter()
        .map(|s| (s.id.clone(), vec![running(&s.workload.name)]))
        .collect();
    pods.insert(sonarr.clone(), vec![]);
    let budget = Budget::default();
    let facts = Facts::new(&inv, &pods, &observations, now, budget);
    let health_only: Vec<_> = evaluate(&facts).into_iter().map(|f| f.code).collect();
    assert_eq!(health_only, ["pod.missing", "http.slow"]);

    let keys = KeysFacts {
        target: SecretTarget::default(),
        drift: vec![KeyDrift {
            service: sonarr.clone(),
            kind: crate::model::AppKind::Sonarr,
            secret_key: "SONARR_API_KEY".into(),
            state: KeyDriftState::MissingInSecret,
        }],
        secret_checks: vec![],
        app_checks: vec![],
        checked_at: now,
    };
    let plan = Plan {
        edges: vec![
            edge(&sonarr, EdgeState::Configured, vec![]),
            edge(
                &sonarr,
                EdgeState::Missing,
                vec![Change::Manual {
                    reason: "add the Jellyfin administrator to the Secret".into(),
                }],
            ),
        ],
        ..Plan::default()
    };
    let all = evaluate(&facts.with_keys(Some(&keys)).with_plan(Some(&plan)));
    let codes: Vec<&str> = all.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "pod.missing",
            "http.slow",
            "keys.missing_in_secret",
            "integration.missing"
        ]
    );
    // Every one of them belongs to Sonarr's row, the edge included (its `from` side).
    assert!(all.iter().all(|f| f.is_about(&sonarr)), "{all:#?}");
    assert_eq!(
        all[3].remediation,
        "add the Jellyfin administrator to the Secret"
    );
    assert!(all.windows(2).all(|w| w[0].severity >= w[1].severity));
    // Every code the pipeline emits is in the catalog.
    assert!(all.iter().all(|f| catalog::lookup(&f.code).is_some()));
    assert_eq!(all[0].severity, Severity::Error);
}

/// Issue 7: with the API server down every app's observation fails at the proxy; the user sees
/// one cluster finding, not one "check the Service selector" per app.
#[test]
fn an_unreachable_api_server_is_one_cluster_finding() {
    use crate::model::{AppError, AppErrorKind};
    let inv = crate::integrate::fixtures::target_inventory();
    let now = jiff::Timestamp::from_second(1_000_000).unwrap();
    let err = AppError::new(
        AppErrorKind::ClusterUnreachable,
        "API server unreachable: connection refused",
    );
    let observations: BTreeMap<_, _> = inv
        .services
        .iter()
        .map(|s| {
            let o = ServiceObservation {
                fetched_at: now,
                probe: Some(ProbeResult {
                    status: None,
                    latency_ms: 3,
                    error: Some(err.clone()),
                }),
                health: Err(err.clone()),
            };
            (s.id.clone(), o)
        })
        .collect();
    let pods = BTreeMap::new();
    let facts = Facts::new(&inv, &pods, &observations, now, Budget::default());
    let found = evaluate(&facts);
    let codes: Vec<&str> = found
        .iter()
        .map(|f| f.code.as_str())
        .filter(|c| !c.starts_with("pod."))
        .collect();
    assert_eq!(codes, ["cluster.unreachable"], "{found:#?}");
    assert_eq!(found[0].severity, Severity::Critical);
    assert!(found[0].message.contains("connection refused"));
    assert!(!found.iter().any(|f| f.remediation.contains("selector")));
}

#[test]
fn learned_facts_are_replaced_by_the_next_action() {
    let mut learned = Learned::default();
    let plan = |n: usize| Plan {
        edges: (0..n)
            .map(|i| {
                edge(
                    &ServiceId::new("media", &format!("app{i}")),
                    EdgeState::Missing,
                    vec![],
                )
            })
            .collect(),
        ..Plan::default()
    };
    learned.learn(Fact::Plan(Box::new(plan(2))));
    learned.learn(Fact::Plan(Box::new(plan(1))));
    let inv = Inventory::default();
    let (pods, obs) = (BTreeMap::new(), BTreeMap::new());
    let f = evaluate(
        &Facts::new(
            &inv,
            &pods,
            &obs,
            jiff::Timestamp::UNIX_EPOCH,
            Budget::default(),
        )
        .with_learned(&learned),
    );
    assert_eq!(f.len(), 1, "the latest plan only: {f:#?}");
    assert!(learned.keys.is_none());
}

/// Issue 7: Prowlarr with zero indexers is a finding of its own, with Prowlarr's URL in the
/// remediation; with indexers there is none.
#[test]
fn prowlarr_without_indexers_is_a_finding_with_its_url() {
    let prowlarr = ServiceId::new("media", "prowlarr");
    let plan = |count: usize| Plan {
        prowlarr: Some(crate::integrate::plan::ProwlarrIndexers {
            app: prowlarr.clone(),
            count,
            url: "https://home.example/prowlarr".into(),
        }),
        ..Plan::default()
    };
    let f = super::integration::plan_findings(&plan(0));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].code, "integration.no_indexers");
    assert!(f[0].is_about(&prowlarr));
    assert!(
        f[0].remediation
            .contains("https://home.example/prowlarr/indexers"),
        "{}",
        f[0].remediation
    );
    assert!(super::integration::plan_findings(&plan(3)).is_empty());
    assert!(super::integration::plan_findings(&Plan::default()).is_empty());
}

/// The codes listed in the README's "`check --output json`" section, after "Finding codes".
fn readme_codes(readme: &str) -> Vec<String> {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("`check --output json`"))
        .expect("README has a `check --output json` section");
    let start = section
        .find("Finding codes")
        .expect("the section lists the finding codes");
    let para = section[start..].split("\n\n").next().unwrap_or_default();
    let is_code = |t: &&str| {
        t.split_once('.').is_some_and(|(area, rest)| {
            !area.is_empty()
                && area.chars().all(|c| c.is_ascii_lowercase())
                && !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_<>".contains(c))
        })
    };
    para.split('`')
        .skip(1)
        .step_by(2)
        .filter(is_code)
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_lists_exactly_the_catalog() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let listed = readme_codes(&readme);
    let catalog: Vec<String> = catalog::ALL.iter().map(|e| e.code.to_string()).collect();
    let missing: Vec<_> = catalog.iter().filter(|c| !listed.contains(c)).collect();
    let extra: Vec<_> = listed.iter().filter(|c| !catalog.contains(c)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "README vs catalog: missing from the README {missing:?}, not in the catalog {extra:?}"
    );
    assert_eq!(listed.len(), catalog.len(), "a code is listed twice");
}

#[test]
fn readme_parser_reads_only_the_codes_paragraph() {
    let text = "# x\n\n## `check --output json`\n\nSee `schema`.\nFinding codes: `a.b`, `c.<D>` (as `runbook`, `x/y.rs`)\nand `e.f`.\n\nLater `g.h`.\n\n## Other\n`i.j`";
    assert_eq!(readme_codes(text), ["a.b", "c.<D>", "e.f"]);
}
