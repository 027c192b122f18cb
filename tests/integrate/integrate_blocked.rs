//! Issue 7: an edge whose target app is down is `blocked` in the plan (with the reason), and
//! apply sends no write for it; the other edges are planned and applied as usual.

use crate::support;

use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::integrate::{live, EdgeState};
use k8s_nas::model::AppKind;
use k8s_nas::sim::apps::Seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edges_to_a_down_app_are_blocked_and_get_no_write() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let mut live = stack.live();
    let qbit = stack.id(AppKind::Qbittorrent);
    let up = live
        .endpoints
        .get(&qbit)
        .cloned()
        .expect("qBittorrent endpoint");
    // Nothing listens on port 1: qBittorrent is down (connection refused).
    live.endpoints
        .insert(qbit.clone(), AppEndpoint::direct("http://127.0.0.1:1", ""));

    let p = live::read_plan(&live).await;
    let to_qbit: Vec<_> = p.plan.edges.iter().filter(|e| e.to == qbit).collect();
    assert!(!to_qbit.is_empty(), "{:?}", p.plan.edges);
    for e in &to_qbit {
        let EdgeState::Blocked { why } = &e.state else {
            panic!("{}: {:?} (want blocked)", e.label, e.state)
        };
        assert!(
            why.starts_with("qBittorrent is down (http.unreachable"),
            "{why}"
        );
        assert!(e.changes.is_empty(), "{}: {:?}", e.label, e.changes);
    }
    // The other edges are still planned (a fresh stack: creates).
    assert!(p
        .plan
        .edges
        .iter()
        .any(|e| e.to != qbit && e.state == EdgeState::Missing));
    assert!(p.plan.render().contains("⊘ blocked: qBittorrent is down"));

    let report = live::apply(&live, &|_| {}).await;
    for o in report
        .outcomes
        .iter()
        .filter(|o| to_qbit.iter().any(|e| e.id == o.id))
    {
        assert!(o.applied.is_empty(), "{}: {:?}", o.label, o.applied);
        let f = o.failed.as_ref().expect("blocked is reported");
        assert!(
            f.error.detail.starts_with("blocked: qBittorrent is down"),
            "{f:?}"
        );
    }

    // qBittorrent back: the blocked edges were never written (still missing), the others applied.
    live.endpoints.insert(qbit.clone(), up);
    let after = live::read_plan(&live).await;
    for e in after.plan.edges.iter().filter(|e| e.to == qbit) {
        assert_eq!(e.state, EdgeState::Missing, "{}", e.label);
    }
    assert!(after
        .plan
        .edges
        .iter()
        .any(|e| e.to != qbit && e.state == EdgeState::Configured));
}

/// The other prerequisites (issue 7): an edge is blocked with the FIRST failing one — an app
/// down > authentication rejected > key unknown — and apply sends no write for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edges_are_blocked_by_their_first_failing_prerequisite() {
    k8s_nas::init_tls();
    let stack = support::stack::start(Seed::Fresh, |_| {}).await;
    let mut live = stack.live();
    let (sonarr, radarr, lidarr, qbit) = (
        stack.id(AppKind::Sonarr),
        stack.id(AppKind::Radarr),
        stack.id(AppKind::Lidarr),
        stack.id(AppKind::Qbittorrent),
    );
    // Sonarr rejects the console's key (401).
    live.creds.entry(sonarr.clone()).or_default().api_key = Some(k8s_nas::model::Secret::new(
        "ffffffffffffffffffffffffffffffff",
    ));
    // Lidarr's key is known nowhere.
    live.secrets.app_keys.remove(&lidarr);
    live.secrets.refs.retain(|r, _| r.key != "LIDARR_API_KEY");
    // Radarr rejects the key in the Secret (the one other apps would be given), and its own
    // key could not be read.
    live.secrets.app_keys.remove(&radarr);
    live.secrets
        .rejected
        .insert(radarr.clone(), "401 Unauthorized".into());

    let p = live::read_plan(&live).await;
    let why = |from: &k8s_nas::model::ServiceId, to: &k8s_nas::model::ServiceId| {
        let e = p
            .plan
            .edges
            .iter()
            .find(|e| &e.from == from && &e.to == to)
            .unwrap_or_else(|| panic!("edge {from} → {to}: {:?}", p.plan.edges));
        assert!(e.changes.is_empty(), "{}: {:?}", e.label, e.changes);
        match &e.state {
            EdgeState::Blocked { why } => why.clone(),
            other => panic!("{}: {other:?} (want blocked)", e.label),
        }
    };
    let prowlarr = stack.id(AppKind::Prowlarr);
    assert!(
        why(&sonarr, &qbit).starts_with("Sonarr rejected the console's API key"),
        "{}",
        why(&sonarr, &qbit)
    );
    assert!(
        why(&prowlarr, &radarr).starts_with("Radarr rejects the key in the key Secret"),
        "{}",
        why(&prowlarr, &radarr)
    );
    assert!(
        why(&lidarr, &qbit).starts_with("Lidarr's API key is unknown"),
        "{}",
        why(&lidarr, &qbit)
    );
    let text = p.plan.render();
    assert!(text.contains("⊘ blocked: Sonarr rejected"), "{text}");

    // Down comes first: with qBittorrent down too, Sonarr → qBittorrent says so.
    let up = live.endpoints.get(&qbit).cloned().unwrap();
    live.endpoints
        .insert(qbit.clone(), AppEndpoint::direct("http://127.0.0.1:1", ""));
    let p2 = live::read_plan(&live).await;
    let e = p2
        .plan
        .edges
        .iter()
        .find(|e| e.from == sonarr && e.to == qbit)
        .unwrap();
    assert!(
        matches!(&e.state, EdgeState::Blocked { why } if why.starts_with("qBittorrent is down")),
        "{:?}",
        e.state
    );
    live.endpoints.insert(qbit.clone(), up);

    // Apply: no write reaches Sonarr or Lidarr, none is sent with Radarr's rejected key.
    let backend = live.backend();
    let report = live::apply_with(&live, &backend, &|_| {}).await;
    let requests = backend.requests();
    let writes: Vec<&String> = requests.keys().filter(|k| !k.contains(" GET ")).collect();
    for w in &writes {
        assert!(
            !w.starts_with(sonarr.as_str()) && !w.starts_with(lidarr.as_str()),
            "a write for a blocked edge: {w} (all: {writes:?})"
        );
    }
    for o in report
        .outcomes
        .iter()
        .filter(|o| o.from == sonarr || o.from == lidarr)
    {
        assert!(o.applied.is_empty(), "{}: {:?}", o.label, o.applied);
    }
    for o in report
        .outcomes
        .iter()
        .filter(|o| o.label.contains("→ Radarr"))
    {
        assert!(o.applied.is_empty(), "{}: {:?}", o.label, o.applied);
    }
}
