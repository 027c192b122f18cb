//! CronJobs and Jobs as deployed (issue 12, `:jobs`): each CronJob's schedule and its interval,
//! last schedule, last success, active Jobs and whether it is suspended; each Job with its state
//! and the state of its pods (Pending with the reason, ImagePullBackOff, failed). Built purely
//! from the watched listing ([`from_listing`]); the `job.*` checks read it.

pub mod cron;
pub mod run;

use crate::cluster::kinds::{Kind as _, CRONJOBS, JOBS};
use crate::cluster::list::Listing;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::DynamicObject;
use serde_json::Value;

/// One CronJob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronJobState {
    pub namespace: String,
    pub name: String,
    pub schedule: String,
    /// The longest gap between two runs, `None` when the schedule does not parse.
    pub interval_secs: Option<i64>,
    pub suspended: bool,
    pub last_schedule: Option<Timestamp>,
    pub last_success: Option<Timestamp>,
    /// Jobs running now (`status.active`).
    pub active: usize,
    pub created: Option<Timestamp>,
}

impl CronJobState {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A pod of a Job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPod {
    pub name: String,
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    pub phase: String,
    /// Why it is not running: a container's waiting reason (`ImagePullBackOff`) or the
    /// scheduling condition's reason (`Unschedulable`).
    pub reason: Option<String>,
    pub message: Option<String>,
    pub created: Option<Timestamp>,
    /// Its containers, in spec order (for logs).
    pub containers: Vec<String>,
    /// Restarts of its containers (a previous run's log exists).
    pub restarts: u32,
}

impl JobPod {
    /// Did a container of it start (so it has a log)? Pending pods that never ran have none.
    pub fn ran(&self) -> bool {
        matches!(self.phase.as_str(), "Running" | "Succeeded" | "Failed")
    }

    pub fn image_pull_failing(&self) -> bool {
        matches!(
            self.reason.as_deref(),
            Some("ImagePullBackOff" | "ErrImagePull" | "InvalidImageName")
        )
    }
}

/// One Job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobState {
    pub namespace: String,
    pub name: String,
    /// The CronJob that created it.
    pub cronjob: Option<String>,
    /// `Complete`, `Failed`, `Running` (or `Suspended`).
    pub state: String,
    /// The Failed condition's reason/message.
    pub message: Option<String>,
    pub created: Option<Timestamp>,
    pub pods: Vec<JobPod>,
}

impl JobState {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Everything the Jobs pane and the `job.*` checks look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobsFacts {
    pub cronjobs: Vec<CronJobState>,
    /// Newest first within a namespace.
    pub jobs: Vec<JobState>,
}

impl JobsFacts {
    /// The Jobs of a CronJob, newest first.
    pub fn jobs_of<'a>(&'a self, cj: &'a CronJobState) -> impl Iterator<Item = &'a JobState> {
        self.jobs.iter().filter(move |j| {
            j.namespace == cj.namespace && j.cronjob.as_deref() == Some(cj.name.as_str())
        })
    }
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|t| t.parse().ok())
}

fn created(o: &DynamicObject) -> Option<Timestamp> {
    o.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

pub fn cronjob_state(o: &DynamicObject) -> CronJobState {
    let d = &o.data;
    let schedule = d["spec"]["schedule"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    CronJobState {
        namespace: o.metadata.namespace.clone().unwrap_or_default(),
        name: o.metadata.name.clone().unwrap_or_default(),
        interval_secs: cron::interval_secs(&schedule),
        schedule,
        suspended: d["spec"]["suspend"].as_bool().unwrap_or(false),
        last_schedule: ts(&d["status"]["lastScheduleTime"]),
        last_success: ts(&d["status"]["lastSuccessfulTime"]),
        active: d["status"]["active"].as_array().map_or(0, Vec::len),
        created: created(o),
    }
}

fn pod_of(p: &Pod) -> JobPod {
    let st = p.status.as_ref();
    let waiting = st
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .chain(
            st.and_then(|s| s.init_container_statuses.as_ref())
                .into_iter()
                .flatten(),
        )
        .find_map(|c| c.state.as_ref()?.waiting.as_ref());
    let unscheduled = st
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False");
    let terminated = st
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find_map(|c| c.state.as_ref()?.terminated.as_ref());
    let reason = waiting
        .and_then(|w| w.reason.clone())
        .or_else(|| unscheduled.and_then(|c| c.reason.clone()))
        .or_else(|| terminated.and_then(|t| t.reason.clone()))
        .or_else(|| st.and_then(|s| s.reason.clone()));
    let message = waiting
        .and_then(|w| w.message.clone())
        .or_else(|| unscheduled.and_then(|c| c.message.clone()))
        .or_else(|| terminated.and_then(|t| t.message.clone()));
    JobPod {
        name: p.metadata.name.clone().unwrap_or_default(),
        phase: st
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Unknown".into()),
        reason,
        message,
        created: p.metadata.creation_timestamp.as_ref().map(|t| t.0),
        containers: p
            .spec
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
            .collect(),
        restarts: st
            .and_then(|s| s.container_statuses.as_ref())
            .into_iter()
            .flatten()
            .map(|c| u32::try_from(c.restart_count).unwrap_or(0))
            .sum(),
    }
}

pub fn job_state(o: &DynamicObject, pods: &[std::sync::Arc<Pod>]) -> JobState {
    let d = &o.data;
    let ns = o.metadata.namespace.clone().unwrap_or_default();
    let name = o.metadata.name.clone().unwrap_or_default();
    let cond = |t: &str| {
        d["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == t && c["status"] == "True")
            .cloned()
    };
    let failed = cond("Failed");
    let state = if cond("Complete").is_some() {
        "Complete"
    } else if failed.is_some() {
        "Failed"
    } else if d["spec"]["suspend"].as_bool() == Some(true) {
        "Suspended"
    } else {
        "Running"
    };
    let mut job_pods: Vec<JobPod> = pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns.as_str()))
        .filter(|p| {
            p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.kind == "Job" && r.name == name)
        })
        .map(|p| pod_of(p))
        .collect();
    job_pods.sort_by(|a, b| b.created.cmp(&a.created).then(a.name.cmp(&b.name)));
    JobState {
        cronjob: o
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.kind == "CronJob")
            .map(|r| r.name.clone()),
        state: state.to_string(),
        message: failed.map(|c| {
            let r = c["reason"].as_str().unwrap_or_default();
            let m = c["message"].as_str().unwrap_or_default();
            format!("{r}: {m}").trim_matches([':', ' ']).to_string()
        }),
        created: created(o),
        pods: job_pods,
        namespace: ns,
        name,
    }
}

/// The jobs facts of a listing.
pub fn from_listing(l: &Listing) -> JobsFacts {
    let mut cronjobs: Vec<CronJobState> = l
        .custom(CRONJOBS.name())
        .iter()
        .map(|o| cronjob_state(o))
        .collect();
    cronjobs.sort_by_key(CronJobState::id);
    let mut jobs: Vec<JobState> = l
        .custom(JOBS.name())
        .iter()
        .map(|o| job_state(o, &l.objects.pods))
        .collect();
    jobs.sort_by(|a, b| {
        (&a.namespace, std::cmp::Reverse(a.created), &a.name).cmp(&(
            &b.namespace,
            std::cmp::Reverse(b.created),
            &b.name,
        ))
    });
    JobsFacts { cronjobs, jobs }
}
