//! Logs pane: a capped ring buffer of lines from one container, follow (autoscroll) and wrap.
//! Entering it with a service streams the app container of the service's most interesting pod;
//! leaving it stops the stream; entering it with a pod (`:pods`) streams its first container.
//! k9s habits: `c` picks the container (app, VPN sidecar; a pod's init containers too), `p` the
//! previous run, `t` timestamps, `0`–`4` since (tail / 1m / 5m / 15m / 1h), `/` search with
//! `n`/`N`, `ctrl-s` save under the data directory. A crash-looping container whose current run
//! has printed nothing yet shows its last run instead (said in the title).
//!
//! Here: the buffer, the stream's settings and the keys; [`search`] keeps the `/` search's index
//! of matching lines, [`render`] draws the frame.

mod render;
mod search;

use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{Effect, Msg, StreamId};
use crate::tui::pane::Pane;
use crate::tui::modal::{Modal, Picker};
use crate::tui::view::{FlashLevel, ObjectRef, PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::Frame;
use std::collections::VecDeque;

pub const ID: PaneId = "logs";

const FOLLOW: Action = Action::new("logs.follow");
const CLEAR: Action = Action::new("logs.clear");
const CONTAINER: Action = Action::new("logs.container");
const PREVIOUS: Action = Action::new("logs.previous");
const TIMESTAMPS: Action = Action::new("logs.timestamps");
const NEXT: Action = Action::new("logs.next-match");
const PREV: Action = Action::new("logs.prev-match");
const SAVE: Action = Action::new("logs.save");
const SINCE_ACTIONS: [Action; 5] = [
    Action::new("logs.since-tail"),
    Action::new("logs.since-1m"),
    Action::new("logs.since-5m"),
    Action::new("logs.since-15m"),
    Action::new("logs.since-1h"),
];
/// `(label, seconds)` of the `0`–`4` keys; `None` is the tail.
const SINCE: [(&str, Option<u32>); 5] = [
    ("tail", None),
    ("1m", Some(60)),
    ("5m", Some(300)),
    ("15m", Some(900)),
    ("1h", Some(3600)),
];

pub fn pane() -> Box<dyn Pane> {
    Box::<LogsState>::default()
}

/// The logs of a service.
pub fn view(id: ServiceId) -> View {
    View::with(ID, ViewArg::Service(id))
}

/// The logs of one pod (its containers, then its init containers).
pub fn pod_view(pod: ObjectRef) -> View {
    View::with(ID, ViewArg::Object(pod))
}

/// The tag of the container picker's answer.
const CONTAINER_TAG: &str = "logs.container";

/// Lines kept per stream (k9s caps at 5,000 too); older ones are dropped and counted.
pub const LOG_CAP: usize = 5_000;
/// Lines requested from the end of the log when a stream starts.
pub const LOG_TAIL: u32 = 500;

#[derive(Debug, Clone)]
pub struct LogsState {
    pub stream: Option<StreamId>,
    /// `namespace/pod:container`.
    pub source: String,
    pub lines: VecDeque<String>,
    pub cap: usize,
    /// Lines dropped from the front because of the cap.
    pub dropped: u64,
    pub follow: bool,
    pub wrap: bool,
    /// First visible line when not following.
    pub top: usize,
    /// Set when the stream ended (`None` inside: ended cleanly).
    pub ended: Option<Option<String>>,
    pub namespace: String,
    pub pod: String,
    /// The pod's containers the picker cycles through (app first).
    pub containers: Vec<String>,
    pub container: usize,
    /// Restarts of the pod: a previous run exists.
    pub restarts: u32,
    pub previous: bool,
    /// The previous run is shown because the current one had no output yet.
    pub auto_previous: bool,
    pub timestamps: bool,
    /// Index into [`SINCE`].
    pub since: usize,
    /// `/` search (case-insensitive substring) and its index; matches are highlighted.
    search: search::Search,
    /// The line index of the current match.
    pub hit: Option<usize>,
}

impl Default for LogsState {
    fn default() -> Self {
        LogsState {
            stream: None,
            source: String::new(),
            lines: VecDeque::new(),
            cap: LOG_CAP,
            dropped: 0,
            follow: true,
            wrap: false,
            top: 0,
            ended: None,
            namespace: String::new(),
            pod: String::new(),
            containers: Vec::new(),
            container: 0,
            restarts: 0,
            previous: false,
            auto_previous: false,
            timestamps: false,
            since: 0,
            search: search::Search::default(),
            hit: None,
        }
    }
}

impl LogsState {
    /// Start showing a new stream (clears the buffer, keeps the settings).
    pub fn start(&mut self, stream: StreamId, source: String) {
        self.stream = Some(stream);
        self.source = source;
        self.lines.clear();
        self.dropped = 0;
        self.follow = true;
        self.top = 0;
        self.ended = None;
        self.hit = None;
        self.search.clear();
    }

    /// Stop the current stream, if any: the effect to send.
    pub fn stop(&mut self) -> Option<Effect> {
        self.stream.take().map(|stream| Effect::StopLogs { stream })
    }

    pub fn push(&mut self, stream: StreamId, lines: &[String]) {
        if self.stream != Some(stream) {
            return;
        }
        for l in lines {
            if self.lines.len() >= self.cap {
                self.lines.pop_front();
                self.search.dropped(self.dropped);
                self.dropped += 1;
                self.top = self.top.saturating_sub(1);
                self.hit = self.hit.and_then(|h| h.checked_sub(1));
            }
            let line = crate::tui::rows::sanitize(l);
            self.search
                .arrived(self.dropped + self.lines.len() as u64, &line);
            self.lines.push_back(line);
        }
    }

    /// The search text.
    pub fn search(&self) -> &str {
        self.search.text()
    }

    /// Search for `text` (case-insensitive): index every matching line once.
    fn set_search(&mut self, text: &str) {
        self.hit = None;
        self.search.set(text, &self.lines, self.dropped);
    }

    /// Is the buffered line `i` a match?
    fn hit_at(&self, i: usize) -> bool {
        self.search.is_hit(self.dropped + i as u64)
    }

    pub fn ended(&mut self, stream: StreamId, error: Option<String>) {
        if self.stream == Some(stream) {
            self.ended = Some(error);
        }
    }

    /// (Re)start the stream for the current pod, container and settings.
    fn restream(&mut self, ctx: &mut Ctx) {
        let Some(container) = self.containers.get(self.container).cloned() else {
            return;
        };
        if let Some(stop) = self.stop() {
            ctx.emit(stop);
        }
        let stream = ctx.new_stream();
        let source = format!("{}/{}:{container}", self.namespace, self.pod);
        self.start(stream, source);
        let since_seconds = SINCE[self.since].1;
        ctx.emit(Effect::StreamLogs {
            stream,
            namespace: self.namespace.clone(),
            pod: self.pod.clone(),
            container,
            follow: !self.previous,
            tail: LOG_TAIL,
            previous: self.previous,
            timestamps: self.timestamps,
            since_seconds,
        });
    }

    /// Move to the next (`forward`) or previous match, wrapping around; scrolls to it.
    fn jump(&mut self, forward: bool, page: usize) -> bool {
        let n = self.lines.len();
        if n == 0 || self.search.count() == 0 {
            return false;
        }
        let found = self.search.next(self.hit, forward, self.dropped);
        if let Some(i) = found {
            self.hit = Some(i);
            self.follow = false;
            self.top = i.saturating_sub(page / 2).min(n.saturating_sub(page));
        }
        found.is_some()
    }

    /// Number of matching lines.
    fn match_count(&self) -> usize {
        self.search.count()
    }
}

impl Pane for LogsState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Logs"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut v = vec![
            Binding::new(Key::ch('f'), FOLLOW, "follow"),
            Binding::new(Key::ch('w'), Action::WRAP, "wrap"),
            Binding::new(Key::ch('c'), CONTAINER, "container"),
            Binding::new(Key::ch('p'), PREVIOUS, "previous run"),
            Binding::new(Key::ch('t'), TIMESTAMPS, "timestamps"),
            Binding::new(Key::ch('/'), Action::FILTER, "search"),
            Binding::new(Key::ch('n'), NEXT, "next match"),
            Binding::new(Key::ch('N'), PREV, "previous match").quiet(),
            Binding::new(Key::ctrl('s'), SAVE, "save"),
            Binding::new(Key::ch('C'), CLEAR, "clear").quiet(),
        ];
        let descr = [
            "since: tail",
            "since: 1 minute",
            "since: 5 minutes",
            "since: 15 minutes",
            "since: 1 hour",
        ];
        for (i, a) in SINCE_ACTIONS.into_iter().enumerate() {
            let digit = char::from(b'0' + i as u8);
            v.push(Binding::new(Key::ch(digit), a, descr[i]).quiet());
        }
        with_navigation(v)
    }

    /// Stream the app container of the service's most interesting pod (not ready first), or
    /// the first container of a pod.
    fn on_enter(&mut self, ctx: &mut Ctx, view: &View) -> bool {
        if let ViewArg::Object(pod) = &view.arg {
            *self = LogsState {
                wrap: self.wrap,
                cap: self.cap,
                timestamps: self.timestamps,
                stream: self.stream,
                namespace: pod.namespace.clone(),
                pod: pod.name.clone(),
                restarts: pod.restarts,
                containers: pod.containers.clone(),
                ..LogsState::default()
            };
            self.restream(ctx);
            return true;
        }
        let Some(id) = view.service() else {
            return false;
        };
        let Some(cluster) = &ctx.cluster else {
            return false;
        };
        let Some(svc) = cluster.inventory.get(id) else {
            return false;
        };
        let pod = cluster
            .pods
            .get(id)
            .and_then(|pods| crate::bus::rows::interesting_pod(pods))
            .cloned();
        let Some(pod) = pod else {
            ctx.set_flash(format!("{id}: no pod to show logs for"), FlashLevel::Warn);
            return false;
        };
        let mut containers = vec![svc.container.clone()];
        if let Some(vpn) = &svc.vpn {
            containers.push(vpn.container.clone());
        }
        *self = LogsState {
            wrap: self.wrap,
            cap: self.cap,
            timestamps: self.timestamps,
            stream: self.stream,
            namespace: svc.namespace.clone(),
            pod: pod.name.clone(),
            restarts: pod.restarts,
            containers,
            ..LogsState::default()
        };
        self.restream(ctx);
        true
    }

    fn on_leave(&mut self, ctx: &mut Ctx) {
        if let Some(stop) = self.stop() {
            ctx.emit(stop);
        }
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.search.text().to_string())
    }

    fn set_filter(&mut self, ctx: &Ctx, text: &str) {
        self.set_search(text);
        self.jump(false, ctx.page());
    }

    fn on_reply(&mut self, ctx: &mut Ctx, tag: &'static str, value: String) {
        let picked = self.containers.iter().position(|c| *c == value);
        if let (CONTAINER_TAG, Some(i)) = (tag, picked) {
            self.container = i;
            self.previous = false;
            self.auto_previous = false;
            self.restream(ctx);
        }
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let page = ctx.page();
        let last_top = self.lines.len().saturating_sub(page);
        if let Some(i) = SINCE_ACTIONS.iter().position(|a| *a == action) {
            self.since = i;
            self.restream(ctx);
            return;
        }
        match action {
            FOLLOW => {
                self.follow = !self.follow;
                if !self.follow {
                    self.top = last_top;
                }
            }
            Action::WRAP => self.wrap = !self.wrap,
            CLEAR => {
                self.dropped += self.lines.len() as u64;
                self.lines.clear();
                self.search.clear();
                self.top = 0;
                self.hit = None;
            }
            CONTAINER if self.containers.len() > 1 => {
                let items = self
                    .containers
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let now = if i == self.container { "shown" } else { "" };
                        (c.clone(), now.to_string())
                    })
                    .collect();
                let mut picker = Picker::new(
                    format!("Logs of {}/{}", self.namespace, self.pod),
                    "container",
                    items,
                    ID,
                    CONTAINER_TAG,
                );
                picker.cursor = (self.container + 1) % self.containers.len();
                ctx.open_modal(Modal::Wizard(Box::new(picker)));
            }
            PREVIOUS => {
                if !self.previous && self.restarts == 0 {
                    ctx.set_flash(
                        format!("{}: no previous run (0 restarts)", self.pod),
                        FlashLevel::Warn,
                    );
                    return;
                }
                self.previous = !self.previous;
                self.auto_previous = false;
                self.restream(ctx);
            }
            TIMESTAMPS => {
                self.timestamps = !self.timestamps;
                self.restream(ctx);
            }
            NEXT | PREV if !self.jump(action == NEXT, page) => {
                ctx.set_flash("no match", FlashLevel::Warn);
            }
            SAVE => {
                let name = format!(
                    "{}_{}{}",
                    self.pod,
                    self.containers.get(self.container).map_or("", |c| c.as_str()),
                    if self.previous { "_previous" } else { "" }
                );
                ctx.emit(Effect::SaveLogs {
                    name,
                    lines: self.lines.iter().cloned().collect(),
                });
            }
            Action::UP | Action::PAGE_UP | Action::TOP => {
                let from = if self.follow { last_top } else { self.top };
                self.follow = false;
                self.top = match action {
                    Action::UP => from.saturating_sub(1),
                    Action::PAGE_UP => from.saturating_sub(page),
                    _ => 0,
                };
            }
            Action::DOWN | Action::PAGE_DOWN if !self.follow => {
                let step = if action == Action::DOWN { 1 } else { page };
                self.top = (self.top + step).min(last_top);
            }
            Action::BOTTOM => self.follow = true,
            _ => {}
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Logs { stream, lines } => self.push(*stream, lines),
            Msg::LogsEnded { stream, error } => {
                let current = self.stream == Some(*stream);
                self.ended(*stream, error.clone());
                // A crash-looping container's current run has no output yet: show the last run.
                if current
                    && error.is_none()
                    && self.lines.is_empty()
                    && !self.previous
                    && self.restarts > 0
                {
                    self.previous = true;
                    self.auto_previous = true;
                    self.restream(ctx);
                }
            }
            _ => {}
        }
    }

    fn current_service<'a>(&'a self, view: &'a View) -> Option<&'a ServiceId> {
        view.service()
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        render::render(self, f, area, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_buffer_caps_and_counts_drops() {
        let mut s = LogsState {
            cap: 3,
            ..LogsState::default()
        };
        s.start(StreamId(1), "x".into());
        s.push(StreamId(1), &(0..5).map(|i| format!("l{i}")).collect::<Vec<_>>());
        assert_eq!(s.lines, ["l2", "l3", "l4"]);
        assert_eq!(s.dropped, 2);
        s.push(StreamId(9), &["stale".into()]);
        assert_eq!(s.lines.len(), 3);
        assert_eq!(
            s.stop(),
            Some(Effect::StopLogs {
                stream: StreamId(1)
            })
        );
        assert_eq!(s.stop(), None);
    }
}
