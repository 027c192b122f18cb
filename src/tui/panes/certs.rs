//! Certificates pane (`:certs`, `:cert`): every cert-manager Certificate, every TLS Secret (the
//! per-namespace copies too, with their source) and the certificate each Ingress host serves,
//! one row each, coloured by the row's worst `cert.*` finding. The box below inspects the row
//! under the cursor: fields as `openssl x509 -text` names them, and the row's findings with
//! their remediation. Secrets and served certificates show without cert-manager; the
//! Certificate rows then say it is not installed.

use super::listing::{Listing, TableCtx};
use crate::bus::CertsView;
use crate::clients::tls::{CertInfo, ChainVerdict};
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
use crate::tui::widgets::table::{haystack, Column, TableRow};
use jiff::Timestamp;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "certs";

const RENEW: Action = Action::new("certs.renew");
const RESYNC: Action = Action::new("certs.resync");

pub fn pane() -> Box<dyn Pane> {
    Box::new(CertsState {
        list: Listing::new(COLUMNS),
        received: false,
        cert_manager: None,
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

fn cert_lines(c: &CertInfo, now: Timestamp) -> Vec<String> {
    vec![
        format!("Subject: {}", c.subject),
        format!("Issuer: {}", c.issuer),
        format!("SANs: {}", c.sans.join(", ")),
        format!("Not Before: {}", c.not_before),
        format!(
            "Not After: {} ({} days left)",
            c.not_after,
            c.days_left(now)
        ),
        format!("Serial Number: {}", c.serial),
        format!("SHA-256 Fingerprint: {}", c.sha256),
    ]
}

fn row(
    kind: &'static str,
    name: String,
    subject: &str,
    all: &[Finding],
    leaf: Option<(&CertInfo, Timestamp)>,
    (note, mut detail): (String, Vec<String>),
    unknown: Option<&str>,
) -> CertRow {
    let mut findings: Vec<Finding> = all.iter().filter(|f| f.subject == subject).cloned().collect();
    // A certificate's expiry is reported once (where it is issued); every row holding it still
    // shows it.
    if let Some((c, now)) = leaf {
        if !findings.iter().any(|f| f.code.starts_with("cert.expire")) {
            findings.extend(crate::checks::certs::expiry(c, subject, now));
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Ok);
    let state = match (unknown, findings.is_empty()) {
        (Some(why), true) => format!("unknown: {why}"),
        (_, true) => "ok".into(),
        (_, false) => {
            let codes: Vec<&str> = findings
                .iter()
                .map(|f| f.code.trim_start_matches("cert."))
                .collect();
            codes.join(",")
        }
    };
    if let Some((c, now)) = leaf {
        detail.extend(cert_lines(c, now));
    }
    CertRow {
        id: format!("{kind} {name}"),
        haystack: haystack([kind, &name, &state, &note]),
        kind,
        days: leaf.map(|(c, now)| c.days_left(now)),
        not_after: leaf.map(|(c, _)| c.not_after),
        name,
        state,
        severity,
        note,
        detail,
        findings,
        task: None,
    }
}

/// The rows of a view: Certificates, Secrets, served certificates.
pub fn rows(v: &CertsView) -> Vec<CertRow> {
    let (c, all, now) = (&v.facts, &v.findings, v.fetched_at);
    let mut out = Vec::new();
    for x in &c.certificates {
        let cond = |c: &Option<crate::certs::Condition>| {
            c.as_ref()
                .map(|c| format!("{} ({}: {})", c.status, c.reason, c.message))
                .unwrap_or_else(|| "-".into())
        };
        // The certificate its Secret holds: expiry and fields come from there.
        let held = c
            .secrets
            .iter()
            .find(|s| s.namespace == x.namespace && s.name == x.secret_name)
            .and_then(|s| s.leaf());
        let mut r = row(
            "Certificate",
            x.id(),
            &format!("Certificate {}", x.id()),
            all,
            held.map(|l| (l, now)),
            (
                x.issuer.clone(),
                vec![
                format!("Ready: {}", cond(&x.ready)),
                format!("Issuing: {}", cond(&x.issuing)),
                format!("Secret: {}", x.secret_name),
                format!("Issuer: {}", x.issuer),
                format!(
                    "Revision: {}  Failed issuance attempts: {}",
                    x.revision.map_or("-".into(), |r| r.to_string()),
                    x.failed_issuance_attempts.unwrap_or(0)
                ),
                format!(
                    "Renewal Time: {}",
                    x.renewal_time.map_or("<none>".into(), |t| t.to_string())
                ),
            ],
            ),
            None,
        );
        r.task = Some(TaskRequest::RenewCertificate {
            namespace: x.namespace.clone(),
            name: x.name.clone(),
        });
        if held.is_none() {
            r.not_after = x.not_after;
            r.days = x
                .not_after
                .map(|t| (t.as_second() - now.as_second()).div_euclid(86_400));
        }
        out.push(r);
    }
    for s in &c.secrets {
        let note = match (&s.source, s.equals_source, s.stale) {
            (None, _, _) => s
                .leaf()
                .map(|l| l.issuer.clone())
                .unwrap_or_else(|| "-".into()),
            (Some(x), _, true) => format!("stale copy of {x}"),
            (Some(x), Some(true), _) => format!("copy of {x} (same)"),
            (Some(x), _, _) => format!("copy of {x} (differs)"),
        };
        let mut detail = vec![format!(
            "Used by: {}",
            if s.ingresses.is_empty() {
                "no Ingress".to_string()
            } else {
                s.ingresses.join(", ")
            }
        )];
        detail.extend(s.error.iter().map(|e| format!("Error: {e}")));
        let task = s.source.as_ref().and_then(|src| {
            let (sns, sname) = src.split_once('/')?;
            Some(TaskRequest::ResyncSecret {
                namespace: s.namespace.clone(),
                name: s.name.clone(),
                source_namespace: sns.to_string(),
                source: sname.to_string(),
            })
        });
        let mut r = row(
            "Secret",
            s.id(),
            &format!("Secret {}", s.id()),
            all,
            s.leaf().map(|l| (l, now)),
            (note, detail),
            s.error.as_deref(),
        );
        r.task = task;
        out.push(r);
    }
    for s in &c.served {
        let (note, unknown) = match &s.served {
            Some(v) => (
                match &v.chain_verdict {
                    ChainVerdict::Valid => "chain valid".to_string(),
                    ChainVerdict::Invalid(w) => format!("chain invalid: {w}"),
                    ChainVerdict::Unknown(w) => format!("chain unknown: {w}"),
                },
                None,
            ),
            None => (
                "-".to_string(),
                Some(s.error.as_deref().unwrap_or("no handshake")),
            ),
        };
        let mut detail = vec![format!(
            "Ingress: {}  Secret: {}",
            s.ingresses.join(", "),
            s.secret.as_deref().unwrap_or("-")
        )];
        if let Some(h) = &s.http {
            detail.push(match (h.status, &h.error) {
                (Some(st), _) => format!(
                    "{} → {st}{}",
                    h.url,
                    h.location
                        .as_deref()
                        .map(|l| format!(" {l}"))
                        .unwrap_or_default()
                ),
                (None, e) => format!("{} → unknown: {}", h.url, e.as_deref().unwrap_or("-")),
            });
        }
        if let Some(v) = &s.served {
            detail.push(format!(
                "Connected to {} ({}), chain of {}",
                v.address,
                v.protocol,
                v.chain.len()
            ));
            for (i, c) in v.chain.iter().enumerate().skip(1) {
                detail.push(format!(
                    "Chain[{i}]: {} (issuer {}, not after {})",
                    c.subject,
                    c.issuer,
                    c.not_after.strftime("%Y-%m-%d")
                ));
            }
        }
        out.push(row(
            "Served",
            s.host.clone(),
            &format!("https://{}", s.host),
            all,
            s.served.as_ref().map(|v| (v.leaf(), now)),
            (note, detail),
            unknown,
        ));
    }
    out
}

pub struct CertsState {
    pub list: Listing<CertRow>,
    received: bool,
    cert_manager: Option<bool>,
}

impl CertsState {
    pub fn set_view(&mut self, v: &CertsView) {
        self.received = true;
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
        let mut own = vec![
            Binding::new(Key::ch('R'), RENEW, "renew certificate").mutating(),
            Binding::new(Key::ch('S'), RESYNC, "re-sync copy")
                .mutating(),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
        ];
        own.extend(Listing::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["certs", "cert", "certificates", "tls"],
            "certificates: cert-manager, TLS Secrets and copies, served per Ingress host",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            RENEW | RESYNC => confirm(ctx, self.list.selected(), action),
            _ => {
                self.list.on_action(action);
            }
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Certs(v) = msg {
            self.set_view(v);
        }
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.list.filter_text())
    }

    fn set_filter(&mut self, _ctx: &Ctx, text: &str) {
        self.list.set_filter(text);
    }

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
        let mut tctx = TableCtx::new(title, theme, ctx.now).empty("no certificates found");
        if !self.received {
            tctx = tctx.loading("waiting for the cluster…");
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
                for x in &r.findings {
                    v.push(Line::from(vec![
                        Span::styled(
                            format!("{} ", x.severity.label()),
                            theme.style(Tone::of_severity(x.severity).into()),
                        ),
                        Span::styled(x.message.clone(), theme.style(Role::Base)),
                    ]));
                    v.push(Line::from(vec![
                        Span::styled("fix: ", theme.style(Role::Accent)),
                        Span::styled(x.remediation.clone(), theme.style(Role::Base)),
                    ]));
                }
                v
            }
        };
        let detail = Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::Border))
                .title(Line::styled(" inspect ", theme.style(Role::Title))),
        );
        f.render_widget(detail, detail_area);
    }
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
