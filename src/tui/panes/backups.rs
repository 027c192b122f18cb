//! Backups pane (`:backups`, `:bk`): per service that should have backups, the last backup's
//! age (red past 26 h), its size, how many backups there are, the newest backup's last
//! verification and its result, and the config directory it backs up — read by the engine's
//! slow backups source from the backup root — and the schedule: the backup CronJob's last
//! success (red past 26 h; "no CronJob" when none is deployed). `b` backs up the service now and
//! `R` opens the restore wizard (both confirm; hidden in read-only mode); `m` shows the newest
//! backup's manifest (`[`/`]` older/newer there). `r` reads the root again.

use super::listing::{listing_filter, Listing, TableCtx};
use crate::backup::schedule::Coverage;
use crate::backup::BackupInfo;
use crate::bus::rows::age;
use crate::bus::BackupsView;
use crate::checks::backup::STALE_HOURS;
use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Msg, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::Tone;
use crate::tui::task_board::bytes;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::table::{haystack, CellText, Column, TableRow};
use jiff::Timestamp;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "backups";

const BACKUP_NOW: Action = Action::new("backups.now");
const RESTORE: Action = Action::new("backups.restore");
const VERIFY: Action = Action::new("backups.verify");
const DEEP_VERIFY: Action = Action::new("backups.deep_verify");
const MANIFEST: Action = Action::new("backups.manifest");

pub fn pane() -> Box<dyn Pane> {
    Box::new(BackupsState {
        list: Listing::new(COLUMNS),
        view: None,
    })
}

#[derive(Debug, Clone)]
pub struct BackupRow {
    pub service: String,
    /// Every backup of the service, newest first.
    pub backups: Vec<BackupInfo>,
    pub path: String,
    /// The backup CronJob covering the service.
    pub schedule: Sched,
    haystack: String,
}

/// The backup schedule of a service as the cluster shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sched {
    /// CronJobs not read (yet, or not readable).
    Unknown,
    NoCronJob,
    CronJob(Box<crate::jobs::CronJobState>),
}

impl BackupRow {
    pub fn newest(&self) -> Option<&BackupInfo> {
        self.backups.first()
    }

    fn stale(&self, now: Timestamp) -> bool {
        self.newest()
            .is_none_or(|b| now.duration_since(b.created).as_hours() >= STALE_HOURS)
    }
}

impl TableRow for BackupRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.service)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        Role::Base
    }
}

type C = Column<BackupRow>;

static COLUMNS: &[C] = &[
    C::new("SERVICE", |r, _| r.service.as_str().into())
        .min(8)
        .sort('N', |a, b| a.service.cmp(&b.service)),
    C::new("LAST BACKUP", |r, c| match r.newest() {
        None => CellText::tone("none", Tone::Error),
        Some(b) if r.stale(c.now) => CellText::tone(age(Some(b.created), c.now), Tone::Error),
        Some(b) => CellText::tone(age(Some(b.created), c.now), Tone::Ok),
    })
    .sort('A', |a, b| {
        let t = |r: &BackupRow| r.newest().map(|b| b.created);
        t(b).cmp(&t(a))
    }),
    C::new("SIZE", |r, _| {
        r.newest()
            .map_or_else(|| "—".into(), |b| bytes(b.size).into())
    }),
    C::new("COUNT", |r, _| r.backups.len().to_string().into()),
    C::new("VERIFIED", |r, c| verified_cell(r.newest(), c.now)),
    C::new("SCHEDULE", |r, c| schedule_cell(&r.schedule, c.now))
        .min(9)
        .priority(1),
    C::new("CONFIG PATH", |r, _| r.path.as_str().into())
        .min(12)
        .priority(2),
];

