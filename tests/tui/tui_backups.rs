//! The `:backups` pane and the restore wizard: per service the last backup's age (red past
//! 26 h), size, count, verification and config path; `b` backs up after a confirm; `R` walks
//! choose backup → checksum → typed name → the RestoreBackup task; read-only has neither.

use crate::tui_common;

use k8s_nas::backup::{id_for, BackupInfo, VerifyRecord};
use k8s_nas::bus::BackupsView;
use k8s_nas::checks::backup::BackupFacts;
use k8s_nas::model::ServiceId;
use k8s_nas::tui::{Msg, TaskRequest};
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
