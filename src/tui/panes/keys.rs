//! Keys pane (`:keys`): per app, where its API key lives, what the app says to it (valid,
//! rejected, unreachable, wrong URL base) and how the cluster Secret's copy compares (in sync,
//! differs, missing, empty). No value is ever shown. `S` syncs the Secret after a dialog that
//! lists, per key, what will be written and what stays untouched.

use crate::keys::{KeyDriftState, KeyVerdict};
use crate::tui::ctx::Ctx;
use super::integrations::ON_DEMAND_STALE;
use super::listing::{Listing, TableCtx};
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::modal::{Confirm, Modal, Reply};
use crate::tui::msg::{Msg, TaskId, TaskRequest};
use crate::tui::pane::{CommandSpec, Pane};
use crate::tui::rows::{sanitize, Cell as VCell, Tone};
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{FlashLevel, PaneId, View};
use crate::tui::widgets::table::{self, haystack, Column, TableRow, TableState};
use std::borrow::Cow;
use crate::tui::views::{KeyRow, KeysView};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub const ID: PaneId = "keys";

const SYNC_KEYS: Action = Action::new("keys.sync");

pub fn pane() -> Box<dyn Pane> {
    Box::<KeysState>::default()
}

impl TableRow for KeyRow {
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.service.as_str())
    }
    fn haystack(&self) -> Cow<'_, str> {
        let verdict = row_verdict_cell(self).text;
        let location = location_cell(self).text;
        let drift = drift_cell(self).text;
        Cow::Owned(haystack([self.kind.display(), &location, &verdict, &drift]))
    }
}

fn location_cell(r: &KeyRow) -> VCell {
    match &r.location {
        Ok(l) => VCell::new(l.as_str(), Tone::Normal),
        Err(e) => VCell::new(format!("not found: {}", short_reason(e)), Tone::Warn),
    }
}

/// The root cause of an error chain (`read …: exec …: No such file or directory (os error 2)`
/// → `No such file or directory`); the detail box keeps the whole text.
pub fn short_reason(e: &str) -> String {
    let root = e.rsplit(": ").next().unwrap_or(e).trim();
    let root = match root.find(" (os error") {
        Some(i) => &root[..i],
        None => root,
    };
    root.to_string()
}

type C = Column<KeyRow>;

static COLUMNS: &[C] = &[
    C::new("APP", |r, _| r.kind.display().into()).sort('N', |a, b| {
        a.kind.display().cmp(b.kind.display())
    }),
    C::new("LOCATION", |r, _| location_cell(r).into())
        .min(16)
        .priority(2),
    C::new("VERDICT", |r, _| row_verdict_cell(r).into())
        .sort('V', |a, b| verdict_rank(a).cmp(&verdict_rank(b))),
    C::new("SECRET DRIFT", |r, _| drift_cell(r).into())
        .min(16)
        .priority(1)
        .sort('D', |a, b| drift_rank(a).cmp(&drift_rank(b))),
];

/// Sorting by verdict: the problems first.
fn verdict_rank(r: &KeyRow) -> u8 {
    match &r.verdict {
        Some(KeyVerdict::Rejected { .. }) => 0,
        Some(KeyVerdict::Unreachable { .. }) => 1,
        Some(KeyVerdict::WrongUrlBase { .. }) => 2,
        Some(KeyVerdict::Inconclusive { .. }) => 3,
        None => 4,
        Some(KeyVerdict::Valid) => 5,
    }
}

/// Sorting by drift: what a sync would write first.
fn drift_rank(r: &KeyRow) -> u8 {
    match r.drift.as_ref().map(|d| &d.state) {
        Some(s) if s.needs_write() => 0,
        Some(KeyDriftState::AppKeyUnknown { .. }) => 1,
        Some(_) => 2,
        None => 3,
    }
}

#[derive(Debug, Clone, Default)]
pub struct KeysState {
    pub view: Option<KeysView>,
    /// The key table: cursor by service id, filter, sort.
    pub table: TableState,
    /// The check task in flight.
    pub pending: Option<TaskId>,
}

