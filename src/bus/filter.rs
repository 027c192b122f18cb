//! The `/` filter of every table: a case-insensitive regex, or a plain substring when the text
//! is not a valid regex; a leading `!` inverts it. Rows match against their lower-cased
//! haystack, one column per line (so `^`/`$` anchor per column).

/// A compiled `/` filter: case-insensitive regex, or plain substring when the text is not a
/// valid regex; a leading `!` inverts it.
#[derive(Debug, Clone)]
pub struct Filter {
    pub text: String,
    invert: bool,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Regex(regex::Regex),
    Substring(String),
}

impl Filter {
    pub fn new(text: &str) -> Option<Filter> {
        let (invert, pat) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        if pat.is_empty() {
            return None;
        }
        let matcher = match regex::RegexBuilder::new(pat)
            .case_insensitive(true)
            .multi_line(true)
            .size_limit(1 << 20)
            .build()
        {
            Ok(re) => Matcher::Regex(re),
            Err(_) => Matcher::Substring(pat.to_lowercase()),
        };
        Some(Filter {
            text: text.to_string(),
            invert,
            matcher,
        })
    }

    /// Match against lower-cased text.
    pub fn matches(&self, haystack: &str) -> bool {
        let hit = match &self.matcher {
            Matcher::Regex(re) => re.is_match(haystack),
            Matcher::Substring(s) => haystack.contains(s.as_str()),
        };
        hit != self.invert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let f = Filter::new("son").unwrap();
        assert!(f.matches("sonarr\nsonarr"));
        let f = Filter::new("arr$").unwrap();
        assert!(f.matches("radarr\nradarr\nmedia") && !f.matches("jellyfin\nmedia"));
        let f = Filter::new("^rad|lid").unwrap();
        assert!(f.matches("radarr") && f.matches("lidarr") && !f.matches("sonarr"));
        let f = Filter::new("!son").unwrap();
        assert!(!f.matches("sonarr") && f.matches("radarr"));
        let f = Filter::new("(unclosed").unwrap();
        assert!(f.matches("x (unclosed y"));
        assert!(Filter::new("").is_none());
    }
}
