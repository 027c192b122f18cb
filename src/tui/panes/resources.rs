//! The generic resource views of issue 8 (k9s `:pods`, `:deploy`, `:events`, `:pvc`, `:ing`):
//! one table pane per kind on the shared table widget, rows from the engine's latest snapshot
//! ([`Effect::ListResources`], asked again on every cluster change while the view is open).
//! What a view offers besides the table follows from what its rows are ([`Rows`]): pods `d`
//! describe, `l` logs (a picker over the containers and init containers), `s` shell and
//! `ctrl-d` delete (the Services pane's dialogs, [`super::workload_actions`]: confirm,
//! `--readonly` drops them, not offered where RBAC denies them); Deployments, PVCs and Ingresses
//! `d`; events `d` describes the involved object, of any kind the console watches.

use super::listing::{listing_filter, Listing, TableCtx};
use crate::bus::ResourceRow;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::msg::{Effect, Msg};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::age;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, ObjectRef, PaneId, View};
use crate::tui::widgets::table::{haystack, CellText, Column, TableRow};
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::borrow::Cow;

const DELETE: Action = Action::new("resources.delete");
const LOGS: Action = Action::new("resources.logs");
const ALL_NAMESPACES: Action = Action::new("resources.all-namespaces");
use super::workload_actions::{self as actions, SHELL, SHELL_TAG};

/// What the rows of a view are: decides its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Pods: describe, logs, shell, delete.
    Pods,
    /// Deployments: describe.
    Deployments,
    /// Events: describe the involved object.
    Events,
    /// Namespaces: `enter` scopes the other views to one, `0` to all.
    Namespaces,
    /// Nodes: read on demand, again every [`NODES_EVERY`] seconds while shown (not on every
    /// cluster change).
    Nodes,
    /// The table and `d` describe.
    Plain,
}

/// What makes one resource view.
pub struct Spec {
    pub id: PaneId,
    /// The engine's name of the kind ([`crate::engine::resources::KINDS`]).
    pub kind: &'static str,
    pub title: &'static str,
    pub names: &'static [&'static str],
    pub about: &'static str,
    /// Column titles of READY, STATUS and INFO for this kind, said in the title where they
    /// differ (a kind with its own columns, `:nodes`, keeps the shared titles: nothing to say).
    pub headers: [&'static str; 3],
    pub rows: Rows,
}

pub fn pane(spec: Spec) -> Box<dyn Pane> {
    Box::new(Resources {
        list: Listing::new(columns(spec.rows)),
        spec,
        open: false,
        shell_pod: None,
        asked: None,
        raw: None,
        filtered_for: None,
    })
}

#[derive(Debug, Clone)]
pub struct Row {
    pub r: ResourceRow,
    id: String,
    haystack: String,
}

impl TableRow for Row {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        if self.r.bad {
            Role::Warn
        } else {
            Role::Base
        }
    }
}

/// Seconds between two reads of the nodes while `:nodes` is shown.
pub const NODES_EVERY: i64 = 15;

/// The Kubernetes kind of a view's rows (`d` describes one), by the engine's name of it.
fn object_kind(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "pods" => "Pod",
        "deployments" => "Deployment",
        "pvcs" => "PersistentVolumeClaim",
        "ingresses" => "Ingress",
        _ => return None,
    })
}

type C = Column<Row>;

/// The columns of a view: the shared ones below, or the kind's own (`:nodes`).
fn columns(rows: Rows) -> &'static [C] {
    match rows {
        Rows::Nodes => super::nodes::COLUMNS,
        _ => COLUMNS,
    }
}

