//! Alerts pane (`:alerts`): the alerts of Alertmanager (found from its Service or configured) —
//! active, silenced and inhibited, with severity, summary, runbook and since when — and its
//! silences; Prometheus's own alerts when there is no Alertmanager. `S` silences the alert under
//! the cursor (its labels as matchers; you type the duration and a comment), `E` expires the
//! silence under the cursor (confirm); both are hidden in read-only mode. `r` reads again.

use super::listing::{listing_filter, Listing, TableCtx};
use crate::alerts::{matchers_of, parse_duration, AlertsFacts, Backend};
use crate::bus::rows::age;
use crate::checks::alerts::severity_of;
use crate::model::Severity;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply, TextPrompt};
use crate::tui::msg::{Effect, Msg, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::Tone;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::table::{haystack, CellText, Column, TableRow};
use jiff::Timestamp;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;
use std::borrow::Cow;

pub const ID: PaneId = "alerts";

const SILENCE: Action = Action::new("alerts.silence");
const EXPIRE: Action = Action::new("alerts.expire");
const SILENCE_TAG: &str = "silence";

pub fn pane() -> Box<dyn Pane> {
    Box::new(AlertsState {
        list: Listing::new(COLUMNS),
        facts: None,
        pending_silence: None,
    })
}

#[derive(Debug, Clone)]
pub struct AlertRow {
    /// `Alert` or `Silence`.
    pub kind: &'static str,
    pub name: String,
    pub severity: String,
    pub sev: Severity,
    pub state: String,
    /// Alert: since; silence: ends.
    pub at: Option<Timestamp>,
    pub text: String,
    pub detail: Vec<String>,
    /// Alert: the matchers a silence would use. Silence: its id.
    pub matchers: Vec<(String, String)>,
    pub silence_id: Option<String>,
    id: String,
    haystack: String,
}

impl TableRow for AlertRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        match self.state.as_str() {
            "active" | "firing" => Tone::of_severity(self.sev).into(),
            _ => Role::Muted,
        }
    }
}

type C = Column<AlertRow>;

static COLUMNS: &[C] = &[
    C::new("TYPE", |r, _| r.kind.into()).sort('T', |a, b| a.kind.cmp(b.kind)),
    C::new("NAME", |r, _| r.name.as_str().into())
        .min(12)
        .max(36)
        .sort('N', |a, b| a.name.cmp(&b.name)),
    C::new("SEVERITY", |r, _| {
        CellText::tone(r.severity.clone(), Tone::of_severity(r.sev))
    })
    .sort('V', |a, b| b.sev.cmp(&a.sev)),
    C::new("STATE", |r, _| r.state.as_str().into()).sort('A', |a, b| a.state.cmp(&b.state)),
    C::new("SINCE / ENDS", |r, c| match r.at {
        Some(t) if r.kind == "Silence" => format!("ends {}", t.strftime("%m-%d %H:%M")).into(),
        Some(t) => age(Some(t), c.now).into(),
        None => "?".into(),
    })
    .priority(2),
    C::new("SUMMARY / MATCHERS", |r, _| r.text.as_str().into()).min(12),
];

