//! The text views of the integration plan: one edge's fields, current vs desired (`enter`), the
//! whole plan as a diff (`p`), and the summary in the apply dialog. Secrets arrive masked in
//! [`crate::tui::views::FieldRow`] and [`crate::integrate::Change`] descriptions; nothing here
//! can see a real value.

use super::integrations::state_role;
use crate::integrate::{Change, EdgePlan, EdgeState, Plan};
use crate::tui::rows::sanitize;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::{FieldRow, IntegrationsView};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Widest CURRENT column before values are cut with `…`.
const CURRENT_MAX: usize = 44;

fn section<'a>(theme: &Theme, title: &str) -> Line<'a> {
    Line::styled(format!("── {title} "), theme.style(Role::Title))
}

fn kv<'a>(theme: &Theme, k: &str, v: String, role: Role) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {k:<12}"), theme.style(Role::Muted)),
        Span::styled(v, theme.style(role)),
    ])
}

fn cut(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + 1 >= max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn state_word(s: &EdgeState) -> &'static str {
    match s {
        EdgeState::Configured => "configured",
        EdgeState::Missing => "missing",
        EdgeState::Drift { .. } => "drift",
        EdgeState::Unknown { .. } => "unknown",
        EdgeState::Blocked { .. } => "blocked",
    }
}

/// `+ create …`, `~ update …`, `- delete …`, `! manual: …` with its role.
fn change_line(c: &Change) -> (String, Role) {
    match c {
        Change::Create { .. } => (format!("+ {}", c.describe()), Role::Ok),
        Change::Update { what, .. } => (format!("~ update {what}"), Role::Warn),
        Change::Delete { .. } => (format!("- {}", c.describe()), Role::Error),
        Change::Manual { reason } => (format!("! manual: {reason}"), Role::Accent),
    }
}

/// Field rows as `name  current  desired` lines; differing fields highlighted.
fn field_lines<'a>(rows: &[FieldRow], indent: &str, theme: &Theme) -> Vec<Line<'a>> {
    let name_w = rows
        .iter()
        .map(|r| r.name.width())
        .max()
        .unwrap_or(4)
        .max(5);
    let cur_w = rows
        .iter()
        .map(|r| r.current.width())
        .max()
        .unwrap_or(7)
        .clamp(7, CURRENT_MAX);
    let mut out = vec![Line::styled(
        format!(
            "{indent}  {:<name_w$}  {:<cur_w$}  DESIRED",
            "FIELD", "CURRENT"
        ),
        theme.style(Role::TableHeader),
    )];
    for r in rows {
        let cur = cut(&sanitize(&r.current), cur_w);
        let (mark, name_role, cur_role, want_role) = if r.differs {
            ("~", Role::Warn, Role::Error, Role::Ok)
        } else if !r.enforced {
            (" ", Role::Muted, Role::Muted, Role::Muted)
        } else {
            (" ", Role::Base, Role::Base, Role::Base)
        };
        let mut spans = vec![
            Span::styled(format!("{indent}{mark} "), theme.style(Role::Warn)),
            Span::styled(format!("{:<name_w$}  ", r.name), theme.style(name_role)),
            Span::styled(format!("{cur:<cur_w$}  "), theme.style(cur_role)),
            Span::styled(sanitize(&r.desired), theme.style(want_role)),
        ];
        if !r.enforced {
            spans.push(Span::styled(" (set on create)", theme.style(Role::Muted)));
        }
        out.push(Line::from(spans));
    }
    out
}

