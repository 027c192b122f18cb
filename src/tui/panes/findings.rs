//! Findings pane (`:findings`, `:alerts`): every finding on the resource table widget, worst
//! first (or sorted by a column), one line each; the remediation and runbook of the finding
//! under the cursor in the box below.

use super::detail;
use super::listing::{listing_filter, Listing, TableCtx};
use crate::model::{Finding, Severity};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::msg::Msg;
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::Tone;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::table::{haystack, Column, TableRow};
use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "findings";

pub fn pane() -> Box<dyn Pane> {
    Box::new(FindingsState {
        list: Listing::new(COLUMNS),
    })
}

/// One finding and its filter text.
#[derive(Debug, Clone)]
pub struct FindingRow {
    pub finding: Finding,
    id: String,
    haystack: String,
}

impl FindingRow {
    fn new(f: &Finding) -> FindingRow {
        FindingRow {
            id: format!("{} {}", f.code, f.subject),
            haystack: haystack([f.severity.label(), &f.code, &f.subject, &f.message]),
            finding: f.clone(),
        }
    }
}

impl TableRow for FindingRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        Tone::of_severity(self.finding.severity).into()
    }
}

type C = Column<FindingRow>;

static COLUMNS: &[C] = &[
    // The first press sorts worst first.
    C::new("SEVERITY", |r, _| r.finding.severity.label().into())
        .sort('S', |a, b| b.finding.severity.cmp(&a.finding.severity)),
    C::new("SUBJECT", |r, _| r.finding.subject.as_str().into())
        .min(12)
        .max(30)
        .priority(2)
        .sort('N', |a, b| a.finding.subject.cmp(&b.finding.subject)),
    // Never cut: `pod.crash…` could be several codes.
    C::new("CODE", |r, _| r.finding.code.as_str().into())
        .max(32)
        .whole()
        .priority(1)
        .sort('C', |a, b| a.finding.code.cmp(&b.finding.code)),
    C::new("FINDING", |r, _| r.finding.message.as_str().into()).min(20),
];

pub struct FindingsState {
    /// Its rows; before the first set of findings: "waiting for the first check".
    pub list: Listing<FindingRow>,
}

impl FindingsState {
    /// Rebuild the rows, worst first (then by subject, the cause before its symptoms, code).
    pub fn set_findings(&mut self, all: &[Finding]) {
        use crate::checks::catalog::cause_rank;
        let mut rows: Vec<FindingRow> = all.iter().map(FindingRow::new).collect();
        rows.sort_by(|a, b| {
            let (a, b) = (&a.finding, &b.finding);
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.subject.cmp(&b.subject))
                .then_with(|| cause_rank(&a.code).cmp(&cause_rank(&b.code)))
                .then_with(|| a.code.cmp(&b.code))
        });
        self.list.set_rows(rows);
    }

    pub fn selected(&self) -> Option<&Finding> {
        self.list.selected().map(|r| &r.finding)
    }

    /// Severities in display order.
    pub fn severities(&self) -> Vec<Severity> {
        let rows = &self.list.rows;
        let order = self.list.table.visible();
        order.iter().map(|&i| rows[i].finding.severity).collect()
    }
}

impl Pane for FindingsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Findings"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::plain(KeyCode::Enter), Action::ENTER, "go to service"),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
            Binding::new(Key::ch('c'), Action::CHECK_ALL, "check all"),
        ];
        own.extend(Listing::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["findings", "finding", "fi"],
            "all findings with remediation",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        if action != Action::ENTER {
            self.list.on_action(action);
            return;
        }
        let Some(f) = self.selected() else {
            return;
        };
        let target = ctx.cluster.as_ref().and_then(|c| {
            c.inventory
                .services
                .iter()
                .find(|s| f.is_about(&s.id))
                .map(|s| s.id.clone())
        });
        match target {
            Some(id) => ctx.push(detail::view(id)),
            None => {
                let text = format!("{} is not a service", f.subject);
                ctx.set_flash(text, FlashLevel::Info);
            }
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Findings(all) = msg {
            self.set_findings(all);
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        render(self, f, area, ctx);
    }
}

fn render(st: &FindingsState, f: &mut Frame, area: Rect, app: &Ctx) {
    let theme = &app.theme;
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(area);
    let tctx = TableCtx::new("Findings", theme, app.now)
        .empty("no findings: all clear")
        .loading_unless(st.list.received(), "waiting for the first check…");
    st.list.render(f, table_area, &tctx);

    let lines = match st.selected() {
        None => vec![Line::styled("no findings", theme.style(Role::Muted))],
        Some(x) => {
            let mut v = vec![
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
            ];
            if let Some(r) = &x.runbook {
                v.push(Line::from(vec![
                    Span::styled("see: ", theme.style(Role::Accent)),
                    Span::styled(r.clone(), theme.style(Role::Muted)),
                ]));
            }
            v
        }
    };
    crate::tui::widgets::detail::render(f, detail_area, theme, "remediation", lines);
}
