//! Certificates pane (`:certs`, `:cert`): every cert-manager Certificate, every TLS Secret (the
//! per-namespace copies too, with their source) and the certificate each Ingress host serves,
//! one row each, coloured by the row's worst `cert.*` finding. The box below inspects the row
//! under the cursor: fields as `openssl x509 -text` names them, and the row's findings with
//! their remediation; `i` opens the full inspect (every chain certificate's fields and PEM;
//! private keys are never read). Issuers, ClusterIssuers and CertificateRequests have rows too.
//!
//! The pane does not declare `requires_kind()`: served certificates and TLS Secrets are
//! checked without cert-manager, so the pane stays open and one Certificate row says
//! "cert-manager not installed" instead.

mod rows;
pub use rows::rows;

use super::listing::{listing_filter, Listing, TableCtx};
use super::text::TextView;
use crate::bus::CertsView;
use crate::model::{Finding, Severity};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::TaskRequest;
use crate::tui::msg::Msg;
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::Tone;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::detail;
use crate::tui::widgets::table::{Column, TableRow};
use jiff::Timestamp;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "certs";

const RENEW: Action = Action::new("certs.renew");
const RESYNC: Action = Action::new("certs.resync");
const INSPECT: Action = Action::new("certs.inspect");

pub fn pane() -> Box<dyn Pane> {
    Box::new(CertsState {
        list: Listing::new(COLUMNS),
        cert_manager: None,
        inspect: None,
    })
}

/// One row: a Certificate, a Secret or a served certificate.
#[derive(Debug, Clone)]
pub struct CertRow {
    /// `Certificate`, `Secret`, `Served`.
    pub kind: &'static str,
    /// `namespace/name` or the host.
    pub name: String,
    /// `ok`, the worst finding's severity, or why the state is unknown.
    pub state: String,
    pub severity: Severity,
    /// Whole days left (`None`: unknown).
    pub days: Option<i64>,
    pub not_after: Option<Timestamp>,
    /// Issuer, source Secret or chain verdict: what matters most for the kind.
    pub note: String,
    /// Inspect lines (fields, then findings).
    pub detail: Vec<String>,
    /// The full inspect text: the fields, then every chain certificate's fields and PEM.
    pub full: Vec<String>,
    pub findings: Vec<Finding>,
    /// What an action on this row would do: the task it starts.
    pub task: Option<TaskRequest>,
    id: String,
    haystack: String,
}

impl TableRow for CertRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        Tone::of_severity(self.severity).into()
    }
}

type C = Column<CertRow>;

static COLUMNS: &[C] = &[
    C::new("TYPE", |r, _| r.kind.into()).sort('T', |a, b| a.kind.cmp(b.kind)),
    C::new("NAME", |r, _| r.name.as_str().into())
        .min(16)
        .max(44)
        .sort('N', |a, b| a.name.cmp(&b.name)),
    C::new("STATE", |r, _| r.state.as_str().into())
        .min(8)
        .max(28)
        .priority(1)
        .sort('W', |a, b| b.severity.cmp(&a.severity)),
    C::new("DAYS", |r, _| {
        r.days
            .map(|d| d.to_string())
            .unwrap_or_else(|| "?".into())
            .into()
    })
    .priority(1)
    .sort('D', |a, b| a.days.unwrap_or(i64::MAX).cmp(&b.days.unwrap_or(i64::MAX))),
    C::new("NOT AFTER", |r, _| {
        r.not_after
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "?".into())
            .into()
    })
    .priority(3),
    C::new("ISSUER / SOURCE / CHAIN", |r, _| r.note.as_str().into()).min(12),
];

pub struct CertsState {
    pub list: Listing<CertRow>,
    cert_manager: Option<bool>,
    /// The full inspect of the row under the cursor (`i`), scrolled.
    inspect: Option<TextView>,
}

impl CertsState {
    pub fn set_view(&mut self, v: &CertsView) {
        self.cert_manager = v.facts.cert_manager;
        self.list.set_rows(rows(v));
    }
}

