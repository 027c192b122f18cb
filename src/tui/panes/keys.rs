//! Keys pane (`:keys`): per app, where its API key lives, what the app says to it (valid,
//! rejected, unreachable, wrong URL base) and how the cluster Secret's copy compares (in sync,
//! differs, missing, empty). No value is ever shown. `S` syncs the Secret after a dialog that
//! lists, per key, what will be written and what stays untouched.

use super::confirm::Confirm;
use super::integrations::started;
use crate::keys::{KeyDriftState, KeyVerdict};
use crate::tui::app::{App, Cursor, FlashLevel};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, TaskId, TaskRequest};
use crate::tui::rows::{age, sanitize, Cell as VCell, Tone};
use crate::tui::theme::Theme;
use crate::tui::views::{KeyRow, KeysView};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Default)]
pub struct KeysState {
    pub view: Option<KeysView>,
    pub cursor: Cursor,
    /// The check task in flight.
    pub pending: Option<TaskId>,
}

impl KeysState {
    pub fn set_view(&mut self, view: KeysView) {
        self.cursor.index = self.cursor.index.min(view.rows.len().saturating_sub(1));
        self.view = Some(view);
    }

    pub fn rows(&self) -> &[KeyRow] {
        self.view.as_ref().map_or(&[], |v| v.rows.as_slice())
    }

    pub fn task_done(&mut self, id: TaskId) {
        if self.pending == Some(id) {
            self.pending = None;
        }
    }
}

/// Check every key (unless a check is running). Entering the pane does this.
pub fn request_check(app: &mut App) -> Vec<Effect> {
    if app.keys.pending.is_some() {
        return vec![];
    }
    let fx = app.start_task(TaskRequest::CheckKeys);
    app.keys.pending = started(&fx);
    fx
}

pub fn on_action(app: &mut App, action: Action, page: usize) -> Vec<Effect> {
    match action {
        Action::SyncKeys => confirm_sync(app),
        Action::Reload => {
            if app.keys.pending.is_some() {
                app.set_flash("a key check is already running", FlashLevel::Info);
                return vec![];
            }
            request_check(app)
        }
        _ => {
            let len = app.keys.rows().len();
            app.keys.cursor.apply(action, len, page);
            vec![]
        }
    }
}

/// What a sync does to one key: `SONARR_API_KEY: differs → will be updated`.
pub fn sync_line(state: &KeyDriftState) -> (&'static str, &'static str) {
    match state {
        KeyDriftState::Differs => ("will be updated", "warn"),
        KeyDriftState::MissingInSecret => ("will be added", "warn"),
        KeyDriftState::EmptyInSecret => ("will be filled", "warn"),
        KeyDriftState::InSync | KeyDriftState::AppKeyUnknown { .. } => ("untouched", "muted"),
    }
}

/// `S`: the confirm dialog with the masked per-key diff.
pub fn confirm_sync(app: &mut App) -> Vec<Effect> {
    if app.readonly() {
        app.set_flash("read-only mode: key sync is disabled", FlashLevel::Warn);
        return vec![];
    }
    let Some(view) = &app.keys.view else {
        app.set_flash("keys not checked yet (r checks)", FlashLevel::Warn);
        return vec![];
    };
    let n = view.writes();
    if n == 0 {
        app.set_flash(
            format!(
                "{}: every known key is in sync, nothing to write",
                view.secret
            ),
            FlashLevel::Info,
        );
        return vec![];
    }
    let mut lines = vec![(
        format!(
            "Write {n} key(s) into Secret {}; every other key stays as it is.",
            view.secret
        ),
        "base",
    )];
    if !view.secret_exists {
        lines.push((
            format!(
                "{} does not exist: it is created with these keys.",
                view.secret
            ),
            "warn",
        ));
    }
    for d in view.rows.iter().filter_map(|r| r.drift.as_ref()) {
        let (what, role) = sync_line(&d.state);
        lines.push((
            format!("{}: {} → {what}", d.secret_key, d.state.label()),
            role,
        ));
    }
    lines.push((
        "Values stay masked; `k8s-nas keys --show` prints them.".into(),
        "muted",
    ));
    app.confirm = Some(Confirm::new(
        "Sync API keys",
        lines,
        format!("Write {n} key{}", if n == 1 { "" } else { "s" }),
        TaskRequest::SyncKeys,
    ));
    vec![]
}

/// VERDICT cell.
pub fn verdict_cell(v: Option<&KeyVerdict>) -> VCell {
    match v {
        None => VCell::new("not checked", Tone::Muted),
        Some(v) => {
            let tone = match v {
                KeyVerdict::Valid => Tone::Ok,
                KeyVerdict::Rejected { .. } | KeyVerdict::Unreachable { .. } => Tone::Error,
                KeyVerdict::WrongUrlBase { .. } => Tone::Warn,
                KeyVerdict::Inconclusive { .. } => Tone::Muted,
            };
            VCell::new(v.label(), tone)
        }
    }
}

/// SECRET DRIFT cell: `SONARR_API_KEY differs`.
pub fn drift_cell(r: &KeyRow) -> VCell {
    let Some(d) = &r.drift else {
        return VCell::new("— (no key in the Secret)", Tone::Muted);
    };
    let tone = match d.state {
        KeyDriftState::InSync => Tone::Ok,
        KeyDriftState::AppKeyUnknown { .. } => Tone::Muted,
        _ => Tone::Error,
    };
    VCell::new(format!("{} {}", d.secret_key, d.state.label()), tone)
}

