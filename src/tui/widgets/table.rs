//! The resource table: one widget for every table pane (Services, Findings, Tasks, Integrations,
//! Keys, and the panes to come). A new table pane is a row type and its columns:
//!
//! ```text
//! impl TableRow for PodRow {
//!     fn id(&self) -> Cow<'_, str> { Cow::Borrowed(&self.name) }
//!     fn haystack(&self) -> Cow<'_, str> { Cow::Borrowed(&self.haystack) }
//! }
//! type C = Column<PodRow>; // names the row type for the closures below
//! static COLUMNS: &[C] = &[
//!     C::new("NAME", |r, _| r.name.as_str().into()).min(10).sort('N', |a, b| a.name.cmp(&b.name)),
//!     C::number("RESTARTS", |r, _| r.restarts.to_string().into()).priority(2),
//!     C::new("AGE", |r, ctx| age(r.started, ctx.now).into())
//!         .whole()
//!         .sort('A', |a, b| b.started.cmp(&a.started)),
//! ];
//! // data changed:         state.sync(COLUMNS, &rows);
//! // `/` filter:           state.set_filter(text, COLUMNS, &rows);
//! // shift+letter:         state.sort_by_key(key, COLUMNS, &rows);
//! // navigation:           state.on_action(action, &rows);
//! // draw:                 render(f, area, COLUMNS, &rows, &state, &Ctx::new("Pods", theme, now));
//! ```
//!
//! - **Columns** ([`Column`]) are fitted to the visible rows: each as wide as its widest visible
//!   cell (header and sort arrow included), capped by its `max`. When the table does not fit,
//!   text columns that declare a `min` are cut with `…` down to it (least important first), as
//!   long as that makes every column fit; otherwise whole columns drop, highest `priority`
//!   number first (ties: the rightmost), and the rest get their width back. Priority
//!   [`ESSENTIAL`] (0) never drops; numbers ([`Column::number`], [`Column::whole`]) are never cut.
//! - **Windowed**: only the rows that fit are formatted each frame, so 2,000 rows cost what 40 do.
//! - **State** ([`TableState`]): cursor kept by row id across refreshes, filtering and sorting
//!   (the same index when the row vanished); the remembered window; the `/` filter (the shared
//!   [`crate::bus::filter::Filter`]: regex or substring, `!` negates); sort by column (k9s: a
//!   shift+letter per column toggles ascending/descending, an arrow ↑/↓ marks the header;
//!   stable; default order is the pane's).
//! - **States** in the body: loading (no data yet), error (message; with rows, the rows stay and
//!   the title carries the error), empty, no match; the shared title
//!   ` Title(scope)[shown/total] </filter> · last checked 12s ago ` turns amber / red when stale.
//!
//! Pure: no I/O and no clock reads; time comes in [`Ctx::now`].

mod fit;
mod render;
mod state;

pub use fit::{ellipsize, fit_widths, Fit};
pub use render::{render, title_spans};
pub use state::{SortBy, TableState};

use crate::bus::rows::{Cell, Tone};
use crate::tui::theme::{Role, Theme};
use jiff::Timestamp;
use std::borrow::Cow;
use std::cmp::Ordering;

/// A column priority that never drops.
pub const ESSENTIAL: u8 = 0;

/// A row of a table pane.
pub trait TableRow {
    /// Stable identity, kept by the cursor across refreshes (`media/sonarr`, an edge id, …).
    fn id(&self) -> Cow<'_, str>;
    /// Lower-cased text the `/` filter matches, one column per line so `^`/`$` anchor per
    /// column ([`haystack`] builds it).
    fn haystack(&self) -> Cow<'_, str>;
    /// Theme role of the whole row (cells with their own role keep it, except under the cursor).
    fn role(&self) -> Role {
        Role::Base
    }
}

/// Build a [`TableRow::haystack`]: the parts lower-cased, one per line.
pub fn haystack<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&p.to_lowercase());
    }
    out
}

/// What a column shows for one row: text, and a theme role (`None`: the row's style).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CellText {
    pub text: String,
    pub role: Option<Role>,
}

