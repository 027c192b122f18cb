//! Describe pane (`d`): the workload of a service and its pods, or any object of the watch
//! stores (a pod, a Deployment, a PVC, a CronJob, an event's object …), as text the engine writes
//! (kubectl-describe style; [`crate::cluster::describe`]). Entering asks the engine; an answer to an older request, or one
//! arriving after the pane was left, is dropped.

use super::text::TextView;
use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{describe_title, Effect, Msg};
use crate::tui::pane::Pane;
use crate::tui::rows::sanitize;
use crate::tui::theme::Role;
use crate::tui::view::{ObjectRef, PaneId, View, ViewArg};
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

/// Describe one object (the generic views and `:jobs`: a pod, a Deployment, a PVC, an Ingress, a
/// CronJob or Job, an event's object of any kind).
pub fn object_view(object: ObjectRef) -> View {
    View::with(ID, ViewArg::Object(object))
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
        let object = match &view.arg {
            ViewArg::Object(o) => Some((o.namespace.clone(), o.kind.clone(), o.name.clone())),
            _ => None,
        };
        let target = object.or_else(|| {
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
