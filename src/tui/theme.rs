//! Themes: semantic roles mapped to styles, loaded from TOML.
//!
//! File shape:
//! ```toml
//! [theme]
//! name = "light"
//! parent = "default"        # optional; missing roles come from here, then from `default`
//! background = "white"      # optional: the terminal background it is made for (contrast)
//! [colors]
//! base = "black"                                   # a colour: foreground only
//! "table.cursor" = { fg = "white", bg = "blue", bold = true }
//! ```
//! Colours are names (`red`, `lightblue`, `darkgray` …), `#rrggbb`, an index `0`–`255`, or
//! `default` (the terminal's own colour / transparent background). Built-ins come from
//! `themes/*.toml` (embedded); a file `<user_dir>/<name>.toml` overrides a built-in of the same
//! name. A bad file never stops the program: [`Theme::load`] falls back and returns a warning.
//! Code names roles with the [`Role`] enum; a role a file misspells is named in the warning
//! (with the closest known role) and ignored, while the rest of the file applies.

use crate::bus::rows::Tone;
use ratatui::style::{Color, Modifier, Style};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// Every role a theme can set. Call sites name a role with this enum, so a misspelt role is a
/// compile error; a misspelt role in a theme *file* is a warning naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Base,
    Muted,
    Accent,
    Ok,
    Warn,
    Error,
    Border,
    BorderFocus,
    Title,
    Header,
    HeaderKey,
    TableHeader,
    TableCursor,
    Crumbs,
    CrumbsActive,
    Dialog,
    Prompt,
    PromptSuggest,
    Banner,
    Badge,
    Log,
    LogIndicator,
}

impl Role {
    pub const ALL: [Role; 22] = [
        Role::Base,
        Role::Muted,
        Role::Accent,
        Role::Ok,
        Role::Warn,
        Role::Error,
        Role::Border,
        Role::BorderFocus,
        Role::Title,
        Role::Header,
        Role::HeaderKey,
        Role::TableHeader,
        Role::TableCursor,
        Role::Crumbs,
        Role::CrumbsActive,
        Role::Dialog,
        Role::Prompt,
        Role::PromptSuggest,
        Role::Banner,
        Role::Badge,
        Role::Log,
        Role::LogIndicator,
    ];

    /// The role's key in a theme file.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::Muted => "muted",
            Role::Accent => "accent",
            Role::Ok => "ok",
            Role::Warn => "warn",
            Role::Error => "error",
            Role::Border => "border",
            Role::BorderFocus => "border_focus",
            Role::Title => "title",
            Role::Header => "header",
            Role::HeaderKey => "header.key",
            Role::TableHeader => "table.header",
            Role::TableCursor => "table.cursor",
            Role::Crumbs => "crumbs",
            Role::CrumbsActive => "crumbs.active",
            Role::Dialog => "dialog",
            Role::Prompt => "prompt",
            Role::PromptSuggest => "prompt.suggest",
            Role::Banner => "banner",
            Role::Badge => "badge",
            Role::Log => "log",
            Role::LogIndicator => "log.indicator",
        }
    }

    /// The role named in a theme file.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The known role closest to a misspelt one (for the warning), if any is close.
    pub fn closest(name: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .map(|r| (edit_distance(name, r.name()), r))
            .filter(|(d, r)| *d <= 2.max(r.name().len() / 4))
            .min_by_key(|(d, _)| *d)
            .map(|(_, r)| r)
    }
}

impl From<Tone> for Role {
    fn from(t: Tone) -> Role {
        match t {
            Tone::Normal => Role::Base,
            Tone::Muted => Role::Muted,
            Tone::Ok => Role::Ok,
            Tone::Warn => Role::Warn,
            Tone::Error => Role::Error,
        }
    }
}

/// Levenshtein distance (short role names only).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Names of the built-in themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    roles: HashMap<Role, Style>,
    /// The terminal background the theme is made for (`[theme] background`, inherited;
    /// black unless said): what `default` backgrounds are checked against for contrast.
    background: Option<Color>,
}

/// One parsed file before inheritance is resolved.
struct ThemeFile {
    name: String,
    parent: Option<String>,
    background: Option<Color>,
    roles: HashMap<Role, Style>,
    /// Problems that do not stop the file from loading (an unknown role is ignored).
    warnings: Vec<String>,
}

const MAX_DEPTH: usize = 4;

impl Theme {
    /// The style of a role; a role the theme leaves unset gives the base style.
    pub fn style(&self, role: Role) -> Style {
        self.roles
            .get(&role)
            .or_else(|| self.roles.get(&Role::Base))
            .copied()
            .unwrap_or_default()
    }

