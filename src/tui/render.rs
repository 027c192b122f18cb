//! Drawing: header, banner, prompt, the current pane, crumbs and flash. Reads `App`, never changes
//! it (apart from the table windows' remembered offsets).

use super::app::{App, FlashLevel, View};
use super::panes::{
    confirm, detail, findings, help, integrations, keys, logs, plan_text, services, tasks,
};
use super::prompt::PromptMode;
use super::rows::{age, Tone};
use super::theme::Theme;
use crate::model::Severity;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::cell::Cell;
use unicode_width::UnicodeWidthStr;

const HEADER_ROWS: u16 = 6;

/// Draw the whole screen.
pub fn render(f: &mut Frame, app: &App) {
    let theme = &app.theme;
    let area = f.area();
    f.render_widget(Block::default().style(theme.style("base")), area);
    let banner_h = u16::from(app.banner.is_some());
    let prompt_h = if app.prompt.is_some() { 3 } else { 0 };
    let [header, banner, prompt, body, crumbs] = Layout::vertical([
        Constraint::Length(HEADER_ROWS),
        Constraint::Length(banner_h),
        Constraint::Length(prompt_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(f, header, app, theme);
    if let Some(b) = &app.banner {
        let line = Line::styled(format!(" cluster unreachable: {b} "), theme.style("banner"));
        f.render_widget(Paragraph::new(line).style(theme.style("banner")), banner);
    }
    if app.prompt.is_some() {
        render_prompt(f, prompt, app, theme);
    }
    render_body(f, body, app, theme);
    if let Some(c) = &app.confirm {
        confirm::render(f, body, c, theme);
    }
    render_crumbs(f, crumbs, app, theme);
}

fn severity_role(s: Severity) -> &'static str {
    match s {
        Severity::Ok | Severity::Info => "ok",
        s => Tone::of_severity(s).role(),
    }
}

fn render_header(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [info, hints, logo] = Layout::horizontal([
        Constraint::Length(60),
        Constraint::Fill(1),
        Constraint::Length(12),
    ])
    .areas(area);
    let label = |s: &str| Span::styled(format!("{s:<12}"), theme.style("header.key"));
    let value = |s: String| Span::styled(s, theme.style("header"));
    let (ctx, cluster, ns) = match &app.cluster {
        Some(c) => (
            c.context.clone(),
            c.cluster.clone(),
            if c.namespaces.is_empty() {
                "all".to_string()
            } else {
                c.namespaces.join(", ")
            },
        ),
        None => ("—".into(), "connecting…".into(), "—".into()),
    };
    let mut ctx_line = vec![label("Context:"), value(ctx)];
    if app.readonly() {
        ctx_line.push(Span::raw(" "));
        ctx_line.push(Span::styled(" RO ", theme.style("badge")));
    }
    let worst = crate::model::finding::worst(&app.findings);
    let mut counts: Vec<String> = Vec::new();
    for s in [Severity::Critical, Severity::Error, Severity::Warning] {
        let n = app.findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            counts.push(format!("{n} {}", s.label()));
        }
    }
    let health = if counts.is_empty() {
        "ok".to_string()
    } else {
        format!("{}: {}", worst.label(), counts.join(", "))
    };
    let running = app.tasks.running();
    let refresh = match &app.cluster {
        Some(c) => format!("{} ago", age(Some(c.fetched_at), app.now)),
        None => "never".into(),
    };
    let lines = vec![
        Line::from(ctx_line),
        Line::from(vec![label("Cluster:"), value(cluster)]),
        Line::from(vec![label("Namespaces:"), value(ns)]),
        Line::from(vec![
            label("Health:"),
            Span::styled(health, theme.style(severity_role(worst))),
        ]),
        Line::from(vec![
            label("Tasks:"),
            if running > 0 {
                Span::styled(format!("{running} running"), theme.style("accent"))
            } else {
                Span::styled("none running", theme.style("muted"))
            },
        ]),
        Line::from(vec![label("Refreshed:"), value(refresh)]),
    ];
    f.render_widget(Paragraph::new(lines), info);

    // Key hints in columns of HEADER_ROWS, generated from the live key map.
    let pane = app.view().pane();
    let all = app.keymap.hints(pane);
    let col_w = all
        .iter()
        .map(|(k, d)| k.width() + d.width() + 4)
        .max()
        .unwrap_or(10) as u16;
    let cols = all.chunks(usize::from(HEADER_ROWS));
    let mut x = hints.x;
    for col in cols {
        if x + col_w > hints.x + hints.width {
            break;
        }
        let lines: Vec<Line> = col
            .iter()
            .map(|(k, d)| {
                Line::from(vec![
                    Span::styled(format!("<{k}> "), theme.style("header.key")),
                    Span::styled(d.to_string(), theme.style("muted")),
                ])
            })
            .collect();
        f.render_widget(
            Paragraph::new(lines),
            Rect::new(x, hints.y, col_w, hints.height),
        );
        x += col_w;
    }
    let logo_lines = vec![
        Line::styled(" k8s-nas ", theme.style("title")),
        Line::styled(
            format!(" v{}", env!("CARGO_PKG_VERSION")),
            theme.style("muted"),
        ),
    ];
    f.render_widget(Paragraph::new(logo_lines), logo);
}

fn render_prompt(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(p) = &app.prompt else { return };
    let (title, sigil) = match p.mode {
        PromptMode::Command => (" command ", ":"),
        PromptMode::Filter => (" filter ", "/"),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("border_focus"))
        .title(Line::styled(title, theme.style("title")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width < 3 {
        return;
    }
    f.render_widget(
        Paragraph::new(Span::styled(sigil, theme.style("prompt"))),
        Rect::new(inner.x, inner.y, 1, 1),
    );
    let mut input = p.input.clone();
    input.set_style(theme.style("prompt"));
    input.set_cursor_line_style(Style::default());
    let text_area = Rect::new(inner.x + 1, inner.y, inner.width - 1, 1);
    f.render_widget(&input, text_area);
    if let Some(rest) = p.suggestion() {
        // Drawn from the cursor cell on, its first character in cursor style.
        let used = p.text().width() as u16;
        if used < text_area.width {
            let mut chars = rest.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            let suggest = theme.style("prompt.suggest");
            let line = Line::from(vec![
                Span::styled(first, suggest.add_modifier(Modifier::REVERSED)),
                Span::styled(chars.collect::<String>(), suggest),
            ]);
            f.render_widget(
                Paragraph::new(line),
                Rect::new(text_area.x + used, inner.y, text_area.width - used, 1),
            );
        }
    }
}

fn render_body(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match app.view() {
        View::Services => services::render(f, area, app, theme),
        View::Logs => logs::render(f, area, app, theme),
        View::Findings => findings::render(f, area, app, theme),
        View::Tasks => tasks::render(f, area, app, theme),
        View::Detail(id) => {
            let worst = detail::worst_for(app, id);
            let title = Line::from(vec![
                Span::styled(format!(" {id} "), theme.style("title")),
                Span::styled(
                    format!("[{}] ", worst.label()),
                    theme.style(severity_role(worst)),
                ),
            ]);
            let lines = detail::lines(app, id, theme);
            text_pane(f, area, title, lines, &app.scroll, false, theme);
        }
        View::Describe => {
            let (title, text) = match &app.describe {
                Some((t, Some(text))) => (
                    t.clone(),
                    text.lines().map(|l| Line::raw(l.to_string())).collect(),
                ),
                Some((t, None)) => (
                    t.clone(),
                    vec![Line::styled("loading…", theme.style("muted"))],
                ),
                None => ("describe".into(), vec![]),
            };
            let title = Line::styled(format!(" describe {title} "), theme.style("title"));
            text_pane(f, area, title, text, &app.scroll, app.wrap, theme);
        }
        View::TaskLog(id) => {
            let (title, lines) = tasks::log_lines(app, *id);
            let title = Line::styled(format!(" {title} "), theme.style("title"));
            let lines = lines.into_iter().map(Line::raw).collect();
            text_pane(f, area, title, lines, &app.scroll, app.wrap, theme);
        }
        View::Integrations => integrations::render(f, area, app, theme),
        View::Keys => keys::render(f, area, app, theme),
        View::EdgeDetail(id) => {
            let (label, lines) = plan_text::edge_lines(app, id, theme);
            let title = Line::styled(format!(" edge {label} "), theme.style("title"));
            text_pane(f, area, title, lines, &app.scroll, app.wrap, theme);
        }
        View::PlanDiff => {
            let title = Line::styled(" integration plan ", theme.style("title"));
            let lines = plan_text::plan_lines(app, theme);
            text_pane(f, area, title, lines, &app.scroll, app.wrap, theme);
        }
        View::Help(pane) => {
            let title = Line::styled(" help ", theme.style("title"));
            let lines = help::lines(app, *pane, theme);
            text_pane(f, area, title, lines, &app.scroll, false, theme);
        }
    }
}

/// A bordered, scrollable text view; clamps the scroll position to the text.
pub fn text_pane(
    f: &mut Frame,
    area: Rect,
    title: Line,
    lines: Vec<Line>,
    scroll: &Cell<usize>,
    wrap: bool,
    theme: &Theme,
) {
    let inner_h = usize::from(area.height.saturating_sub(2));
    let max = lines.len().saturating_sub(inner_h);
    let s = scroll.get().min(max);
    scroll.set(s);
    let mut p = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style("border_focus"))
                .title(title),
        )
        .scroll((u16::try_from(s).unwrap_or(u16::MAX), 0));
    if wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, area);
}

fn render_crumbs(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    let n = app.stack.len();
    for (i, v) in app.stack.iter().enumerate() {
        let role = if i + 1 == n {
            "crumbs.active"
        } else {
            "crumbs"
        };
        spans.push(Span::styled(
            format!(" <{}> ", v.crumb()),
            theme.style(role),
        ));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if let Some(fl) = &app.flash {
        let role = match fl.level {
            FlashLevel::Info => "accent",
            FlashLevel::Warn => "warn",
            FlashLevel::Error => "error",
        };
        let room = usize::from(area.width).saturating_sub(used + 1);
        let text: String = fl.text.chars().take(room).collect();
        let pad = room.saturating_sub(text.width());
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(text, theme.style(role)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
