//! Service detail (enter on a service): summary, pods, containers, probe, the app's own health
//! issues with their wiki links, events, and the findings about it.

use super::text::TextView;
use super::{describe, logs};
use crate::model::{IssueLevel, ServiceId, Severity};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::pane::Pane;
use crate::tui::render::severity_role;
use crate::tui::rows::{age, health_cell, http_cell, issue_label, Tone};
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub const ID: PaneId = "detail";

pub fn pane() -> Box<dyn Pane> {
    Box::<Detail>::default()
}

/// The detail view of a service.
pub fn view(id: ServiceId) -> View {
    View::with(ID, ViewArg::Service(id))
}

#[derive(Debug, Default)]
pub struct Detail {
    text: TextView,
    /// The workload a scale prompt is open for (issue 8 actions).
    pending: Option<super::workload_actions::Target>,
}

impl Pane for Detail {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Service detail"
    }

    fn crumb(&self, view: &View) -> String {
        view.service().map_or_else(|| ID.to_string(), |id| id.to_string())
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::ch('l'), Action::LOGS, "logs"),
            Binding::new(Key::ch('d'), Action::DESCRIBE, "describe"),
        ];
        own.extend(super::workload_actions::bindings());
        with_navigation(own)
    }

    fn on_reply(&mut self, ctx: &mut Ctx, tag: &'static str, value: String) {
        super::workload_actions::on_reply(ctx, tag, &value, &mut self.pending);
    }

    fn on_enter(&mut self, _ctx: &mut Ctx, _view: &View) -> bool {
        self.text.reset();
        true
    }

    fn on_action(&mut self, ctx: &mut Ctx, view: &View, action: Action) {
        let Some(id) = view.service().cloned() else {
            return;
        };
        match action {
            Action::LOGS => ctx.push(logs::view(id)),
            Action::DESCRIBE => ctx.push(describe::view(id)),
            // Detail text does not wrap.
            Action::WRAP => {}
            a if super::workload_actions::on_action(ctx, a, &id, ID, &mut self.pending) => {}
            _ => {
                self.text.on_action(action, ctx.page());
            }
        }
    }

    fn current_service<'a>(&'a self, view: &'a View) -> Option<&'a ServiceId> {
        view.service()
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, view: &View) {
        let Some(id) = view.service() else {
            return;
        };
        let theme = &ctx.theme;
        let worst = worst_for(ctx, id);
        let title = Line::from(vec![
            Span::styled(format!(" {id} "), theme.style(Role::Title)),
            Span::styled(
                format!("[{}] ", worst.label()),
                theme.style(severity_role(worst)),
            ),
        ]);
        self.text.render(f, area, title, lines(ctx, id, theme), theme);
    }
}

fn section<'a>(theme: &Theme, title: &str) -> Line<'a> {
    Line::styled(format!("── {title} "), theme.style(Role::Title))
}

fn kv<'a>(theme: &Theme, k: &str, v: String, style: Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {k:<12}"), theme.style(Role::Muted)),
        Span::styled(v, style),
    ])
}

