//! The pure core: [`App`] and [`update`]. No I/O, no awaits, no clock reads; time arrives in
//! [`Msg::Tick`] and in snapshots. The runtime draws with [`crate::tui::render::render`].
//!
//! `App` is the global state ([`Ctx`], reachable through `Deref`) plus the registered panes. The
//! core knows no particular pane: keys go to the modal, the prompt, the global actions or the
//! pane on top; messages update the shared data and then reach every pane; navigation asked for
//! by a pane is carried out here, calling the panes' `on_enter` / `on_leave`.

use super::ctx::{Ctx, Nav};
use super::keymap::{global_bindings, Action, Keymap};
use super::modal::{ModalOutcome, Reply};
use super::msg::{Effect, Msg, TaskOutcome, TaskRequest};
use super::pane::{CommandSpec, Pane};
use super::panes::{self, help};
use super::prompt::{
    CommandArg, CommandEntry, CommandTarget, Commands, Prompt, PromptMode, PromptOutcome,
};
use super::task_board::TaskBoard;
use super::theme::Theme;
use crate::model::ServiceId;
use crossterm::event::{KeyEvent, KeyEventKind};
use jiff::Timestamp;
use std::collections::{HashMap, VecDeque};
use std::ops::{Deref, DerefMut};

pub use super::view::{Cursor, Flash, FlashLevel, PaneId, View, ViewArg};

/// How long a flash message stays.
const FLASH_SECS: i64 = 6;

/// The `:` commands that are not a pane (each pane brings its own).
const GLOBAL_COMMANDS: [(CommandSpec, Action); 4] = [
    (
        CommandSpec::new(&["help", "h", "?"], "key bindings"),
        Action::HELP,
    ),
    (
        CommandSpec::new(&["check", "checks"], "run every check now"),
        Action::CHECK_ALL,
    ),
    (
        CommandSpec::new(&["refresh", "r"], "refresh cluster and apps now"),
        Action::REFRESH,
    ),
    (
        CommandSpec::new(&["quit", "q", "q!", "exit"], "quit"),
        Action::QUIT,
    ),
];

/// Start-up options of the UI.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub readonly: bool,
    pub theme: Theme,
    /// Warning from loading the theme, shown as a flash.
    pub theme_warning: Option<String>,
    pub now: Timestamp,
    pub size: (u16, u16),
}

pub struct App {
    ctx: Ctx,
    panes: Vec<Box<dyn Pane>>,
}

impl Deref for App {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl DerefMut for App {
    fn deref_mut(&mut self) -> &mut Ctx {
        &mut self.ctx
    }
}

impl App {
    /// The console with the built-in panes ([`panes::builtin`]).
    pub fn new(opts: AppOptions) -> App {
        App::with_panes(opts, panes::builtin())
    }

    /// The console with these panes, in this order (help and command completion follow it);
    /// the first one is the bottom of the crumb stack.
    pub fn with_panes(opts: AppOptions, panes: Vec<Box<dyn Pane>>) -> App {
        let keymap = Keymap::build(
            opts.readonly,
            global_bindings(),
            panes.iter().map(|p| (p.id(), p.bindings())),
        );
        let mut commands: Vec<CommandEntry> = panes
            .iter()
            .flat_map(|p| {
                let target = CommandTarget::Pane(p.id());
                p.commands()
                    .into_iter()
                    .map(move |spec| CommandEntry { spec, target })
            })
            .collect();
        commands.extend(GLOBAL_COMMANDS.iter().map(|(spec, action)| CommandEntry {
            spec: *spec,
            target: CommandTarget::Action(*action),
        }));
        let root = panes.first().map_or("none", |p| p.id());
        let mut ctx = Ctx {
            keymap,
            theme: opts.theme,
            now: opts.now,
            size: opts.size,
            cluster: None,
            banner: None,
            observations: HashMap::new(),
            findings: Vec::new(),
            budget: crate::checks::Budget::default(),
            tasks: TaskBoard::default(),
            stack: vec![View::new(root)],
            modal: None,
            prompt: None,
            flash: None,
            commands: Commands::new(commands),
            titles: panes.iter().map(|p| (p.id(), p.title())).collect(),
            requires: panes
                .iter()
                .filter_map(|p| Some((p.id(), p.requires_kind()?)))
                .collect(),
            access: Default::default(),
            namespace: None,
            next_stream: 0,
            next_task: 0,
            quit: false,
            dirty: true,
            out: Vec::new(),
            nav: VecDeque::new(),
        };
        if let Some(w) = opts.theme_warning {
            ctx.set_flash(w, FlashLevel::Warn);
        }
        App { ctx, panes }
    }

