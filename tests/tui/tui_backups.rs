//! The `:backups` pane and the restore wizard: per service the last backup's age (red past
//! 26 h), size, count, verification and config path; `b` backs up after a confirm; `R` walks
//! choose backup → checksum → typed name → the RestoreBackup task; read-only has neither.

use crate::tui_common;

use k8s_nas::backup::schedule::{BackupCronJob, ScheduleFacts};
use k8s_nas::backup::{id_for, BackupInfo, FileEntry, Manifest, VerifyRecord};
use k8s_nas::bus::BackupsView;
use k8s_nas::checks::backup::BackupFacts;
use k8s_nas::jobs::CronJobState;
use k8s_nas::model::ServiceId;
use k8s_nas::tui::{Effect, Msg, TaskRequest};
use std::collections::BTreeMap;
use tui_common::*;

fn backup(svc: &str, secs_ago: i64, verified: Option<bool>) -> BackupInfo {
    let id = id_for(ago(secs_ago));
    BackupInfo {
        service: svc.into(),
        archive: format!("/var/lib/k8s-nas/backups/{svc}/{id}.tar.zst").into(),
        created: ago(secs_ago),
        size: 3_400_000 + secs_ago as u64,
        files: 42,
        verification: verified.map(|ok| VerifyRecord {
            at: ago(secs_ago - 60).to_string(),
            deep: false,
            ok,
            files_checked: 42,
            problems: if ok {
                vec![]
            } else {
                vec!["archive checksum mismatch".into()]
            },
        }),
        manifest_ok: true,
        id,
    }
}

/// One backup CronJob for sonarr and radarr: its last success 27 h ago, a run 3 h ago that did
/// not succeed; prowlarr and lidarr have none.
fn schedule() -> ScheduleFacts {
    ScheduleFacts::Known(vec![BackupCronJob {
        cronjob: CronJobState {
            namespace: "media".into(),
            name: "nightly".into(),
            schedule: "30 3 * * *".into(),
            interval_secs: Some(86_400),
            suspended: false,
            last_schedule: Some(ago(3 * 3600)),
            last_success: Some(ago(27 * 3600)),
            active: 0,
            created: Some(ago(60 * 86_400)),
        },
        services: Some(vec!["sonarr".into(), "radarr".into()]),
    }])
}

fn view() -> BackupsView {
    let names = ["sonarr", "radarr", "prowlarr", "lidarr"];
    BackupsView {
        root: "/var/lib/k8s-nas/backups".into(),
        paths: names
            .iter()
            .map(|n| (n.to_string(), format!("/srv/{n}/config").into()))
            .collect(),
        ids: names
            .iter()
            .map(|n| (n.to_string(), ServiceId::new("media", n)))
            .collect::<BTreeMap<_, _>>(),
        facts: BackupFacts {
            services: names.iter().map(|n| n.to_string()).collect(),
            backups: vec![
                backup("sonarr", 3 * 3600, Some(true)),
                backup("sonarr", 27 * 3600, Some(true)),
                backup("radarr", 30 * 3600, Some(true)),
                backup("prowlarr", 5 * 3600, Some(false)),
            ],
            schedule: schedule(),
        },
        error: None,
        fetched_at: now(),
    }
}

fn opened(w: u16, h: u16) -> Harness {
    Harness::opened(w, h, [Msg::Backups(Box::new(view()))], ":bk<enter>")
}

#[test]
fn backups_pane_160x45_and_80x24() {
    let mut h = opened(160, 45);
    let frame = h.frame();
    for needle in [
        "/var/lib/k8s-nas/backups",
        "sonarr",
        "/srv/sonarr/config",
        "FAILED",
        "none",
        "SCHEDULE",
        "ok 1d3h, ran 3h",
        "no CronJob",
    ] {
        assert!(frame.contains(needle), "{needle} missing:\n{frame}");
    }
    insta::assert_snapshot!("backups_pane_160x45", frame);
    let mut h = opened(80, 24);
    insta::assert_snapshot!("backups_pane_80x24", h.frame());
}

#[test]
fn back_up_now_confirms_and_restore_wizard_ends_in_the_restore_task() {
    let mut h = opened(160, 45);
    h.press("/sonarr<enter>");
    h.press("b");
    assert!(h.frame().contains("Back up sonarr"), "{}", h.frame());
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::BackupNow(ServiceId::new("media", "sonarr"))]
    );
    h.press("v");
    assert!(h.frame().contains("archive checksum and every file hash"));
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::VerifyBackup {
            service: ServiceId::new("media", "sonarr"),
            deep: false
        }]
    );
    h.press("V");
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::VerifyBackup {
            service: ServiceId::new("media", "sonarr"),
            deep: true
        }]
    );
    h.press("R");
    let frame = h.frame();
    assert!(frame.contains("step 1 of 3: choose backup"), "{frame}");
    insta::assert_snapshot!("restore_wizard_160x45", frame);
    // The second (older) backup, its checksum step, then the typed name.
    h.press("<down><enter>");
    assert!(h.frame().contains("step 2 of 3: verify checksum"));
    h.press("<enter>");
    assert!(h.frame().contains("step 3 of 3"));
    assert!(tasks(&h.press("radarr<enter>")).is_empty());
    for _ in 0.."radarr".len() {
        h.press("<bksp>");
    }
    let fx = h.press("sonarr<enter>");
    assert_eq!(
        tasks(&fx),
        [TaskRequest::RestoreBackup {
            service: ServiceId::new("media", "sonarr"),
            backup: id_for(ago(27 * 3600)),
        }]
    );
    let mut h = opened(80, 24);
    h.press("/sonarr<enter>");
    h.press("R");
    insta::assert_snapshot!("restore_wizard_80x24", h.frame());
}