static COLUMNS: &[C] = &[
    C::new("NAMESPACE", |r, _| r.r.namespace.as_str().into())
        .priority(3)
        .sort('S', |a, b| a.r.namespace.cmp(&b.r.namespace)),
    C::new("NAME", |r, _| r.r.name.as_str().into())
        .min(12)
        .max(48)
        .sort('N', |a, b| a.r.name.cmp(&b.r.name)),
    C::new("READY", |r, _| r.r.ready.as_str().into()).priority(1),
    C::new("STATUS", |r, _| {
        let role = if r.r.bad { Role::Warn } else { Role::Base };
        CellText::styled(r.r.status.clone(), role)
    })
    .priority(1),
    C::new("RESTARTS", |r, _| r.r.restarts.to_string().into())
        .priority(4)
        .sort('R', |a, b| b.r.restarts.cmp(&a.r.restarts)),
    C::new("AGE", |r, c| age(r.r.since, c.now).into())
        .priority(2)
        .sort('A', |a, b| b.r.since.cmp(&a.r.since)),
    C::new("INFO", |r, _| r.r.info.as_str().into())
        .min(10)
        .priority(5),
];

pub struct Resources {
    spec: Spec,
    list: Listing<Row>,
    /// The view is on the crumb stack: re-ask on every cluster change.
    open: bool,
    /// The pod whose container the shell picker is choosing.
    shell_pod: Option<(String, String)>,
    /// When the rows were last asked for.
    asked: Option<jiff::Timestamp>,
    /// The engine's last rows, before the namespace scope.
    raw: Option<Vec<ResourceRow>>,
    /// The scope the shown rows were filtered with (a new `:ns` filters again).
    filtered_for: Option<Option<String>>,
}

/// The words of `:ns` that clear the scope (every namespace).
pub const ALL_WORDS: [&str; 2] = ["all", "-"];

impl Resources {
    /// The namespace this view shows (`:ns`), if one.
    fn scoped<'a>(&self, ctx: &'a Ctx) -> Option<&'a str> {
        let namespaced = ![Rows::Nodes, Rows::Namespaces].contains(&self.spec.rows);
        ctx.namespace.as_deref().filter(|_| namespaced)
    }

    /// Show the raw rows under the current scope.
    fn refilter(&mut self, ctx: &Ctx) {
        let Some(raw) = &self.raw else {
            return;
        };
        let scoped = self.scoped(ctx).map(str::to_string);
        let rows = raw
            .iter()
            .filter(|r| scoped.as_ref().is_none_or(|ns| r.namespace == *ns))
            .map(|r| Row {
                id: format!("{}/{}", r.namespace, r.name),
                haystack: haystack([r.namespace.as_str(), &r.name, &r.status, &r.info]),
                r: r.clone(),
            })
            .collect();
        self.list.set_rows(rows);
        self.filtered_for = Some(ctx.namespace.clone());
    }

    /// The namespaces the console knows: the watched ones, those of the discovered services
    /// and those of the `:ns` rows (read when `:ns ` is typed or `:ns` opens, and after an
    /// unknown name).
    fn known_namespaces(&self, ctx: &Ctx) -> Vec<String> {
        let mut known: std::collections::BTreeSet<String> = Default::default();
        if let Some(c) = &ctx.cluster {
            known.extend(c.namespaces.iter().cloned());
            known.extend(c.inventory.services.iter().map(|s| s.namespace.clone()));
        }
        known.extend(self.raw.iter().flatten().map(|r| r.name.clone()));
        known.into_iter().filter(|n| !n.is_empty()).collect()
    }

    fn ask(&mut self, ctx: &mut Ctx) {
        self.asked = Some(ctx.now);
        ctx.emit(Effect::ListResources {
            kind: self.spec.kind.to_string(),
        });
    }
}

impl Pane for Resources {
    fn id(&self) -> PaneId {
        self.spec.id
    }