impl KeysState {
    pub fn set_view(&mut self, view: KeysView) {
        self.table.sync(COLUMNS, &view.rows);
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

impl KeysState {
    /// Check every key (unless a check is running). Entering the pane does this.
    fn request_check(&mut self, ctx: &mut Ctx) {
        if self.pending.is_none() {
            self.pending = ctx.start_task(TaskRequest::CheckKeys);
        }
    }
}

impl Pane for KeysState {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Keys"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut own = vec![
            Binding::new(Key::ch('S'), SYNC_KEYS, "sync keys").mutating(),
            Binding::new(Key::ch('r'), Action::RELOAD, "re-check"),
            Binding::new(Key::ch('/'), Action::FILTER, "filter"),
        ];
        own.extend(Listing::<KeyRow>::bindings(COLUMNS));
        own
    }

    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["keys", "key", "apikeys"],
            "API keys: verdicts and Secret drift",
        )]
    }

    fn on_enter(&mut self, ctx: &mut Ctx, _view: &View) -> bool {
        self.request_check(ctx);
        true
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            SYNC_KEYS => confirm_sync(ctx, self.view.as_ref()),
            Action::RELOAD => {
                if self.pending.is_some() {
                    ctx.set_flash("a key check is already running", FlashLevel::Info);
                } else {
                    self.request_check(ctx);
                }
            }
            _ => {
                let rows = self.view.as_ref().map_or(&[][..], |v| &v.rows[..]);
                match action.sort_key() {
                    Some(key) => self.table.sort_by_key(key, COLUMNS, rows),
                    None => self.table.on_action(action, rows),
                };
            }
        }
    }

    fn filter_text(&self) -> Option<String> {
        Some(self.table.filter_text().to_string())
    }

    fn set_filter(&mut self, _ctx: &Ctx, text: &str) {
        let rows = self.view.as_ref().map_or(&[][..], |v| &v.rows[..]);
        self.table.set_filter(text, COLUMNS, rows);
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Keys(view) => self.set_view((**view).clone()),
            Msg::TaskDone { id, .. } => self.task_done(*id),
            _ => {}
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        render(self, f, area, ctx);
    }
}

/// What a sync does to one key: `SONARR_API_KEY: differs → will be updated`.
pub fn sync_line(state: &KeyDriftState) -> (&'static str, Role) {
    match state {
        KeyDriftState::Differs => ("will be updated", Role::Warn),
        KeyDriftState::MissingInSecret => ("will be added", Role::Warn),
        KeyDriftState::EmptyInSecret => ("will be filled", Role::Warn),
        KeyDriftState::InSync | KeyDriftState::AppKeyUnknown { .. } => {
            ("untouched", Role::Muted)
        }
    }
}

