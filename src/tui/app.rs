//! The pure core: [`App`] state and [`update`]. No I/O, no awaits, no clock reads; time arrives in
//! [`Msg::Tick`] and in snapshots. The runtime draws with [`crate::tui::render::render`].

use super::keymap::{Action, Keymap};
use super::msg::{ClusterView, Effect, Msg, StreamId, TaskId, TaskRequest};
use super::panes::confirm::{Confirm, ConfirmOutcome};
use super::panes::{detail, findings, integrations, keys, logs, tasks};
use super::prompt::{parse_command, Command, Prompt, PromptMode, PromptOutcome};
use super::rows::{build_row, Filter, ServiceRow};
use super::theme::Theme;
use crate::model::{Finding, ServiceId, ServiceObservation};
use crossterm::event::{KeyEvent, KeyEventKind};
use jiff::Timestamp;
use std::cell::Cell;
use std::collections::HashMap;

pub use super::view::{Cursor, Flash, FlashLevel, View};

/// How long a flash message stays.
const FLASH_SECS: i64 = 6;

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
    pub keymap: Keymap,
    pub theme: Theme,
    pub now: Timestamp,
    pub size: (u16, u16),
    pub cluster: Option<ClusterView>,
    /// Banner text while the cluster is unreachable.
    pub banner: Option<String>,
    pub observations: HashMap<ServiceId, ServiceObservation>,
    pub findings: Vec<Finding>,
    /// The configured thresholds the findings use; the cells colour by the same values.
    pub budget: crate::checks::Budget,
    /// All rows, in inventory order; `visible` indexes into it after filtering.
    pub rows: Vec<ServiceRow>,
    pub visible: Vec<usize>,
    rows_stale: bool,
    pub filter: Option<Filter>,
    pub services: Cursor,
    /// Selection by identity, so it survives refreshes and filtering.
    pub selected: Option<ServiceId>,
    pub stack: Vec<View>,
    /// Scroll position of text panes (detail, describe, help, task log).
    pub scroll: Cell<usize>,
    pub wrap: bool,
    pub describe: Option<(String, Option<String>)>,
    pub logs: logs::LogsState,
    pub tasks: tasks::TasksState,
    pub findings_view: findings::FindingsState,
    pub integrations: integrations::IntegrationsState,
    pub keys: keys::KeysState,
    /// The confirm dialog in front of a mutating task; takes every key while open.
    pub confirm: Option<Confirm>,
    pub prompt: Option<Prompt>,
    pub flash: Option<Flash>,
    pub next_stream: u64,
    pub next_task: u64,
    pub quit: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
}

impl App {
    pub fn new(opts: AppOptions) -> App {
        let mut app = App {
            keymap: Keymap::new(opts.readonly),
            theme: opts.theme,
            now: opts.now,
            size: opts.size,
            cluster: None,
            banner: None,
            observations: HashMap::new(),
            findings: Vec::new(),
            budget: crate::checks::Budget::default(),
            rows: Vec::new(),
            visible: Vec::new(),
            rows_stale: false,
            filter: None,
            services: Cursor::default(),
            selected: None,
            stack: vec![View::Services],
            scroll: Cell::new(0),
            wrap: false,
            describe: None,
            logs: logs::LogsState::default(),
            tasks: tasks::TasksState::default(),
            findings_view: findings::FindingsState::default(),
            integrations: integrations::IntegrationsState::default(),
            keys: keys::KeysState::default(),
            confirm: None,
            prompt: None,
            flash: None,
            next_stream: 0,
            next_task: 0,
            quit: false,
            dirty: true,
        };
        if let Some(w) = opts.theme_warning {
            app.set_flash(w, FlashLevel::Warn);
        }
        app
    }

    pub fn readonly(&self) -> bool {
        self.keymap.readonly
    }

    pub fn view(&self) -> &View {
        self.stack.last().unwrap_or(&View::Services)
    }

    /// Rows that fit a page of the body (for PgUp/PgDn).
    pub fn page(&self) -> usize {
        usize::from(self.size.1).saturating_sub(12).max(1)
    }

