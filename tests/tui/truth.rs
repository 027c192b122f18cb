//! Issue 7, "states that tell the truth": the header says `unknown` when nothing true can be
//! said, "Refreshed" is the age of the newest observation, and the cluster banner says
//! "cluster unreachable" once and how to retry.

use crate::tui_common::*;
use k8s_nas::tui::Msg;

fn health_line(frame: &str) -> String {
    frame
        .lines()
        .find(|l| l.starts_with("Health:"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn health_is_unknown_while_connecting_and_while_the_cluster_is_unreachable() {
    let mut h = Harness::new(false);
    let frame = h.frame();
    assert!(health_line(&frame).contains("unknown"), "{frame}");
    assert!(!health_line(&frame).contains("ok"), "{frame}");
    // Connected, apps listed, but no app has answered yet: still unknown.
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    h.feed(Msg::Findings(vec![]));
    assert!(health_line(&h.frame()).contains("unknown"));
    // Every app answered: ok.
    for (i, o) in healthy_observations() {
        h.feed(Msg::Observation(i, o));
    }
    assert!(health_line(&h.frame()).contains(" ok"));
    // The API server goes away: the last answers prove nothing any more.
    h.feed(Msg::ClusterError(
        "cluster unreachable: error trying to connect: Connection refused — retrying in 4s".into(),
    ));
    let frame = h.frame();
    assert!(health_line(&frame).contains("unknown"), "{frame}");
    assert_eq!(frame.matches("cluster unreachable").count(), 1, "{frame}");
    assert!(frame.contains("retrying in 4s"), "{frame}");
    assert!(frame.contains("ctrl-r retries now"), "{frame}");
}

#[test]
fn refreshed_is_the_age_of_the_newest_observation() {
    let mut h = Harness::new(false);
    let mut view = healthy_view();
    view.fetched_at = ago(120);
    h.feed(Msg::Cluster(Box::new(view)));
    h.feed(Msg::Tick(now()));
    let refreshed = |f: &str| {
        f.lines()
            .find(|l| l.starts_with("Refreshed:"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(refreshed(&h.frame()).contains(" 2m"), "{}", h.frame());
    let (id, mut o) = healthy_observations().remove(0);
    o.fetched_at = ago(2);
    h.feed(Msg::Observation(id, o));
    h.feed(Msg::Tick(now()));
    let frame = h.frame();
    assert!(refreshed(&frame).contains(" 2s ago"), "{frame}");
}

#[test]
fn the_compact_header_at_80x24_and_60x20_says_the_same_in_two_lines() {
    for (w, hgt) in [(80, 24), (60, 20)] {
        let mut h = Harness::new(false);
        h.resize(w, hgt);
        let frame = h.frame();
        let lines: Vec<&str> = frame.lines().collect();
        assert!(lines[1].contains("unknown"), "{frame}");
        assert!(lines[1].trim_end().ends_with("<?> help"), "{frame}");
        let mut h = Harness::degraded();
        h.resize(w, hgt);
        let frame = h.frame();
        let lines: Vec<&str> = frame.lines().collect();
        assert!(lines[0].starts_with("home-nas"), "{frame}");
        assert!(
            lines[1].starts_with("1 crit, 3 err, 1 warn │ no tasks │ 3s ago"),
            "{frame}"
        );
        assert!(lines[1].trim_end().ends_with("<?> help"), "{frame}");
        // The pane starts on the third line.
        assert!(lines[2].starts_with('┌'), "{frame}");
    }
}

/// Issue 7: a cause comes before its symptoms (Bazarr's crash loop before its unreachable
/// HTTP), whatever the codes' alphabetical order.
#[test]
fn findings_list_the_cause_before_its_symptoms() {
    use k8s_nas::checks::catalog;
    use k8s_nas::model::ServiceId;
    let bazarr = ServiceId::new("media", "bazarr");
    let symptom = catalog::HTTP_UNREACHABLE.for_service(&bazarr, "Bazarr: connection refused", &[]);
    let cause = catalog::POD_CRASHLOOP.for_service(
        &bazarr,
        "pod bazarr-0 is in CrashLoopBackOff (14 restarts)",
        &[("namespace", "media"), ("pod", "bazarr-0")],
    );
    let mut h = Harness::new(false);
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    h.feed(Msg::Findings(vec![symptom, cause]));
    h.press(":findings<enter>");
    let frame = h.frame();
    let at = |s: &str| {
        frame
            .find(s)
            .unwrap_or_else(|| panic!("{s} missing:\n{frame}"))
    };
    assert!(at("pod.crashloop") < at("http.unreachable"), "{frame}");
    // The remediations point at the console's own fix.
    assert!(catalog::KEYS_DRIFT.remediation.contains("`:keys` → `S`"));
    assert!(catalog::INTEGRATION_MISSING
        .remediation
        .contains("`:int` → `a`"));
}

/// Issue 7: the Keys pane says whose key an app rejected (the Secret's copy or the console's
/// own), as the `keys` table does.
#[test]
fn the_keys_pane_says_whose_key_is_rejected() {
    use crate::tui_integrations_support::{keys_harness, keys_view};
    use k8s_nas::keys::KeyVerdict;
    use k8s_nas::model::AppKind;
    let mut h = keys_harness(false);
    let mut v = keys_view();
    for r in &mut v.rows {
        if matches!(r.kind, AppKind::Sonarr | AppKind::Jellyfin) {
            r.verdict = Some(KeyVerdict::Rejected {
                detail: "401 Unauthorized".into(),
            });
        }
    }
    h.feed(Msg::Keys(Box::new(v)));
    let frame = h.frame();
    let line = |app: &str| {
        frame
            .lines()
            .find(|l| l.contains(&format!("│{app} ")))
            .unwrap_or_else(|| panic!("{app} missing\n{frame}"))
            .to_string()
    };
    assert!(line("Sonarr").contains("Secret's key rejected"), "{frame}");
    assert!(
        line("Jellyfin").contains("console's key rejected"),
        "{frame}"
    );
    assert!(
        frame.contains("the app rejected the Secret's key: 401 Unauthorized"),
        "{frame}"
    );
}
