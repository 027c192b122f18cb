//! `job.*` findings from the CronJob and Job facts ([`crate::jobs::JobsFacts`]): a CronJob with
//! no success within twice its schedule's interval, a Job pod stuck Pending (with the reason)
//! or failing to pull its image, a suspended CronJob, and a failed last Job.

use super::catalog;
use crate::jobs::JobsFacts;
use crate::model::Finding;
use jiff::Timestamp;

/// How long a Job pod may stay Pending before it is stuck.
pub const PENDING_GRACE_SECS: i64 = 5 * 60;

fn age(now: Timestamp, t: Timestamp) -> i64 {
    now.as_second() - t.as_second()
}

fn human(secs: i64) -> String {
    match secs {
        s if s >= 2 * 86_400 => format!("{}d", s / 86_400),
        s if s >= 2 * 3600 => format!("{}h", s / 3600),
        s => format!("{}m", s / 60),
    }
}

/// Every jobs finding, CronJobs in name order, then the Jobs.
pub fn evaluate(j: &JobsFacts, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    for cj in &j.cronjobs {
        let id = cj.id();
        let vars = [
            ("namespace", cj.namespace.as_str()),
            ("cronjob", cj.name.as_str()),
        ];
        if cj.suspended {
            let msg = format!("{} is suspended: it does not run on its schedule", cj.name);
            out.push(catalog::JOB_SUSPENDED.finding(&id, msg, &vars));
            continue;
        }
        if let Some(iv) = cj.interval_secs {
            // Never succeeded: count from its creation.
            let since = cj.last_success.or(cj.created);
            if let Some(t) = since.filter(|t| age(now, *t) > 2 * iv) {
                let what = if cj.last_success.is_some() {
                    format!("last success {} ago", human(age(now, t)))
                } else {
                    format!("no success since it was created {} ago", human(age(now, t)))
                };
                let msg = format!(
                    "{}: {what}, its schedule `{}` runs every {}",
                    cj.name,
                    cj.schedule,
                    human(iv)
                );
                out.push(catalog::JOB_STALE.finding(&id, msg, &vars));
            }
        }
        if let Some(last) = j.jobs_of(cj).next().filter(|l| l.state == "Failed") {
            let msg = format!(
                "{}: the last run {} failed{}",
                cj.name,
                last.name,
                last.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            );
            let mut v = vars.to_vec();
            v.push(("job", last.name.as_str()));
            out.push(catalog::JOB_FAILED.finding(&id, msg, &v));
        }
    }
    for job in &j.jobs {
        let id = job.id();
        if job.cronjob.is_none() && job.state == "Failed" {
            let msg = format!(
                "Job {} failed{}",
                job.name,
                job.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            );
            let vars = [
                ("namespace", job.namespace.as_str()),
                ("job", job.name.as_str()),
                ("cronjob", "-"),
            ];
            out.push(catalog::JOB_FAILED.finding(&id, msg, &vars));
        }
        for p in job.pods.iter().filter(|p| p.phase == "Pending") {
            let vars = [
                ("namespace", job.namespace.as_str()),
                ("job", job.name.as_str()),
                ("pod", p.name.as_str()),
            ];
            let detail = p
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            if p.image_pull_failing() {
                let msg = format!(
                    "pod {} of Job {}: {}{detail}",
                    p.name,
                    job.name,
                    p.reason.as_deref().unwrap_or_default()
                );
                out.push(catalog::JOB_IMAGE_PULL.finding(&id, msg, &vars));
            } else if let Some(t) = p.created.filter(|t| age(now, *t) > PENDING_GRACE_SECS) {
                let msg = format!(
                    "pod {} of Job {} Pending for {}: {}{detail}",
                    p.name,
                    job.name,
                    human(age(now, t)),
                    p.reason.as_deref().unwrap_or("reason unknown")
                );
                out.push(catalog::JOB_PENDING.finding(&id, msg, &vars));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
