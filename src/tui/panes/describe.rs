//! Describe pane (`d`): the workload of a service and its pods, as text the engine writes
//! (kubectl-describe style). Entering asks the engine; an answer to an older request, or one
//! arriving after the pane was left, is dropped.

use super::text::TextView;
use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{describe_title, Effect, Msg};
use crate::tui::pane::Pane;
use crate::tui::rows::sanitize;
use crate::tui::theme::Role;
use crate::tui::view::{PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub const ID: PaneId = "describe";

pub fn pane() -> Box<dyn Pane> {
    Box::<Describe>::default()
}

/// Describe the workload of a service.
pub fn view(id: ServiceId) -> View {
    View::with(ID, ViewArg::Service(id))
}

/// Describe one pod (the generic `:pods` view).
pub fn pod_view(namespace: &str, name: &str) -> View {
    View::with(ID, ViewArg::Text(format!("Pod/{namespace}/{name}")))
}

#[derive(Debug, Default)]
pub struct Describe {
    /// The title of the request being shown ([`describe_title`]), and its text once answered.
    pub shown: Option<(String, Option<String>)>,
    /// The view is on the stack (answers are only taken then).
    active: bool,
    text: TextView,
}

impl Pane for Describe {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Describe"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![Binding::new(Key::ch('w'), Action::WRAP, "wrap")])
    }

    fn on_enter(&mut self, ctx: &mut Ctx, view: &View) -> bool {
        let pod = match &view.arg {
            ViewArg::Text(t) => t
                .strip_prefix("Pod/")
                .and_then(|r| r.split_once('/'))
                .map(|(ns, n)| (ns.to_string(), "Pod".to_string(), n.to_string())),
            _ => None,
        };
        let target = pod.or_else(|| {
            let svc = ctx.cluster.as_ref()?.inventory.get(view.service()?)?;
            Some((
                svc.namespace.clone(),
                svc.workload.kind.clone(),
                svc.workload.name.clone(),
            ))
        });
        let Some((namespace, kind, name)) = target else {
            return false;
        };
        self.shown = Some((describe_title(&kind, &namespace, &name), None));
        self.active = true;
        self.text.reset();
        ctx.emit(Effect::Describe {
            namespace,
            kind,
            name,
        });
        true
    }

    fn on_leave(&mut self, _ctx: &mut Ctx) {
        self.active = false;
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        self.text.on_action(action, ctx.page());
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        let Msg::Describe { title, text } = msg else {
            return;
        };
        if !self.active {
            return;
        }
        if let Some((t, answer)) = self.shown.as_mut() {
            if t == title {
                let text: Vec<String> = text.lines().map(sanitize).collect();
                *answer = Some(text.join("\n"));
            }
        }
    }

    fn current_service<'a>(&'a self, view: &'a View) -> Option<&'a ServiceId> {
        view.service()
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let (title, text) = match &self.shown {
            Some((t, Some(text))) => (
                t.clone(),
                text.lines().map(|l| Line::raw(l.to_string())).collect(),
            ),
            Some((t, None)) => (
                t.clone(),
                vec![Line::styled("loading…", theme.style(Role::Muted))],
            ),
            None => ("describe".into(), vec![]),
        };
        let title = Line::styled(format!(" describe {title} "), theme.style(Role::Title));
        self.text.render(f, area, title, text, theme);
    }
}
