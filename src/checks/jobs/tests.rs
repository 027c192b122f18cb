use super::evaluate;
use crate::jobs::{CronJobState, JobPod, JobState, JobsFacts};
use jiff::Timestamp;

fn at(secs_ago: i64, now: Timestamp) -> Option<Timestamp> {
    Timestamp::from_second(now.as_second() - secs_ago).ok()
}

fn cj(name: &str, schedule: &str, last_ok_ago: i64, now: Timestamp) -> CronJobState {
    CronJobState {
        namespace: "monitoring".into(),
        name: name.into(),
        schedule: schedule.into(),
        interval_secs: crate::jobs::cron::interval_secs(schedule),
        suspended: false,
        last_schedule: at(last_ok_ago, now),
        last_success: at(last_ok_ago, now),
        active: 0,
        created: at(86_400 * 30, now),
    }
}

fn job(name: &str, owner: &str, state: &str, pods: Vec<JobPod>, now: Timestamp) -> JobState {
    JobState {
        namespace: "monitoring".into(),
        name: name.into(),
        cronjob: Some(owner.into()),
        state: state.into(),
        message: (state == "Failed").then(|| "BackoffLimitExceeded".into()),
        created: at(600, now),
        pods,
    }
}

fn pending(reason: &str, ago: i64, now: Timestamp) -> JobPod {
    JobPod {
        name: "p-1".into(),
        phase: "Pending".into(),
        reason: Some(reason.into()),
        message: None,
        created: at(ago, now),
        containers: vec!["job".into()],
        restarts: 0,
    }
}

fn codes(f: &[crate::model::Finding]) -> Vec<(String, String)> {
    f.iter()
        .map(|f| (f.code.clone(), f.subject.clone()))
        .collect()
}

#[test]
fn stale_only_past_twice_the_interval() {
    let now = Timestamp::now();
    let facts = JobsFacts {
        cronjobs: vec![
            cj("fresh", "*/15 * * * *", 25 * 60, now),
            cj("stale", "*/15 * * * *", 31 * 60, now),
            cj("daily", "@daily", 36 * 3600, now),
        ],
        jobs: vec![],
    };
    let f = evaluate(&facts, now);
    assert_eq!(
        codes(&f),
        vec![("job.stale".into(), "monitoring/stale".into())]
    );
    assert!(f[0].message.contains("every 15m"), "{}", f[0].message);
}

#[test]
fn suspended_is_info_and_not_stale() {
    let now = Timestamp::now();
    let mut c = cj("off", "@hourly", 86_400 * 5, now);
    c.suspended = true;
    let f = evaluate(
        &JobsFacts {
            cronjobs: vec![c],
            jobs: vec![],
        },
        now,
    );
    assert_eq!(
        codes(&f),
        vec![("job.suspended".into(), "monitoring/off".into())]
    );
    assert_eq!(f[0].severity, crate::model::Severity::Info);
}

#[test]
fn failed_last_run_image_pull_and_stuck_pending() {
    let now = Timestamp::now();
    let facts = JobsFacts {
        cronjobs: vec![cj("backup", "@daily", 3600, now)],
        jobs: vec![
            job("backup-2", "backup", "Failed", vec![], now),
            job("backup-1", "backup", "Complete", vec![], now),
            job(
                "pull",
                "x",
                "Running",
                vec![pending("ImagePullBackOff", 30, now)],
                now,
            ),
            job(
                "wait",
                "x",
                "Running",
                vec![pending("Unschedulable", 400, now)],
                now,
            ),
            job(
                "young",
                "x",
                "Running",
                vec![pending("Unschedulable", 60, now)],
                now,
            ),
        ],
    };
    let f = evaluate(&facts, now);
    assert_eq!(
        codes(&f),
        vec![
            ("job.failed".into(), "monitoring/backup".into()),
            ("job.image_pull".into(), "monitoring/pull".into()),
            ("job.pending".into(), "monitoring/wait".into()),
        ]
    );
    assert!(f[2].message.contains("Unschedulable"), "{}", f[2].message);
    assert!(
        f[0].remediation.contains("backup-2"),
        "{}",
        f[0].remediation
    );
}
