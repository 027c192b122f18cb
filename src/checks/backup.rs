//! Backup rules (issue 11): per service with a config directory, no backup at all, the newest
//! older than 26 h, the newest failed or never verified.

use super::catalog;
use crate::backup::BackupInfo;
use crate::model::Finding;
use jiff::Timestamp;

/// A backup older than this is stale (a day plus two hours of slack for the daily run).
pub const STALE_HOURS: i64 = 26;

#[derive(Debug, Clone, Default)]
pub struct BackupFacts {
    /// Services that should have backups (discovered with a config directory on a node
    /// path, or configured in `backup.paths`): backup name (`sonarr`).
    pub services: Vec<String>,
    /// Every backup under the root.
    pub backups: Vec<BackupInfo>,
    /// The CronJobs that run `k8s-nas backup run` in the cluster.
    pub schedule: crate::backup::schedule::ScheduleFacts,
}

impl BackupFacts {
    /// Read the backup root (cheap: directory listing and the small sidecars).
    pub fn read(root: &std::path::Path, services: Vec<String>) -> BackupFacts {
        BackupFacts {
            services,
            backups: crate::backup::list(root, None).unwrap_or_default(),
            schedule: Default::default(),
        }
    }
}

pub fn evaluate(f: &BackupFacts, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in &f.services {
        let vars = [("service", svc.as_str())];
        let Some(newest) = f
            .backups
            .iter()
            .filter(|b| &b.service == svc)
            .max_by(|a, b| a.id.cmp(&b.id))
        else {
            out.push(catalog::BACKUP_NONE.finding(
                svc.as_str(),
                format!("{svc}: no backup of its config directory"),
                &vars,
            ));
            continue;
        };
        let age_h = now.duration_since(newest.created).as_hours();
        if age_h >= STALE_HOURS {
            out.push(catalog::BACKUP_STALE.finding(
                svc.as_str(),
                format!("{svc}: newest backup {} is {age_h} h old", newest.id),
                &vars,
            ));
        }
        match &newest.verification {
            Some(v) if !v.ok => out.push(catalog::BACKUP_VERIFY_FAILED.finding(
                svc.as_str(),
                format!(
                    "{svc}: backup {} failed verification: {}",
                    newest.id,
                    v.problems.first().cloned().unwrap_or_default()
                ),
                &vars,
            )),
            None => out.push(catalog::BACKUP_UNVERIFIED.finding(
                svc.as_str(),
                format!("{svc}: backup {} was never verified", newest.id),
                &vars,
            )),
            Some(_) => {}
        }
    }
    out.extend(schedule_findings(f, now));
    out
}

/// A backup CronJob (of the services here) whose last success is 26 h old or more — or that
/// never succeeded and exists that long.
fn schedule_findings(f: &BackupFacts, now: Timestamp) -> Vec<Finding> {
    f.schedule
        .cronjobs()
        .iter()
        .filter(|c| f.services.is_empty() || f.services.iter().any(|s| c.covers(s)))
        .filter_map(|c| {
            let cj = &c.cronjob;
            let hours = |t: Timestamp| now.duration_since(t).as_hours();
            let why = match (cj.last_success, cj.created) {
                (Some(t), _) if hours(t) >= STALE_HOURS => {
                    format!("last successful run {} h ago", hours(t))
                }
                (None, Some(t)) if hours(t) >= STALE_HOURS => {
                    format!("never succeeded (created {} h ago)", hours(t))
                }
                _ => return None,
            };
            let suspended = if cj.suspended {
                "; it is suspended"
            } else {
                ""
            };
            let id = cj.id();
            Some(catalog::BACKUP_SCHEDULE_STALE.finding(
                id.as_str(),
                format!("backup CronJob {id}: {why}{suspended}"),
                &[
                    ("namespace", cj.namespace.as_str()),
                    ("cronjob", cj.name.as_str()),
                ],
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::{parse_id, VerifyRecord};

    fn b(svc: &str, id: &str, ok: Option<bool>) -> BackupInfo {
        BackupInfo {
            service: svc.into(),
            id: id.into(),
            created: parse_id(id).unwrap(),
            archive: format!("/r/{svc}/{id}.tar.zst").into(),
            size: 1,
            files: 1,
            verification: ok.map(|ok| VerifyRecord {
                at: String::new(),
                deep: false,
                ok,
                files_checked: 1,
                problems: if ok {
                    vec![]
                } else {
                    vec!["archive checksum mismatch".into()]
                },
            }),
            manifest_ok: true,
        }
    }

    #[test]
    fn none_stale_failed_and_unverified() {
        let now = parse_id("20261205T120000Z").unwrap();
        let f = BackupFacts {
            services: ["sonarr", "radarr", "lidarr", "prowlarr", "bazarr"]
                .map(String::from)
                .to_vec(),
            backups: vec![
                b("sonarr", "20261205T030000Z", Some(true)),
                b("radarr", "20261204T090000Z", Some(true)),
                b("lidarr", "20261205T030000Z", Some(false)),
                b("prowlarr", "20261205T030000Z", None),
            ],
            schedule: Default::default(),
        };
        let got: Vec<(String, String)> = evaluate(&f, now)
            .into_iter()
            .map(|f| (f.code, f.subject))
            .collect();
        let want: Vec<(String, String)> = [
            ("backup.stale", "radarr"),
            ("backup.verify_failed", "lidarr"),
            ("backup.unverified", "prowlarr"),
            ("backup.none", "bazarr"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
        // 26 h is the line: 25 h old is fine.
        let fresh = BackupFacts {
            services: vec!["radarr".into()],
            backups: vec![b("radarr", "20261204T110000Z", Some(true))],
            schedule: Default::default(),
        };
        assert!(evaluate(&fresh, now).is_empty());
    }

    #[test]
    fn schedule_stale_past_26_hours_or_never_succeeded() {
        use crate::backup::schedule::{BackupCronJob, ScheduleFacts};
        let now = parse_id("20261205T120000Z").unwrap();
        let cj = |name: &str, ok: Option<&str>, created: &str, services: Option<Vec<String>>| {
            BackupCronJob {
                cronjob: crate::jobs::CronJobState {
                    namespace: "media".into(),
                    name: name.into(),
                    schedule: "30 3 * * *".into(),
                    interval_secs: Some(86_400),
                    suspended: false,
                    last_schedule: None,
                    last_success: ok.map(|t| parse_id(t).unwrap()),
                    active: 0,
                    created: Some(parse_id(created).unwrap()),
                },
                services,
            }
        };
        let f = BackupFacts {
            services: vec!["sonarr".into()],
            backups: vec![b("sonarr", "20261205T030000Z", Some(true))],
            schedule: ScheduleFacts::Known(vec![
                cj("fresh", Some("20261204T120001Z"), "20261101T000000Z", None),
                cj("old", Some("20261204T100000Z"), "20261101T000000Z", None),
                cj("never", None, "20261201T000000Z", None),
                cj("young", None, "20261205T000000Z", None),
                // Backs up a service not here: not this console's business.
                cj("other", None, "20261101T000000Z", Some(vec!["plex".into()])),
            ]),
        };
        let got: Vec<(String, String)> = evaluate(&f, now)
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "backup.schedule_stale".to_string(),
                    "backup CronJob media/old: last successful run 26 h ago".to_string()
                ),
                (
                    "backup.schedule_stale".to_string(),
                    "backup CronJob media/never: never succeeded (created 108 h ago)".to_string()
                ),
            ]
        );
    }
}