    fn title(&self) -> &'static str {
        self.spec.title
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![Binding::new(Key::ch('/'), Action::FILTER, "filter")];
        if self.spec.rows == Rows::Namespaces {
            own.push(Binding::new(
                Key::plain(KeyCode::Enter),
                Action::ENTER,
                "switch to it",
            ));
            own.push(Binding::new(Key::ch('0'), ALL_NAMESPACES, "all namespaces"));
        }
        if self.spec.rows == Rows::Events || object_kind(self.spec.kind).is_some() {
            own.push(Binding::new(Key::ch('d'), Action::DESCRIBE, "describe"));
        }
        if [Rows::Pods, Rows::Deployments, Rows::Events].contains(&self.spec.rows) {
            own.push(Binding::new(Key::ch('l'), LOGS, "logs"));
        }
        if self.spec.rows == Rows::Pods {
            own.push(actions::shell_binding());
            own.push(Binding::new(Key::ctrl('d'), DELETE, "delete pod").mutating());
        }
        own.extend(Listing::bindings(columns(self.spec.rows)));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        let spec = CommandSpec::new(self.spec.names, self.spec.about).with_filter();
        match self.spec.rows {
            Rows::Namespaces => vec![spec.with_arg("NAME|all")],
            _ => vec![spec],
        }
    }

    /// `:ns NAME` scopes the views to a namespace the console knows, `:ns all` (or `-`) clears
    /// the scope; the current view stays.
    fn command_arg(&mut self, ctx: &mut Ctx, arg: &str) -> Result<bool, String> {
        if self.spec.rows != Rows::Namespaces {
            return Err(format!(":{} takes no argument {arg:?}", self.spec.names[0]));
        }
        if ALL_WORDS.contains(&arg) {
            ctx.namespace = None;
            ctx.set_flash("all namespaces", FlashLevel::Info);
            return Ok(false);
        }
        let known = self.known_namespaces(ctx);
        if !known.iter().any(|n| n == arg) {
            // Read them again: a namespace created since is known at the next try.
            self.ask(ctx);
            return Err(if known.is_empty() {
                format!("unknown namespace {arg:?}: no namespace known yet")
            } else {
                format!("unknown namespace {arg:?} (known: {})", known.join(", "))
            });
        }
        ctx.namespace = Some(arg.to_string());
        ctx.set_flash(
            format!("namespace {arg} (:ns all for all)"),
            FlashLevel::Info,
        );
        Ok(false)
    }

    /// `:ns ` is being typed: read the cluster's namespaces again (they arrive while the user
    /// types, and complete).
    fn on_command_prompt(&mut self, ctx: &mut Ctx) {
        if self.spec.rows == Rows::Namespaces {
            self.ask(ctx);
        }
    }

    fn arg_values(&self, ctx: &Ctx) -> Vec<String> {
        if self.spec.rows != Rows::Namespaces {
            return vec![];
        }
        let mut values = self.known_namespaces(ctx);
        values.push(ALL_WORDS[0].to_string());
        values
    }

    fn on_enter(&mut self, ctx: &mut Ctx, _view: &View) -> bool {
        self.open = true;
        self.ask(ctx);
        true
    }

    fn on_leave(&mut self, _ctx: &mut Ctx) {
        self.open = false;
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let rows = self.spec.rows;
        if rows == Rows::Namespaces && [Action::ENTER, ALL_NAMESPACES].contains(&action) {
            let picked = self.list.selected().map(|r| r.r.name.clone());
            ctx.namespace = if action == ALL_NAMESPACES {
                None
            } else {
                picked
            };
            let note = match &ctx.namespace {
                Some(ns) => format!("namespace {ns} (:ns all for all)"),
                None => "all namespaces".to_string(),
            };
            ctx.set_flash(note, FlashLevel::Info);
            ctx.back();
            return;
        }
        let row = self.list.selected().map(|r| r.r.clone());
        let known = [Action::DESCRIBE, LOGS, SHELL, DELETE].contains(&action);
        let acts = ![Rows::Nodes, Rows::Namespaces].contains(&rows);
        let (Some(row), true) = (row.filter(|_| known), acts) else {
            self.list.on_action(action);
            return;
        };
        let pod = || ObjectRef {
            kind: "Pod".into(),
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            containers: [row.containers.as_slice(), &row.init_containers].concat(),
            restarts: row.restarts,
        };
        if action == LOGS {
            match &row.logs {
                Some((name, restarts)) => {
                    ctx.push(super::logs::pod_view(ObjectRef {
                        name: name.clone(),
                        restarts: *restarts,
                        ..pod()
                    }));
                }
                None => ctx.set_flash("no pod to show logs for", FlashLevel::Warn),
            }
            return;
        }
        match (rows, action) {
            (Rows::Pods, Action::DESCRIBE) => {
                ctx.push(super::describe::object_view(pod()));
            }
            (Rows::Pods, SHELL) => {
                let containers: Vec<(String, String)> = row
                    .containers
                    .iter()
                    .map(|c| (c.clone(), String::new()))
                    .collect();
                if actions::open_shell(ctx, &row.namespace, &row.name, &containers, self.spec.id) {
                    self.shell_pod = Some((row.namespace, row.name));
                }
            }
            (Rows::Pods, DELETE) => actions::confirm_delete(ctx, &row.namespace, &row.name, None),
            // Any object of the watch stores (the engine says when it has none).
            (Rows::Events, Action::DESCRIBE) => {
                if let Some((kind, name)) = row.involved {
                    ctx.push(super::describe::object_view(ObjectRef {
                        kind,
                        namespace: row.namespace,
                        name,
                        ..ObjectRef::default()
                    }));
                }
            }
            (_, Action::DESCRIBE) => {
                if let Some(kind) = object_kind(self.spec.kind) {
                    ctx.push(super::describe::object_view(ObjectRef {
                        kind: kind.into(),
                        namespace: row.namespace,
                        name: row.name,
                        ..ObjectRef::default()
                    }));
                }
            }
            _ => self.list.navigate(action),
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, tag: &'static str, value: String) {
        if tag == SHELL_TAG {
            if let Some((ns, pod)) = self.shell_pod.take() {
                ctx.emit(actions::shell_effect(&ns, &pod, &value));
            }
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Cluster(_) if self.open && self.spec.rows != Rows::Nodes => self.ask(ctx),
            Msg::Tick(now) if self.open && self.spec.rows == Rows::Nodes => {
                let due = self
                    .asked
                    .is_none_or(|t| now.duration_since(t).as_secs() >= NODES_EVERY);
                if due {
                    self.ask(ctx);
                }
            }
            Msg::Resources { kind, rows } if kind == self.spec.kind => {
                self.raw = Some(rows.clone());
                self.refilter(ctx);
            }
            _ => {}
        }
    }

    fn sync(&mut self, ctx: &Ctx) {
        if self.raw.is_some() && self.filtered_for.as_ref() != Some(&ctx.namespace) {
            self.refilter(ctx);
        }
    }

    listing_filter!(list);

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        // The shared columns' meaning for this kind, where it differs from the title.
        let meaning: Vec<String> = ["READY", "STATUS", "INFO"]
            .iter()
            .zip(self.spec.headers)
            .filter(|(t, h)| *t != h)
            .map(|(t, h)| format!("{t} = {h}"))
            .collect();
        let mut tctx = TableCtx::new(self.spec.title, &ctx.theme, ctx.now)
            .scope(match (self.spec.rows, self.scoped(ctx)) {
                (Rows::Nodes | Rows::Namespaces, _) => "cluster",
                (_, Some(ns)) => ns,
                (_, None) => "all namespaces",
            })
            .empty("nothing of this kind in the watched namespaces")
            .loading_unless(self.list.received(), "reading…");
        if !meaning.is_empty() {
            tctx = tctx.note(format!("columns: {}", meaning.join(" · ")), Role::Muted);
        }
        if let Some(why) = (self.spec.rows == Rows::Nodes)
            .then(|| super::nodes::note(&self.list.rows))
            .flatten()
        {
            tctx = tctx.note(why, Role::Muted);
        }
        self.list.render(f, area, &tctx);
    }
}
