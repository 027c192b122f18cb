//! Services pane: the main table, one row per discovered app instance, on the resource table
//! widget. It owns its rows (rebuilt lazily from the shared cluster view, observations and
//! findings), the `/` filter, the sort, and the cursor (kept by service id across refreshes).

use super::listing::{listing_filter, Listing, TableCtx};
use super::{describe, detail, findings, logs, tasks};
use crate::checks::Budget;
use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::msg::Msg;
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{age, build_row, data_age_cell, ServiceRow, Tone};
use crate::tui::theme::Role;
use crate::tui::view::{PaneId, View};
use crate::tui::widgets::table::{CellText, Column, TableRow};
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "services";

const FINDINGS: Action = Action::new("services.findings");
const TASKS: Action = Action::new("services.tasks");

pub fn pane() -> Box<dyn Pane> {
    Box::new(Services {
        list: Listing::new(COLUMNS),
        stale: false,
        vpn: Default::default(),
        pending: None,
        metrics: Default::default(),
        scoped_to: None,
    })
}

/// One row: the shared wording of the cells plus what the sort keys compare.
#[derive(Debug, Clone)]
pub struct SvcRow {
    pub row: ServiceRow,
    pub restarts: u32,
    /// Probe latency, for sorting by HTTP.
    pub latency_ms: Option<u64>,
    /// The configured thresholds (DATA AGE turns amber and red by them).
    pub budget: Budget,
    /// CPU and memory from the metrics API (issue 8), when it reported this service.
    pub usage: Option<crate::bus::ServiceUsage>,
}

impl TableRow for SvcRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.row.id.as_str())
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.row.haystack)
    }
    /// Rows are coloured by their worst finding.
    fn role(&self) -> Role {
        Tone::of_severity(self.row.worst).into()
    }
}

type C = Column<SvcRow>;

/// Cut first (text columns down to `min`): KIND, NAMESPACE, NAME. Dropped first
/// when even that does not fit: KIND, VPN, DATA AGE, RESTARTS, AGE, HEALTH …
static COLUMNS: &[C] = &[
    C::new("NAME", |r, _| r.row.name.as_str().into())
        .min(10)
        .sort('N', |a, b| a.row.name.cmp(&b.row.name)),
    C::new("KIND", |r, _| r.row.kind.as_str().into())
        .min(8)
        // Mostly the NAME capitalised: the first to go on a narrow screen.
        .priority(10)
        .sort('K', |a, b| a.row.kind.cmp(&b.row.kind)),
    C::new("NAMESPACE", |r, _| r.row.namespace.as_str().into())
        .min(9)
        .priority(3),
    // Never cut: a cut state ("CrashLoopBack…") reads as a different one; long reasons are
    // abbreviated instead (`short_reason`).
    C::new("POD", |r, _| (&r.row.pod).into())
        .whole()
        .priority(2),
    C::number("RESTARTS", |r, _| (&r.row.restarts).into())
        .priority(7)
        .sort('R', |a, b| a.restarts.cmp(&b.restarts)),
    // Ascending age = youngest first.
    C::new("AGE", |r, ctx| age(r.row.started, ctx.now).into())
        .whole()
        .priority(6)
        .sort('A', |a, b| b.row.started.cmp(&a.row.started)),
    C::new("HTTP", |r, _| (&r.row.http).into())
        .priority(1)
        .sort('H', |a, b| a.latency_ms.cmp(&b.latency_ms)),
    // Never cut either: a count (`1 error`) or a short error; the checks are in the detail.
    C::new("HEALTH", |r, _| (&r.row.health).into())
        .whole()
        .priority(5),
    C::new("VPN", |r, _| (&r.row.vpn).into()).priority(9),
    C::new("CPU", |r, _| super::usage::cpu_cell(r.usage.as_ref()))
        .whole()
        .priority(10),
    C::new("MEM", |r, _| super::usage::mem_cell(r.usage.as_ref()))
        .whole()
        .priority(10),
    C::new("DATA AGE", |r, ctx| {
        CellText::from(data_age_cell(r.row.observed_at, ctx.now, &r.budget))
    })
    .whole()
    .priority(8)
    .sort('D', |a, b| b.row.observed_at.cmp(&a.row.observed_at)),
];

pub struct Services {
    pub list: Listing<SvcRow>,
    /// The shared data changed since the rows were built.
    stale: bool,
    /// The VPN verdict cell of each VPN pod's service (`SECURE Canada`, `LEAK` …).
    vpn: std::collections::BTreeMap<ServiceId, crate::tui::rows::Cell>,
    /// The workload a scale prompt is open for.
    pending: Option<super::workload_actions::Target>,
    /// The metrics API's answer (CPU/MEM columns; hidden with a note when absent).
    metrics: crate::bus::MetricsView,
    /// The `:ns` scope the rows were built with (a new scope rebuilds them).
    scoped_to: Option<String>,
}

