//! VPN pane (`:vpn`): one row per pod with a gluetun sidecar — verdict (SECURE / LEAK / DOWN /
//! UNKNOWN), tunnel, exit IP and country, home IP, qBittorrent's binding, connection state —
//! the reason of the row under the cursor, and the isolation audit of every workload below.

use super::listing::{listing_filter, Listing, TableCtx};
use crate::checks::vpn::VpnFacts;
use crate::model::AppErrorKind;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Effect, Msg, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{sanitize, Cell, Tone};
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::table::{haystack, Column, TableRow};
use crate::vpn::{Got, Verdict, VpnReport};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "vpn";

const RECHECK: Action = Action::new("vpn.recheck");
const RESTART: Action = Action::new("vpn.restart");
const TEST_DOWNLOAD: Action = Action::new("vpn.test_download");

pub fn pane() -> Box<dyn Pane> {
    Box::new(VpnPane {
        list: Listing::new(COLUMNS),
        facts: None,
    })
}

/// The colour of a verdict.
pub fn verdict_tone(v: Verdict) -> Tone {
    match v {
        Verdict::Secure => Tone::Ok,
        Verdict::Unknown => Tone::Warn,
        Verdict::Down | Verdict::Leak => Tone::Error,
    }
}

/// The Services pane's VPN cell for a report.
pub fn badge_cell(r: &VpnReport) -> Cell {
    Cell::new(r.badge(), verdict_tone(r.verdict))
}

/// One VPN pod.
#[derive(Debug, Clone)]
pub struct VpnRow {
    pub report: VpnReport,
    id: String,
    haystack: String,
}

impl VpnRow {
    fn new(r: &VpnReport) -> Self {
        VpnRow {
            id: r.obs.service.to_string(),
            haystack: haystack([
                r.obs.service.as_str(),
                r.verdict.label(),
                &r.exit_label(),
                &r.reason,
            ]),
            report: r.clone(),
        }
    }
}

impl TableRow for VpnRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        verdict_tone(self.report.verdict).into()
    }
}

fn tunnel_cell(r: &VpnReport) -> Cell {
    match &r.obs.tunnel {
        Some(Got::Ok(s)) if s == "running" => Cell::new("running", Tone::Ok),
        Some(Got::Ok(s)) => Cell::new(s.as_str(), Tone::Error),
        Some(Got::Error(e)) if e.kind == AppErrorKind::Unauthorized => {
            Cell::new("needs credentials", Tone::Warn)
        }
        Some(Got::Error(_)) => Cell::new("unreachable", Tone::Warn),
        None if r.obs.pod.is_none() => Cell::new("no pod", Tone::Error),
        None => Cell::new("unknown", Tone::Muted),
    }
}

fn home_cell(r: &VpnReport) -> Cell {
    match &r.obs.home.ip {
        Got::Ok(ip) => Cell::new(ip.as_str(), Tone::Normal),
        Got::Error(_) => Cell::new("unknown", Tone::Warn),
    }
}

fn bound_cell(r: &VpnReport) -> Cell {
    match &r.obs.binding {
        // SABnzbd: does it answer through the sidecar's network?
        None => match &r.obs.app_reach {
            Some(Got::Ok(_)) => Cell::new("reachable", Tone::Ok),
            Some(Got::Error(_)) => Cell::new("unreachable", Tone::Error),
            None => Cell::new("—", Tone::Muted),
        },
        Some(Got::Ok(b)) if b.interface.is_empty() => Cell::new("any", Tone::Warn),
        Some(Got::Ok(b)) if crate::vpn::is_tunnel_interface(&b.interface) => {
            Cell::new(b.interface.as_str(), Tone::Ok)
        }
        Some(Got::Ok(b)) => Cell::new(b.interface.as_str(), Tone::Error),
        Some(Got::Error(_)) => Cell::new("unknown", Tone::Warn),
    }
}

fn conn_cell(r: &VpnReport) -> Cell {
    match &r.obs.binding {
        Some(Got::Ok(b)) => Cell::new(
            b.connection_status.as_str(),
            match b.connection_status.as_str() {
                "connected" => Tone::Ok,
                _ => Tone::Warn,
            },
        ),
        _ => Cell::new("—", Tone::Muted),
    }
}

