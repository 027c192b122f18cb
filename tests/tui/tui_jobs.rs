//! The `:jobs` pane: CronJobs (one stale, one suspended, one whose last Job failed) each
//! followed by its recent Jobs, a Job whose pod is Pending on ImagePullBackOff; rows coloured by
//! their worst `job.*` finding, the box shows the pods with their reasons and each finding with
//! fix and runbook.

use crate::tui_common;

use k8s_nas::bus::JobsView;
use k8s_nas::jobs::{cron, CronJobState, JobPod, JobState, JobsFacts};
use k8s_nas::tui::panes::jobs::JobsState;
use k8s_nas::tui::{Effect, Msg, TaskRequest};
use tui_common::*;

fn cj(ns: &str, name: &str, schedule: &str, ok_ago: i64, suspended: bool) -> CronJobState {
    CronJobState {
        namespace: ns.into(),
        name: name.into(),
        schedule: schedule.into(),
        interval_secs: cron::interval_secs(schedule),
        suspended,
        last_schedule: Some(ago(ok_ago.min(600))),
        last_success: Some(ago(ok_ago)),
        active: 0,
        created: Some(ago(86_400 * 60)),
    }
}

fn job(ns: &str, name: &str, owner: &str, state: &str, pods: Vec<JobPod>) -> JobState {
    JobState {
        namespace: ns.into(),
        name: name.into(),
        cronjob: Some(owner.into()),
        state: state.into(),
        message: (state == "Failed")
            .then(|| "BackoffLimitExceeded: Job has reached the specified backoff limit".into()),
        created: Some(ago(1_200)),
        pods,
    }
}

fn pod(name: &str, phase: &str, reason: Option<&str>, message: Option<&str>) -> JobPod {
    JobPod {
        name: name.into(),
        phase: phase.into(),
        reason: reason.map(Into::into),
        message: message.map(Into::into),
        created: Some(ago(1_200)),
        containers: vec!["job".into()],
        restarts: 0,
    }
}

fn view() -> JobsView {
    let mut scraper = cj(
        "qbittorrent",
        "f1-scraper",
        "0 7-19 * * 0,4,5,6",
        3_600,
        false,
    );
    scraper.active = 1;
    let facts = JobsFacts {
        cronjobs: vec![
            cj(
                "argocd",
                "sync-cert-secret",
                "*/15 * * * *",
                3 * 86_400,
                false,
            ),
            cj("backup", "restic-nightly", "@daily", 3_600, false),
            cj("monitoring", "report", "@weekly", 3_600, true),
            scraper,
        ],
        jobs: vec![
            job(
                "backup",
                "restic-nightly-29410",
                "restic-nightly",
                "Failed",
                vec![pod(
                    "restic-nightly-29410-abcde",
                    "Failed",
                    Some("Error"),
                    None,
                )],
            ),
            job(
                "qbittorrent",
                "f1-scraper-29410200",
                "f1-scraper",
                "Running",
                vec![pod(
                    "f1-scraper-29410200-x7k2q",
                    "Pending",
                    Some("ImagePullBackOff"),
                    Some("Back-off pulling image \"registry.example.invalid/job-runner:0.0.0\""),
                )],
            ),
        ],
    };
    let findings = k8s_nas::checks::jobs::evaluate(&facts, now());
    JobsView {
        facts,
        findings,
        fetched_at: now(),
    }
}

fn opened(w: u16, h: u16) -> Harness {
    let msgs = [Msg::Jobs(Box::new(view())), Msg::Tick(now())];
    Harness::opened(w, h, msgs, ":jobs<enter>")
}

#[test]
fn jobs_pane_shows_the_faults_with_fix_and_runbook_160x45() {
    let mut h = opened(160, 45);
    let frame = h.frame();
    for needle in [
        "argocd/sync-cert-secret",
        "*/15 * * * *",
        "suspended",
        "Failed",
        "└ backup/restic-nightly-29410",
    ] {
        assert!(frame.contains(needle), "{needle} missing:\n{frame}");
    }
    insta::assert_snapshot!("jobs_pane_160x45", frame);
    // The image pull Job: its pod with the reason, the finding with fix and runbook.
    h.press("/29410200<enter>");
    let frame = h.frame();
    for needle in [
        "f1-scraper-29410200",
        "ImagePullBackOff",
        "job.image_pull",
        "fix: ",
        "see: https://kubernetes.io",
    ] {
        assert!(frame.contains(needle), "{needle} missing:\n{frame}");
    }
}