    /// A registered pane by type (tests, diagnostics).
    pub fn pane<T: Pane>(&self) -> Option<&T> {
        self.panes
            .iter()
            .find_map(|p| p.as_any().downcast_ref::<T>())
    }

    /// A registered pane by id.
    pub fn pane_by_id(&self, id: PaneId) -> Option<&dyn Pane> {
        self.panes.iter().find(|p| p.id() == id).map(|p| p.as_ref())
    }

    fn index(&self, id: PaneId) -> Option<usize> {
        self.panes.iter().position(|p| p.id() == id)
    }

    /// Bring every pane's derived state up to date. Cheap when nothing changed; the runtime
    /// calls it before each frame, `update` before each key.
    pub fn sync(&mut self) {
        for p in &mut self.panes {
            p.sync(&self.ctx);
        }
    }

    /// The service under the cursor or shown by the view on top, if it is about one.
    pub fn current_service(&self) -> Option<&ServiceId> {
        let view = self.ctx.view();
        self.pane_by_id(view.pane)?.current_service(view)
    }

    /// Carry out the navigation the panes asked for.
    fn run_nav(&mut self) {
        while let Some(step) = self.ctx.nav.pop_front() {
            match step {
                Nav::Push(view) => self.enter(view),
                Nav::Back => self.pop(),
                Nav::Root(view) => {
                    while self.ctx.stack.len() > 1 {
                        self.pop();
                    }
                    if view != *self.ctx.root() {
                        self.enter(view);
                    }
                }
            }
        }
    }

    fn enter(&mut self, view: View) {
        let Some(i) = self.index(view.pane) else {
            return;
        };
        if self.panes[i].on_enter(&mut self.ctx, &view) {
            self.ctx.stack.push(view);
        }
    }

    /// Pop one crumb; at the bottom, esc clears the bottom pane's filter.
    fn pop(&mut self) {
        if self.ctx.stack.len() <= 1 {
            if let Some(i) = self.index(self.ctx.root().pane) {
                if self.panes[i].filter_text().is_some_and(|t| !t.is_empty()) {
                    self.panes[i].set_filter(&self.ctx, "");
                }
            }
            return;
        }
        if let Some(left) = self.ctx.stack.pop() {
            if let Some(i) = self.index(left.pane) {
                self.panes[i].on_leave(&mut self.ctx);
            }
        }
    }

    /// Let the pane on top handle an action.
    fn top_pane_action(&mut self, action: Action) {
        let view = self.ctx.view().clone();
        if let Some(i) = self.index(view.pane) {
            self.panes[i].on_action(&mut self.ctx, &view, action);
        }
    }

    fn set_filter(&mut self, pane: PaneId, text: &str) {
        if let Some(i) = self.index(pane) {
            self.panes[i].set_filter(&self.ctx, text);
        }
    }

    /// The words each command taking an argument completes from, now.
    fn command_args(&self) -> Vec<(&'static [&'static str], Vec<String>)> {
        let mut args = Vec::new();
        for p in &self.panes {
            let takes: Vec<CommandSpec> = p
                .commands()
                .into_iter()
                .filter(|c| c.arg.is_some())
                .collect();
            if takes.is_empty() {
                continue;
            }
            let values = p.arg_values(&self.ctx);
            args.extend(takes.into_iter().map(|c| (c.names, values.clone())));
        }
        args
    }

