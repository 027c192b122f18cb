//! The daily backup in the cluster (FR011): which CronJobs run `k8s-nas backup run`, found by
//! evidence rather than by name — the labels `assets/k8s/backup-cronjob.yaml` carries
//! (`app.kubernetes.io/part-of: k8s-nas`, `app.kubernetes.io/component: backup`), or a
//! container whose command and arguments run `k8s-nas … backup run` (the program named, or an
//! image named `k8s-nas…` whose entrypoint it is) — and which services each covers (`--service S`
//! arguments, else all). Their status (last schedule, last success) comes from the watched
//! CronJobs ([`crate::jobs::cronjob_state`]).

use crate::cluster::kinds::{Kind as _, CRONJOBS};
use crate::cluster::list::Listing;
use crate::jobs::CronJobState;
use kube::api::DynamicObject;
use serde_json::Value;

/// The labels of the shipped CronJob.
pub const PART_OF: (&str, &str) = ("app.kubernetes.io/part-of", "k8s-nas");
pub const COMPONENT: (&str, &str) = ("app.kubernetes.io/component", "backup");

/// One CronJob that runs backups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCronJob {
    pub cronjob: CronJobState,
    /// The services it backs up (`--service` arguments); `None`: every service found.
    pub services: Option<Vec<String>>,
}

impl BackupCronJob {
    pub fn covers(&self, service: &str) -> bool {
        self.services
            .as_ref()
            .is_none_or(|v| v.iter().any(|s| s == service))
    }
}

/// What is known of the backup schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ScheduleFacts {
    /// CronJobs were not read (not watched yet, or not readable: the reason).
    #[default]
    Unknown,
    Unreadable(String),
    /// The CronJobs were read: these run backups (none: no schedule deployed).
    Known(Vec<BackupCronJob>),
}

/// A service's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage<'a> {
    Unknown,
    NoCronJob,
    By(&'a BackupCronJob),
}

impl ScheduleFacts {
    /// The CronJob backing up `service`; of several, the one that succeeded last.
    pub fn for_service(&self, service: &str) -> Coverage<'_> {
        match self {
            ScheduleFacts::Unknown | ScheduleFacts::Unreadable(_) => Coverage::Unknown,
            ScheduleFacts::Known(v) => v
                .iter()
                .filter(|c| c.covers(service))
                .max_by_key(|c| c.cronjob.last_success)
                .map_or(Coverage::NoCronJob, Coverage::By),
        }
    }

    pub fn cronjobs(&self) -> &[BackupCronJob] {
        match self {
            ScheduleFacts::Known(v) => v,
            _ => &[],
        }
    }
}

/// The backup CronJobs among the watched ones.
pub fn from_listing(l: &Listing) -> ScheduleFacts {
    match l.kind(CRONJOBS.name()) {
        None => return ScheduleFacts::Unknown,
        Some(k) if !k.present => {
            return ScheduleFacts::Unreadable(
                k.note
                    .clone()
                    .unwrap_or_else(|| "CronJobs are not readable".into()),
            )
        }
        Some(_) => {}
    }
    let mut v: Vec<BackupCronJob> = l
        .custom(CRONJOBS.name())
        .iter()
        .filter_map(|o| {
            let services = backup_services(o)?;
            Some(BackupCronJob {
                cronjob: crate::jobs::cronjob_state(o),
                services,
            })
        })
        .collect();
    v.sort_by_key(|c| c.cronjob.id());
    ScheduleFacts::Known(v)
}

/// `Some(services)` when the CronJob runs backups (`None` inside: every service).
pub fn backup_services(o: &DynamicObject) -> Option<Option<Vec<String>>> {
    let labels = o.metadata.labels.as_ref();
    let label = |(k, v): (&str, &str)| labels.and_then(|l| l.get(k)).is_some_and(|x| x == v);
    let labelled = label(PART_OF) && label(COMPONENT);
    let containers = o.data["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for c in &containers {
        let words = words(c);
        let image = c["image"].as_str().unwrap_or_default();
        let image_name = image
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .split([':', '@'])
            .next()
            .unwrap_or_default();
        let program = words
            .iter()
            .any(|w| w.rsplit('/').next() == Some("k8s-nas"))
            || image_name.starts_with("k8s-nas");
        let runs = words.windows(2).any(|w| w[0] == "backup" && w[1] == "run");
        if program && runs {
            return Some(services_of(&words));
        }
    }
    labelled.then_some(None)
}

