//! `k8s-nas info`: every path the program uses, and the effective settings.

use crate::config::{Config, Paths};
use std::path::Path;

pub fn print(cfg: &Config, cfg_path: &Path, paths: &Paths) {
    let exists = |p: &Path| if p.exists() { "" } else { "  (not present)" };
    crate::out!(
        "config file:       {}{}",
        cfg_path.display(),
        exists(cfg_path)
    );
    crate::out!(
        "themes dir:        {}{}",
        paths.themes_dir.display(),
        exists(&paths.themes_dir)
    );
    crate::out!(
        "integrations file: {}{}",
        paths.integrations_file.display(),
        exists(&paths.integrations_file)
    );
    crate::out!("data dir:          {}", paths.data_dir.display());
    crate::out!("log file:          {}", paths.log_file.display());
    crate::out!("theme:             {}", cfg.theme);
    for problem in theme_problems(&cfg.theme, &paths.themes_dir) {
        crate::out!("  theme problem:   {problem}");
    }
    crate::out!(
        "kubeconfig:        {}",
        cfg.kubeconfig
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(default: $KUBECONFIG or ~/.kube/config)".into())
    );
    crate::out!(
        "context:           {}",
        cfg.context.as_deref().unwrap_or("(current)")
    );
    crate::out!(
        "namespaces:        {}",
        if cfg.namespaces.is_empty() {
            "(all)".to_string()
        } else {
            cfg.namespaces.join(", ")
        }
    );
    crate::out!("access mode:       {:?}", cfg.access);
    crate::out!("read-only:         {}", cfg.read_only);
    crate::out!("API key Secret:    {}", cfg.api_key_secret);
}

/// What is wrong with the configured theme: a file that does not load (the console falls back)
/// and every foreground/background pair under WCAG AA.
pub fn theme_problems(name: &str, themes_dir: &Path) -> Vec<String> {
    use crate::tui::{contrast, theme::Theme};
    let (theme, warning) = Theme::load(name, Some(themes_dir));
    warning
        .into_iter()
        .chain(
            contrast::problems(&theme)
                .into_iter()
                .map(|p| format!("low contrast: {p}")),
        )
        .collect()
}