impl CellText {
    /// Text in the row's style. Control characters from outside (an app's health message, an
    /// Event) are shown escaped ([`crate::bounds::sanitize`]).
    pub fn plain(text: impl Into<String>) -> CellText {
        CellText {
            text: clean(text.into()),
            role: None,
        }
    }

    /// Text in its own theme role (`"ok"`, `"accent"` …), sanitised like [`CellText::plain`].
    pub fn styled(text: impl Into<String>, role: Role) -> CellText {
        CellText {
            text: clean(text.into()),
            role: Some(role),
        }
    }

    /// Text in the role of a [`Tone`]; [`Tone::Normal`] keeps the row's style.
    pub fn tone(text: impl Into<String>, tone: Tone) -> CellText {
        match tone {
            Tone::Normal => CellText::plain(text),
            t => CellText::styled(text, t.into()),
        }
    }
}

fn clean(text: String) -> String {
    match crate::bounds::sanitize(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(s) => s,
    }
}

impl From<String> for CellText {
    fn from(text: String) -> CellText {
        CellText::plain(text)
    }
}

impl From<&str> for CellText {
    fn from(text: &str) -> CellText {
        CellText::plain(text)
    }
}

impl From<Cell> for CellText {
    fn from(c: Cell) -> CellText {
        CellText::tone(c.text, c.tone)
    }
}

impl From<&Cell> for CellText {
    fn from(c: &Cell) -> CellText {
        CellText::tone(c.text.clone(), c.tone)
    }
}

/// Sorting by a column: the key that toggles it (k9s style shift+letter, e.g. `'N'`) and the
/// ascending order of two rows.
pub struct Sort<R> {
    pub key: char,
    pub cmp: fn(&R, &R) -> Ordering,
}

impl<R> Clone for Sort<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Sort<R> {}

/// One column of a table pane. Built with `const` methods, so a pane's columns can be a
/// `static` slice.
pub struct Column<R> {
    pub title: &'static str,
    /// Which columns drop first when the table is too narrow: the highest number first;
    /// [`ESSENTIAL`] (0) never drops.
    pub priority: u8,
    /// Floor down to which a text column may be cut with `…` when the table is too narrow
    /// (0: never cut; shown whole or dropped).
    pub min: u16,
    /// Cap on the fitted width of a text column (0: none).
    pub max: u16,
    /// Never cut (numbers, ages): shown whole or dropped as a whole.
    pub whole: bool,
    pub right: bool,
    pub cell: fn(&R, &Ctx<'_>) -> CellText,
    pub sort: Option<Sort<R>>,
}

impl<R> Clone for Column<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Column<R> {}

impl<R> Column<R> {
    /// A text column: essential, never cut unless given a [`Column::min`].
    pub const fn new(title: &'static str, cell: fn(&R, &Ctx<'_>) -> CellText) -> Column<R> {
        Column {
            title,
            priority: ESSENTIAL,
            min: 0,
            max: 0,
            whole: false,
            right: false,
            cell,
            sort: None,
        }
    }

    /// A number column: never cut, right-aligned.
    pub const fn number(title: &'static str, cell: fn(&R, &Ctx<'_>) -> CellText) -> Column<R> {
        Column::new(title, cell).whole().right()
    }

    pub const fn priority(mut self, priority: u8) -> Column<R> {
        self.priority = priority;
        self
    }

    pub const fn min(mut self, min: u16) -> Column<R> {
        self.min = min;
        self
    }

    pub const fn max(mut self, max: u16) -> Column<R> {
        self.max = max;
        self
    }

    pub const fn whole(mut self) -> Column<R> {
        self.whole = true;
        self
    }

    pub const fn right(mut self) -> Column<R> {
        self.right = true;
        self
    }

    /// Sortable by `key` (shift+letter by convention); `cmp` is the ascending order.
    pub const fn sort(mut self, key: char, cmp: fn(&R, &R) -> Ordering) -> Column<R> {
        self.sort = Some(Sort { key, cmp });
        self
    }
}

