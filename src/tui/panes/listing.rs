//! A table pane's table: its rows, the resource table widget's state, and its static columns,
//! with the navigation, sort and filter plumbing every table pane shares. A new table pane is a
//! row type ([`TableRow`]) and its columns; this does the rest: [`listing_filter!`] gives its
//! `impl Pane` the `/` filter, [`Listing::bindings_with`] its keys, [`Listing::navigate`] the
//! fall-through of its `on_action`, and [`Listing::render_with_detail`] the table with the
//! selected row's detail box below.

use crate::model::Finding;
use crate::tui::keymap::{navigation, sort_keys, Action, Binding, Key};
use crate::tui::widgets::detail;
use crate::tui::widgets::table::{self, sort_bindings, Column, TableRow, TableState};
use ratatui::layout::Rect;
use ratatui::Frame;

pub use crate::tui::widgets::table::Ctx as TableCtx;

/// The `/` filter of a table pane is its listing's: `listing_filter!(list);` inside its
/// `impl Pane` defines [`crate::tui::pane::Pane::filter_text`] and
/// [`crate::tui::pane::Pane::set_filter`] on the field `list` (a [`Listing`]).
macro_rules! listing_filter {
    ($field:ident) => {
        fn filter_text(&self) -> Option<String> {
            Some(self.$field.filter_text())
        }

        fn set_filter(&mut self, _ctx: &$crate::tui::ctx::Ctx, text: &str) {
            self.$field.set_filter(text);
        }
    };
}
pub(crate) use listing_filter;

pub struct Listing<R: 'static> {
    pub rows: Vec<R>,
    pub table: TableState,
    columns: &'static [Column<R>],
    /// Rows were set at least once (before: the table says it is loading).
    received: bool,
}

impl<R: TableRow> Listing<R> {
    pub fn new(columns: &'static [Column<R>]) -> Listing<R> {
        Listing {
            rows: Vec::new(),
            table: TableState::default(),
            columns,
            received: false,
        }
    }

    /// Replace the rows; the cursor stays on its row (by id), filter and sort apply.
    pub fn set_rows(&mut self, rows: Vec<R>) {
        self.received = true;
        self.rows = rows;
        self.table.sync(self.columns, &self.rows);
    }

    /// Navigation keys and the columns' sort keys (shift+letter, in `?` help).
    pub fn bindings(columns: &[Column<R>]) -> Vec<Binding> {
        let mut out = navigation();
        out.extend(sort_keys(&sort_bindings(columns)));
        out
    }

    /// The pane's own bindings, then `/` filter, then [`Listing::bindings`] (the order of the
    /// hint bar and `?` help).
    pub fn bindings_with(mut own: Vec<Binding>, columns: &[Column<R>]) -> Vec<Binding> {
        own.push(Binding::new(Key::ch('/'), Action::FILTER, "filter"));
        own.extend(Listing::bindings(columns));
        own
    }

    /// [`Listing::on_action`] for a pane's fall-through arm: an action the table does not know
    /// is ignored.
    pub fn navigate(&mut self, action: Action) {
        self.on_action(action);
    }

    /// Move the cursor or sort; `false` for any other action.
    pub fn on_action(&mut self, action: Action) -> bool {
        match action.sort_key() {
            Some(key) => self.table.sort_by_key(key, self.columns, &self.rows),
            None => self.table.on_action(action, &self.rows),
        }
    }

    /// The `/` filter text (empty: none).
    pub fn filter_text(&self) -> String {
        self.table.filter_text().to_string()
    }

    pub fn set_filter(&mut self, text: &str) {
        self.table.set_filter(text, self.columns, &self.rows);
    }

    /// Rows were set at least once: the pane has its first data.
    pub fn received(&self) -> bool {
        self.received
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&R> {
        self.table.selected_row(&self.rows)
    }

    pub fn render(&self, f: &mut Frame, area: Rect, ctx: &TableCtx<'_>) {
        table::render(f, area, self.columns, &self.rows, &self.table, ctx);
    }

    /// The table in `areas[0]` and, in `areas[1]`, the detail box titled `title` with the
    /// selected row's facts and findings (`pick`), as [`detail::with_table`] draws them.
    pub fn render_with_detail<'a>(
        &'a self,
        f: &mut Frame,
        areas: [Rect; 2],
        ctx: &TableCtx<'_>,
        title: &str,
        pick: impl FnOnce(&'a R) -> (&'a [String], &'a [Finding]),
    ) {
        let selected = self.selected().map(pick);
        let draw = |f: &mut Frame, area: Rect| self.render(f, area, ctx);
        detail::with_table(f, areas, ctx.theme, draw, title, selected);
    }

    /// [`Listing::render`] without the columns titled in `hidden` (data the cluster lacks).
    pub fn render_without(&self, f: &mut Frame, area: Rect, ctx: &TableCtx<'_>, hidden: &[&str]) {
        let shown: Vec<Column<R>> = self
            .columns
            .iter()
            .filter(|c| !hidden.contains(&c.title))
            .copied()
            .collect();
        table::render(f, area, &shown, &self.rows, &self.table, ctx);
    }
}
