//! Restarts in the last hour (issue 8): the engine samples each pod's restart count whenever the
//! watch delivers a snapshot and keeps the samples of the last hour (plus one older baseline).
//! A termination the pod reports as finished within the hour counts as at least one restart,
//! so a loop that began before the console started is not "0 in the last hour".

use crate::model::{PodStatus, ServiceId};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

const HOUR: SignedDuration = SignedDuration::from_secs(3600);

/// Restart-count samples per pod (`namespace/pod`), only when the count changed.
#[derive(Debug, Default)]
pub struct RestartLog {
    samples: BTreeMap<String, Vec<(Timestamp, u32)>>,
}

impl RestartLog {
    /// Record the counts of `pods` seen at `now`, forget pods that are gone, and fill each
    /// pod's `restarts_last_hour`.
    pub fn observe(&mut self, pods: &mut BTreeMap<ServiceId, Vec<PodStatus>>, now: Timestamp) {
        let mut seen = BTreeMap::new();
        for (id, list) in pods.iter_mut() {
            for p in list.iter_mut() {
                let key = format!("{id}/{}", p.name);
                let mut samples = self.samples.remove(&key).unwrap_or_default();
                if samples.last().is_none_or(|(_, n)| *n != p.restarts) {
                    samples.push((now, p.restarts));
                }
                // Keep the newest sample older than an hour as the baseline, drop the rest.
                let old = samples
                    .iter()
                    .filter(|(t, _)| now.duration_since(*t) > HOUR)
                    .count();
                if old > 1 {
                    samples.drain(..old - 1);
                }
                p.restarts_last_hour = Some(last_hour(&samples, p, now));
                seen.insert(key, samples);
            }
        }
        self.samples = seen;
    }
}

/// Increases since the baseline (the count an hour ago, or when first seen), at least one when
/// a container terminated within the hour.
fn last_hour(samples: &[(Timestamp, u32)], p: &PodStatus, now: Timestamp) -> u32 {
    let baseline = samples.first().map_or(p.restarts, |(_, n)| *n);
    let counted = p.restarts.saturating_sub(baseline);
    let recent = p
        .last_termination
        .as_ref()
        .and_then(|t| t.finished_at)
        .is_some_and(|f| now.duration_since(f) <= HOUR);
    counted.max(u32::from(recent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PodPhase, Termination};

    fn pod(restarts: u32, finished: Option<Timestamp>) -> PodStatus {
        PodStatus {
            name: "bazarr-1".into(),
            phase: PodPhase::Running,
            ready_containers: 0,
            total_containers: 1,
            restarts,
            reason: Some("CrashLoopBackOff".into()),
            started_at: None,
            node: None,
            terminating: false,
            last_termination: finished.map(|f| Termination {
                container: "bazarr".into(),
                reason: Some("Error".into()),
                exit_code: 1,
                finished_at: Some(f),
                memory_limit: None,
            }),
            restarts_last_hour: None,
        }
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    fn run(log: &mut RestartLog, restarts: u32, finished: Option<Timestamp>, now: i64) -> u32 {
        let id = ServiceId::new("media", "bazarr");
        let mut pods = BTreeMap::from([(id.clone(), vec![pod(restarts, finished)])]);
        log.observe(&mut pods, at(now));
        pods[&id][0].restarts_last_hour.unwrap()
    }

    #[test]
    fn counts_the_increases_of_the_last_hour() {
        let mut log = RestartLog::default();
        // First seen with 10 restarts, the last one long ago: none in the hour.
        assert_eq!(run(&mut log, 10, Some(at(-7200)), 0), 0);
        // One recently finished termination before any increase: at least one.
        let mut fresh = RestartLog::default();
        assert_eq!(run(&mut fresh, 10, Some(at(-60)), 0), 1);
        // Three increases observed within the hour.
        assert_eq!(run(&mut log, 11, Some(at(600)), 600), 1);
        assert_eq!(run(&mut log, 13, Some(at(1200)), 1200), 3);
        // Two hours later with no new restart: the old increases age out.
        assert_eq!(run(&mut log, 13, Some(at(1200)), 1200 + 7200), 0);
        assert_eq!(run(&mut log, 14, Some(at(8500)), 8500), 1);
    }

    #[test]
    fn forgets_pods_that_are_gone() {
        let mut log = RestartLog::default();
        run(&mut log, 3, None, 0);
        let mut empty = BTreeMap::new();
        log.observe(&mut empty, at(10));
        assert!(log.samples.is_empty());
    }
}