/// A sort key a pane offers, for the key map and `?` help: `N` → sort by `NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortBinding {
    pub key: char,
    pub column: &'static str,
}

impl SortBinding {
    /// `sort by NAME`.
    pub fn description(&self) -> String {
        format!("sort by {}", self.column)
    }
}

/// The sort keys of a set of columns, in column order.
pub fn sort_bindings<R>(columns: &[Column<R>]) -> Vec<SortBinding> {
    columns
        .iter()
        .filter_map(|c| {
            c.sort.map(|s| SortBinding {
                key: s.key,
                column: c.title,
            })
        })
        .collect()
}

/// Everything a frame of the table needs besides its rows and state: the clock, the theme, the
/// title and what is known about the data (loading, error, time of the last check). The cell
/// functions receive it too (for ages).
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    pub now: Timestamp,
    pub title: &'a str,
    /// `(media,qbittorrent)` after the title.
    pub scope: Option<&'a str>,
    /// When the data was last fetched: the title says "last checked 12s ago", amber / red after
    /// `stale_after` seconds.
    pub checked: Option<Timestamp>,
    /// `(amber, red)` ages in seconds of [`Ctx::checked`].
    pub stale_after: (i64, i64),
    /// No data yet: the body shows this text (when there are no rows).
    pub loading: Option<&'a str>,
    /// A fetch is running: a marker in the title.
    pub refreshing: bool,
    /// The last fetch failed: the message fills the body when there are no rows; with rows the
    /// rows stay (last good data) and the title carries the error.
    pub error: Option<&'a str>,
    /// Body text when there are no rows at all.
    pub empty: &'a str,
    /// Extra title parts after the standard ones, each with its theme role (`· 2 to sync`).
    pub notes: Vec<(String, Role)>,
}

impl<'a> Ctx<'a> {
    pub fn new(title: &'a str, theme: &'a Theme, now: Timestamp) -> Ctx<'a> {
        Ctx {
            theme,
            now,
            title,
            scope: None,
            checked: None,
            // The same rule as the DATA AGE cell: amber past the default budget, red past 3×.
            stale_after: {
                let s = crate::checks::health::Budget::default().stale_after_secs;
                (s, s.saturating_mul(3))
            },
            loading: None,
            refreshing: false,
            error: None,
            empty: "no rows",
            notes: Vec::new(),
        }
    }

    pub fn scope(mut self, scope: &'a str) -> Ctx<'a> {
        self.scope = Some(scope);
        self
    }

    pub fn checked(mut self, at: Option<Timestamp>) -> Ctx<'a> {
        self.checked = at;
        self
    }

    pub fn stale_after(mut self, amber_secs: i64, red_secs: i64) -> Ctx<'a> {
        self.stale_after = (amber_secs, red_secs);
        self
    }

    pub fn loading(mut self, text: &'a str) -> Ctx<'a> {
        self.loading = Some(text);
        self
    }

    /// [`Ctx::loading`] with `text` until the pane has its first data (`ready`).
    pub fn loading_unless(self, ready: bool, text: &'a str) -> Ctx<'a> {
        if ready {
            self
        } else {
            self.loading(text)
        }
    }

    pub fn refreshing(mut self, yes: bool) -> Ctx<'a> {
        self.refreshing = yes;
        self
    }

    pub fn error(mut self, message: Option<&'a str>) -> Ctx<'a> {
        self.error = message;
        self
    }

    pub fn empty(mut self, text: &'a str) -> Ctx<'a> {
        self.empty = text;
        self
    }

    pub fn note(mut self, text: impl Into<String>, role: Role) -> Ctx<'a> {
        self.notes.push((text.into(), role));
        self
    }

    /// How stale the data is: `None` fresh (or unknown), else the role to paint the age in.
    pub fn staleness(&self) -> Option<Role> {
        let at = self.checked?;
        let secs = self.now.as_second() - at.as_second();
        if secs >= self.stale_after.1 {
            Some(Role::Error)
        } else if secs >= self.stale_after.0 {
            Some(Role::Warn)
        } else {
            None
        }
    }
}