fn detail_lines<'a>(r: &KeyRow, theme: &Theme) -> Vec<Line<'a>> {
    let kv = |k: &str, v: String, role: &str| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), theme.style("muted")),
            Span::styled(sanitize(&v), theme.style(role)),
        ])
    };
    let mut out = vec![kv(
        "service",
        format!("{} ({})", r.service, r.kind.display()),
        "base",
    )];
    out.push(match &r.location {
        Ok(l) => kv("key file", l.clone(), "base"),
        Err(e) => kv("key file", format!("not found: {e}"), "warn"),
    });
    let verdict = match &r.verdict {
        None => "not verified (no key to try)".to_string(),
        Some(KeyVerdict::Valid) => "the app accepted the key".into(),
        Some(KeyVerdict::Rejected { detail }) => format!("rejected: {detail}"),
        Some(KeyVerdict::Unreachable { detail }) => format!("unreachable: {detail}"),
        Some(KeyVerdict::WrongUrlBase { location }) => {
            format!("wrong URL base: the app redirected to {location}")
        }
        Some(KeyVerdict::Inconclusive { detail }) => format!("inconclusive: {detail}"),
    };
    let vc = verdict_cell(r.verdict.as_ref());
    out.push(kv("verdict", verdict, vc.tone.role()));
    if let Some(d) = &r.drift {
        let (what, _) = sync_line(&d.state);
        let mut text = format!("{}: {} → on sync {what}", d.secret_key, d.state.label());
        if let KeyDriftState::AppKeyUnknown { why } = &d.state {
            text.push_str(&format!(" ({why})"));
        }
        out.push(kv("secret", text, drift_cell(r).tone.role()));
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let st = &app.keys;
    let block = |title: Line<'static>| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style("border_focus"))
            .title(title)
    };
    let Some(view) = &st.view else {
        let text = if st.pending.is_some() {
            "  checking keys: reading config files and asking each app…"
        } else {
            "  keys not checked yet (r checks)"
        };
        let title = Line::styled(" Keys ", theme.style("title"));
        f.render_widget(
            Paragraph::new(Line::styled(text, theme.style("muted"))).block(block(title)),
            area,
        );
        return;
    };
    let detail_h = if area.height >= 14 { 6 } else { 0 };
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_h)]).areas(area);

    let mut title = vec![
        Span::styled(
            format!(" Keys({})[{}] ", view.secret, view.rows.len()),
            theme.style("title"),
        ),
        Span::styled(
            format!("· {} to sync ", view.writes()),
            theme.style(if view.writes() > 0 { "warn" } else { "ok" }),
        ),
        Span::styled(
            format!("· checked {} ago ", age(Some(view.fetched_at), app.now)),
            theme.style("muted"),
        ),
    ];
    if st.pending.is_some() {
        title.push(Span::styled("· re-checking… ", theme.style("accent")));
    }
    if let Some(e) = &view.error {
        title.push(Span::styled(
            format!("· last check failed: {} ", sanitize(e)),
            theme.style("error"),
        ));
    }
    let height = usize::from(table_area.height.saturating_sub(3));
    let off = st.cursor.window(view.rows.len(), height);
    let cells: Vec<[VCell; 4]> = view
        .rows
        .iter()
        .map(|r| {
            let loc = match &r.location {
                Ok(l) => VCell::new(sanitize(l), Tone::Normal),
                Err(e) => VCell::new(format!("not found: {}", sanitize(e)), Tone::Warn),
            };
            [
                VCell::new(r.kind.display(), Tone::Normal),
                loc,
                verdict_cell(r.verdict.as_ref()),
                drift_cell(r),
            ]
        })
        .collect();
    let w = |i: usize, head: &str| {
        cells
            .iter()
            .map(|c| c[i].text.width())
            .max()
            .unwrap_or(0)
            .max(head.width()) as u16
    };
    let widths = [
        Constraint::Length(w(0, "APP")),
        Constraint::Fill(1),
        Constraint::Length(w(2, "VERDICT")),
        Constraint::Length(w(3, "SECRET DRIFT")),
    ];
    let rows: Vec<Row> = cells
        .into_iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(i, c)| {
            let cursor = i == st.cursor.index;
            Row::new(c.into_iter().map(|cell| {
                let style = if cursor {
                    theme.style("table.cursor")
                } else {
                    theme.style(cell.tone.role())
                };
                ratatui::widgets::Cell::from(cell.text).style(style)
            }))
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(
            Row::new(["APP", "LOCATION", "VERDICT", "SECRET DRIFT"])
                .style(theme.style("table.header")),
        )
        .block(block(Line::from(title)));
    f.render_widget(table, table_area);

    if detail_h > 0 {
        let lines = match view.rows.get(st.cursor.index) {
            Some(r) => detail_lines(r, theme),
            None => vec![Line::styled("no apps with keys", theme.style("muted"))],
        };
        let title = Line::styled(" selected ", theme.style("title"));
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block(title)),
            detail_area,
        );
    }
}