    fn reply(&mut self, reply: Reply) {
        match reply {
            Reply::Task(request) => {
                self.ctx.start_task(request);
            }
            Reply::ToPane { pane, tag, value } => {
                if let Some(i) = self.index(pane) {
                    self.panes[i].on_reply(&mut self.ctx, tag, value);
                }
            }
        }
    }
}

/// The whole UI logic: apply one message, return what the outside world should do.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    app.ctx.dirty = true;
    match msg {
        Msg::Key(ev) => {
            if ev.kind == KeyEventKind::Release {
                app.ctx.dirty = false;
                return vec![];
            }
            app.sync();
            on_key(app, ev);
        }
        Msg::Resize(w, h) => app.ctx.size = (w, h),
        Msg::Tick(now) => {
            app.ctx.now = now;
            if app
                .ctx
                .flash
                .as_ref()
                .is_some_and(|f| now.as_second() - f.at.as_second() >= FLASH_SECS)
            {
                app.ctx.flash = None;
            }
        }
        msg => {
            store(&mut app.ctx, &msg);
            for p in &mut app.panes {
                p.on_msg(&mut app.ctx, &msg);
            }
            // An open `:` prompt completes from what just arrived (`:ns` → namespaces).
            if matches!(&msg, Msg::Resources { .. })
                && app.ctx.prompt.as_ref().map(|p| p.mode) == Some(PromptMode::Command)
            {
                let args = app.command_args();
                if let Some(p) = app.ctx.prompt.as_mut() {
                    p.set_args(args);
                }
            }
        }
    }
    app.run_nav();
    std::mem::take(&mut app.ctx.out)
}

/// Keep the shared data a message carries (before the panes see the message).
fn store(ctx: &mut Ctx, msg: &Msg) {
    match msg {
        Msg::Cluster(view) => {
            ctx.now = ctx.now.max(view.fetched_at);
            ctx.banner.clone_from(&view.error);
            ctx.cluster = Some((**view).clone());
        }
        Msg::Observation(id, obs) => {
            ctx.now = ctx.now.max(obs.fetched_at);
            ctx.observations.insert(id.clone(), obs.clone());
        }
        Msg::Findings(f) => ctx.findings.clone_from(f),
        Msg::ClusterError(e) => ctx.banner = Some(e.clone()),
        Msg::TaskProgress(p) => ctx.tasks.progress(p, ctx.now),
        Msg::TaskDone { id, outcome } => {
            let level = match outcome {
                TaskOutcome::Failed(_) => FlashLevel::Error,
                TaskOutcome::Refused(_) => FlashLevel::Warn,
                TaskOutcome::Succeeded(_) | TaskOutcome::Cancelled => FlashLevel::Info,
            };
            if let Some(text) = ctx.tasks.done(*id, outcome.clone(), ctx.now) {
                ctx.set_flash(text, level);
            }
        }
        Msg::Integrations(v) => ctx.now = ctx.now.max(v.fetched_at),
        Msg::Keys(v) => ctx.now = ctx.now.max(v.fetched_at),
        Msg::Flash(text) => ctx.set_flash(text.clone(), FlashLevel::Info),
        Msg::Access(a) => ctx.access.clone_from(a),
        _ => {}
    }
}

fn on_key(app: &mut App, ev: KeyEvent) {
    if let Some(modal) = app.ctx.modal.as_mut() {
        match modal.handle_key(&ev) {
            ModalOutcome::Open => {}
            ModalOutcome::Cancel => {
                let note = modal.cancel_note();
                app.ctx.modal = None;
                app.ctx.set_flash(note, FlashLevel::Info);
            }
            ModalOutcome::Done(reply) => {
                app.ctx.modal = None;
                app.reply(reply);
            }
        }
        return;
    }
    let top = app.ctx.view().pane;
    if let Some(prompt) = app.ctx.prompt.as_mut() {
        let mode = prompt.mode;
        match prompt.handle_key(ev) {
            PromptOutcome::Editing => {
                if mode == PromptMode::Filter {
                    let text = prompt.text();
                    app.set_filter(top, &text);
                } else {
                    ask_for_arg_values(app);
                }
            }
            PromptOutcome::Cancel => {
                app.ctx.prompt = None;
                if mode == PromptMode::Filter {
                    app.set_filter(top, "");
                }
            }
            PromptOutcome::Submit(text) => {
                app.ctx.prompt = None;
                match mode {
                    PromptMode::Filter => app.set_filter(top, &text),
                    PromptMode::Command => run_command(app, &text),
                }
            }
        }
        return;
    }
    let Some(action) = app.ctx.keymap.lookup(app.ctx.view().pane, &ev) else {
        app.ctx.dirty = false;
        return;
    };
    on_action(app, action);
}

