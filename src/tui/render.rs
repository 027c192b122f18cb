//! Drawing: header, banner, prompt, the pane on top, the modal, crumbs and flash. Reads the
//! `App`, never changes it (apart from the remembered table windows and text scroll positions).

use super::app::App;
use super::ctx::Ctx;
use super::prompt::PromptMode;
use super::rows::{age, Tone};
use super::theme::{Role, Theme};
use super::view::FlashLevel;
use crate::model::Severity;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const HEADER_ROWS: u16 = 6;
/// Below this width or height the header collapses to [`COMPACT_ROWS`] lines (80×24, 60×20).
const FULL_HEADER_MIN: (u16, u16) = (100, 30);
const COMPACT_ROWS: u16 = 2;

/// The header's height on a screen of `area`.
fn header_rows(area: Rect) -> u16 {
    if area.width < FULL_HEADER_MIN.0 || area.height < FULL_HEADER_MIN.1 {
        COMPACT_ROWS
    } else {
        HEADER_ROWS
    }
}

/// The banner line: the engine's text says what failed (and when it retries); it is prefixed
/// once, however the text already starts.
pub fn banner_text(b: &str) -> String {
    let b = b.trim();
    let rest = b.strip_prefix("cluster unreachable:").unwrap_or(b).trim();
    format!(" cluster unreachable: {rest} (ctrl-r retries now) ")
}

/// Draw the whole screen.
pub fn render(f: &mut Frame, app: &App) {
    let ctx: &Ctx = app;
    let theme = &ctx.theme;
    let area = f.area();
    f.render_widget(Block::default().style(theme.style(Role::Base)), area);
    let banner_h = u16::from(ctx.banner.is_some());
    let prompt_h = if ctx.prompt.is_some() { 3 } else { 0 };
    let [header, banner, prompt, body, crumbs] = Layout::vertical([
        Constraint::Length(header_rows(area)),
        Constraint::Length(banner_h),
        Constraint::Length(prompt_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(f, header, ctx, theme);
    if let Some(b) = &ctx.banner {
        let line = Line::styled(banner_text(b), theme.style(Role::Banner));
        f.render_widget(
            Paragraph::new(line).style(theme.style(Role::Banner)),
            banner,
        );
    }
    if ctx.prompt.is_some() {
        render_prompt(f, prompt, ctx, theme);
    }
    let view = ctx.view();
    if let Some(pane) = app.pane_by_id(view.pane) {
        pane.render(f, body, ctx, view);
    }
    if let Some(m) = &ctx.modal {
        m.render(f, body, theme);
    }
    render_crumbs(f, crumbs, app, theme);
}

/// Theme role of a severity in the header and titles (no finding reads as ok).
pub fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Ok | Severity::Info => Role::Ok,
        s => Tone::of_severity(s).into(),
    }
}

/// What the header says, for either layout.
struct HeaderInfo {
    context: String,
    cluster: String,
    namespaces: String,
    /// `unknown` while nothing true can be said (connecting, cluster unreachable, no answer yet).
    health: (String, Role),
    refreshed: String,
}

fn header_info(app: &Ctx) -> HeaderInfo {
    let (context, cluster, namespaces) = match &app.cluster {
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
    // `:ns NAME` scopes the views: the header says the scope first, as k9s does.
    let namespaces = match &app.namespace {
        Some(scope) if namespaces == "all" => scope.clone(),
        Some(scope) => format!("{scope} (of {namespaces})"),
        None => namespaces,
    };
    let worst = crate::model::finding::worst(&app.findings);
    let mut counts: Vec<String> = Vec::new();
    for s in [Severity::Critical, Severity::Error, Severity::Warning] {
        let n = app.findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            counts.push(format!("{n} {}", s.label()));
        }
    }
    let observed = app.cluster.as_ref().is_some_and(|c| {
        c.inventory.services.is_empty() || !app.observations.is_empty() || !counts.is_empty()
    });
    let health = if app.cluster.is_none() || app.banner.is_some() || !observed {
        ("unknown".to_string(), Role::Muted)
    } else if counts.is_empty() {
        ("ok".to_string(), severity_role(worst))
    } else {
        (
            format!("{}: {}", worst.label(), counts.join(", ")),
            severity_role(worst),
        )
    };
    // The age of the newest observation: the cluster snapshot or any app's answer.
    let newest = app
        .observations
        .values()
        .map(|o| o.fetched_at)
        .chain(app.cluster.as_ref().map(|c| c.fetched_at))
        .max();
    let refreshed = match newest {
        Some(t) => format!("{} ago", age(Some(t), app.now)),
        None => "never".into(),
    };
    HeaderInfo {
        context,
        cluster,
        namespaces,
        health,
        refreshed,
    }
}

/// `critical: 1 critical, 3 error, 1 warning` → `1 crit, 3 err, 1 warn` (the colour says the worst).
fn compact_health(full: &str) -> String {
    match full.split_once(": ") {
        Some((_, counts)) => counts
            .replace(" critical", " crit")
            .replace(" error", " err")
            .replace(" warning", " warn"),
        None => full.to_string(),
    }
}

/// Two lines: who/where, then health, tasks, age — and `<?> help` always at the right.
fn render_compact_header(f: &mut Frame, area: Rect, app: &Ctx, theme: &Theme) {
    if area.height < COMPACT_ROWS {
        return;
    }
    let h = header_info(app);
    let sep = || Span::styled(" │ ", theme.style(Role::Muted));
    let value = |s: String| Span::styled(s, theme.style(Role::Header));
    let mut first = vec![value(h.context)];
    if app.readonly() {
        first.push(Span::raw(" "));
        first.push(Span::styled(" RO ", theme.style(Role::Badge)));
    }
    first.extend([sep(), value(h.cluster), sep(), value(h.namespaces)]);
    let help = " <?> help";
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(help.width() as u16)])
            .areas(Rect::new(area.x, area.y + 1, area.width, 1));
    let running = app.tasks.running();
    let tasks = if running > 0 {
        Span::styled(format!("{running} running"), theme.style(Role::Accent))
    } else {
        Span::styled("no tasks", theme.style(Role::Muted))
    };
    let second = vec![
        Span::styled(compact_health(&h.health.0), theme.style(h.health.1)),
        sep(),
        tasks,
        sep(),
        value(h.refreshed),
    ];
    f.render_widget(
        Paragraph::new(Line::from(first)),
        Rect::new(area.x, area.y, area.width, 1),
    );
    f.render_widget(Paragraph::new(Line::from(second)), left);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" <?>", theme.style(Role::HeaderKey)),
            Span::styled(" help", theme.style(Role::Muted)),
        ])),
        right,
    );
}

