//! The workload actions of issue 8, shared by the panes that show a service (Services, the
//! service detail): `r` restart (`kubectl rollout restart`), `ctrl-d` delete the pod, `S` scale to
//! a typed number. Each confirms first, is dropped by `--readonly` (mutating bindings) and is not
//! offered where RBAC denies it ([`crate::bus::AccessView`], a SelfSubjectAccessReview per
//! namespace): the key then only says why.

use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply, TextPrompt};
use crate::tui::msg::TaskRequest;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId};

pub const RESTART: Action = Action::new("workload.restart");
pub const DELETE: Action = Action::new("workload.delete-pod");
pub const SCALE: Action = Action::new("workload.scale");
/// The tag of the scale prompt's answer.
pub const SCALE_TAG: &str = "workload.scale";

pub fn bindings() -> Vec<Binding> {
    vec![
        Binding::new(Key::ch('r'), RESTART, "restart").mutating(),
        Binding::new(Key::ctrl('d'), DELETE, "delete pod").mutating(),
        Binding::new(Key::ch('S'), SCALE, "scale").mutating(),
    ]
}

/// What the actions act on: the service's workload and its most interesting pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub pod: Option<String>,
    pub pods: usize,
}

pub fn target_of(ctx: &Ctx, id: &ServiceId) -> Option<Target> {
    let cluster = ctx.cluster.as_ref()?;
    let svc = cluster.inventory.get(id)?;
    let pods = cluster.pods.get(id);
    Some(Target {
        namespace: svc.namespace.clone(),
        kind: svc.workload.kind.clone(),
        name: svc.workload.name.clone(),
        pod: pods.and_then(|p| {
            p.iter()
                .min_by_key(|p| (p.is_ready(), p.name.clone()))
                .map(|p| p.name.clone())
        }),
        pods: pods.map_or(0, Vec::len),
    })
}

/// Flash why RBAC denies `action` in `ns`; `true` when it does.
fn denied(ctx: &mut Ctx, ns: &str, action: &str) -> bool {
    let Some(why) = ctx.access.denied(ns, action).map(str::to_string) else {
        return false;
    };
    ctx.set_flash(format!("not offered: {why}"), FlashLevel::Warn);
    true
}

fn scalable(ctx: &mut Ctx, t: &Target) -> bool {
    if matches!(t.kind.as_str(), "Deployment" | "StatefulSet") {
        return true;
    }
    ctx.set_flash(
        format!(
            "{} {}/{} cannot be restarted or scaled",
            t.kind, t.namespace, t.name
        ),
        FlashLevel::Warn,
    );
    false
}

/// Handle one of the actions for the service `id` (`false`: not one of them). The scale prompt
/// answers to `pane`; its target waits in `pending`.
pub fn on_action(
    ctx: &mut Ctx,
    action: Action,
    id: &ServiceId,
    pane: PaneId,
    pending: &mut Option<Target>,
) -> bool {
    if ![RESTART, DELETE, SCALE].contains(&action) {
        return false;
    }
    let Some(t) = target_of(ctx, id) else {
        return true;
    };
    match action {
        RESTART => {
            if denied(ctx, &t.namespace, "restart") || !scalable(ctx, &t) {
                return true;
            }
            let lines = vec![
                (
                    format!(
                        "{} {}/{}: set the pod template's",
                        t.kind, t.namespace, t.name
                    ),
                    Role::Base,
                ),
                (
                    "kubectl.kubernetes.io/restartedAt annotation (kubectl rollout restart);"
                        .to_string(),
                    Role::Base,
                ),
                ("the controller replaces its pods.".to_string(), Role::Warn),
            ];
            ctx.open_modal(Modal::Confirm(Confirm::new(
                "Restart",
                lines,
                "Restart",
                Reply::Task(TaskRequest::RestartWorkload {
                    namespace: t.namespace,
                    kind: t.kind,
                    name: t.name,
                }),
            )));
        }
        DELETE => {
            if denied(ctx, &t.namespace, "delete") {
                return true;
            }
            let Some(pod) = t.pod else {
                ctx.set_flash(format!("{id}: no pod to delete"), FlashLevel::Warn);
                return true;
            };
            let lines = vec![
                (format!("Delete pod {}/{pod}.", t.namespace), Role::Base),
                (
                    format!("{} {} creates a replacement.", t.kind, t.name),
                    Role::Muted,
                ),
            ];
            ctx.open_modal(Modal::Confirm(Confirm::new(
                "Delete pod",
                lines,
                "Delete",
                Reply::Task(TaskRequest::DeletePod {
                    namespace: t.namespace,
                    name: pod,
                }),
            )));
        }
        _ => {
            if denied(ctx, &t.namespace, "scale") || !scalable(ctx, &t) {
                return true;
            }
            ctx.open_modal(Modal::Prompt(TextPrompt::new(
                "Scale",
                format!("Replicas of {}/{}:", t.namespace, t.name),
                &t.pods.to_string(),
                replicas,
                pane,
                SCALE_TAG,
            )));
            *pending = Some(t);
        }
    }
    true
}

fn replicas(text: &str) -> Result<(), String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n <= 100 => Ok(()),
        _ => Err("a number of replicas, 0 to 100".into()),
    }
}

/// The scale prompt's answer: confirm, then scale.
pub fn on_reply(ctx: &mut Ctx, tag: &str, value: &str, pending: &mut Option<Target>) {
    if tag != SCALE_TAG {
        return;
    }
    let (Some(t), Ok(n)) = (pending.take(), value.trim().parse::<u32>()) else {
        return;
    };
    let mut lines = vec![(
        format!(
            "{} {}/{}: {} → {n} replicas.",
            t.kind, t.namespace, t.name, t.pods
        ),
        Role::Base,
    )];
    if n == 0 {
        lines.push((
            "The app stops until scaled up again.".to_string(),
            Role::Warn,
        ));
    }
    ctx.open_modal(Modal::Confirm(Confirm::new(
        "Scale",
        lines,
        format!("Scale to {n}"),
        Reply::Task(TaskRequest::ScaleWorkload {
            namespace: t.namespace,
            kind: t.kind,
            name: t.name,
            replicas: n,
        }),
    )));
}