/// The rows of the facts: alerts, then silences.
pub fn rows(f: &AlertsFacts) -> Vec<AlertRow> {
    let mut out = Vec::new();
    for a in &f.alerts {
        let sev = severity_of(a.severity());
        let summary = a.annotations.get("summary").cloned().unwrap_or_default();
        let mut detail = vec![format!(
            "Labels: {}",
            a.labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if let Some(d) = a.annotations.get("description") {
            detail.push(format!("Description: {d}"));
        }
        detail.push(format!(
            "Runbook: {}",
            a.annotations.get("runbook_url").map_or("none given", String::as_str)
        ));
        if !a.silenced_by.is_empty() {
            detail.push(format!("Silenced by: {}", a.silenced_by.join(", ")));
        }
        if !a.inhibited_by.is_empty() {
            detail.push(format!("Inhibited by: {}", a.inhibited_by.join(", ")));
        }
        let name = a.name().to_string();
        out.push(AlertRow {
            kind: "Alert",
            severity: a.severity().to_string(),
            sev,
            state: a.shown_state().to_string(),
            at: a.since,
            haystack: haystack(["Alert", &name, a.severity(), a.shown_state(), &summary]),
            id: format!("alert/{}/{}", name, a.fingerprint),
            name,
            text: summary,
            detail,
            matchers: matchers_of(a),
            silence_id: None,
        });
    }
    for s in &f.silences {
        let m = s.matchers.join(", ");
        out.push(AlertRow {
            kind: "Silence",
            name: s.id.clone(),
            severity: "-".into(),
            sev: Severity::Ok,
            state: s.state.clone(),
            at: s.ends_at,
            text: m.clone(),
            detail: vec![
                format!("Silence {} ({}), matchers: {m}", s.id, s.state),
                format!("Created by {}: {}", s.created_by, s.comment),
            ],
            matchers: vec![],
            silence_id: Some(s.id.clone()),
            haystack: haystack(["Silence", &s.id, &s.state, &m]),
            id: format!("silence/{}", s.id),
        });
    }
    out
}

pub struct AlertsState {
    pub list: Listing<AlertRow>,
    pub facts: Option<AlertsFacts>,
    /// The matchers of the alert a silence prompt is open for.
    pending_silence: Option<Vec<(String, String)>>,
}

impl AlertsState {
    pub fn set_facts(&mut self, f: &AlertsFacts) {
        self.list.set_rows(rows(f));
        self.facts = Some(f.clone());
    }
}

fn validate(text: &str) -> Result<(), String> {
    let (d, comment) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    parse_duration(d)?;
    if comment.trim().is_empty() {
        return Err("add a comment after the duration: 2h upgrading the NAS".into());
    }
    Ok(())
}

impl Pane for AlertsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Alerts"
    }

    fn bindings(&self) -> Vec<Binding> {
        Listing::bindings_with(
            vec![
                Binding::new(Key::ch('S'), SILENCE, "silence alert").mutating(),
                Binding::new(Key::ch('E'), EXPIRE, "expire silence").mutating(),
                Binding::new(Key::ch('r'), Action::RELOAD, "read again"),
            ],
            COLUMNS,
        )
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["alerts", "alert", "am"],
            "alerts: Alertmanager (or Prometheus) alerts and silences",
        )
        .with_filter()]
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let row = self.list.selected().cloned();
        match action {
            Action::RELOAD => ctx.emit(Effect::RefreshNow),
            SILENCE => {
                let am = self
                    .facts
                    .as_ref()
                    .and_then(|f| f.source.as_ref())
                    .is_some_and(|s| s.backend == Backend::Alertmanager);
                match row {
                    _ if !am => ctx.set_flash(
                        "silences need an Alertmanager (only Prometheus answers, or nothing)",
                        FlashLevel::Warn,
                    ),
                    Some(r) if r.kind == "Alert" => {
                        let shown: Vec<String> =
                            r.matchers.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        self.pending_silence = Some(r.matchers.clone());
                        ctx.open_modal(Modal::Prompt(TextPrompt::new(
                            format!("Silence {}", r.name),
                            format!("Matchers {}. Duration and comment:", shown.join(", ")),
                            "2h ",
                            validate,
                            ID,
                            SILENCE_TAG,
                        )));
                    }
                    _ => ctx.set_flash("silence works on an alert row", FlashLevel::Info),
                }
            }
            EXPIRE => match row.and_then(|r| r.silence_id.clone().map(|id| (id, r.state))) {
                Some((_, state)) if state == "expired" => {
                    ctx.set_flash("this silence has expired already", FlashLevel::Info)
                }
                Some((id, _)) => ctx.open_modal(Modal::Confirm(Confirm::new(
                    "Expire silence",
                    vec![(
                        format!("Expire silence {id}: the alerts it silences notify again."),
                        Role::Base,
                    )],
                    "Expire",
                    Reply::Task(TaskRequest::ExpireSilence { id }),
                ))),
                None => ctx.set_flash("expire works on a silence row", FlashLevel::Info),
            },
            _ => self.list.navigate(action),
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, tag: &'static str, value: String) {
        if tag != SILENCE_TAG {
            return;
        }
        let Some(matchers) = self.pending_silence.take() else {
            return;
        };
        let (d, comment) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
        if let Ok(secs) = parse_duration(d) {
            ctx.start_task(TaskRequest::Silence {
                matchers,
                secs,
                comment: comment.trim().to_string(),
            });
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Alerts(f) = msg {
            self.set_facts(f);
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let areas = Layout::vertical([Constraint::Fill(1), Constraint::Length(7)]).areas(area);
        let label = self.facts.as_ref().and_then(|f| f.source.as_ref()).map(|s| s.label());
        let title = format!("Alerts · {}", label.as_deref().unwrap_or("no source"));
        let mut tctx = TableCtx::new(&title, theme, ctx.now)
            .empty("no alerts firing and no silences")
            .error(self.facts.as_ref().and_then(|f| f.error.as_deref()));
        if self.facts.is_none() {
            tctx = tctx.loading(
                "no Alertmanager or Prometheus found yet (set alertmanager_url, or deploy assets/monitoring)",
            );
        }
        self.list.render_with_detail(f, areas, &tctx, "alert", |r| (r.detail.as_slice(), &[]));
    }
}