    pub fn set_flash(&mut self, text: impl Into<String>, level: FlashLevel) {
        self.flash = Some(Flash {
            text: text.into(),
            level,
            at: self.now,
        });
    }

    /// Rebuild rows if data changed since the last call. Cheap when nothing changed; the runtime
    /// calls it before each frame, `update` before each key.
    pub fn sync(&mut self) {
        if !self.rows_stale {
            return;
        }
        self.rows_stale = false;
        let empty = Vec::new();
        self.rows = match &self.cluster {
            None => Vec::new(),
            Some(c) => c
                .inventory
                .services
                .iter()
                .map(|s| {
                    let pods = c.pods.get(&s.id).unwrap_or(&empty);
                    build_row(
                        s,
                        pods,
                        self.observations.get(&s.id),
                        &self.findings,
                        &self.budget,
                    )
                })
                .collect(),
        };
        self.refilter();
    }

    /// Recompute `visible` from the filter and put the cursor back on the selected service.
    pub fn refilter(&mut self) {
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| self.filter.as_ref().is_none_or(|f| f.matches(&r.haystack)))
            .map(|(i, _)| i)
            .collect();
        let pos = self
            .selected
            .as_ref()
            .and_then(|id| self.visible.iter().position(|&i| &self.rows[i].id == id));
        self.services.index = match pos {
            Some(p) => p,
            None => self
                .services
                .index
                .min(self.visible.len().saturating_sub(1)),
        };
        self.remember_selection();
    }

    fn remember_selection(&mut self) {
        if let Some(&i) = self.visible.get(self.services.index) {
            self.selected = Some(self.rows[i].id.clone());
        }
    }

    /// The service under the cursor (Services pane) or shown (Detail pane).
    pub fn current_service(&self) -> Option<&ServiceId> {
        match self.view() {
            View::Detail(id) => Some(id),
            _ => self
                .visible
                .get(self.services.index)
                .map(|&i| &self.rows[i].id),
        }
    }

    pub fn push(&mut self, view: View) {
        self.scroll.set(0);
        self.stack.push(view);
    }

    /// Pop one crumb; leaving the log view stops its stream.
    pub fn back(&mut self) -> Vec<Effect> {
        if self.stack.len() <= 1 {
            if self.filter.take().is_some() {
                self.refilter();
            }
            return vec![];
        }
        let left = self.stack.pop();
        self.scroll.set(0);
        match left {
            Some(View::Logs) => self.logs.stop().into_iter().collect(),
            _ => vec![],
        }
    }

    fn go_root(&mut self, view: View) -> Vec<Effect> {
        let mut fx = Vec::new();
        while self.stack.len() > 1 {
            fx.extend(self.back());
        }
        if view != View::Services {
            self.push(view);
        }
        fx
    }

    pub fn new_stream(&mut self) -> StreamId {
        self.next_stream += 1;
        StreamId(self.next_stream)
    }

    pub fn start_task(&mut self, request: TaskRequest) -> Vec<Effect> {
        if request.is_mutating() && self.readonly() {
            self.set_flash(
                "read-only mode: not starting a mutating task",
                FlashLevel::Warn,
            );
            return vec![];
        }
        self.next_task += 1;
        let id = TaskId(self.next_task);
        self.tasks.register(id, request.title(), self.now);
        self.set_flash(
            format!("started {} ({id})", request.title()),
            FlashLevel::Info,
        );
        vec![Effect::RunTask { id, request }]
    }
}

