//! A string that never shows itself: API keys, passwords and tokens travel in [`Secret`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What every masked secret prints as.
pub const MASK: &str = "••••••••";

/// A secret value. `Debug`, `Display` and `Serialize` all print [`MASK`]; the value is reachable
/// only through [`Secret::expose`], which callers use exactly where the wire needs it and where
/// the user asked to see it (`keys --show`).
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The real value. Never pass it to a formatter, a log line or a widget.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Masked form for display: [`MASK`], or `(empty)`.
    pub fn masked(&self) -> &'static str {
        if self.is_empty() {
            "(empty)"
        } else {
            MASK
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.masked())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.masked())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_itself() {
        let s = Secret::new("0123456789abcdef0123456789abcdef");
        assert!(!format!("{s}").contains("0123"));
        assert!(!format!("{s:?}").contains("0123"));
        assert!(!serde_json::to_string(&s).unwrap().contains("0123"));
        assert_eq!(s.expose(), "0123456789abcdef0123456789abcdef");
        assert_eq!(Secret::default().masked(), "(empty)");
    }
}