/// The newest backup's last verification: when, how deep, and its result.
fn verified_cell(b: Option<&BackupInfo>, now: Timestamp) -> CellText {
    let Some(b) = b else {
        return "—".into();
    };
    match &b.verification {
        None => CellText::tone("never", Tone::Warn),
        Some(v) => {
            let when = v
                .at
                .parse::<Timestamp>()
                .map(|t| age(Some(t), now))
                .unwrap_or_else(|_| "?".into());
            let depth = if v.deep { "deep " } else { "" };
            if v.ok {
                CellText::tone(format!("{depth}ok {when}"), Tone::Ok)
            } else {
                CellText::tone(format!("{depth}FAILED {when}"), Tone::Error)
            }
        }
    }
}

/// The backup CronJob's last success (red past 26 h) and, when a later run has not (yet)
/// succeeded, its last schedule; "no CronJob" when none backs the service up.
fn schedule_cell(s: &Sched, now: Timestamp) -> CellText {
    let cj = match s {
        Sched::Unknown => return CellText::tone("unknown", Tone::Muted),
        Sched::NoCronJob => return CellText::tone("no CronJob", Tone::Warn),
        Sched::CronJob(cj) => cj,
    };
    let stale = |t: Timestamp| now.duration_since(t).as_hours() >= STALE_HOURS;
    let ran = cj
        .last_schedule
        .filter(|r| cj.last_success.is_none_or(|ok| ok < *r))
        .map(|r| format!(", ran {}", age(Some(r), now)))
        .unwrap_or_default();
    let suspended = if cj.suspended { " (suspended)" } else { "" };
    match cj.last_success {
        None => CellText::tone(format!("never ok{ran}{suspended}"), Tone::Error),
        Some(t) => CellText::tone(
            format!("ok {}{ran}{suspended}", age(Some(t), now)),
            if stale(t) {
                Tone::Error
            } else if cj.suspended {
                Tone::Warn
            } else {
                Tone::Ok
            },
        ),
    }
}

/// One row per service that should have backups, with its backups newest first.
pub fn rows(v: &BackupsView) -> Vec<BackupRow> {
    v.facts
        .services
        .iter()
        .map(|svc| {
            let mut backups: Vec<BackupInfo> = v
                .facts
                .backups
                .iter()
                .filter(|b| &b.service == svc)
                .cloned()
                .collect();
            backups.sort_by(|a, b| b.id.cmp(&a.id));
            let path = v
                .paths
                .get(svc)
                .map_or_else(|| "unknown".to_string(), |p| p.display().to_string());
            let schedule = match v.facts.schedule.for_service(svc) {
                Coverage::Unknown => Sched::Unknown,
                Coverage::NoCronJob => Sched::NoCronJob,
                Coverage::By(c) => Sched::CronJob(Box::new(c.cronjob.clone())),
            };
            BackupRow {
                haystack: haystack([svc.as_str(), path.as_str()]),
                schedule,
                service: svc.clone(),
                backups,
                path,
            }
        })
        .collect()
}

pub struct BackupsState {
    pub list: Listing<BackupRow>,
    pub view: Option<BackupsView>,
}

impl BackupsState {
    /// The discovered service a backup name stands for.
    fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.view.as_ref()?.ids.get(name).cloned()
    }

    pub fn set_view(&mut self, v: &BackupsView) {
        self.list.set_rows(rows(v));
        self.view = Some(v.clone());
    }
}