#[test]
fn readonly_has_no_backup_actions() {
    let mut h = Harness::new(true);
    h.load_healthy();
    h.feed(Msg::Backups(Box::new(view())));
    h.press(":backups<enter>");
    assert!(tasks(&h.press("b")).is_empty());
    assert!(tasks(&h.press("v")).is_empty() && tasks(&h.press("y")).is_empty());
    h.press("R");
    assert!(!h.frame().contains("step 1 of 3"));
}

fn manifest(id: &str) -> Manifest {
    let created = k8s_nas::backup::parse_id(id).map_or_else(String::new, |t| t.to_string());
    Manifest {
        schema: "k8s-nas/backup-manifest/v1".into(),
        service: "sonarr".into(),
        app: Some("sonarr".into()),
        app_version: Some("4.0.11".into()),
        created_at: created,
        source: "/srv/sonarr/config".into(),
        key_fingerprint: Some("sha256:0123456789abcdef".into()),
        files: (0..60)
            .map(|i| FileEntry {
                path: if i == 0 {
                    "sonarr.db".into()
                } else {
                    format!("MediaCover/{i}/poster.jpg")
                },
                size: 1000 * (i + 1),
                mode: "0644".into(),
                sha256: format!("{i:02x}").repeat(32),
                sqlite: i == 0,
            })
            .collect(),
        archive: format!("{id}.tar.zst"),
        archive_size: 3_400_000,
        archive_sha256: "ab".repeat(32),
        notes: vec![],
    }
}

fn manifest_reads(fx: &[Effect]) -> Vec<std::path::PathBuf> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::ReadBackupManifest { path } => Some(path.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn manifest_of_the_newest_backup_scrolls_and_steps_to_older_ones() {
    for (w, h) in [(160, 45), (80, 24)] {
        let mut hs = opened(w, h);
        hs.press("/sonarr<enter>");
        let newest = id_for(ago(3 * 3600));
        let older = id_for(ago(27 * 3600));
        let path = std::path::PathBuf::from(format!(
            "/var/lib/k8s-nas/backups/sonarr/{newest}.manifest.json"
        ));
        assert_eq!(manifest_reads(&hs.press("m")), std::slice::from_ref(&path));
        assert!(hs.frame().contains("loading"), "{}", hs.frame());
        // An answer for another manifest is not shown.
        hs.feed(Msg::BackupManifest {
            path: "/elsewhere.manifest.json".into(),
            manifest: Ok(Box::new(manifest("x"))),
        });
        assert!(hs.frame().contains("loading"));
        hs.feed(Msg::BackupManifest {
            path,
            manifest: Ok(Box::new(manifest(&newest))),
        });
        let frame = hs.frame();
        for needle in [
            "sha256:0123456789abcdef",
            "sonarr 4.0.11",
            "0644",
            "0000000000",
            "(SQLite online backup)",
        ] {
            assert!(frame.contains(needle), "{needle} missing:\n{frame}");
        }
        // Hashes are shortened: never the whole 64 digits.
        assert!(!frame.contains(&"01".repeat(32)), "{frame}");
        insta::assert_snapshot!(format!("backup_manifest_{w}x{h}"), frame);
        hs.press("G");
        assert!(
            hs.frame().contains("MediaCover/59/poster.jpg"),
            "{}",
            hs.frame()
        );
        assert!(manifest_reads(&hs.press("]")).is_empty());
        assert!(hs.frame().contains("no newer backup"));
        assert_eq!(
            manifest_reads(&hs.press("[")),
            [std::path::PathBuf::from(format!(
                "/var/lib/k8s-nas/backups/sonarr/{older}.manifest.json"
            ))]
        );
        hs.feed(Msg::BackupManifest {
            path: format!("/var/lib/k8s-nas/backups/sonarr/{older}.manifest.json").into(),
            manifest: Err("permission denied".into()),
        });
        assert!(hs
            .frame()
            .contains("cannot read the manifest: permission denied"));
    }
    // A service without a backup: nothing to show.
    let mut hs = opened(160, 45);
    hs.press("/lidarr<enter>");
    assert!(manifest_reads(&hs.press("m")).is_empty());
}
