//! [`TableState`]: what a table remembers between frames: the visible rows (filtered, sorted),
//! the cursor (by row id), the window offset and page height, the filter and the sort.

use super::{Column, TableRow};
use crate::bus::filter::Filter;
use crate::tui::keymap::Action;
use crate::tui::view::Cursor;
use std::cell::Cell;

/// The sorted column, by its sort key, and the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortBy {
    pub key: char,
    pub descending: bool,
}

/// View state of one table. Call [`TableState::sync`] whenever the rows change; the filter and
/// sort methods re-sync themselves.
#[derive(Debug, Clone, Default)]
pub struct TableState {
    /// Position in `order` and the first visible row (the renderer keeps it).
    cursor: Cursor,
    /// Id of the row under the cursor, so it survives refreshes, filtering and sorting.
    selected: Option<String>,
    /// The visible rows: indexes into the pane's rows, filtered, then sorted.
    order: Vec<usize>,
    /// `rows.len()` at the last sync.
    total: usize,
    filter: Option<Filter>,
    sort: Option<SortBy>,
    /// Rows the body showed at the last frame: the page for PgUp / PgDn.
    height: Cell<usize>,
}

/// Page size before the first frame tells the real one.
const DEFAULT_PAGE: usize = 10;

impl TableState {
    /// Recompute the visible rows (filter, then a stable sort) and put the cursor back on the
    /// selected row; when that row is gone, the cursor stays at the same position.
    pub fn sync<R: TableRow>(&mut self, columns: &[Column<R>], rows: &[R]) {
        self.total = rows.len();
        let mut order: Vec<usize> = match &self.filter {
            None => (0..rows.len()).collect(),
            Some(f) => (0..rows.len())
                .filter(|&i| f.matches(&rows[i].haystack()))
                .collect(),
        };
        let sort = self.sort.and_then(|s| {
            columns
                .iter()
                .find_map(|c| c.sort.filter(|x| x.key == s.key))
                .map(|x| (x.cmp, s.descending))
        });
        if let Some((cmp, descending)) = sort {
            // `sort_by` is stable: equal rows keep the pane's order in both directions.
            if descending {
                order.sort_by(|&a, &b| cmp(&rows[b], &rows[a]));
            } else {
                order.sort_by(|&a, &b| cmp(&rows[a], &rows[b]));
            }
        }
        self.order = order;
        let pos = self
            .selected
            .as_deref()
            .and_then(|id| self.order.iter().position(|&i| rows[i].id() == id));
        self.cursor.index =
            pos.unwrap_or_else(|| self.cursor.index.min(self.order.len().saturating_sub(1)));
        self.remember(rows);
    }

    fn remember<R: TableRow>(&mut self, rows: &[R]) {
        if let Some(r) = self.selected_row(rows) {
            self.selected = Some(r.id().into_owned());
        }
    }

    /// Set the `/` filter (empty text clears it; see [`Filter`] for regex, substring and `!`).
    pub fn set_filter<R: TableRow>(&mut self, text: &str, columns: &[Column<R>], rows: &[R]) {
        self.filter = Filter::new(text);
        self.sync(columns, rows);
    }

    /// Clear the filter; `false` when there was none (so `esc` can go back instead).
    pub fn clear_filter<R: TableRow>(&mut self, columns: &[Column<R>], rows: &[R]) -> bool {
        if self.filter.take().is_none() {
            return false;
        }
        self.sync(columns, rows);
        true
    }

    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// The filter text, `""` when none.
    pub fn filter_text(&self) -> &str {
        self.filter.as_ref().map_or("", |f| f.text.as_str())
    }

    /// A sort key (shift+letter): the column with that key sorts ascending, or flips direction
    /// when it is already the sorted column. `false` when no column has that key.
    pub fn sort_by_key<R: TableRow>(
        &mut self,
        key: char,
        columns: &[Column<R>],
        rows: &[R],
    ) -> bool {
        if !columns.iter().any(|c| c.sort.is_some_and(|s| s.key == key)) {
            return false;
        }
        self.sort = Some(match self.sort {
            Some(s) if s.key == key => SortBy {
                key,
                descending: !s.descending,
            },
            _ => SortBy {
                key,
                descending: false,
            },
        });
        self.sync(columns, rows);
        true
    }

    /// Back to the pane's own order.
    pub fn clear_sort<R: TableRow>(&mut self, columns: &[Column<R>], rows: &[R]) {
        self.sort = None;
        self.sync(columns, rows);
    }