fn render_header(f: &mut Frame, area: Rect, app: &Ctx, theme: &Theme) {
    if area.height < HEADER_ROWS {
        return render_compact_header(f, area, app, theme);
    }
    let [info, hints, logo] = Layout::horizontal([
        Constraint::Length(60),
        Constraint::Fill(1),
        Constraint::Length(12),
    ])
    .areas(area);
    let label = |s: &str| Span::styled(format!("{s:<12}"), theme.style(Role::HeaderKey));
    let value = |s: String| Span::styled(s, theme.style(Role::Header));
    let h = header_info(app);
    let (ctx, cluster, ns) = (h.context, h.cluster, h.namespaces);
    let mut ctx_line = vec![label("Context:"), value(ctx)];
    if app.readonly() {
        ctx_line.push(Span::raw(" "));
        ctx_line.push(Span::styled(" RO ", theme.style(Role::Badge)));
    }
    let running = app.tasks.running();
    let refresh = h.refreshed;
    let health = h.health;
    let lines = vec![
        Line::from(ctx_line),
        Line::from(vec![label("Cluster:"), value(cluster)]),
        Line::from(vec![label("Namespaces:"), value(ns)]),
        Line::from(vec![
            label("Health:"),
            Span::styled(health.0, theme.style(health.1)),
        ]),
        Line::from(vec![
            label("Tasks:"),
            if running > 0 {
                Span::styled(format!("{running} running"), theme.style(Role::Accent))
            } else {
                Span::styled("none running", theme.style(Role::Muted))
            },
        ]),
        Line::from(vec![label("Refreshed:"), value(refresh)]),
    ];
    f.render_widget(Paragraph::new(lines), info);

    // Key hints in columns of HEADER_ROWS, generated from the live key map.
    let all = app.keymap.hints(app.view().pane);
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
                    Span::styled(format!("<{k}> "), theme.style(Role::HeaderKey)),
                    Span::styled(d.to_string(), theme.style(Role::Muted)),
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
        Line::styled(" k8s-nas ", theme.style(Role::Title)),
        Line::styled(
            format!(" v{}", env!("CARGO_PKG_VERSION")),
            theme.style(Role::Muted),
        ),
    ];
    f.render_widget(Paragraph::new(logo_lines), logo);
}

fn render_prompt(f: &mut Frame, area: Rect, app: &Ctx, theme: &Theme) {
    let Some(p) = &app.prompt else { return };
    let (title, sigil) = match p.mode {
        PromptMode::Command => (" command ", ":"),
        PromptMode::Filter => (" filter ", "/"),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::styled(title, theme.style(Role::Title)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width < 3 {
        return;
    }
    f.render_widget(
        Paragraph::new(Span::styled(sigil, theme.style(Role::Prompt))),
        Rect::new(inner.x, inner.y, 1, 1),
    );
    let mut input = p.input.clone();
    input.set_style(theme.style(Role::Prompt));
    input.set_cursor_line_style(Style::default());
    let text_area = Rect::new(inner.x + 1, inner.y, inner.width - 1, 1);
    f.render_widget(&input, text_area);
    if let Some(rest) = p.suggestion() {
        // Drawn from the cursor cell on, its first character in cursor style.
        let used = p.text().width() as u16;
        if used < text_area.width {
            let mut chars = rest.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            let suggest = theme.style(Role::PromptSuggest);
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

fn render_crumbs(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    let n = app.stack.len();
    for (i, v) in app.stack.iter().enumerate() {
        let role = if i + 1 == n {
            Role::CrumbsActive
        } else {
            Role::Crumbs
        };
        let crumb = app
            .pane_by_id(v.pane)
            .map_or_else(|| v.pane.to_string(), |p| p.crumb(v));
        spans.push(Span::styled(format!(" <{crumb}> "), theme.style(role)));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if let Some(fl) = &app.flash {
        let role = match fl.level {
            FlashLevel::Info => Role::Accent,
            FlashLevel::Warn => Role::Warn,
            FlashLevel::Error => Role::Error,
        };
        let room = usize::from(area.width).saturating_sub(used + 1);
        let text: String = fl.text.chars().take(room).collect();
        let pad = room.saturating_sub(text.width());
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(text, theme.style(role)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
