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
    }
}

pub fn lines<'a>(app: &App, pane: PaneKind, theme: &Theme) -> Vec<Line<'a>> {
    let row = |k: String, d: &str| {
        Line::from(vec![
            Span::styled(format!("  {k:<22}"), theme.style("header.key")),
            Span::styled(d.to_string(), theme.style("base")),
        ])
    };
    let mut out = vec![Line::styled(
        pane_name(pane).to_string(),
        theme.style("title"),
    )];
    for (k, d) in app.keymap.help_rows(app.keymap.pane(pane)) {
        out.push(row(k, d));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("General", theme.style("title")));
    for (k, d) in app.keymap.help_rows(app.keymap.global()) {
        out.push(row(k, d));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "Commands (:name, tab completes)",
        theme.style("title"),
    ));
    for (aliases, _, d) in COMMANDS {
        out.push(row(format!(":{}", aliases.join(" :")), d));
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
