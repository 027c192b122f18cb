//! Reading a drawn test terminal: its text, one line per row, and the style of a piece of it.

use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// The buffer as text, one line per row.
pub fn text(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// The style of the first cell of `needle` in the buffer.
pub fn style_of(buf: &Buffer, needle: &str) -> Option<Style> {
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut xs = vec![];
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            for _ in sym.chars() {
                xs.push(x);
            }
            line.push_str(sym);
        }
        if let Some(byte) = line.find(needle) {
            let ci = line[..byte].chars().count();
            return Some(buf[(xs[ci], y)].style());
        }
    }
    None
}