/// The whole UI logic: apply one message, return what the outside world should do.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    app.dirty = true;
    match msg {
        Msg::Key(ev) => {
            if ev.kind == KeyEventKind::Release {
                app.dirty = false;
                return vec![];
            }
            app.sync();
            on_key(app, ev)
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            vec![]
        }
        Msg::Tick(now) => {
            app.now = now;
            if app
                .flash
                .as_ref()
                .is_some_and(|f| now.as_second() - f.at.as_second() >= FLASH_SECS)
            {
                app.flash = None;
            }
            vec![]
        }
        Msg::Cluster(view) => {
            app.now = app.now.max(view.fetched_at);
            app.banner = view.error.clone();
            app.cluster = Some(*view);
            app.rows_stale = true;
            vec![]
        }
        Msg::Observation(id, obs) => {
            app.now = app.now.max(obs.fetched_at);
            app.observations.insert(id, obs);
            app.rows_stale = true;
            vec![]
        }
        Msg::Findings(f) => {
            app.findings = f;
            app.findings_view.resort(&app.findings);
            app.rows_stale = true;
            vec![]
        }
        Msg::Logs { stream, lines } => {
            app.logs.push(stream, lines);
            vec![]
        }
        Msg::LogsEnded { stream, error } => {
            app.logs.ended(stream, error);
            vec![]
        }
        Msg::Describe { title, text } => {
            let pending = app.describe.as_ref().is_some_and(|(t, _)| *t == title);
            if matches!(app.view(), View::Describe) && pending {
                let text: Vec<String> = text.lines().map(super::rows::sanitize).collect();
                app.describe = Some((title, Some(text.join("\n"))));
            }
            vec![]
        }
        Msg::ClusterError(e) => {
            app.banner = Some(e);
            vec![]
        }
        Msg::TaskProgress(p) => {
            app.tasks.progress(p, app.now);
            vec![]
        }
        Msg::TaskDone { id, outcome } => {
            app.integrations.task_done(id);
            app.keys.task_done(id);
            if let Some(text) = app.tasks.done(id, outcome, app.now) {
                let level = if text.contains("failed") {
                    FlashLevel::Error
                } else {
                    FlashLevel::Info
                };
                app.set_flash(text, level);
            }
            vec![]
        }
        Msg::Integrations(view) => {
            app.now = app.now.max(view.fetched_at);
            app.integrations.set_view(*view);
            vec![]
        }
        Msg::Keys(view) => {
            app.now = app.now.max(view.fetched_at);
            app.keys.set_view(*view);
            vec![]
        }
        Msg::Flash(text) => {
            app.set_flash(text, FlashLevel::Info);
            vec![]
        }
    }
}

fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    if let Some(dialog) = app.confirm.as_mut() {
        return match dialog.handle_key(&ev) {
            ConfirmOutcome::Open => vec![],
            ConfirmOutcome::Cancel => {
                app.confirm = None;
                app.set_flash("cancelled: nothing written", FlashLevel::Info);
                vec![]
            }
            ConfirmOutcome::Confirm(request) => {
                app.confirm = None;
                app.start_task(request)
            }
        };
    }
    if let Some(prompt) = app.prompt.as_mut() {
        let mode = prompt.mode;
        return match prompt.handle_key(ev) {
            PromptOutcome::Editing => {
                if mode == PromptMode::Filter {
                    let text = prompt.text();
                    apply_filter(app, &text);
                }
                vec![]
            }
            PromptOutcome::Cancel => {
                app.prompt = None;
                if mode == PromptMode::Filter {
                    apply_filter(app, "");
                }
                vec![]
            }
            PromptOutcome::Submit(text) => {
                app.prompt = None;
                match mode {
                    PromptMode::Filter => {
                        apply_filter(app, &text);
                        vec![]
                    }
                    PromptMode::Command => run_command(app, &text),
                }
            }
        };
    }
    let pane = app.view().pane();
    let Some(action) = app.keymap.lookup(pane, &ev) else {
        app.dirty = false;
        return vec![];
    };
    on_action(app, action)
}

fn apply_filter(app: &mut App, text: &str) {
    match app.view() {
        View::Findings => app
            .findings_view
            .set_filter(Filter::new(text), &app.findings),
        _ => {
            app.filter = Filter::new(text);
            app.refilter();
        }
    }
}

