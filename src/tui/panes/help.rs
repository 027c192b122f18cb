//! Help pane (`?`): generated from the live key map, so it never advertises a key that is not
//! bound (read-only mode included), plus the `:` commands and their aliases.

use crate::tui::app::App;
use crate::tui::keymap::PaneKind;
use crate::tui::prompt::COMMANDS;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

fn pane_name(p: PaneKind) -> &'static str {
    match p {
        PaneKind::Services => "Services",
        PaneKind::Detail => "Service detail",
        PaneKind::Logs => "Logs",
        PaneKind::Describe => "Describe",
        PaneKind::Help => "Help",
        PaneKind::Findings => "Findings",
        PaneKind::Tasks => "Tasks",
        PaneKind::Integrations => "Integrations",
        PaneKind::EdgeDetail => "Edge detail",
        PaneKind::PlanDiff => "Plan diff",
        PaneKind::Keys => "Keys",
    }
}

pub fn lines<'a>(app: &App, pane: PaneKind, theme: &Theme) -> Vec<Line<'a>> {
    let commands: Vec<(String, &str)> = COMMANDS
        .iter()
        .map(|(aliases, _, d)| (format!(":{}", aliases.join(" :")), *d))
        .collect();
    let sections: Vec<(String, Vec<(String, &str)>)> = vec![
        (
            pane_name(pane).to_string(),
            app.keymap.help_rows(app.keymap.pane(pane)),
        ),
        ("General".into(), app.keymap.help_rows(app.keymap.global())),
        ("Commands (:name, tab completes)".into(), commands),
    ];
    let width = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(8);
    let mut out = Vec::new();
    for (title, rows) in sections {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(title, theme.style("title")));
        for (k, d) in rows {
            out.push(Line::from(vec![
                Span::styled(format!("  {k:<width$}  "), theme.style("header.key")),
                Span::styled(d.to_string(), theme.style("base")),
            ]));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "Filter: / then text; a regex when valid, else a substring; !text inverts; esc clears",
        theme.style("muted"),
    ));
    if app.readonly() {
        out.push(Line::styled(
            "Read-only mode: actions that change the cluster or the apps are not bound.",
            theme.style("warn"),
        ));
    }
    out
}
