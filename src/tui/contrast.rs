//! WCAG contrast of a theme: every foreground/background pair the screen draws, with the
//! contrast ratio `(L1 + 0.05) / (L2 + 0.05)` of their relative luminances. Text needs AA
//! (≥ 4.5); borders are user-interface components (≥ 3). Named colours are resolved with the
//! xterm default palette; `default` means the terminal's own colour, taken as the theme's
//! declared `background` (and its opposite for text).

use super::theme::{Role, Theme};
use ratatui::style::{Color, Modifier};

/// WCAG AA for normal text.
pub const TEXT_MIN: f64 = 4.5;
/// WCAG AA for user-interface components (borders).
pub const UI_MIN: f64 = 3.0;

type Rgb = (u8, u8, u8);

/// The xterm default palette for the 16 named colours; the 256-colour cube and grey ramp.
pub fn rgb(c: Color) -> Option<Rgb> {
    Some(match c {
        Color::Reset => return None,
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => return indexed(i),
    })
}

fn indexed(i: u8) -> Option<Rgb> {
    const NAMED: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => rgb(NAMED[usize::from(i)]),
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            Some((level(i / 36), level(i / 6 % 6), level(i % 6)))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            Some((v, v, v))
        }
    }
}

/// Relative luminance (WCAG 2.x).
pub fn luminance((r, g, b): Rgb) -> f64 {
    let lin = |v: u8| {
        let c = f64::from(v) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The contrast ratio of two colours (1 … 21).
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// One foreground/background pair the screen draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// `muted on base`, `table.cursor`, `warn on dialog`.
    pub what: String,
    pub ratio: f64,
    pub min: f64,
}

impl Pair {
    pub fn passes(&self) -> bool {
        self.ratio + 1e-9 >= self.min
    }
}

/// Roles drawn as text on the dialog's background (plan diff, hints, errors in dialogs).
const ON_DIALOG: [Role; 8] = [
    Role::Muted,
    Role::Accent,
    Role::Ok,
    Role::Warn,
    Role::Error,
    Role::Title,
    Role::Prompt,
    Role::BorderFocus,
];

fn is_border(r: Role) -> bool {
    matches!(r, Role::Border | Role::BorderFocus)
}

/// Every pair the screen draws with `theme`, with its ratio.
pub fn pairs(theme: &Theme) -> Vec<Pair> {
    let screen = theme.background();
    let dark = luminance(screen) < 0.5;
    let text_default = if dark { (229, 229, 229) } else { (0, 0, 0) };
    let fg = |r: Role| theme.style(r).fg.and_then(rgb).unwrap_or(text_default);
    let bg = |r: Role| theme.style(r).bg.and_then(rgb);
    let min = |r: Role| if is_border(r) { UI_MIN } else { TEXT_MIN };
    let mut out = Vec::new();
    for role in Role::ALL {
        // A reversed style swaps the two.
        let (f, b) = match bg(role) {
            Some(b) => (fg(role), b),
            None => (fg(role), screen),
        };
        let (f, b) = if theme.style(role).add_modifier.contains(Modifier::REVERSED) {
            (b, f)
        } else {
            (f, b)
        };
        let what = match bg(role) {
            Some(_) => role.name().to_string(),
            None => format!("{} on the background", role.name()),
        };
        out.push(Pair {
            what,
            ratio: ratio(f, b),
            min: min(role),
        });
    }
    if let Some(dialog) = bg(Role::Dialog) {
        for role in ON_DIALOG.into_iter().filter(|r| bg(*r).is_none()) {
            out.push(Pair {
                what: format!("{} on dialog", role.name()),
                ratio: ratio(fg(role), dialog),
                min: min(role),
            });
        }
    }
    out
}

/// The pairs under their minimum, one line each (`muted on the background: 1.3:1 < 4.5:1`).
pub fn problems(theme: &Theme) -> Vec<String> {
    pairs(theme)
        .into_iter()
        .filter(|p| !p.passes())
        .map(|p| format!("{}: {:.1}:1 < {:.1}:1", p.what, p.ratio, p.min))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_the_wcag_reference_values() {
        assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((ratio((1, 2, 3), (1, 2, 3)) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        let r = ratio((0x76, 0x76, 0x76), (255, 255, 255));
        assert!((r - 4.54).abs() < 0.01, "{r}");
        assert_eq!(rgb(Color::Indexed(196)), Some((255, 0, 0)));
        assert_eq!(rgb(Color::Indexed(244)), Some((128, 128, 128)));
    }

    /// Issue 7: every built-in theme reads — every text pair AA, every border 3:1 — and the
    /// completion ghost text never looks like typed text.
    #[test]
    fn every_builtin_theme_meets_wcag_aa() {
        for name in super::super::theme::builtin_names() {
            let (theme, warning) = Theme::load(name, None);
            assert_eq!(warning, None, "{name}");
            let bad = problems(&theme);
            assert!(bad.is_empty(), "theme {name}: {bad:#?}");
            let (typed, ghost) = (theme.style(Role::Prompt), theme.style(Role::PromptSuggest));
            assert_ne!(typed.fg, ghost.fg, "{name}: ghost text in the typed colour");
        }
    }

    #[test]
    fn a_grey_on_white_theme_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pale.toml"),
            "[theme]\nparent = \"light\"\n[colors]\nmuted = \"gray\"\n",
        )
        .unwrap();
        let (theme, _) = Theme::load("pale", Some(dir.path()));
        let bad = problems(&theme);
        assert!(
            bad.iter().any(|p| p.starts_with("muted on the background")),
            "{bad:?}"
        );
    }
}
