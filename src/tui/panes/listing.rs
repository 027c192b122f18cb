//! A table pane's table: its rows, the resource table widget's state, and its static columns,
//! with the navigation, sort and filter plumbing every table pane shares. A new table pane is a
//! row type ([`TableRow`]) and its columns; this does the rest.

use crate::tui::keymap::{navigation, sort_keys, Action, Binding};
use crate::tui::widgets::table::{self, sort_bindings, Column, TableRow, TableState};
use ratatui::layout::Rect;
use ratatui::Frame;

pub use crate::tui::widgets::table::Ctx as TableCtx;

pub struct Listing<R: 'static> {
    pub rows: Vec<R>,
    pub table: TableState,
    columns: &'static [Column<R>],
}

impl<R: TableRow> Listing<R> {
    pub fn new(columns: &'static [Column<R>]) -> Listing<R> {
        Listing {
            rows: Vec::new(),
            table: TableState::default(),
            columns,
        }
    }

    /// Replace the rows; the cursor stays on its row (by id), filter and sort apply.
    pub fn set_rows(&mut self, rows: Vec<R>) {
        self.rows = rows;
        self.table.sync(self.columns, &self.rows);
    }

    /// Navigation keys and the columns' sort keys (shift+letter, in `?` help).
    pub fn bindings(columns: &[Column<R>]) -> Vec<Binding> {
        let mut out = navigation();
        out.extend(sort_keys(&sort_bindings(columns)));
        out
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

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&R> {
        self.table.selected_row(&self.rows)
    }

    pub fn render(&self, f: &mut Frame, area: Rect, ctx: &TableCtx<'_>) {
        table::render(f, area, self.columns, &self.rows, &self.table, ctx);
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
