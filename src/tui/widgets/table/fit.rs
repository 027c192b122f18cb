//! Column width fitting: natural widths from the visible cells, then `…`-truncation of text
//! columns down to their floor, then whole columns dropped by priority.

use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;
use unicode_width::UnicodeWidthStr;

/// What the fitter knows about one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// Widest visible cell, header included, already capped by the column's `max`.
    pub natural: u16,
    /// Floor for `…`-truncation (ignored for whole columns).
    pub min: u16,
    /// Never cut.
    pub whole: bool,
    /// Higher drops first; 0 never drops.
    pub priority: u8,
}

impl Fit {
    fn floor(&self) -> u16 {
        if self.whole {
            self.natural
        } else {
            self.min.min(self.natural)
        }
    }
}

/// The width of each column in `avail` cells with `gap` cells between columns; `None` for a
/// dropped column.
///
/// 1. Every column at its natural width if that fits.
/// 2. Else, if cutting text columns down to their floors makes it fit, cut the least important
///    first (highest priority number, then the rightmost) just as much as needed.
/// 3. Else drop the least important droppable column and start again (the others get their
///    natural width back).
/// 4. When nothing can drop and the floors still do not fit (a tiny terminal), text columns are
///    cut below their floor, then the rightmost columns are clipped.
pub fn fit_widths(cols: &[Fit], avail: u16, gap: u16) -> Vec<Option<u16>> {
    let mut active: Vec<bool> = vec![true; cols.len()];
    loop {
        let idx: Vec<usize> = (0..cols.len()).filter(|&i| active[i]).collect();
        let gaps = usize::from(gap) * idx.len().saturating_sub(1);
        let avail = usize::from(avail);
        let natural: usize = idx.iter().map(|&i| usize::from(cols[i].natural)).sum();
        let mut widths: Vec<Option<u16>> = (0..cols.len())
            .map(|i| active[i].then_some(cols[i].natural))
            .collect();
        if natural + gaps <= avail {
            return widths;
        }
        let floors: usize = idx.iter().map(|&i| usize::from(cols[i].floor())).sum();
        let victim = idx
            .iter()
            .copied()
            .filter(|&i| cols[i].priority > 0)
            .max_by_key(|&i| (cols[i].priority, i));
        if floors + gaps > avail {
            if let Some(v) = victim {
                active[v] = false;
                continue;
            }
        }
        // Cut, least important first: to the floors, then (tiny terminal) below them.
        let mut excess = natural + gaps - avail;
        let mut order: Vec<usize> = idx.iter().copied().filter(|&i| !cols[i].whole).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(cols[i].priority), std::cmp::Reverse(i)));
        for pass_floor in [true, false] {
            for &i in &order {
                let Some(w) = widths[i] else { continue };
                let floor = if pass_floor { cols[i].floor() } else { 1 };
                let cut = excess.min(usize::from(w.saturating_sub(floor)));
                widths[i] = Some(w - cut as u16);
                excess -= cut;
            }
        }
        // Still too wide: clip from the right; a column left with no room goes.
        for &i in idx.iter().rev() {
            if excess == 0 {
                break;
            }
            let Some(w) = widths[i] else { continue };
            let w = usize::from(w);
            if w + usize::from(gap) <= excess || w <= excess {
                widths[i] = None;
                excess = excess.saturating_sub(w + usize::from(gap));
            } else {
                widths[i] = Some((w - excess) as u16);
                excess = 0;
            }
        }
        return widths;
    }
}

