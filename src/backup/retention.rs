//! Retention after each successful run: keep the newest backup of each of the last N days,
//! M ISO weeks and K months that have backups (restic's `--keep-daily/weekly/monthly`
//! semantics), and never delete the newest verified backup.

use super::BackupInfo;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub daily: u32,
    pub weekly: u32,
    pub monthly: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            daily: 7,
            weekly: 4,
            monthly: 6,
        }
    }
}

type Bucket<'a> = &'a dyn Fn(&BackupInfo) -> String;

/// The backups of one service that the policy lets go (the input may be in any order).
pub fn plan_retention(backups: &[BackupInfo], policy: Policy) -> Vec<BackupInfo> {
    let mut sorted: Vec<&BackupInfo> = backups.iter().collect();
    sorted.sort_by(|a, b| b.id.cmp(&a.id)); // newest first
    let mut keep = BTreeSet::new();
    let utc = |b: &BackupInfo| b.created.to_zoned(jiff::tz::TimeZone::UTC);
    let rules: [(u32, Bucket); 3] = [
        (policy.daily, &|b| utc(b).date().to_string()),
        (policy.weekly, &|b| {
            let w = utc(b).date().iso_week_date();
            format!("{}-W{}", w.year(), w.week())
        }),
        (policy.monthly, &|b| {
            let d = utc(b).date();
            format!("{}-{}", d.year(), d.month())
        }),
    ];
    for (n, bucket) in rules {
        let mut seen = BTreeSet::new();
        for b in &sorted {
            if seen.len() as u32 >= n {
                break;
            }
            if seen.insert(bucket(b)) {
                keep.insert(b.id.clone());
            }
        }
    }
    if let Some(v) = sorted.iter().find(|b| b.verified_ok()) {
        keep.insert(v.id.clone());
    }
    // The newest backup always stays, whatever the policy says.
    if let Some(n) = sorted.first() {
        keep.insert(n.id.clone());
    }
    sorted
        .into_iter()
        .filter(|b| !keep.contains(&b.id))
        .cloned()
        .collect()
}

/// Apply the policy to one service's backups; `dry_run` deletes nothing. Returns what goes.
pub fn apply_retention(
    backups: &[BackupInfo],
    policy: Policy,
    dry_run: bool,
) -> std::io::Result<Vec<BackupInfo>> {
    let gone = plan_retention(backups, policy);
    if !dry_run {
        for b in &gone {
            super::store::delete(b)?;
        }
    }
    Ok(gone)
}