/// The container's command and arguments, split into words (`sh -c "k8s-nas backup run"`).
fn words(c: &Value) -> Vec<String> {
    ["command", "args"]
        .iter()
        .flat_map(|k| c[*k].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_string))
        .flat_map(|s| {
            s.split_whitespace()
                .map(|w| w.trim_matches(['"', '\'', ';']).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn services_of(words: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if w == "--all" {
            return None;
        }
        if w == "--service" {
            if let Some(s) = it.next() {
                out.push(s.clone());
            }
        } else if let Some(s) = w.strip_prefix("--service=") {
            out.push(s.to_string());
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cj(name: &str, labels: Value, container: Value) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": name, "namespace": "media", "labels": labels},
            "spec": {"schedule": "30 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [container]}}}}},
            "status": {"lastSuccessfulTime": "2026-12-05T03:31:00Z"},
        }))
        .unwrap()
    }

    #[test]
    fn found_by_command_or_by_label_never_by_name() {
        let shipped = cj(
            "nightly",
            json!({}),
            json!({"image": "registry.example/k8s-nas-backup:1.2", "args": ["backup", "run", "--all"]}),
        );
        assert_eq!(backup_services(&shipped), Some(None));
        let shell = cj(
            "x",
            json!({}),
            json!({"image": "debian", "command": ["/bin/sh", "-c", "/usr/local/bin/k8s-nas backup run --service sonarr --service=radarr"]}),
        );
        assert_eq!(
            backup_services(&shell),
            Some(Some(vec!["sonarr".into(), "radarr".into()]))
        );
        let labelled = cj(
            "y",
            json!({"app.kubernetes.io/part-of": "k8s-nas", "app.kubernetes.io/component": "backup"}),
            json!({"image": "custom", "command": ["/run.sh"]}),
        );
        assert_eq!(backup_services(&labelled), Some(None));
        // Named like a backup, runs something else: not one.
        let named = cj(
            "k8s-nas-backup",
            json!({}),
            json!({"image": "k8s-nas-backup", "args": ["backup", "verify"]}),
        );
        assert_eq!(backup_services(&named), None);
        let other = cj(
            "z",
            json!({}),
            json!({"image": "restic/restic", "args": ["backup", "run"]}),
        );
        assert_eq!(backup_services(&other), None);
    }

    #[test]
    fn coverage_prefers_the_service_s_own_cronjob_and_says_unknown_when_unread() {
        let state = |name: &str, ok: Option<&str>| CronJobState {
            namespace: "media".into(),
            name: name.into(),
            schedule: "30 3 * * *".into(),
            interval_secs: Some(86_400),
            suspended: false,
            last_schedule: None,
            last_success: ok.map(|t| t.parse().unwrap()),
            active: 0,
            created: None,
        };
        let f = ScheduleFacts::Known(vec![
            BackupCronJob {
                cronjob: state("all", Some("2026-12-01T03:30:00Z")),
                services: None,
            },
            BackupCronJob {
                cronjob: state("sonarr", Some("2026-12-05T03:30:00Z")),
                services: Some(vec!["sonarr".into()]),
            },
        ]);
        let name = |c: Coverage| match c {
            Coverage::By(b) => b.cronjob.name.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(name(f.for_service("sonarr")), "sonarr");
        assert_eq!(name(f.for_service("radarr")), "all");
        assert_eq!(
            ScheduleFacts::Known(vec![]).for_service("radarr"),
            Coverage::NoCronJob
        );
        assert_eq!(
            ScheduleFacts::Unknown.for_service("radarr"),
            Coverage::Unknown
        );
    }
}