impl Pane for CertsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Certificates"
    }

    fn bindings(&self) -> Vec<Binding> {
        Listing::bindings_with(
            vec![
                Binding::new(Key::ch('R'), RENEW, "renew certificate").mutating(),
                Binding::new(Key::ch('S'), RESYNC, "re-sync copy")
                    .mutating(),
                Binding::new(Key::ch('i'), INSPECT, "inspect: chain and PEM"),
            ],
            COLUMNS,
        )
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["certs", "cert", "certificates", "tls"],
            "certificates: cert-manager, TLS Secrets and copies, served per Ingress host",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        if let Some(t) = &mut self.inspect {
            if action == INSPECT || action == Action::BACK {
                self.inspect = None;
                return;
            }
            if t.on_action(action, 10) {
                return;
            }
        }
        match action {
            INSPECT => self.inspect = Some(TextView::default()),
            RENEW | RESYNC => confirm(ctx, self.list.selected(), action),
            _ => self.list.navigate(action),
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Certs(v) = msg {
            self.set_view(v);
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let [table_area, detail_area] =
            // The inspector never takes more than half the pane (60×20 keeps the rows).
            Layout::vertical([Constraint::Fill(1), Constraint::Length(14.min(area.height / 2))])
                .areas(area);
        let title = match self.cert_manager {
            Some(false) => "Certificates (cert-manager not installed)",
            _ => "Certificates",
        };
        let tctx = TableCtx::new(title, theme, ctx.now)
            .empty("no certificates found")
            .loading_unless(self.list.received(), "waiting for the cluster…");
        if let (Some(t), Some(r)) = (&self.inspect, self.list.selected()) {
            let mut lines: Vec<Line> = r
                .full
                .iter()
                .map(|l| Line::styled(l.clone(), theme.style(Role::Base)))
                .collect();
            lines.extend(finding_lines(&r.findings, ctx));
            let title = Line::styled(
                format!(" inspect {} {} (i: back) ", r.kind, r.name),
                theme.style(Role::Title),
            );
            t.render(f, area, title, lines, theme);
            return;
        }
        self.list.render(f, table_area, &tctx);
        let lines: Vec<Line> = match self.list.selected() {
            None => vec![Line::styled("nothing selected", theme.style(Role::Muted))],
            Some(r) => {
                let mut v: Vec<Line> = r
                    .detail
                    .iter()
                    .map(|l| Line::styled(l.clone(), theme.style(Role::Base)))
                    .collect();
                v.extend(finding_lines(&r.findings, ctx));
                v
            }
        };
        detail::render(f, detail_area, theme, "inspect", lines);
    }
}

/// A row's findings with their remediation.
fn finding_lines(findings: &[Finding], ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = &ctx.theme;
    findings
        .iter()
        .flat_map(|x| {
            [
                Line::from(vec![
                    Span::styled(
                        format!("{} ", x.severity.label()),
                        theme.style(Tone::of_severity(x.severity).into()),
                    ),
                    Span::styled(x.message.clone(), theme.style(Role::Base)),
                ]),
                Line::from(vec![
                    Span::styled("fix: ", theme.style(Role::Accent)),
                    Span::styled(x.remediation.clone(), theme.style(Role::Base)),
                ]),
            ]
        })
        .collect()
}

/// Ask before renewing or re-syncing the row under the cursor.
fn confirm(ctx: &mut Ctx, row: Option<&CertRow>, action: Action) {
    let task = row.and_then(|r| r.task.clone());
    let (title, lines, label) = match (&task, action) {
        (Some(TaskRequest::RenewCertificate { namespace, name }), RENEW) => (
            "Renew certificate",
            vec![
                (
                    format!("Set Issuing=True (ManuallyTriggered) on Certificate {namespace}/{name},"),
                    Role::Base,
                ),
                (
                    "as `cmctl renew` does; cert-manager then issues a new revision.".to_string(),
                    Role::Base,
                ),
            ],
            "Renew",
        ),
        (
            Some(TaskRequest::ResyncSecret {
                namespace,
                name,
                source_namespace,
                source,
            }),
            RESYNC,
        ) => (
            "Re-sync TLS Secret",
            vec![
                (
                    format!("Copy tls.crt and tls.key of {source_namespace}/{source} into {namespace}/{name}."),
                    Role::Base,
                ),
                (
                    "Only data changes: the copy keeps its name, namespace and labels.".to_string(),
                    Role::Muted,
                ),
            ],
            "Re-sync",
        ),
        _ => {
            let what = if action == RENEW {
                "renew works on a Certificate row"
            } else {
                "re-sync works on a Secret that copies another"
            };
            ctx.set_flash(what.to_string(), FlashLevel::Info);
            return;
        }
    };
    if let Some(task) = task {
        ctx.open_modal(Modal::Confirm(Confirm::new(
            title,
            lines,
            label,
            Reply::Task(task),
        )));
    }
}
