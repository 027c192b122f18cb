//! Plan diff (`p` in Integrations): the integration plan as a diff, edge by edge and field by
//! field; `a` applies it after the same confirm dialog as in the Integrations pane.

use super::integrations::{confirm_apply, APPLY};
use super::plan_text;
use super::text::TextView;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::Msg;
use crate::tui::pane::Pane;
use crate::tui::theme::Role;
use crate::tui::view::{PaneId, View};
use crate::tui::views::IntegrationsView;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub const ID: PaneId = "plan";

pub fn pane() -> Box<dyn Pane> {
    Box::<PlanDiff>::default()
}

#[derive(Debug, Default)]
pub struct PlanDiff {
    /// The last integration view (kept current while shown).
    pub plan: Option<IntegrationsView>,
    text: TextView,
}

impl Pane for PlanDiff {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Plan diff"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::ch('a'), APPLY, "apply plan").mutating(),
            Binding::new(Key::ch('w'), Action::WRAP, "wrap"),
        ])
    }

    fn on_enter(&mut self, _ctx: &mut Ctx, _view: &View) -> bool {
        self.text.reset();
        true
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        if action == APPLY {
            confirm_apply(ctx, self.plan.as_ref());
        } else {
            self.text.on_action(action, ctx.page());
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Integrations(v) = msg {
            self.plan = Some((**v).clone());
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let title = Line::styled(" integration plan ", theme.style(Role::Title));
        let lines = plan_text::plan_lines(self.plan.as_ref(), theme);
        self.text.render(f, area, title, lines, theme);
    }
}
