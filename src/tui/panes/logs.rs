//! Logs pane: a capped ring buffer of lines from one container, follow (autoscroll) and wrap.
//! Entering it with a service streams the app container of the service's most interesting pod;
//! leaving it stops the stream.

use crate::model::ServiceId;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{Effect, Msg, StreamId};
use crate::tui::pane::Pane;
use crate::tui::theme::Role;
use crate::tui::view::{FlashLevel, PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::collections::VecDeque;

pub const ID: PaneId = "logs";

const FOLLOW: Action = Action::new("logs.follow");
const CLEAR: Action = Action::new("logs.clear");

pub fn pane() -> Box<dyn Pane> {
    Box::<LogsState>::default()
}

/// The logs of a service.
pub fn view(id: ServiceId) -> View {
    View::with(ID, ViewArg::Service(id))
}

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
        }
    }
}

impl LogsState {
    /// Start showing a new stream (clears the buffer).
    pub fn start(&mut self, stream: StreamId, source: String) {
        *self = LogsState {
            stream: Some(stream),
            source,
            wrap: self.wrap,
            cap: self.cap,
            ..LogsState::default()
        };
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
                self.dropped += 1;
                self.top = self.top.saturating_sub(1);
            }
            self.lines.push_back(crate::tui::rows::sanitize(l));
        }
    }

    pub fn ended(&mut self, stream: StreamId, error: Option<String>) {
        if self.stream == Some(stream) {
            self.ended = Some(error);
        }
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
        with_navigation(vec![
            Binding::new(Key::ch('f'), FOLLOW, "follow"),
            Binding::new(Key::ch('w'), Action::WRAP, "wrap"),
            Binding::new(Key::ch('C'), CLEAR, "clear"),
        ])
    }

    /// Stream the app container of the service's most interesting pod (not ready first).
    fn on_enter(&mut self, ctx: &mut Ctx, view: &View) -> bool {
        let Some(id) = view.service() else {
            return false;
        };
        let Some(cluster) = &ctx.cluster else {
            return false;
        };
        let Some(svc) = cluster.inventory.get(id) else {
            return false;
        };
        let pod = cluster.pods.get(id).and_then(|pods| {
            pods.iter()
                .min_by_key(|p| (p.is_ready(), p.name.clone()))
                .map(|p| p.name.clone())
        });
        let Some(pod) = pod else {
            ctx.set_flash(format!("{id}: no pod to show logs for"), FlashLevel::Warn);
            return false;
        };
        let (namespace, container) = (svc.namespace.clone(), svc.container.clone());
        if let Some(stop) = self.stop() {
            ctx.emit(stop);
        }
        let stream = ctx.new_stream();
        self.start(stream, format!("{namespace}/{pod}:{container}"));
        ctx.emit(Effect::StreamLogs {
            stream,
            namespace,
            pod,
            container,
            follow: true,
            tail: LOG_TAIL,
        });
        true
    }

    fn on_leave(&mut self, ctx: &mut Ctx) {
        if let Some(stop) = self.stop() {
            ctx.emit(stop);
        }
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        let page = ctx.page();
        let last_top = self.lines.len().saturating_sub(page);
        match action {
            FOLLOW => {
                self.follow = !self.follow;
                if !self.follow {
                    self.top = last_top;
                }
            }
            Action::WRAP => self.wrap = !self.wrap,
            CLEAR => {
                self.lines.clear();
                self.top = 0;
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

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Logs { stream, lines } => self.push(*stream, lines),
            Msg::LogsEnded { stream, error } => self.ended(*stream, error.clone()),
            _ => {}
        }
    }

    fn current_service<'a>(&'a self, view: &'a View) -> Option<&'a ServiceId> {
        view.service()
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let l = self;
        let mut flags = vec![
            format!("follow:{}", if l.follow { "on" } else { "off" }),
            format!("wrap:{}", if l.wrap { "on" } else { "off" }),
            format!("{}/{} lines", l.lines.len(), l.cap),
        ];
        if l.dropped > 0 {
            flags.push(format!("{} dropped", l.dropped));
        }
        match &l.ended {
            Some(Some(e)) => flags.push(format!("stream ended: {e}")),
            Some(None) => flags.push("stream ended".into()),
            None => {}
        }
        let title = Line::from(vec![
            Span::styled(format!(" logs {} ", l.source), theme.style(Role::Title)),
            Span::styled(
                format!(" {} ", flags.join(" · ")),
                theme.style(Role::LogIndicator),
            ),
        ]);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::BorderFocus))
            .title(title);
        let inner_h = usize::from(area.height.saturating_sub(2)).max(1);
        let top = if l.follow {
            l.lines.len().saturating_sub(inner_h)
        } else {
            l.top.min(l.lines.len().saturating_sub(1))
        };
        let lines: Vec<Line> = if l.lines.is_empty() {
            vec![Line::styled("waiting for log lines…", theme.style(Role::Muted))]
        } else {
            l.lines
                .iter()
                .skip(top)
                .take(inner_h)
                .map(|s| Line::styled(s.as_str(), theme.style(Role::Log)))
                .collect()
        };
        let mut p = Paragraph::new(lines).block(block);
        if l.wrap {
            p = p.wrap(Wrap { trim: false });
        }
        f.render_widget(p, area);
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