    /// The terminal background the theme is made for, as RGB (black unless the file says).
    pub fn background(&self) -> (u8, u8, u8) {
        self.background
            .and_then(super::contrast::rgb)
            .unwrap_or((0, 0, 0))
    }

    /// The built-in default theme (cannot fail: its file is checked by a test).
    pub fn builtin_default() -> Theme {
        match Theme::resolve("default", None, 0, &mut Vec::new()) {
            Ok(t) => t,
            Err(_) => Theme {
                name: "default".into(),
                roles: HashMap::new(),
                background: None,
            },
        }
    }

    /// Load a theme by name. User files in `user_dir` win over built-ins. On any problem the
    /// built-in of that name (or `default`) is used and a one-line warning returned for the UI;
    /// an unknown role in a file is named in the warning and ignored (the rest of the file
    /// applies).
    pub fn load(name: &str, user_dir: Option<&Path>) -> (Theme, Option<String>) {
        let mut warnings = Vec::new();
        match Theme::resolve(name, user_dir, 0, &mut warnings) {
            Ok(t) => {
                let warning = (!warnings.is_empty())
                    .then(|| format!("theme {name:?}: {}", warnings.join("; ")));
                (t, warning)
            }
            Err(e) => {
                let fallback = if BUILTIN.iter().any(|(n, _)| *n == name) {
                    Theme::resolve(name, None, 0, &mut Vec::new())
                        .unwrap_or_else(|_| Theme::builtin_default())
                } else {
                    Theme::builtin_default()
                };
                let msg = format!("theme {name:?}: {e}; using built-in {:?}", fallback.name);
                (fallback, Some(msg))
            }
        }
    }

    fn resolve(
        name: &str,
        user_dir: Option<&Path>,
        depth: usize,
        warnings: &mut Vec<String>,
    ) -> Result<Theme, String> {
        if depth > MAX_DEPTH {
            return Err("theme parents nest too deep (loop?)".into());
        }
        let file = read_file(name, user_dir)?;
        let parent = file
            .parent
            .clone()
            .or_else(|| (name != "default").then(|| "default".to_string()));
        let (mut roles, background) = match parent {
            Some(p) => {
                let t = Theme::resolve(&p, user_dir, depth + 1, warnings)?;
                (t.roles, t.background)
            }
            None => (HashMap::new(), None),
        };
        roles.extend(file.roles);
        warnings.extend(file.warnings);
        Ok(Theme {
            name: file.name,
            roles,
            background: file.background.or(background),
        })
    }
}

fn read_file(name: &str, user_dir: Option<&Path>) -> Result<ThemeFile, String> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err("not a valid theme name".into());
    }
    if let Some(dir) = user_dir {
        let path = dir.join(format!("{name}.toml"));
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            return parse(name, &text).map_err(|e| format!("{}: {e}", path.display()));
        }
    }
    match BUILTIN.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => parse(name, text),
        None => Err(format!(
            "no such theme (built-ins: {})",
            builtin_names().join(", ")
        )),
    }
}