/// The command typed so far takes a word (`:ns `): let its pane ask for fresher values
/// once per prompt; they complete as they arrive.
fn ask_for_arg_values(app: &mut App) {
    let Some(prompt) = app.ctx.prompt.as_mut() else {
        return;
    };
    let text = prompt.text();
    let Some((name, _)) = text.trim_start().split_once(char::is_whitespace) else {
        return;
    };
    let Ok((entry, _)) = app.ctx.commands.parse(name) else {
        return;
    };
    let CommandTarget::Pane(pane) = entry.target else {
        return;
    };
    if entry.spec.arg.is_none() || !prompt.first_arg_ask() {
        return;
    }
    if let Some(i) = app.index(pane) {
        app.panes[i].on_command_prompt(&mut app.ctx);
    }
}

fn run_command(app: &mut App, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    match app.ctx.commands.parse(text) {
        Err(e) => app.ctx.set_flash(e, FlashLevel::Error),
        Ok((entry, arg)) => match entry.target {
            CommandTarget::Action(action) => on_action(app, action),
            CommandTarget::Pane(pane) => {
                if let Some(why) = app.ctx.unavailable(pane) {
                    let name = entry.spec.names.first().copied().unwrap_or(pane);
                    app.ctx
                        .set_flash(format!(":{name} unavailable: {why}"), FlashLevel::Warn);
                    return;
                }
                if let Some(CommandArg::Word(word)) = &arg {
                    let Some(i) = app.index(pane) else {
                        return;
                    };
                    match app.panes[i].command_arg(&mut app.ctx, word) {
                        Err(e) => {
                            app.ctx.set_flash(e, FlashLevel::Error);
                            return;
                        }
                        Ok(false) => return,
                        Ok(true) => {}
                    }
                }
                app.ctx.go_root(View::new(pane));
                app.run_nav();
                if let Some(CommandArg::Filter(f)) = arg {
                    app.set_filter(pane, &f);
                }
            }
        },
    }
}

/// Apply one action: the global ones here, the rest in the pane on top.
fn on_action(app: &mut App, action: Action) {
    let top = app.ctx.view().pane;
    match action {
        Action::QUIT => {
            app.ctx.quit = true;
            for view in app.ctx.stack.clone().iter().rev() {
                if let Some(i) = app.index(view.pane) {
                    app.panes[i].on_leave(&mut app.ctx);
                }
            }
            app.ctx.emit(Effect::Quit);
        }
        Action::BACK => app.ctx.back(),
        Action::HELP => {
            if top != help::ID {
                app.ctx.push(View::with(help::ID, ViewArg::Pane(top)));
            }
        }
        Action::COMMAND => {
            let hidden = app.ctx.unavailable_panes();
            let args = app.command_args();
            app.ctx.prompt = Some(Prompt::command(&app.ctx.commands, &hidden).with_args(args));
        }
        Action::FILTER => {
            let current = app.pane_by_id(top).and_then(|p| p.filter_text());
            if let Some(text) = current {
                app.ctx.prompt = Some(Prompt::filter(&text));
            }
        }
        Action::REFRESH => {
            app.ctx.set_flash("refreshing…", FlashLevel::Info);
            app.ctx.emit(Effect::RefreshNow);
        }
        Action::CHECK_ALL => {
            app.ctx.start_task(TaskRequest::CheckAll);
        }
        other => app.top_pane_action(other),
    }
    app.run_nav();
}