/// The detail pane's text (the generic text pane scrolls it).
pub fn lines<'a>(app: &Ctx, id: &ServiceId, theme: &Theme) -> Vec<Line<'a>> {
    let base = theme.style(Role::Base);
    let Some(cluster) = &app.cluster else {
        return vec![Line::styled("no cluster data yet", theme.style(Role::Muted))];
    };
    let Some(svc) = cluster.inventory.get(id) else {
        return vec![Line::styled(
            format!("{id} is no longer in the inventory"),
            theme.style(Role::Warn),
        )];
    };
    let mut out = vec![section(theme, "service")];
    out.push(kv(theme, "kind", svc.kind.display().to_string(), base));
    out.push(kv(
        theme,
        "workload",
        format!(
            "{} {}/{}",
            svc.workload.kind, svc.namespace, svc.workload.name
        ),
        base,
    ));
    if let Some(url) = svc.cluster_url() {
        out.push(kv(theme, "url", url, base));
    }
    if let Some(p) = &svc.service {
        let port = format!("{} {}→{}", p.name, p.port, p.target_port);
        out.push(kv(theme, "service", port, base));
    }
    let ub = if svc.url_base.is_empty() {
        "(none)"
    } else {
        &svc.url_base
    };
    out.push(kv(
        theme,
        "url base",
        format!("{ub} ({:?})", svc.url_base_source).to_lowercase(),
        base,
    ));

    out.push(Line::raw(""));
    out.push(section(theme, "pods"));
    let pods = cluster.pods.get(id).map(Vec::as_slice).unwrap_or(&[]);
    if pods.is_empty() {
        out.push(Line::styled("  no pods", theme.style(Role::Error)));
    }
    for p in pods {
        let tone = if p.is_ready() { Role::Ok } else { Role::Error };
        let word = p.reason.as_deref().unwrap_or(p.phase.as_str());
        out.push(Line::from(vec![
            Span::styled(format!("  {:<34}", p.name), base),
            Span::styled(
                format!("{word:<18} {}/{}", p.ready_containers, p.total_containers),
                theme.style(tone),
            ),
            Span::styled(
                format!(
                    "  restarts {:<3} age {:<7} node {}",
                    p.restarts,
                    age(p.started_at, app.now),
                    p.node.as_deref().unwrap_or("—")
                ),
                theme.style(Role::Muted),
            ),
        ]));
    }

    out.push(Line::raw(""));
    out.push(section(theme, "containers"));
    out.push(kv(theme, &svc.container, svc.image.clone(), base));
    if let Some(v) = &svc.vpn {
        let mut text = format!("{} (vpn sidecar", v.image);
        if let Some(p) = &v.provider {
            text.push_str(&format!(", {p}"));
        }
        if let Some(t) = &v.vpn_type {
            text.push_str(&format!(", {t}"));
        }
        text.push(')');
        out.push(kv(theme, &v.container, text, theme.style(Role::Ok)));
    }

    out.push(Line::raw(""));
    out.push(section(theme, "health"));
    match app.observations.get(id) {
        None => out.push(Line::styled("  not observed yet", theme.style(Role::Muted))),
        Some(o) => {
            let http = http_cell(o, &app.budget);
            out.push(kv(
                theme,
                "http probe",
                http.text,
                theme.style(http.tone.into()),
            ));
            if let Some(e) = o.probe.as_ref().and_then(|p| p.error.as_ref()) {
                out.push(kv(theme, "", e.detail.clone(), theme.style(Role::Error)));
            }
            let h = health_cell(&o.health);
            out.push(kv(theme, "app health", h.text, theme.style(h.tone.into())));
            match &o.health {
                Err(e) => {
                    let probe_err = o.probe.as_ref().and_then(|p| p.error.as_ref());
                    if probe_err.is_none_or(|p| p.detail != e.detail) {
                        out.push(kv(theme, "", e.detail.clone(), theme.style(Role::Error)));
                    }
                }
                Ok(health) => {
                    if let Some(v) = &health.version {
                        out.push(kv(theme, "version", v.clone(), base));
                    }
                    for i in &health.issues {
                        let role = match i.level {
                            IssueLevel::Error => Role::Error,
                            IssueLevel::Warning => Role::Warn,
                            _ => Role::Base,
                        };
                        out.push(Line::from(vec![
                            Span::styled(
                                format!("  {:<7} ", issue_label(i.level)),
                                theme.style(role),
                            ),
                            Span::styled(format!("{}: ", i.source), theme.style(Role::Accent)),
                            Span::styled(i.message.clone(), base),
                        ]));
                        if let Some(w) = &i.wiki_url {
                            out.push(Line::styled(
                                format!("          wiki: {w}"),
                                theme.style(Role::Muted),
                            ));
                        }
                    }
                }
            }
            out.push(kv(
                theme,
                "observed",
                format!("{} ago", age(Some(o.fetched_at), app.now)),
                theme.style(Role::Muted),
            ));
        }
    }

    out.push(Line::raw(""));
    out.push(section(theme, "findings"));
    let mut mine: Vec<_> = app.findings.iter().filter(|f| f.is_about(id)).collect();
    mine.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if mine.is_empty() {
        out.push(Line::styled("  none", theme.style(Role::Ok)));
    }
    for f in mine {
        let role: Role = Tone::of_severity(f.severity).into();
        out.push(Line::from(vec![
            Span::styled(format!("  {:<8} ", f.severity.label()), theme.style(role)),
            Span::styled(format!("{} ", f.code), theme.style(Role::Accent)),
            Span::styled(f.message.clone(), base),
        ]));
        out.push(Line::styled(
            format!("           fix: {}", f.remediation),
            base,
        ));
        if let Some(r) = &f.runbook {
            out.push(Line::styled(
                format!("           see: {r}"),
                theme.style(Role::Muted),
            ));
        }
    }

    out.push(Line::raw(""));
    out.push(section(theme, "events"));
    let events = cluster.events.get(id).map(Vec::as_slice).unwrap_or(&[]);
    if events.is_empty() {
        out.push(Line::styled("  none", theme.style(Role::Muted)));
    }
    for e in events {
        let role = if e.type_ == "Warning" {
            Role::Warn
        } else {
            Role::Base
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {:<8}", e.type_), theme.style(role)),
            Span::styled(format!("{:<18}", e.reason), theme.style(Role::Accent)),
            Span::styled(
                format!("{:>6} ×{:<3} ", age(e.last_seen, app.now), e.count),
                theme.style(Role::Muted),
            ),
            Span::styled(format!("{}: {}", e.object, e.message), base),
        ]));
    }
    out
}

/// Worst severity of the findings about a service (for the crumb/title colour).
pub fn worst_for(app: &Ctx, id: &ServiceId) -> Severity {
    crate::model::finding::worst(app.findings.iter().filter(|f| f.is_about(id)))
}