fn parse(name: &str, text: &str) -> Result<ThemeFile, String> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let meta = doc.get("theme").and_then(|v| v.as_table());
    let file_name = meta
        .and_then(|m| m.get("name"))
        .and_then(|v| v.as_str())
        .unwrap_or(name)
        .to_string();
    let parent = meta
        .and_then(|m| m.get("parent"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let background = meta
        .and_then(|m| m.get("background"))
        .and_then(|v| v.as_str())
        .map(|s| parse_color("background", s))
        .transpose()?;
    let mut roles = HashMap::new();
    let mut warnings = Vec::new();
    if let Some(colors) = doc.get("colors") {
        let colors = colors
            .as_table()
            .ok_or_else(|| "[colors] must be a table".to_string())?;
        for (key, value) in colors {
            let Some(role) = Role::parse(key) else {
                let hint = match Role::closest(key) {
                    Some(r) => format!(" (did you mean {:?}?)", r.name()),
                    None => String::new(),
                };
                warnings.push(format!("unknown role {key:?} ignored{hint}"));
                continue;
            };
            roles.insert(role, parse_style(key, value)?);
        }
    }
    Ok(ThemeFile {
        name: file_name,
        parent,
        background,
        roles,
        warnings,
    })
}

fn parse_color(role: &str, s: &str) -> Result<Color, String> {
    if s.eq_ignore_ascii_case("default") {
        return Ok(Color::Reset);
    }
    Color::from_str(s).map_err(|_| format!("{role}: {s:?} is not a colour"))
}

fn parse_style(role: &str, v: &toml::Value) -> Result<Style, String> {
    match v {
        toml::Value::String(s) => Ok(Style::new().fg(parse_color(role, s)?)),
        toml::Value::Table(t) => {
            let mut st = Style::new();
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("fg", toml::Value::String(s)) => st = st.fg(parse_color(role, s)?),
                    ("bg", toml::Value::String(s)) => st = st.bg(parse_color(role, s)?),
                    ("bold", toml::Value::Boolean(true)) => st = st.add_modifier(Modifier::BOLD),
                    ("italic", toml::Value::Boolean(true)) => {
                        st = st.add_modifier(Modifier::ITALIC)
                    }
                    ("underline", toml::Value::Boolean(true)) => {
                        st = st.add_modifier(Modifier::UNDERLINED)
                    }
                    ("reverse", toml::Value::Boolean(true)) => {
                        st = st.add_modifier(Modifier::REVERSED)
                    }
                    ("bold" | "italic" | "underline" | "reverse", toml::Value::Boolean(false)) => {}
                    _ => return Err(format!("{role}: unexpected key {k:?}")),
                }
            }
            Ok(st)
        }
        _ => Err(format!("{role}: expected a colour string or a table")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_cover_every_role() {
        for name in builtin_names() {
            let (t, warn) = Theme::load(name, None);
            assert_eq!(warn, None, "{name}");
            for role in Role::ALL {
                assert!(t.roles.contains_key(&role), "{name} lacks {role:?}");
            }
        }
        let d = Theme::load("default", None).0;
        let hc = Theme::load("high-contrast", None).0;
        assert_ne!(d.style(Role::Ok), hc.style(Role::Ok));
    }

    #[test]
    fn user_file_overrides_and_inherits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "[theme]\nname = \"mine\"\nparent = \"light\"\n[colors]\nerror = { fg = \"#ff0000\", bold = true }\n",
        )
        .unwrap();
        let (t, warn) = Theme::load("mine", Some(dir.path()));
        assert_eq!(warn, None);
        assert_eq!(
            t.style(Role::Error),
            Style::new()
                .fg(Color::Rgb(255, 0, 0))
                .add_modifier(Modifier::BOLD)
        );
        let light = Theme::load("light", None).0;
        assert_eq!(t.style(Role::Base), light.style(Role::Base));
    }

    #[test]
    fn bad_files_fall_back_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("light.toml"),
            "[colors]\nok = \"notacolour\"\n",
        )
        .unwrap();
        let (t, warn) = Theme::load("light", Some(dir.path()));
        assert_eq!(t.name, "light");
        assert!(warn.unwrap().contains("notacolour"));

        std::fs::write(dir.path().join("broken.toml"), "[colors\n").unwrap();
        let (t, warn) = Theme::load("broken", Some(dir.path()));
        assert_eq!(t.name, "default");
        assert!(warn.is_some());

        std::fs::write(dir.path().join("odd.toml"), "[colors]\nsparkle = \"red\"\n").unwrap();
        assert!(Theme::load("odd", Some(dir.path()))
            .1
            .unwrap()
            .contains("sparkle"));

        let (t, warn) = Theme::load("nope", None);
        assert_eq!(t.name, "default");
        assert!(warn.unwrap().contains("no such theme"));
        assert!(Theme::load("../etc", None).1.is_some());
    }

    #[test]
    fn a_misspelt_role_is_named_and_the_rest_of_the_file_applies() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("typo.toml"),
            "[colors]\n\"tabel.cursor\" = \"red\"\nok = \"#00ff00\"\n",
        )
        .unwrap();
        let (t, warn) = Theme::load("typo", Some(dir.path()));
        let warn = warn.expect("a warning");
        assert!(warn.contains("\"tabel.cursor\""), "{warn}");
        assert!(warn.contains("did you mean \"table.cursor\""), "{warn}");
        assert_eq!(t.name, "typo");
        assert_eq!(t.style(Role::Ok).fg, Some(Color::Rgb(0, 255, 0)));
        let d = Theme::builtin_default();
        assert_eq!(t.style(Role::TableCursor), d.style(Role::TableCursor));
        assert_eq!(Role::closest("sparkle"), None);
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.name()), Some(r));
        }
        assert_eq!(Role::parse("table_cursor"), None);
    }

    #[test]
    fn parent_loops_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "[theme]\nparent = \"b\"\n").unwrap();
        std::fs::write(dir.path().join("b.toml"), "[theme]\nparent = \"a\"\n").unwrap();
        let (t, warn) = Theme::load("a", Some(dir.path()));
        assert_eq!(t.name, "default");
        assert!(warn.unwrap().contains("too deep"));
    }
}