#[test]
fn jobs_pane_at_80x24() {
    let mut h = opened(80, 24);
    let frame = h.frame();
    assert!(frame.contains("sync-cert-secret"), "{frame}");
    insta::assert_snapshot!("jobs_pane_80x24", frame);
}

fn tasks(fx: &[Effect]) -> Vec<TaskRequest> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::RunTask { request, .. } => Some(request.clone()),
            _ => None,
        })
        .collect()
}

/// `(namespace, pod, container)` of the log streams started.
fn streams(fx: &[Effect]) -> Vec<(String, String, String)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::StreamLogs {
                namespace,
                pod,
                container,
                ..
            } => Some((namespace.clone(), pod.clone(), container.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn run_now_asks_first_and_works_on_cronjob_rows_only() {
    let mut h = opened(160, 45);
    h.press("/restic-nightly<enter>");
    // The cursor is on the CronJob row: `t` asks first; `n` cancels.
    assert!(tasks(&h.press("t")).is_empty());
    let frame = h.frame();
    assert!(
        frame.contains("kubectl create job --from=cronjob/restic-nightly"),
        "{frame}"
    );
    assert!(tasks(&h.press("n")).is_empty());
    h.press("t");
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::RunCronJob {
            namespace: "backup".into(),
            name: "restic-nightly".into()
        }]
    );
    // On a Job row: no dialog, a note.
    h.press("j");
    assert!(tasks(&h.press("t")).is_empty());
    assert!(
        h.frame().contains("run now works on a CronJob row"),
        "{}",
        h.frame()
    );
}

#[test]
fn readonly_has_no_run_now() {
    let mut h = Harness::new(true);
    h.load_healthy();
    h.feed(Msg::Jobs(Box::new(view())));
    h.press(":jobs<enter>");
    assert!(tasks(&h.press("t")).is_empty());
    assert!(!h.frame().contains("kubectl create job"));
}

#[test]
fn logs_of_the_last_run_or_the_run_before_a_pod_that_never_started() {
    let mut h = opened(160, 45);
    h.press("/restic-nightly<enter>");
    // The CronJob's last run failed: its pod's log.
    assert_eq!(
        streams(&h.press("l")),
        [(
            "backup".to_string(),
            "restic-nightly-29410-abcde".to_string(),
            "job".to_string()
        )]
    );
    assert!(
        h.frame().contains("backup/restic-nightly-29410-abcde:job"),
        "{}",
        h.frame()
    );
    // The scraper's only run is Pending on an image pull: no log, said so.
    let mut h = opened(160, 45);
    h.press("/f1-scraper<enter>");
    assert!(streams(&h.press("l")).is_empty());
    assert!(h.frame().contains("no run with a log"), "{}", h.frame());
}

#[test]
fn cj_and_cronjobs_open_the_same_pane() {
    for cmd in [":cj<enter>", ":cronjobs<enter>"] {
        let mut h = Harness::healthy();
        h.resize(160, 45);
        h.feed(Msg::Jobs(Box::new(view())));
        h.press(cmd);
        assert!(h.frame().contains("restic-nightly"), "{cmd}");
    }
}

#[test]
fn d_describes_the_cronjob_or_the_job_under_the_cursor() {
    let mut h = opened(160, 45);
    let first = h.app.pane::<JobsState>().unwrap().list.selected().cloned();
    let first = first.expect("a row");
    let fx = h.press("d");
    let (ns, name) = first.object.clone();
    assert!(
        fx.contains(&Effect::Describe {
            namespace: ns,
            kind: first.kind.into(),
            name,
        }),
        "{fx:?}"
    );
    h.press("<esc>");
    h.press("/restic-nightly-29410<enter>");
    let job = h.app.pane::<JobsState>().unwrap().list.selected().cloned();
    let job = job.expect("a Job row");
    assert_eq!(job.kind, "Job");
    let fx = h.press("d");
    assert!(
        fx.contains(&Effect::Describe {
            namespace: job.object.0.clone(),
            kind: "Job".into(),
            name: job.object.1.clone(),
        }),
        "{fx:?}"
    );
}