impl Services {
    /// The service under the cursor.
    pub fn under_cursor(&self) -> Option<&ServiceId> {
        self.list.selected().map(|r| &r.row.id)
    }
}

impl Pane for Services {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Services"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "drill down"),
            Binding::new(Key::ch('l'), Action::LOGS, "logs"),
            Binding::new(Key::ch('d'), Action::DESCRIBE, "describe"),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
            Binding::new(Key::ch('c'), Action::CHECK_ALL, "check all"),
            Binding::new(Key::ch('F'), FINDINGS, "findings"),
            Binding::new(Key::ch('T'), TASKS, "tasks"),
        ];
        own.extend(super::workload_actions::bindings());
        own.extend(Listing::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["services", "svc", "service", "s"],
            "services table (optional `/filter`)",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let current = self.under_cursor().cloned();
        match (action, current) {
            (Action::ENTER, Some(id)) => ctx.push(detail::view(id)),
            (Action::LOGS, Some(id)) => ctx.push(logs::view(id)),
            (Action::DESCRIBE, Some(id)) => ctx.push(describe::view(id)),
            (FINDINGS, _) => ctx.go_root(View::new(findings::ID)),
            (TASKS, _) => ctx.go_root(View::new(tasks::ID)),
            (a, Some(id))
                if super::workload_actions::on_action(ctx, a, &id, ID, &mut self.pending) => {}
            _ => self.list.navigate(action),
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, tag: &'static str, value: String) {
        super::workload_actions::on_reply(ctx, tag, &value, &mut self.pending);
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if matches!(
            msg,
            Msg::Cluster(_) | Msg::Observation(..) | Msg::Findings(_)
        ) {
            self.stale = true;
        }
        if let Msg::Metrics(m) = msg {
            self.metrics = m.clone();
            self.stale = true;
        }
        if let Msg::Vpn(v) = msg {
            self.vpn = v
                .reports
                .iter()
                .map(|r| (r.obs.service.clone(), super::vpn::badge_cell(r)))
                .collect();
            self.stale = true;
        }
    }

    /// Rebuild rows if the shared data changed since the last call.
    fn sync(&mut self, ctx: &Ctx) {
        if !self.stale && self.scoped_to == ctx.namespace {
            return;
        }
        self.stale = false;
        self.scoped_to.clone_from(&ctx.namespace);
        let scope = ctx.namespace.as_deref();
        let empty = Vec::new();
        let rows = match &ctx.cluster {
            None => Vec::new(),
            Some(c) => c
                .inventory
                .services
                .iter()
                .filter(|s| scope.is_none_or(|ns| s.namespace == ns))
                .map(|s| {
                    let pods = c.pods.get(&s.id).unwrap_or(&empty);
                    let obs = ctx.observations.get(&s.id);
                    let mut row = build_row(s, pods, obs, &ctx.findings, &ctx.budget);
                    if let (Some(_), Some(cell)) = (&s.vpn, self.vpn.get(&s.id)) {
                        row.vpn = cell.clone();
                        row.haystack.push('\n');
                        row.haystack.push_str(&cell.text.to_lowercase());
                    }
                    SvcRow {
                        row,
                        restarts: pods.iter().map(|p| p.restarts).sum(),
                        latency_ms: obs.and_then(|o| o.probe.as_ref()).map(|p| p.latency_ms),
                        budget: ctx.budget,
                        usage: self.metrics.services.get(&s.id).copied(),
                    }
                })
                .collect(),
        };
        self.list.set_rows(rows);
    }

    listing_filter!(list);

    fn current_service<'a>(&'a self, _view: &'a View) -> Option<&'a ServiceId> {
        self.under_cursor()
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        // The `:ns` scope, else the watched namespaces.
        let scope = ctx.namespace.clone().unwrap_or_else(|| {
            ctx.cluster
                .as_ref()
                .map(|c| c.namespaces.join(","))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "all".into())
        });
        // "last checked": the newest health observation (the polled part of the data).
        let checked = ctx.observations.values().map(|o| o.fetched_at).max();
        let mut tctx = TableCtx::new("Services", &ctx.theme, ctx.now)
            .scope(&scope)
            .checked(checked)
            .stale_after(
                ctx.budget.stale_after_secs,
                ctx.budget.stale_after_secs.saturating_mul(3),
            )
            .empty(match ctx.namespace {
                Some(_) => "no media services in this namespace (:ns all for all)",
                None => "no media services discovered in the watched namespaces",
            });
        if ctx.cluster.is_none() {
            tctx = tctx.loading("connecting to the cluster…");
        }
        if let Some(note) = &self.metrics.note {
            tctx = tctx.note(note.clone(), Role::Muted);
        }
        if self.metrics.available {
            self.list.render(f, area, &tctx);
        } else {
            self.list.render_without(f, area, &tctx, &["CPU", "MEM"]);
        }
    }
}
