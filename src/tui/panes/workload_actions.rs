//! The workload actions of issue 8, shared by the panes that show a service (Services, the
//! service detail): `r` restart (`kubectl rollout restart`), `ctrl-d` delete the pod, `S` scale to
//! a typed number, `s` shell into a container of the pod (a picker when it has several; the
//! runtime suspends the console for it). Each confirms first (the shell: picks), is dropped by
//! `--readonly` (mutating bindings) and is not offered where RBAC denies it
//! ([`crate::bus::AccessView`], a SelfSubjectAccessReview per namespace): the key then only says
//! why. The pod delete dialog and the shell are shared with `:pods` ([`confirm_delete`],
//! [`open_shell`]).

use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Picker, Reply, TextPrompt};
use crate::tui::msg::{Effect, TaskRequest};
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId};

pub const RESTART: Action = Action::new("workload.restart");
pub const DELETE: Action = Action::new("workload.delete-pod");
pub const SCALE: Action = Action::new("workload.scale");
pub const SHELL: Action = Action::new("workload.shell");
/// The tag of the scale prompt's answer.
pub const SCALE_TAG: &str = "workload.scale";
/// The tag of the shell's container picker.
pub const SHELL_TAG: &str = "workload.shell";

pub fn bindings() -> Vec<Binding> {
    vec![
        Binding::new(Key::ch('r'), RESTART, "restart").mutating(),
        Binding::new(Key::ctrl('d'), DELETE, "delete pod").mutating(),
        Binding::new(Key::ch('S'), SCALE, "scale").mutating(),
        shell_binding(),
    ]
}

/// `s`: a shell in a container (a write: dropped by `--readonly`).
pub fn shell_binding() -> Binding {
    Binding::new(Key::ch('s'), SHELL, "shell").mutating()
}

/// What the actions act on: the service's workload and its most interesting pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub pod: Option<String>,
    pub pods: usize,
    /// The pod's containers the service knows, `(name, what it is)`, the app first.
    pub containers: Vec<(String, String)>,
}

pub fn target_of(ctx: &Ctx, id: &ServiceId) -> Option<Target> {
    let cluster = ctx.cluster.as_ref()?;
    let svc = cluster.inventory.get(id)?;
    let pods = cluster.pods.get(id);
    Some(Target {
        namespace: svc.namespace.clone(),
        kind: svc.workload.kind.clone(),
        name: svc.workload.name.clone(),
        pod: pods
            .and_then(|p| crate::bus::rows::interesting_pod(p))
            .map(|p| p.name.clone()),
        pods: pods.map_or(0, Vec::len),
        containers: std::iter::once((svc.container.clone(), "app".to_string()))
            .chain(
                svc.vpn
                    .iter()
                    .map(|v| (v.container.clone(), "VPN sidecar".to_string())),
            )
            .collect(),
    })
}

/// Confirm deleting a pod (Services, the detail and `:pods` share this dialog); `owner` says
/// who replaces it, when known. Not offered where RBAC denies it.
pub fn confirm_delete(ctx: &mut Ctx, namespace: &str, pod: &str, owner: Option<String>) {
    if denied(ctx, namespace, "delete") {
        return;
    }
    let replaced = match owner {
        Some(o) => format!("{o} creates a replacement."),
        None => "Its controller (if any) creates a replacement.".to_string(),
    };
    let lines = vec![
        (format!("Delete pod {namespace}/{pod}."), Role::Base),
        (replaced, Role::Muted),
    ];
    ctx.open_modal(Modal::Confirm(Confirm::new(
        "Delete pod",
        lines,
        "Delete",
        Reply::Task(TaskRequest::DeletePod {
            namespace: namespace.to_string(),
            name: pod.to_string(),
        }),
    )));
}

/// The effect that opens a shell in `container`.
pub fn shell_effect(namespace: &str, pod: &str, container: &str) -> Effect {
    Effect::Shell {
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        container: container.to_string(),
        io: Default::default(),
    }
}

/// `s`: a shell in the only container at once, or a picker of `containers` answering `pane`
/// with [`SHELL_TAG`] (`true`: the picker is open, keep the pod for the answer). Not offered
/// where RBAC denies `create pods/exec`.
pub fn open_shell(
    ctx: &mut Ctx,
    namespace: &str,
    pod: &str,
    containers: &[(String, String)],
    pane: PaneId,
) -> bool {
    if denied(ctx, namespace, "exec") {
        return false;
    }
    match containers {
        [] => {
            ctx.set_flash(format!("{pod}: no container"), FlashLevel::Warn);
            false
        }
        [(only, _)] => {
            ctx.emit(shell_effect(namespace, pod, only));
            false
        }
        several => {
            ctx.open_modal(Modal::Wizard(Box::new(Picker::new(
                format!("Shell in {namespace}/{pod}"),
                "container",
                several.to_vec(),
                pane,
                SHELL_TAG,
            ))));
            true
        }
    }
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
    if ![RESTART, DELETE, SCALE, SHELL].contains(&action) {
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
        DELETE | SHELL => {
            let Some(pod) = t.pod.clone() else {
                ctx.set_flash(format!("{id}: no pod"), FlashLevel::Warn);
                return true;
            };
            if action == DELETE {
                let owner = format!("{} {}", t.kind, t.name);
                confirm_delete(ctx, &t.namespace, &pod, Some(owner));
            } else if open_shell(ctx, &t.namespace, &pod, &t.containers, pane) {
                *pending = Some(t);
            }
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

/// The scale prompt's answer (confirm, then scale) or the shell's container.
pub fn on_reply(ctx: &mut Ctx, tag: &str, value: &str, pending: &mut Option<Target>) {
    if tag == SHELL_TAG {
        if let Some((t, pod)) = pending.take().and_then(|t| t.pod.clone().map(|p| (t, p))) {
            ctx.emit(shell_effect(&t.namespace, &pod, value));
        }
        return;
    }
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