type C = Column<VpnRow>;

static COLUMNS: &[C] = &[
    C::new("SERVICE", |r, _| r.id.as_str().into())
        .min(12)
        .sort('N', |a, b| a.id.cmp(&b.id)),
    C::new("VERDICT", |r, _| {
        Cell::new(r.report.verdict.label(), verdict_tone(r.report.verdict)).into()
    })
    .sort('V', |a, b| b.report.verdict.cmp(&a.report.verdict)),
    C::new("TUNNEL", |r, _| tunnel_cell(&r.report).into()).priority(3),
    // An address is never cut: `203.0.113.2…` is another address.
    C::new("EXIT IP", |r, _| r.report.exit_label().into())
        .whole()
        .priority(1),
    C::new("HOME IP", |r, _| home_cell(&r.report).into()).priority(4),
    C::new("BOUND", |r, _| bound_cell(&r.report).into()).priority(2),
    C::new("CONN", |r, _| conn_cell(&r.report).into()).priority(5),
];

pub struct VpnPane {
    pub list: Listing<VpnRow>,
    facts: Option<VpnFacts>,
}

impl Pane for VpnPane {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "VPN"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
            Binding::new(Key::ch('r'), RECHECK, "re-check now"),
            Binding::new(Key::ch('R'), RESTART, "restart tunnel").mutating(),
            Binding::new(Key::ch('D'), TEST_DOWNLOAD, "test download").mutating(),
        ];
        own.extend(Listing::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["vpn", "tunnel"],
            "VPN pods: leak verdict, exit IP, binding; isolation audit",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        if action == RECHECK {
            ctx.emit(Effect::RefreshNow);
            ctx.set_flash("VPN re-check requested".to_string(), FlashLevel::Info);
            return;
        }
        if action == TEST_DOWNLOAD {
            match self.list.selected() {
                Some(r) if r.report.obs.kind == crate::model::AppKind::Qbittorrent => {
                    let id = r.report.obs.service.clone();
                    let lines = vec![
                        (
                            format!("Add a small legal test torrent to {id} (category k8s-nas-vpn-test),"),
                            Role::Base,
                        ),
                        (
                            "wait for its metadata or data through the tunnel, then remove it and its data."
                                .to_string(),
                            Role::Base,
                        ),
                        (
                            "Refused unless the verdict is SECURE; time-boxed, cancellable in :tasks.".to_string(),
                            Role::Muted,
                        ),
                    ];
                    ctx.open_modal(Modal::Confirm(Confirm::new(
                        "Test download",
                        lines,
                        "Test",
                        Reply::Task(TaskRequest::TestDownload(id)),
                    )));
                }
                Some(_) => ctx.set_flash(
                    "the test download is for qBittorrent".to_string(),
                    FlashLevel::Info,
                ),
                None => {}
            }
            return;
        }
        if action == RESTART {
            if let Some(r) = self.list.selected() {
                let id = r.report.obs.service.clone();
                let lines = vec![
                    (
                        format!("gluetun in {id}: PUT /v1/vpn/status stopped, then running;"),
                        Role::Base,
                    ),
                    (
                        "then wait until it runs with an exit IP. Downloads pause meanwhile."
                            .to_string(),
                        Role::Warn,
                    ),
                ];
                ctx.open_modal(Modal::Confirm(Confirm::new(
                    "Restart tunnel",
                    lines,
                    "Restart",
                    Reply::Task(TaskRequest::RestartTunnel(id)),
                )));
            }
            return;
        }
        self.list.on_action(action);
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Vpn(v) = msg {
            self.list
                .set_rows(v.reports.iter().map(VpnRow::new).collect());
            self.facts = Some((**v).clone());
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let audit_rows = self.facts.as_ref().map_or(0, |v| v.audit.len()) as u16;
        // The table keeps room for its rows on small terminals (80×24): the audit box shrinks.
        let [table_area, why_area, audit_area] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(4),
            // The audit takes at most a third of the pane, so the VPN rows stay on screen.
            Constraint::Length(audit_rows.clamp(1, 12.min(area.height / 3).max(1)) + 2),
        ])
        .areas(area);
        let checked = self
            .list
            .rows
            .iter()
            .map(|r| r.report.obs.fetched_at)
            .max();
        let mut tctx = TableCtx::new("VPN", theme, ctx.now)
            .checked(checked)
            .empty("no pod with a gluetun VPN sidecar discovered");
        if self.facts.is_none() {
            tctx = tctx.loading("waiting for the first VPN check…");
        }
        self.list.render(f, table_area, &tctx);

        let why = match self.list.selected() {
            None => vec![Line::styled("—", theme.style(Role::Muted))],
            Some(r) => {
                let rep = &r.report;
                let mut l = vec![Line::from(vec![
                    Span::styled(
                        format!("{} ", rep.verdict.label()),
                        theme.style(verdict_tone(rep.verdict).into()),
                    ),
                    Span::styled(sanitize(&rep.reason), theme.style(Role::Base)),
                ])];
                let o = &rep.obs;
                let mut facts = vec![format!(
                    "{} {} · sidecar {} · up {} · restarts {}",
                    o.provider.as_deref().unwrap_or("?"),
                    o.vpn_type.as_deref().unwrap_or("?"),
                    o.container,
                    o.sidecar_started
                        .map_or("?".into(), |t| crate::tui::rows::age(Some(t), ctx.now)),
                    o.restarts.map_or("?".into(), |n| n.to_string())
                )];
                if let Some(Got::Ok(Some(p))) = &o.forwarded_port {
                    facts.push(format!("forwarded port {p}"));
                }
                if let Some(Got::Ok(b)) = &o.binding {
                    facts.push(format!("listen port {}", b.listen_port));
                }
                if o.pod.is_some() && (o.health.is_some() || o.health_loopback.is_some()) {
                    facts.push(rep.health_label());
                }
                if let Some(a) = &o.control_auth {
                    facts.push(format!("control credentials: {a}"));
                }
                if let Some(reach) = rep.reach_label() {
                    facts.push(format!("WebUI {reach}"));
                }
                facts.push(format!("home IP from {}", o.home.source));
                l.push(Line::styled(sanitize(&facts.join(" · ")), theme.style(Role::Muted)));
                l
            }
        };
        crate::tui::widgets::detail::render(f, why_area, theme, "why", why);

        let lines: Vec<Line> = match &self.facts {
            Some(v) if v.audit.is_empty() => vec![Line::styled(
                "no workloads discovered yet",
                theme.style(Role::Muted),
            )],
            None => vec![Line::styled("—", theme.style(Role::Muted))],
            Some(v) => v
                .audit
                .iter()
                .map(|a| {
                    let worst = a.findings.iter().map(|f| f.severity).max();
                    let tone = worst.map_or(Tone::Ok, Tone::of_severity);
                    let vpn = match (a.has_vpn, a.wants_vpn) {
                        (true, true) => "VPN ✔",
                        (false, false) => "no VPN ✔",
                        (true, false) => "VPN ✘ (media app)",
                        (false, true) => "no VPN ✘ (download client)",
                    };
                    let first = a
                        .findings
                        .first()
                        .map(|f| format!(" · {}", f.message))
                        .unwrap_or_default();
                    Line::from(vec![
                        Span::styled(
                            format!("{:<26} ", a.service.as_str()),
                            theme.style(Role::Base),
                        ),
                        Span::styled(format!("{:<28} ", vpn), theme.style(tone.into())),
                        Span::styled(
                            format!(
                                "{}{}",
                                a.verdict(),
                                if a.findings.len() > 1 {
                                    format!(" (+{})", a.findings.len() - 1)
                                } else {
                                    String::new()
                                }
                            ),
                            theme.style(tone.into()),
                        ),
                        Span::styled(sanitize(&first), theme.style(Role::Muted)),
                    ])
                })
                .collect(),
        };
        f.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.style(Role::Border))
                    .title(Line::styled(
                        " isolation audit (fixes: `k8s-nas vpn`) ",
                        theme.style(Role::Title),
                    )),
            ),
            audit_area,
        );
    }
}
