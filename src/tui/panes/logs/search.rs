//! The logs pane's `/` search: the text (case-insensitive substring) and the index of matching
//! lines, kept up to date as lines arrive and drop off the ring buffer, so that a frame never
//! searches the buffer and `n`/`N` walk the index.
//!
//! Lines are numbered from the start of the stream (`dropped` + buffer index), so the index
//! stays valid when the buffer drops its oldest lines.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The search text as typed.
    text: String,
    /// The search text lowercased, once.
    lower: String,
    /// Matching lines by their number since the stream started, ascending.
    hits: VecDeque<u64>,
}

impl Search {
    /// The search text (empty: none).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Search for `text`: index every matching line of `lines` (numbered from `dropped`).
    pub fn set<'a>(&mut self, text: &str, lines: impl IntoIterator<Item = &'a String>, dropped: u64) {
        self.text = text.to_string();
        self.lower = text.to_lowercase();
        let mut hits = VecDeque::new();
        for (i, l) in lines.into_iter().enumerate() {
            if self.is_match(l) {
                hits.push_back(dropped + i as u64);
            }
        }
        self.hits = hits;
    }

    /// Does `line` match (only when a line arrives or the search changes)?
    fn is_match(&self, line: &str) -> bool {
        !self.lower.is_empty() && line.to_lowercase().contains(&self.lower)
    }

    /// Line number `n` arrived with text `line`.
    pub fn arrived(&mut self, n: u64, line: &str) {
        if self.is_match(line) {
            self.hits.push_back(n);
        }
    }

    /// Line number `n`, the oldest, dropped off the buffer.
    pub fn dropped(&mut self, n: u64) {
        if self.hits.front() == Some(&n) {
            self.hits.pop_front();
        }
    }

    /// The buffer was emptied.
    pub fn clear(&mut self) {
        self.hits.clear();
    }

    /// Is line number `n` a match?
    pub fn is_hit(&self, n: u64) -> bool {
        self.hits.binary_search(&n).is_ok()
    }

    /// Number of matching lines.
    pub fn count(&self) -> usize {
        self.hits.len()
    }

    /// The buffer index of the next (`forward`) or previous match from buffer index `from`
    /// (`None`: the first or the last match), wrapping around; `dropped` is the number of the
    /// buffer's first line.
    pub fn next(&self, from: Option<usize>, forward: bool, dropped: u64) -> Option<usize> {
        let rel = |abs: &u64| (abs - dropped) as usize;
        match (from, forward) {
            (None, true) => self.hits.front().map(rel),
            (None, false) => self.hits.back().map(rel),
            (Some(h), true) => self
                .hits
                .iter()
                .map(rel)
                .find(|&i| i > h)
                .or_else(|| self.hits.front().map(rel)),
            (Some(h), false) => self
                .hits
                .iter()
                .rev()
                .map(rel)
                .find(|&i| i < h)
                .or_else(|| self.hits.back().map(rel)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_follows_arrivals_and_drops_and_wraps_around() {
        let lines: Vec<String> = ["a ERROR", "b", "c error", "d"].map(String::from).to_vec();
        let mut s = Search::default();
        s.set("Error", &lines, 10);
        assert_eq!((s.count(), s.is_hit(10), s.is_hit(11), s.is_hit(12)), (2, true, false, true));
        assert_eq!(s.next(None, true, 10), Some(0));
        assert_eq!(s.next(Some(0), true, 10), Some(2));
        assert_eq!(s.next(Some(2), true, 10), Some(0));
        assert_eq!(s.next(Some(0), false, 10), Some(2));
        s.dropped(10);
        s.arrived(14, "e error");
        assert_eq!(s.count(), 2);
        // Line 12 is now buffer index 1 (the buffer starts at 11).
        assert_eq!(s.next(None, true, 11), Some(1));
        s.set("", &lines, 10);
        assert_eq!((s.count(), s.text()), (0, ""));
    }
}
