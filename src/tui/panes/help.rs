//! Help pane (`?`): generated from the live key map, so it never advertises a key that is not
//! bound (read-only mode included), plus every `:` command and its aliases — the panes' own and
//! the global ones.

use super::text::TextView;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding};
use crate::tui::pane::Pane;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub const ID: PaneId = "help";

pub fn pane() -> Box<dyn Pane> {
    Box::<Help>::default()
}

#[derive(Debug, Default)]
pub struct Help {
    text: TextView,
}

impl Pane for Help {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Help"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![])
    }

    fn on_enter(&mut self, _ctx: &mut Ctx, _view: &View) -> bool {
        self.text.reset();
        true
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        if action != Action::WRAP {
            self.text.on_action(action, ctx.page());
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, view: &View) {
        let pane = match view.arg {
            ViewArg::Pane(p) => p,
            _ => ctx.root().pane,
        };
        let title = Line::styled(" help ", ctx.theme.style(Role::Title));
        self.text
            .render(f, area, title, lines(ctx, pane, &ctx.theme), &ctx.theme);
    }
}

/// The help text for one pane.
pub fn lines<'a>(ctx: &Ctx, pane: PaneId, theme: &Theme) -> Vec<Line<'a>> {
    let commands: Vec<(String, String)> = ctx
        .commands
        .entries()
        .iter()
        .map(|e| {
            let names = format!(":{}", e.spec.names.join(" :"));
            let why = match e.target {
                crate::tui::prompt::CommandTarget::Pane(p) => ctx.unavailable(p),
                crate::tui::prompt::CommandTarget::Action(_) => None,
            };
            // A command taking a word says so first (`[NAME|all] namespaces; …`).
            let about = match e.spec.arg {
                Some(arg) => format!("[{arg}] {}", e.spec.description),
                None => e.spec.description.to_string(),
            };
            match why {
                Some(why) => (names, format!("{about} (unavailable: {why})")),
                None => (names, about),
            }
        })
        .collect();
    let km = &ctx.keymap;
    let sections: Vec<(String, Vec<(String, String)>)> = vec![
        (ctx.title(pane).to_string(), km.help_rows(km.pane(pane))),
        ("General".into(), km.help_rows(km.global())),
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
        out.push(Line::styled(title, theme.style(Role::Title)));
        for (k, d) in rows {
            out.push(Line::from(vec![
                Span::styled(format!("  {k:<width$}  "), theme.style(Role::HeaderKey)),
                Span::styled(d, theme.style(Role::Base)),
            ]));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "Filter: / then text; a regex when valid, else a substring; !text inverts; esc clears",
        theme.style(Role::Muted),
    ));
    if ctx.readonly() {
        out.push(Line::styled(
            "Read-only mode: actions that change the cluster or the apps are not bound.",
            theme.style(Role::Warn),
        ));
    }
    out
}