/// The edge detail (`enter`): what the edge is, its state and reasons, every field current vs
/// desired, and the changes the plan would make.
pub fn edge_lines<'a>(
    view: Option<&IntegrationsView>,
    id: &str,
    theme: &Theme,
) -> (String, Vec<Line<'a>>) {
    let Some(view) = view else {
        return (
            "edge".into(),
            vec![Line::styled("no plan", theme.style(Role::Muted))],
        );
    };
    let Some(e) = view.plan.edges.iter().find(|e| e.id == id) else {
        return (
            "edge".into(),
            vec![Line::styled(
                "this edge is no longer in the plan",
                theme.style(Role::Warn),
            )],
        );
    };
    let role = state_role(&e.state);
    let mut out = vec![section(theme, "edge")];
    out.push(kv(theme, "edge", e.label.clone(), Role::Base));
    out.push(kv(theme, "kind", e.kind.slug().to_string(), Role::Base));
    out.push(kv(theme, "held by", e.from.to_string(), Role::Base));
    out.push(kv(theme, "points at", e.to.to_string(), Role::Base));
    out.push(kv(
        theme,
        "state",
        format!("{} {}", e.state.symbol(), state_word(&e.state)),
        role,
    ));
    match &e.state {
        EdgeState::Drift { reasons } => {
            for r in reasons {
                out.push(kv(theme, "reason", sanitize(r), Role::Warn));
            }
        }
        EdgeState::Unknown { why } => out.push(kv(theme, "why", sanitize(why), Role::Muted)),
        EdgeState::Blocked { why } => out.push(kv(theme, "blocked", sanitize(why), Role::Error)),
        _ => {}
    }
    out.push(Line::raw(""));
    out.push(section(theme, "fields: current → desired"));
    match view.fields.get(id) {
        Some(rows) if !rows.is_empty() => out.extend(field_lines(rows, "", theme)),
        _ => out.push(Line::styled(
            "  fields not read (the app could not be reached or the edge is unresolved)",
            theme.style(Role::Muted),
        )),
    }
    out.push(Line::raw(""));
    out.push(section(theme, "changes the plan would make"));
    if e.changes.is_empty() {
        let text = match e.state {
            EdgeState::Unknown { .. } => "  none: the edge cannot be planned until it can be read",
            EdgeState::Blocked { .. } => "  none: blocked until the prerequisite above is fixed",
            _ => "  none: the edge is as desired",
        };
        out.push(Line::styled(text, theme.style(Role::Muted)));
    }
    for c in &e.changes {
        let (text, role) = change_line(c);
        out.push(Line::styled(
            format!("  {}", sanitize(&text)),
            theme.style(role),
        ));
        if let Change::Update { diffs, .. } = c {
            for d in diffs {
                out.push(Line::styled(
                    sanitize(&format!("      {}: {} → {}", d.field, d.current, d.desired)),
                    theme.style(Role::Base),
                ));
            }
        }
    }
    (e.label.clone(), out)
}

fn plan_counts(plan: &Plan) -> String {
    let same = plan
        .edges
        .iter()
        .filter(|e| e.state == EdgeState::Configured && e.changes.is_empty())
        .count();
    let unknown = plan
        .edges
        .iter()
        .filter(|e| matches!(e.state, EdgeState::Unknown { .. }))
        .count();
    let blocked = plan
        .edges
        .iter()
        .filter(|e| matches!(e.state, EdgeState::Blocked { .. }))
        .count();
    let blocked = if blocked > 0 {
        format!(" · {blocked} blocked")
    } else {
        String::new()
    };
    format!(
        "{} write(s) · {} manual step(s) · {same} edge(s) as desired · {unknown} unknown{blocked}",
        plan.writes(),
        plan.manual_steps()
    )
}

fn edge_header<'a>(e: &EdgePlan, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{} {}", e.state.symbol(), e.label),
            theme.style(state_role(&e.state)),
        ),
        Span::styled(format!("  {}", e.kind.slug()), theme.style(Role::Muted)),
    ])
}

