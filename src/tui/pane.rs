//! The unit every screen of the console is built from (gitui's components idea): a [`Pane`] owns
//! its state, declares its key bindings (→ the hint bar, `?` help, read-only filtering) and its
//! `:` commands (→ command mode, completion, help), handles its actions and the engine's
//! messages, and draws itself. The registry in [`crate::tui::panes`] lists them; the core
//! ([`crate::tui::app`]) never matches on a particular pane.
//!
//! Adding a pane: one file under `src/tui/panes/` with `pub const ID`, a type implementing
//! [`Pane`] and `pub fn pane() -> Box<dyn Pane>`, plus its name in the `panes!` list.

use super::ctx::Ctx;
use super::keymap::{Action, Binding};
use super::msg::Msg;
use super::view::{PaneId, View};
use crate::model::ServiceId;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::any::Any;

/// A `:` command that opens a pane: its names (the first is canonical, the rest aliases; all
/// complete with tab) and its line in help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub names: &'static [&'static str],
    pub description: &'static str,
    /// Accepts `/text` after the name and sets the pane's filter (`:svc /son`).
    pub filter: bool,
    /// Accepts a word after the name (`:ns media`), handed to [`Pane::command_arg`]; the text
    /// names it in help (`NAME|all`). The word completes from [`Pane::arg_values`].
    pub arg: Option<&'static str>,
}

impl CommandSpec {
    pub const fn new(names: &'static [&'static str], description: &'static str) -> CommandSpec {
        CommandSpec {
            names,
            description,
            filter: false,
            arg: None,
        }
    }

    pub const fn with_arg(mut self, name: &'static str) -> CommandSpec {
        self.arg = Some(name);
        self
    }

    pub const fn with_filter(mut self) -> CommandSpec {
        self.filter = true;
        self
    }
}

/// Downcasting a boxed pane to its type (for tests and for the pane's own helpers).
pub trait AsAny: Any {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// One pane. Every method but [`Pane::id`], [`Pane::title`] and [`Pane::render`] has a
/// do-nothing default. Methods get the [`Ctx`]: the shared data to read, and the way to act on
/// the world (navigate, open a modal, start a task, flash, emit an effect). A pane never does
/// I/O: what it needs from outside is an [`crate::tui::msg::Effect`].
pub trait Pane: AsAny {
    /// Registry id, unique (`"services"`).
    fn id(&self) -> PaneId;

    /// The pane's name in `?` help (`"Service detail"`).
    fn title(&self) -> &'static str;

    /// The crumb of one of its views (`<media/sonarr>`); by default the id.
    fn crumb(&self, view: &View) -> String {
        let _ = view;
        self.id().to_string()
    }

    /// The watched kind (a row of `cluster::kinds`, e.g. `certificates.cert-manager.io`) without
    /// which the pane has nothing to show: when the cluster does not serve it (CRD absent), the
    /// pane's commands are refused with the reason, left out of completion and greyed in help.
    fn requires_kind(&self) -> Option<&'static str> {
        None
    }

    /// Its key bindings (mutating ones flagged; the key map drops them in read-only mode).
    fn bindings(&self) -> Vec<Binding> {
        vec![]
    }

    /// The `:` commands that open it.
    fn commands(&self) -> Vec<CommandSpec> {
        vec![]
    }

    /// A `:` command of the pane came with a word (`:ns media`, see [`CommandSpec::arg`]):
    /// act on it. `Err` is one line for the flash (nothing changed); `Ok(true)` also opens the
    /// pane, `Ok(false)` stays on the current view.
    fn command_arg(&mut self, ctx: &mut Ctx, arg: &str) -> Result<bool, String> {
        let _ = (ctx, arg);
        Err(format!("{} takes no argument {arg:?}", self.id()))
    }

    /// Its command with a word is being typed (`:ns `): ask for fresher values, which reach
    /// the prompt's completion as they arrive (once per prompt).
    fn on_command_prompt(&mut self, ctx: &mut Ctx) {
        let _ = ctx;
    }

    /// The words the argument of its `:` command completes from (`:ns` → the namespaces).
    fn arg_values(&self, ctx: &Ctx) -> Vec<String> {
        let _ = ctx;
        vec![]
    }

    /// The view is about to be pushed on the crumb stack; `false` refuses (nothing is pushed,
    /// e.g. no pod to show logs for — say why with a flash).
    fn on_enter(&mut self, ctx: &mut Ctx, view: &View) -> bool {
        let _ = (ctx, view);
        true
    }

    /// The view was popped (esc, a `:` command, quit): stop what it started.
    fn on_leave(&mut self, ctx: &mut Ctx) {
        let _ = ctx;
    }

    /// One of its bindings fired while its view is on top.
    fn on_action(&mut self, ctx: &mut Ctx, view: &View, action: Action) {
        let _ = (ctx, view, action);
    }

    /// Every message from the engine reaches every pane, after the core stored the shared data
    /// (cluster, observations, findings, tasks) in the [`Ctx`].
    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        let _ = (ctx, msg);
    }

    /// A value a modal it opened sends back ([`crate::tui::modal::Reply::ToPane`]).
    fn on_reply(&mut self, ctx: &mut Ctx, tag: &'static str, value: String) {
        let _ = (ctx, tag, value);
    }

    /// Bring derived state up to date before a key or a frame (cheap when nothing changed).
    fn sync(&mut self, ctx: &Ctx) {
        let _ = ctx;
    }

    /// The current `/` filter text, or `None` when the pane does not filter.
    fn filter_text(&self) -> Option<String> {
        None
    }

    /// Set the `/` filter (empty text clears it).
    fn set_filter(&mut self, ctx: &Ctx, text: &str) {
        let _ = (ctx, text);
    }

    /// The service under the cursor or shown, if the pane is about one.
    fn current_service<'a>(&'a self, view: &'a View) -> Option<&'a ServiceId> {
        let _ = view;
        None
    }

    /// Draw the view into the body area.
    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, view: &View);
}