    pub fn sort(&self) -> Option<SortBy> {
        self.sort
    }

    /// Navigation (up, down, page up/down, top, bottom); `false` for any other action. A page is
    /// the number of rows the last frame showed.
    pub fn on_action<R: TableRow>(&mut self, action: Action, rows: &[R]) -> bool {
        let page = match self.height.get() {
            0 => DEFAULT_PAGE,
            h => h,
        };
        if !self.cursor.apply(action, self.order.len(), page) {
            return false;
        }
        self.remember(rows);
        true
    }

    /// Put the cursor on the row with this id, if it is visible; `false` otherwise.
    pub fn select_id<R: TableRow>(&mut self, id: &str, rows: &[R]) -> bool {
        match self
            .order
            .iter()
            .position(|&i| rows.get(i).is_some_and(|r| r.id() == id))
        {
            Some(pos) => {
                self.cursor.index = pos;
                self.selected = Some(id.to_string());
                true
            }
            None => false,
        }
    }

    /// Index (into the pane's rows) of the row under the cursor.
    pub fn selected_index(&self) -> Option<usize> {
        self.order.get(self.cursor.index).copied()
    }

    pub fn selected_row<'r, R>(&self, rows: &'r [R]) -> Option<&'r R> {
        self.selected_index().and_then(|i| rows.get(i))
    }

    /// Id of the row under the cursor (as of the last sync or move).
    pub fn selected_id(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Position of the cursor among the visible rows.
    pub fn cursor(&self) -> usize {
        self.cursor.index
    }

    /// The visible rows, in display order: indexes into the pane's rows.
    pub fn visible(&self) -> &[usize] {
        &self.order
    }

    /// Rows shown (after the filter) and rows in all.
    pub fn counts(&self) -> (usize, usize) {
        (self.order.len(), self.total)
    }

    /// The first visible row for a body of `height` rows (kept across frames); remembers the
    /// height as the page size.
    pub(super) fn window(&self, height: usize) -> usize {
        self.height.set(height);
        self.cursor.window(self.order.len(), height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::widgets::table::CellText;
    use std::borrow::Cow;

    #[derive(Debug, Clone)]
    struct Row {
        name: &'static str,
        age: u32,
    }

    impl TableRow for Row {
        fn id(&self) -> Cow<'_, str> {
            Cow::Borrowed(self.name)
        }
        fn haystack(&self) -> Cow<'_, str> {
            Cow::Owned(self.name.to_lowercase())
        }
    }

    type C = Column<Row>;
    static COLS: &[C] = &[
        C::new("NAME", |r, _| CellText::plain(r.name)).sort('N', |a, b| a.name.cmp(b.name)),
        C::number("AGE", |r, _| r.age.to_string().into()).sort('A', |a, b| a.age.cmp(&b.age)),
        C::new("NOTE", |_, _| "".into()),
    ];

    fn rows(names: &[(&'static str, u32)]) -> Vec<Row> {
        names.iter().map(|&(name, age)| Row { name, age }).collect()
    }

    fn names(st: &TableState, rows: &[Row]) -> Vec<&'static str> {
        st.visible().iter().map(|&i| rows[i].name).collect()
    }

    #[test]
    fn cursor_follows_its_row_across_refreshes() {
        let mut st = TableState::default();
        let a = rows(&[("sonarr", 3), ("radarr", 1), ("lidarr", 2)]);
        st.sync(COLS, &a);
        assert!(st.on_action(Action::DOWN, &a));
        assert_eq!(st.selected_id(), Some("radarr"));
        // A refresh reorders and adds rows: the cursor stays on radarr.
        let b = rows(&[("bazarr", 9), ("lidarr", 2), ("sonarr", 3), ("radarr", 1)]);
        st.sync(COLS, &b);
        assert_eq!(st.cursor(), 3);
        assert_eq!(st.selected_row(&b).map(|r| r.name), Some("radarr"));
        // radarr vanishes: same position (clamped), and the new row there is selected.
        let c = rows(&[("bazarr", 9), ("lidarr", 2), ("sonarr", 3)]);
        st.sync(COLS, &c);
        assert_eq!(st.cursor(), 2);
        assert_eq!(st.selected_id(), Some("sonarr"));
        // Empty, then rows again: no panic, cursor at the top.
        st.sync(COLS, &[]);
        assert_eq!(st.selected_index(), None);
        assert!(!st.on_action(Action::ENTER, &c));
    }

    #[test]
    fn filter_keeps_the_cursor_on_its_row() {
        let mut st = TableState::default();
        let r = rows(&[("sonarr", 3), ("jellyfin", 1), ("radarr", 2), ("bazarr", 4)]);
        st.sync(COLS, &r);
        st.on_action(Action::BOTTOM, &r);
        assert_eq!(st.selected_id(), Some("bazarr"));
        st.set_filter("arr$", COLS, &r);
        assert_eq!(names(&st, &r), ["sonarr", "radarr", "bazarr"]);
        assert_eq!(st.selected_id(), Some("bazarr"));
        assert_eq!(st.counts(), (3, 4));
        assert_eq!(st.filter_text(), "arr$");
        st.set_filter("!arr", COLS, &r);
        assert_eq!(names(&st, &r), ["jellyfin"]);
        assert!(st.clear_filter(COLS, &r));
        assert!(!st.clear_filter(COLS, &r));
        assert_eq!(st.counts(), (4, 4));
        assert_eq!(st.selected_id(), Some("jellyfin"));
    }

    #[test]
    fn sort_keys_toggle_direction_and_keep_ties_in_pane_order() {
        let mut st = TableState::default();
        let r = rows(&[("sonarr", 2), ("radarr", 1), ("lidarr", 2), ("bazarr", 1)]);
        st.sync(COLS, &r);
        assert!(st.sort_by_key('A', COLS, &r));
        assert_eq!(
            st.sort(),
            Some(SortBy {
                key: 'A',
                descending: false
            })
        );
        // Stable: equal ages keep the pane's order, in both directions.
        assert_eq!(names(&st, &r), ["radarr", "bazarr", "sonarr", "lidarr"]);
        assert!(st.sort_by_key('A', COLS, &r));
        assert_eq!(names(&st, &r), ["sonarr", "lidarr", "radarr", "bazarr"]);
        assert!(st.sort().is_some_and(|s| s.descending));
        // Another column starts ascending.
        assert!(st.sort_by_key('N', COLS, &r));
        assert_eq!(names(&st, &r), ["bazarr", "lidarr", "radarr", "sonarr"]);
        assert!(st.sort().is_some_and(|s| !s.descending));
        // A key no column has is not consumed.
        assert!(!st.sort_by_key('X', COLS, &r));
        assert_eq!(st.sort().map(|s| s.key), Some('N'));
        st.clear_sort(COLS, &r);
        assert_eq!(names(&st, &r), ["sonarr", "radarr", "lidarr", "bazarr"]);
    }

    #[test]
    fn sorting_keeps_the_cursor_on_its_row() {
        let mut st = TableState::default();
        let r = rows(&[("sonarr", 2), ("radarr", 1), ("lidarr", 3)]);
        st.sync(COLS, &r);
        assert_eq!(st.selected_id(), Some("sonarr"));
        st.sort_by_key('N', COLS, &r);
        assert_eq!(st.cursor(), 2);
        assert_eq!(st.selected_id(), Some("sonarr"));
        // The sort survives a refresh.
        let r2 = rows(&[("sonarr", 2), ("radarr", 1), ("lidarr", 3), ("bazarr", 1)]);
        st.sync(COLS, &r2);
        assert_eq!(names(&st, &r2), ["bazarr", "lidarr", "radarr", "sonarr"]);
        assert_eq!(st.cursor(), 3);
    }

    #[test]
    fn paging_uses_the_height_of_the_last_frame() {
        let many: Vec<Row> = (0..100)
            .map(|i| Row {
                name: Box::leak(format!("row{i:03}").into_boxed_str()),
                age: i,
            })
            .collect();
        let mut st = TableState::default();
        st.sync(COLS, &many);
        st.on_action(Action::PAGE_DOWN, &many);
        assert_eq!(st.cursor(), DEFAULT_PAGE);
        assert_eq!(st.window(25), 0);
        st.on_action(Action::PAGE_DOWN, &many);
        assert_eq!(st.cursor(), DEFAULT_PAGE + 25);
        assert_eq!(st.window(25), DEFAULT_PAGE + 1);
        st.on_action(Action::BOTTOM, &many);
        assert_eq!(st.selected_id(), Some("row099"));
        assert_eq!(st.window(25), 75);
        assert!(st.select_id("row042", &many));
        assert_eq!(st.cursor(), 42);
        assert!(!st.select_id("nope", &many));
    }
}