/// The plan as a diff (`p`): per edge with something to do, each change, field by field.
pub fn plan_lines<'a>(view: Option<&IntegrationsView>, theme: &Theme) -> Vec<Line<'a>> {
    let Some(view) = view else {
        return vec![Line::styled(
            "no plan yet (r plans)",
            theme.style(Role::Muted),
        )];
    };
    let plan = &view.plan;
    let mut out = vec![Line::styled(plan_counts(plan), theme.style(Role::Accent))];
    for e in &plan.edges {
        if e.changes.is_empty()
            && !matches!(
                e.state,
                EdgeState::Unknown { .. } | EdgeState::Blocked { .. }
            )
        {
            continue;
        }
        out.push(Line::raw(""));
        out.push(edge_header(e, theme));
        if let EdgeState::Unknown { why } = &e.state {
            out.push(Line::styled(
                format!("  ? {} (nothing planned)", sanitize(why)),
                theme.style(Role::Muted),
            ));
        }
        if let EdgeState::Blocked { why } = &e.state {
            out.push(Line::styled(
                format!("  ⊘ blocked: {} (nothing planned)", sanitize(why)),
                theme.style(Role::Error),
            ));
        }
        for c in &e.changes {
            let (text, role) = change_line(c);
            out.push(Line::styled(
                format!("  {}", sanitize(&text)),
                theme.style(role),
            ));
            match c {
                Change::Create { .. } => {
                    let rows = view.fields.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
                    let w = rows.iter().map(|r| r.name.width()).max().unwrap_or(0);
                    for r in rows {
                        out.push(Line::from(vec![
                            Span::styled(format!("    + {:<w$}  ", r.name), theme.style(Role::Ok)),
                            Span::styled(sanitize(&r.desired), theme.style(Role::Base)),
                        ]));
                    }
                }
                Change::Update { diffs, .. } => {
                    let w = diffs.iter().map(|d| d.field.width()).max().unwrap_or(0);
                    for d in diffs {
                        out.push(Line::from(vec![
                            Span::styled(
                                format!("    ~ {:<w$}  ", d.field),
                                theme.style(Role::Warn),
                            ),
                            Span::styled(sanitize(&d.current), theme.style(Role::Error)),
                            Span::styled("  →  ", theme.style(Role::Muted)),
                            Span::styled(sanitize(&d.desired), theme.style(Role::Ok)),
                        ]));
                    }
                }
                _ => {}
            }
        }
    }
    if plan.writes() == 0 && plan.manual_steps() == 0 {
        out.push(Line::raw(""));
        out.push(Line::styled(
            "nothing to do: every readable edge is as desired",
            theme.style(Role::Ok),
        ));
    }
    out
}

/// The apply dialog's summary: one line per write (fields named, never valued), then what is
/// left to a human.
pub fn apply_summary(plan: &Plan) -> Vec<(String, Role)> {
    let apps: std::collections::BTreeSet<_> = plan
        .edges
        .iter()
        .filter(|e| e.changes.iter().any(Change::is_write))
        .map(|e| &e.from)
        .collect();
    let mut out = vec![(
        format!(
            "{} write(s) to {} app(s); each changed edge is re-read and tested:",
            plan.writes(),
            apps.len()
        ),
        Role::Base,
    )];
    for c in plan.edges.iter().flat_map(|e| &e.changes) {
        let line = match c {
            Change::Update { what, diffs, .. } => {
                let names: Vec<&str> = diffs.iter().map(|d| d.field.as_str()).collect();
                (
                    format!("~ update {what} ({})", names.join(", ")),
                    Role::Warn,
                )
            }
            Change::Manual { .. } => continue,
            other => change_line(other),
        };
        out.push((sanitize(&line.0), line.1));
    }
    let manual = plan.manual_steps();
    if manual > 0 {
        out.push((
            format!("{manual} manual step(s) stay with you (p shows them)"),
            Role::Muted,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_width() {
        assert_eq!(cut("short", 10), "short");
        let c = cut("http://sonarr.media.svc.cluster.local:8989/sonarr", 20);
        assert_eq!(c.width(), 20);
        assert!(c.ends_with('…'));
    }
}