/// `text` cut to `width` display cells, ending in `…` when cut.
pub fn ellipsize(text: &str, width: u16) -> Cow<'_, str> {
    let width = usize::from(width);
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(natural: u16, min: u16, priority: u8) -> Fit {
        Fit {
            natural,
            min,
            whole: false,
            priority,
        }
    }

    fn whole(natural: u16, priority: u8) -> Fit {
        Fit {
            natural,
            min: natural,
            whole: true,
            priority,
        }
    }

    fn sum(w: &[Option<u16>]) -> usize {
        let kept: Vec<u16> = w.iter().flatten().copied().collect();
        kept.iter().map(|&x| usize::from(x)).sum::<usize>() + kept.len().saturating_sub(1)
    }

    #[test]
    fn natural_widths_when_it_fits() {
        let cols = [text(10, 4, 0), whole(3, 2), text(20, 8, 1)];
        assert_eq!(fit_widths(&cols, 40, 1), vec![Some(10), Some(3), Some(20)]);
        assert_eq!(fit_widths(&cols, 35, 1), vec![Some(10), Some(3), Some(20)]);
    }

    #[test]
    fn text_is_cut_least_important_first_before_anything_drops() {
        // 10 + 3 + 20 + 2 gaps = 35; 30 available: 5 cells come off the priority-1 text column.
        let cols = [text(10, 4, 0), whole(3, 2), text(20, 8, 1)];
        let w = fit_widths(&cols, 30, 1);
        assert_eq!(w, vec![Some(10), Some(3), Some(15)]);
        // More than the priority-1 column can give: the essential one gives the rest.
        let w = fit_widths(&cols, 20, 1);
        assert_eq!(w, vec![Some(7), Some(3), Some(8)]);
        assert_eq!(sum(&w), 20);
    }

    #[test]
    fn columns_drop_by_priority_and_the_rest_regain_their_width() {
        let cols = [text(10, 8, 0), whole(8, 3), text(20, 12, 1), whole(5, 2)];
        // Floors: 8 + 8 + 12 + 5 + 3 gaps = 36 > 30: drop priority 3 (the whole column).
        let w = fit_widths(&cols, 30, 1);
        assert_eq!(w, vec![Some(10), None, Some(13), Some(5)]);
        // 22: drop priority 3, then 2; NAME and the text column share what is left.
        let w = fit_widths(&cols, 22, 1);
        assert_eq!(w, vec![Some(9), None, Some(12), None]);
        assert_eq!(sum(&w), 22);
    }

    #[test]
    fn ties_drop_the_rightmost_and_essential_never_drops() {
        let cols = [text(10, 10, 0), whole(6, 1), whole(6, 1)];
        assert_eq!(fit_widths(&cols, 17, 1), vec![Some(10), Some(6), None]);
        assert_eq!(fit_widths(&cols, 10, 1), vec![Some(10), None, None]);
        // Too small even for the essential column: it is cut below its floor, never dropped.
        assert_eq!(fit_widths(&cols, 6, 1), vec![Some(6), None, None]);
    }

    #[test]
    fn numbers_are_never_cut_mid_value() {
        let cols = [text(12, 6, 0), whole(7, 1)];
        let w = fit_widths(&cols, 15, 1);
        assert_eq!(w, vec![Some(7), Some(7)]);
        // The number column cannot shrink: it drops whole.
        let w = fit_widths(&cols, 12, 1);
        assert_eq!(w, vec![Some(12), None]);
    }

    #[test]
    fn essential_whole_columns_are_clipped_from_the_right_only_as_a_last_resort() {
        let cols = [whole(10, 0), whole(10, 0)];
        let w = fit_widths(&cols, 15, 1);
        assert_eq!(w, vec![Some(10), Some(4)]);
        assert_eq!(fit_widths(&cols, 10, 1), vec![Some(10), None]);
    }

    #[test]
    fn ellipsis_counts_display_width() {
        assert_eq!(ellipsize("sonarr", 6), "sonarr");
        assert_eq!(ellipsize("jellyseerr", 6), "jelly…");
        assert_eq!(ellipsize("jellyseerr", 1), "…");
        assert_eq!(ellipsize("jellyseerr", 0), "");
        // Double-width characters never overflow the cell.
        assert_eq!(ellipsize("日本語のテキスト", 6), "日本…");
        assert_eq!(ellipsize("日本語のテキスト", 5), "日本…");
        assert_eq!(ellipsize("日本語のテキスト", 4), "日…");
    }
}
