//! Logs pane: a capped ring buffer of lines from one container, follow (autoscroll) and wrap.

use crate::tui::app::{App, FlashLevel, View};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, StreamId};
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::collections::VecDeque;

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

    pub fn push(&mut self, stream: StreamId, lines: Vec<String>) {
        if self.stream != Some(stream) {
            return;
        }
        for l in lines {
            if self.lines.len() >= self.cap {
                self.lines.pop_front();
                self.dropped += 1;
                self.top = self.top.saturating_sub(1);
            }
            self.lines.push_back(crate::tui::rows::sanitize(&l));
        }
    }

    pub fn ended(&mut self, stream: StreamId, error: Option<String>) {
        if self.stream == Some(stream) {
            self.ended = Some(error);
        }
    }
}

/// `l` on a service: stream the app container of its most interesting pod (not ready first).
pub fn open_for_current(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.current_service().cloned() else {
        return vec![];
    };
    let Some(cluster) = &app.cluster else {
        return vec![];
    };
    let Some(svc) = cluster.inventory.get(&id) else {
        return vec![];
    };
    let pod = cluster.pods.get(&id).and_then(|pods| {
        pods.iter()
            .min_by_key(|p| (p.is_ready(), p.name.clone()))
            .map(|p| p.name.clone())
    });
    let Some(pod) = pod else {
        app.set_flash(format!("{id}: no pod to show logs for"), FlashLevel::Warn);
        return vec![];
    };
    let (namespace, container) = (svc.namespace.clone(), svc.container.clone());
    let mut fx: Vec<Effect> = app.logs.stop().into_iter().collect();
    let stream = app.new_stream();
    app.logs
        .start(stream, format!("{namespace}/{pod}:{container}"));
    app.push(View::Logs);
    fx.push(Effect::StreamLogs {
        stream,
        namespace,
        pod,
        container,
        follow: true,
        tail: LOG_TAIL,
    });
    fx
}

pub fn on_action(app: &mut App, action: Action, page: usize) -> Vec<Effect> {
    let l = &mut app.logs;
    let last_top = l.lines.len().saturating_sub(page);
    match action {
        Action::ToggleFollow => {
            l.follow = !l.follow;
            if !l.follow {
                l.top = last_top;
            }
        }
        Action::ToggleWrap => l.wrap = !l.wrap,
        Action::ClearLogs => {
            l.lines.clear();
            l.top = 0;
        }
        Action::Up | Action::PageUp | Action::Top => {
            let from = if l.follow { last_top } else { l.top };
            l.follow = false;
            l.top = match action {
                Action::Up => from.saturating_sub(1),
                Action::PageUp => from.saturating_sub(page),
                _ => 0,
            };
        }
        Action::Down | Action::PageDown if !l.follow => {
            let step = if action == Action::Down { 1 } else { page };
            l.top = (l.top + step).min(last_top);
        }
        Action::Bottom => l.follow = true,
        _ => {}
    }
    vec![]
}

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let l = &app.logs;
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
        Span::styled(format!(" logs {} ", l.source), theme.style("title")),
        Span::styled(
            format!(" {} ", flags.join(" · ")),
            theme.style("log.indicator"),
        ),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("border_focus"))
        .title(title);
    let inner_h = usize::from(area.height.saturating_sub(2)).max(1);
    let top = if l.follow {
        l.lines.len().saturating_sub(inner_h)
    } else {
        l.top.min(l.lines.len().saturating_sub(1))
    };
    let lines: Vec<Line> = if l.lines.is_empty() {
        vec![Line::styled("waiting for log lines…", theme.style("muted"))]
    } else {
        l.lines
            .iter()
            .skip(top)
            .take(inner_h)
            .map(|s| Line::styled(s.as_str(), theme.style("log")))
            .collect()
    };
    let mut p = Paragraph::new(lines).block(block);
    if l.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, area);
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
        s.push(StreamId(1), (0..5).map(|i| format!("l{i}")).collect());
        assert_eq!(s.lines, ["l2", "l3", "l4"]);
        assert_eq!(s.dropped, 2);
        s.push(StreamId(9), vec!["stale".into()]);
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
