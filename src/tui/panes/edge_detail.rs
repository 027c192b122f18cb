//! Edge detail (`enter` on an edge): what the edge is, its state and reasons, every field current
//! vs desired (secrets masked), and the changes the plan would make.

use super::plan_text;
use super::text::TextView;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::Msg;
use crate::tui::pane::Pane;
use crate::tui::theme::Role;
use crate::tui::view::{PaneId, View, ViewArg};
use crate::tui::views::IntegrationsView;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub const ID: PaneId = "edge";

pub fn pane() -> Box<dyn Pane> {
    Box::<EdgeDetail>::default()
}

/// The detail of one edge, by edge id.
pub fn view(edge: String) -> View {
    View::with(ID, ViewArg::Text(edge))
}

#[derive(Debug, Default)]
pub struct EdgeDetail {
    /// The last integration view (kept current while shown).
    plan: Option<IntegrationsView>,
    text: TextView,
}

impl Pane for EdgeDetail {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Edge detail"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![Binding::new(Key::ch('w'), Action::WRAP, "wrap")])
    }

    fn on_enter(&mut self, _ctx: &mut Ctx, _view: &View) -> bool {
        self.text.reset();
        true
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        self.text.on_action(action, ctx.page());
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Integrations(v) = msg {
            self.plan = Some((**v).clone());
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, view: &View) {
        let theme = &ctx.theme;
        let id = view.text().unwrap_or_default();
        let (label, lines) = plan_text::edge_lines(self.plan.as_ref(), id, theme);
        let title = Line::styled(format!(" edge {label} "), theme.style(Role::Title));
        self.text.render(f, area, title, lines, theme);
    }
}