fn run_command(app: &mut App, text: &str) -> Vec<Effect> {
    if text.trim().is_empty() {
        return vec![];
    }
    match parse_command(text) {
        Err(e) => {
            app.set_flash(e, FlashLevel::Error);
            vec![]
        }
        Ok((cmd, arg)) => match cmd {
            Command::Quit => on_action(app, Action::Quit),
            Command::Services => {
                let fx = app.go_root(View::Services);
                if let Some(f) = arg {
                    apply_filter(app, &f);
                }
                fx
            }
            Command::Findings => {
                let fx = app.go_root(View::Findings);
                if let Some(f) = arg {
                    apply_filter(app, &f);
                }
                fx
            }
            Command::Tasks => app.go_root(View::Tasks),
            Command::Integrations => {
                let mut fx = app.go_root(View::Integrations);
                fx.extend(integrations::on_enter(app));
                fx
            }
            Command::Keys => {
                let mut fx = app.go_root(View::Keys);
                fx.extend(keys::request_check(app));
                fx
            }
            Command::Help => on_action(app, Action::Help),
            Command::Check => app.start_task(TaskRequest::CheckAll),
            Command::Refresh => on_action(app, Action::Refresh),
        },
    }
}

/// Apply one action in the current pane.
pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            app.quit = true;
            let mut fx: Vec<Effect> = app.logs.stop().into_iter().collect();
            fx.push(Effect::Quit);
            return fx;
        }
        Action::Back => return app.back(),
        Action::Help => {
            if !matches!(app.view(), View::Help(_)) {
                let pane = app.view().pane();
                app.push(View::Help(pane));
            }
            return vec![];
        }
        Action::CommandMode => {
            app.prompt = Some(Prompt::new(PromptMode::Command, ""));
            return vec![];
        }
        Action::FilterMode => {
            let current = match app.view() {
                View::Findings => app.findings_view.filter_text(),
                _ => app
                    .filter
                    .as_ref()
                    .map(|f| f.text.clone())
                    .unwrap_or_default(),
            };
            app.prompt = Some(Prompt::new(PromptMode::Filter, &current));
            return vec![];
        }
        Action::Refresh => {
            app.set_flash("refreshing…", FlashLevel::Info);
            return vec![Effect::RefreshNow];
        }
        Action::CheckAll => return app.start_task(TaskRequest::CheckAll),
        Action::Findings => return app.go_root(View::Findings),
        Action::Tasks => return app.go_root(View::Tasks),
        _ => {}
    }
    let page = app.page();
    match app.view().clone() {
        View::Services => match action {
            Action::Enter => {
                if let Some(id) = app.current_service().cloned() {
                    app.push(View::Detail(id));
                }
                vec![]
            }
            Action::Logs => logs::open_for_current(app),
            Action::Describe => detail::describe_current(app),
            _ => {
                let len = app.visible.len();
                if app.services.apply(action, len, page) {
                    app.remember_selection();
                }
                vec![]
            }
        },
        View::Detail(_) => match action {
            Action::Logs => logs::open_for_current(app),
            Action::Describe => detail::describe_current(app),
            _ => scroll_text(app, action, page),
        },
        View::Logs => logs::on_action(app, action, page),
        View::Findings => findings::on_action(app, action, page),
        View::Tasks => tasks::on_action(app, action, page),
        View::Describe | View::TaskLog(_) => {
            if action == Action::ToggleWrap {
                app.wrap = !app.wrap;
                vec![]
            } else {
                scroll_text(app, action, page)
            }
        }
        View::Help(_) => scroll_text(app, action, page),
        View::Integrations => integrations::on_action(app, action, page),
        View::EdgeDetail(_) | View::PlanDiff => match action {
            Action::Apply => integrations::confirm_apply(app),
            Action::ToggleWrap => {
                app.wrap = !app.wrap;
                vec![]
            }
            _ => scroll_text(app, action, page),
        },
        View::Keys => keys::on_action(app, action, page),
    }
}

/// Scroll a text pane; the renderer clamps to the text length.
fn scroll_text(app: &mut App, action: Action, page: usize) -> Vec<Effect> {
    let s = app.scroll.get();
    app.scroll.set(match action {
        Action::Up => s.saturating_sub(1),
        Action::Down => s.saturating_add(1),
        Action::PageUp => s.saturating_sub(page),
        Action::PageDown => s.saturating_add(page),
        Action::Top => 0,
        Action::Bottom => usize::MAX / 2,
        _ => s,
    });
    vec![]
}
