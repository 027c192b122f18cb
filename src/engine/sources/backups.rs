//! Backups under the backup root (issue 11): one target at most — the root and the config
//! directories of the services that should have backups, and the backup CronJobs from the
//! watched listing — read slowly (a directory listing and
//! the small sidecars, off the engine's loop), since backups change once a day; `ctrl-r` and
//! the pane's `r` read at once. Backups not set up here (no `backup.root`, no default root):
//! no target, nothing runs.

use super::{Observed, Source, SourceFacts};
use crate::backup::schedule::ScheduleFacts;
use crate::bus::{BackupsView, Msg};
use crate::checks::backup::BackupFacts;
use crate::config::Config;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub struct Backups;

#[derive(Clone, PartialEq)]
pub struct BackupsTarget {
    pub root: PathBuf,
    pub paths: BTreeMap<String, PathBuf>,
    pub ids: BTreeMap<String, crate::model::ServiceId>,
    /// The backup CronJobs, from the watched listing (no request).
    pub schedule: ScheduleFacts,
}

impl Source for Backups {
    type Key = ();
    type Target = BackupsTarget;
    type Obs = BackupsView;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<((), BackupsTarget)> {
        crate::engine::backup_scope(f.cfg, f.inventory)
            .map(|(root, paths)| {
                let ids = f
                    .inventory
                    .services
                    .iter()
                    .map(|s| {
                        let name = crate::backup::service_name(s.id.as_str());
                        (name, s.id.clone())
                    })
                    .collect();
                let schedule = crate::backup::schedule::from_listing(f.listing);
                (
                    (),
                    BackupsTarget {
                        root,
                        paths,
                        ids,
                        schedule,
                    },
                )
            })
            .into_iter()
            .collect()
    }

    async fn observe(&self, t: BackupsTarget) -> (BackupsView, bool) {
        let root = t.root.clone();
        let read = tokio::task::spawn_blocking(move || crate::backup::list(&root, None)).await;
        let (backups, error) = match read {
            Ok(Ok(b)) => (b, None),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
            Ok(Err(e)) => (Vec::new(), Some(format!("{}: {e}", t.root.display()))),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let ok = error.is_none();
        let view = BackupsView {
            facts: BackupFacts {
                services: t.paths.keys().cloned().collect(),
                backups,
                schedule: t.schedule,
            },
            root: t.root,
            paths: t.paths,
            ids: t.ids,
            error,
            fetched_at: jiff::Timestamp::now(),
        };
        (view, ok)
    }

    fn record(_: (), obs: BackupsView, into: &mut Observed) -> Vec<Msg> {
        // An unreadable root says nothing about the backups: no findings from it.
        into.backups = obs.error.is_none().then(|| obs.facts.clone());
        vec![Msg::Backups(Box::new(obs))]
    }

    fn forget(_: &(), into: &mut Observed) {
        into.backups = None;
    }

    fn interval(&self, cfg: &Config) -> Duration {
        Duration::from_secs((cfg.refresh_seconds.max(2) * 6).max(60))
    }
}
