//! Include/exclude patterns. A pattern without `/` matches any path component (file or
//! directory name); a pattern with `/` matches the path from the config directory's root.
//! `*` matches any run of characters; matching is case-insensitive (Servarr writes `logs`,
//! Jellyfin `log`, linuxserver images `Logs`). An include wins over an exclude.

/// Logs, caches, artwork and the app's own backups: large, rebuildable, or redundant.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    "logs",
    "log",
    "*.log",
    "*.log.*",
    "logs.db",
    "cache",
    "caches",
    "MediaCover",
    "Backups",
    "*.pid",
    "transcodes",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub exclude: Vec<String>,
    pub include: Vec<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            exclude: DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect(),
            include: Vec::new(),
        }
    }
}

impl Filter {
    /// The defaults plus `exclude`, with `include` overriding both.
    pub fn with(exclude: &[String], include: &[String]) -> Filter {
        let mut f = Filter::default();
        f.exclude.extend(exclude.iter().cloned());
        f.include = include.to_vec();
        f
    }

    /// Whether `rel` (relative path with `/`) is left out.
    pub fn excluded(&self, rel: &str) -> bool {
        let hit = |pats: &[String]| pats.iter().any(|p| matches_path(p, rel));
        hit(&self.exclude) && !hit(&self.include)
    }
}

fn matches_path(pat: &str, rel: &str) -> bool {
    let pat = pat.trim_end_matches('/');
    if pat.contains('/') {
        let pat = pat.trim_start_matches('/');
        // The path itself or any of its parents.
        let mut acc = String::new();
        for c in rel.split('/') {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(c);
            if glob(pat, &acc) {
                return true;
            }
        }
        false
    } else {
        rel.split('/').any(|c| glob(pat, c))
    }
}

/// `*`-glob, case-insensitive.
pub fn glob(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.to_lowercase().chars().collect();
    let t: Vec<char> = s.to_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}