/// `S`: the confirm dialog with the masked per-key diff.
fn confirm_sync(ctx: &mut Ctx, view: Option<&KeysView>) {
    if ctx.readonly() {
        ctx.set_flash("read-only mode: key sync is disabled", FlashLevel::Warn);
        return;
    }
    let Some(view) = view else {
        ctx.set_flash("keys not checked yet (r checks)", FlashLevel::Warn);
        return;
    };
    let n = view.writes();
    if n == 0 {
        ctx.set_flash(
            format!(
                "{}: every known key is in sync, nothing to write",
                view.secret
            ),
            FlashLevel::Info,
        );
        return;
    }
    let mut lines = vec![(
        format!(
            "Write {n} key(s) into Secret {}; every other key stays as it is.",
            view.secret
        ),
        Role::Base,
    )];
    if !view.secret_exists {
        lines.push((
            format!(
                "{} does not exist: it is created with these keys.",
                view.secret
            ),
            Role::Warn,
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
        Role::Muted,
    ));
    ctx.open_modal(Modal::Confirm(Confirm::new(
        "Sync API keys",
        lines,
        format!("Write {n} key{}", if n == 1 { "" } else { "s" }),
        Reply::Task(TaskRequest::SyncKeys),
    )));
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

/// Whose key the verdict is about: the key Secret's copy, or the console's own (config, or a
/// key created for the app) when the Secret holds none.
pub fn whose_key(r: &KeyRow) -> &'static str {
    match r.drift.as_ref().map(|d| &d.state) {
        Some(KeyDriftState::MissingInSecret | KeyDriftState::EmptyInSecret) | None => {
            "console's key"
        }
        Some(_) => "Secret's key",
    }
}

/// VERDICT cell of a row: a rejection says whose key was rejected, as the `keys` table does.
pub fn row_verdict_cell(r: &KeyRow) -> VCell {
    let cell = verdict_cell(r.verdict.as_ref());
    match r.verdict {
        Some(KeyVerdict::Rejected { .. }) => {
            VCell::new(format!("{} rejected", whose_key(r)), cell.tone)
        }
        _ => cell,
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
    let kv = |k: &str, v: String, role: Role| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), theme.style(Role::Muted)),
            Span::styled(sanitize(&v), theme.style(role)),
        ])
    };
    let mut out = vec![kv(
        "service",
        format!("{} ({})", r.service, r.kind.display()),
        Role::Base,
    )];
    out.push(match &r.location {
        Ok(l) => kv("key file", l.clone(), Role::Base),
        Err(e) => kv("key file", format!("not found: {e}"), Role::Warn),
    });
    let verdict = match &r.verdict {
        None => "not verified (no key to try)".to_string(),
        Some(KeyVerdict::Valid) => "the app accepted the key".into(),
        Some(KeyVerdict::Rejected { detail }) => {
            format!("the app rejected the {}: {detail}", whose_key(r))
        }
        Some(KeyVerdict::Unreachable { detail }) => format!("unreachable: {detail}"),
        Some(KeyVerdict::WrongUrlBase { location }) => {
            format!("wrong URL base: the app redirected to {location}")
        }
        Some(KeyVerdict::Inconclusive { detail }) => format!("inconclusive: {detail}"),
    };
    let vc = verdict_cell(r.verdict.as_ref());
    out.push(kv("verdict", verdict, vc.tone.into()));
    if let Some(d) = &r.drift {
        let (what, _) = sync_line(&d.state);
        let mut text = format!("{}: {} → on sync {what}", d.secret_key, d.state.label());
        if let KeyDriftState::AppKeyUnknown { why } = &d.state {
            text.push_str(&format!(" ({why})"));
        }
        out.push(kv("secret", text, drift_cell(r).tone.into()));
    }
    out
}

fn render(st: &KeysState, f: &mut Frame, area: Rect, app: &Ctx) {
    let theme = &app.theme;
    let rows = st.rows();
    let detail_h = if st.view.is_some() && area.height >= 14 {
        6
    } else {
        0
    };
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_h)]).areas(area);
    let mut tctx = TableCtx::new("Keys", theme, app.now)
        .empty("no app with an API key was discovered")
        .refreshing(st.pending.is_some() && st.view.is_some());
    match &st.view {
        None => {
            tctx = tctx.loading(if st.pending.is_some() {
                "checking keys: reading config files and asking each app…"
            } else {
                "keys not checked yet (r checks)"
            });
        }
        Some(view) => {
            let writes = view.writes();
            let role = if writes > 0 { Role::Warn } else { Role::Ok };
            tctx = tctx
                .scope(&view.secret)
                .checked(Some(view.fetched_at))
                .stale_after(ON_DEMAND_STALE.0, ON_DEMAND_STALE.1)
                .error(view.error.as_deref())
                .note(format!("{writes} to sync"), role);
        }
    }
    table::render(f, table_area, COLUMNS, rows, &st.table, &tctx);

    if detail_h > 0 {
        let lines = match st.table.selected_row(rows) {
            Some(r) => detail_lines(r, theme),
            None => vec![Line::styled("no apps with keys", theme.style(Role::Muted))],
        };
        let title = Line::styled(" selected ", theme.style(Role::Title));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::BorderFocus))
            .title(title);
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block),
            detail_area,
        );
    }
}

#[cfg(test)]
mod tests {
    /// Issue 7: a location that could not be read shows a short reason, not the error chain.
    #[test]
    fn an_unreadable_location_says_its_root_cause_only() {
        assert_eq!(
            super::short_reason(
                "node:/mnt/data/configs/sonarr/config.xml: exec in pod failed: No such file or directory (os error 2)"
            ),
            "No such file or directory"
        );
        assert_eq!(
            super::short_reason("settings.json not readable on this node"),
            "settings.json not readable on this node"
        );
    }
}