impl Pane for BackupsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Backups"
    }

    fn bindings(&self) -> Vec<Binding> {
        Listing::bindings_with(
            vec![
                Binding::new(Key::ch('b'), BACKUP_NOW, "back up now").mutating(),
                Binding::new(Key::ch('v'), VERIFY, "verify newest").mutating(),
                Binding::new(Key::ch('V'), DEEP_VERIFY, "deep verify newest").mutating(),
                Binding::new(Key::ch('R'), RESTORE, "restore (wizard)").mutating(),
                Binding::new(Key::ch('m'), MANIFEST, "manifest"),
                Binding::new(Key::ch('r'), Action::RELOAD, "read again"),
            ],
            COLUMNS,
        )
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["backups", "backup", "bk"],
            "backups: last backup, verification and config path per service",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let row = self.list.selected().cloned();
        match action {
            Action::RELOAD => ctx.emit(crate::tui::msg::Effect::RefreshNow),
            MANIFEST => match row.as_ref().and_then(|r| Some((r, r.newest()?))) {
                Some((r, b)) => ctx.push(super::backup_manifest::view(&r.service, &b.id)),
                None => ctx.set_flash("no backup to show", FlashLevel::Info),
            },
            _ if [BACKUP_NOW, RESTORE, VERIFY, DEEP_VERIFY].contains(&action)
                && row.as_ref().is_some_and(|r| self.service_id(&r.service).is_none()) =>
            {
                ctx.set_flash(
                    "this service is configured in backup.paths but not discovered",
                    FlashLevel::Warn,
                )
            }
            BACKUP_NOW => match row.and_then(|r| Some((self.service_id(&r.service)?, r))) {
                Some((id, r)) => ctx.open_modal(Modal::Confirm(Confirm::new(
                    "Back up now",
                    vec![(
                        format!(
                            "Back up {} ({}) now: archive, verify, apply retention.",
                            r.service, r.path
                        ),
                        Role::Base,
                    )],
                    "Back up",
                    Reply::Task(TaskRequest::BackupNow(id)),
                ))),
                None => ctx.set_flash("no service selected", FlashLevel::Info),
            },
            VERIFY | DEEP_VERIFY => {
                let deep = action == DEEP_VERIFY;
                match row.and_then(|r| Some((self.service_id(&r.service)?, r))) {
                    Some((_, r)) if r.backups.is_empty() => ctx.set_flash(
                        format!("{} has no backup to verify", r.service),
                        FlashLevel::Warn,
                    ),
                    Some((id, r)) => ctx.open_modal(Modal::Confirm(Confirm::new(
                        if deep { "Deep verify" } else { "Verify" },
                        vec![(
                            format!(
                                "{} the newest backup of {} ({}){}.",
                                if deep { "Deep-verify" } else { "Verify" },
                                r.service,
                                r.newest().map_or("?", |b| b.id.as_str()),
                                if deep {
                                    ": restore into a scratch directory, integrity_check, config"
                                } else {
                                    ": archive checksum and every file hash"
                                }
                            ),
                            Role::Base,
                        )],
                        "Verify",
                        Reply::Task(TaskRequest::VerifyBackup { service: id, deep }),
                    ))),
                    None => ctx.set_flash("no service selected", FlashLevel::Info),
                }
            }
            RESTORE => match row {
                Some(r) if r.backups.is_empty() => ctx.set_flash(
                    format!("{} has no backup to restore", r.service),
                    FlashLevel::Warn,
                ),
                Some(r) => ctx.open_modal(Modal::Wizard(Box::new(
                    crate::tui::modal::restore::RestoreWizard::new(
                        &r.service,
                        self.service_id(&r.service).unwrap_or_else(|| ServiceId::new("", "")),
                        r.backups.clone(),
                        ctx.now,
                    ),
                ))),
                None => ctx.set_flash("no service selected", FlashLevel::Info),
            },
            _ => self.list.navigate(action),
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Backups(v) = msg {
            self.set_view(v);
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let root = self.view.as_ref().map(|v| v.root.display().to_string());
        let title = format!("Backups · {}", root.as_deref().unwrap_or("no backup root"));
        let mut tctx = TableCtx::new(&title, &ctx.theme, ctx.now)
            .empty("no service with a config directory to back up")
            .error(self.view.as_ref().and_then(|v| v.error.as_deref()));
        if self.view.is_none() {
            tctx = tctx.loading(
                "backups are not set up here (set backup.root, or run k8s-nas backup run once)",
            );
        }
        self.list.render(f, area, &tctx);
    }
}
