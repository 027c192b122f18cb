//! Service detail (enter on a service): summary, pods, containers, probe, the app's own health
//! issues with their wiki links, events, and the findings about it.

use crate::model::{IssueLevel, ServiceId, Severity};
use crate::tui::app::{App, View};
use crate::tui::msg::{describe_title, Effect};
use crate::tui::rows::{age, health_cell, http_cell, issue_label, Tone};
use crate::tui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `d`: describe the workload of the current service.
pub fn describe_current(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.current_service().cloned() else {
        return vec![];
    };
    let Some(svc) = app.cluster.as_ref().and_then(|c| c.inventory.get(&id)) else {
        return vec![];
    };
    let (namespace, kind, name) = (
        svc.namespace.clone(),
        svc.workload.kind.clone(),
        svc.workload.name.clone(),
    );
    app.describe = Some((describe_title(&kind, &namespace, &name), None));
    app.push(View::Describe);
    vec![Effect::Describe {
        namespace,
        kind,
        name,
    }]
}

fn section<'a>(theme: &Theme, title: &str) -> Line<'a> {
    Line::styled(format!("── {title} "), theme.style("title"))
}

fn kv<'a>(theme: &Theme, k: &str, v: String, style: Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {k:<12}"), theme.style("muted")),
        Span::styled(v, style),
    ])
}

/// The detail pane's text (the generic text pane scrolls it).
pub fn lines<'a>(app: &App, id: &ServiceId, theme: &Theme) -> Vec<Line<'a>> {
    let base = theme.style("base");
    let Some(cluster) = &app.cluster else {
        return vec![Line::styled("no cluster data yet", theme.style("muted"))];
    };
    let Some(svc) = cluster.inventory.get(id) else {
        return vec![Line::styled(
            format!("{id} is no longer in the inventory"),
            theme.style("warn"),
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
        out.push(Line::styled("  no pods", theme.style("error")));
    }
    for p in pods {
        let tone = if p.is_ready() { "ok" } else { "error" };
        let word = p.reason.as_deref().unwrap_or(&p.phase);
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
                theme.style("muted"),
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
        out.push(kv(theme, &v.container, text, theme.style("ok")));
    }

    out.push(Line::raw(""));
    out.push(section(theme, "health"));
    match app.observations.get(id) {
        None => out.push(Line::styled("  not observed yet", theme.style("muted"))),
        Some(o) => {
            let http = http_cell(o, &app.budget);
            out.push(kv(
                theme,
                "http probe",
                http.text,
                theme.style(http.tone.role()),
            ));
            if let Some(e) = o.probe.as_ref().and_then(|p| p.error.as_ref()) {
                out.push(kv(theme, "", e.detail.clone(), theme.style("error")));
            }
            let h = health_cell(&o.health);
            out.push(kv(theme, "app health", h.text, theme.style(h.tone.role())));
            match &o.health {
                Err(e) => {
                    let probe_err = o.probe.as_ref().and_then(|p| p.error.as_ref());
                    if probe_err.is_none_or(|p| p.detail != e.detail) {
                        out.push(kv(theme, "", e.detail.clone(), theme.style("error")));
                    }
                }
                Ok(health) => {
                    if let Some(v) = &health.version {
                        out.push(kv(theme, "version", v.clone(), base));
                    }
                    for i in &health.issues {
                        let role = match i.level {
                            IssueLevel::Error => "error",
                            IssueLevel::Warning => "warn",
                            _ => "base",
                        };
                        out.push(Line::from(vec![
                            Span::styled(
                                format!("  {:<7} ", issue_label(i.level)),
                                theme.style(role),
                            ),
                            Span::styled(format!("{}: ", i.source), theme.style("accent")),
                            Span::styled(i.message.clone(), base),
                        ]));
                        if let Some(w) = &i.wiki_url {
                            out.push(Line::styled(
                                format!("          wiki: {w}"),
                                theme.style("muted"),
                            ));
                        }
                    }
                }
            }
            out.push(kv(
                theme,
                "observed",
                format!("{} ago", age(Some(o.fetched_at), app.now)),
                theme.style("muted"),
            ));
        }
    }

    out.push(Line::raw(""));
    out.push(section(theme, "findings"));
    let mut mine: Vec<_> = app.findings.iter().filter(|f| f.is_about(id)).collect();
    mine.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if mine.is_empty() {
        out.push(Line::styled("  none", theme.style("ok")));
    }
    for f in mine {
        let role = Tone::of_severity(f.severity).role();
        out.push(Line::from(vec![
            Span::styled(format!("  {:<8} ", f.severity.label()), theme.style(role)),
            Span::styled(format!("{} ", f.code), theme.style("accent")),
            Span::styled(f.message.clone(), base),
        ]));
        out.push(Line::styled(
            format!("           fix: {}", f.remediation),
            base,
        ));
        if let Some(r) = &f.runbook {
            out.push(Line::styled(
                format!("           see: {r}"),
                theme.style("muted"),
            ));
        }
    }

    out.push(Line::raw(""));
    out.push(section(theme, "events"));
    let events = cluster.events.get(id).map(Vec::as_slice).unwrap_or(&[]);
    if events.is_empty() {
        out.push(Line::styled("  none", theme.style("muted")));
    }
    for e in events {
        let role = if e.type_ == "Warning" { "warn" } else { "base" };
        out.push(Line::from(vec![
            Span::styled(format!("  {:<8}", e.type_), theme.style(role)),
            Span::styled(format!("{:<18}", e.reason), theme.style("accent")),
            Span::styled(
                format!("{:>6} ×{:<3} ", age(e.last_seen, app.now), e.count),
                theme.style("muted"),
            ),
            Span::styled(format!("{}: {}", e.object, e.message), base),
        ]));
    }
    out
}

/// Worst severity of the findings about a service (for the crumb/title colour).
pub fn worst_for(app: &App, id: &ServiceId) -> Severity {
    crate::model::finding::worst(app.findings.iter().filter(|f| f.is_about(id)))
}
