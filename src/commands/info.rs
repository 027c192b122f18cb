//! `k8s-nas info`: every path the program uses, and the effective settings.

use crate::config::{Config, Paths};
use std::path::Path;

pub fn print(cfg: &Config, cfg_path: &Path, paths: &Paths) {
    let exists = |p: &Path| if p.exists() { "" } else { "  (not present)" };
    println!(
        "config file:       {}{}",
        cfg_path.display(),
        exists(cfg_path)
    );
    println!(
        "themes dir:        {}{}",
        paths.themes_dir.display(),
        exists(&paths.themes_dir)
    );
    println!(
        "integrations file: {}{}",
        paths.integrations_file.display(),
        exists(&paths.integrations_file)
    );
    println!("data dir:          {}", paths.data_dir.display());
    println!("log file:          {}", paths.log_file.display());
    println!("theme:             {}", cfg.theme);
    println!(
        "kubeconfig:        {}",
        cfg.kubeconfig
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(default: $KUBECONFIG or ~/.kube/config)".into())
    );
    println!(
        "context:           {}",
        cfg.context.as_deref().unwrap_or("(current)")
    );
    println!(
        "namespaces:        {}",
        if cfg.namespaces.is_empty() {
            "(all)".to_string()
        } else {
            cfg.namespaces.join(", ")
        }
    );
    println!("access mode:       {:?}", cfg.access);
    println!("read-only:         {}", cfg.read_only);
    println!("API key Secret:    {}", cfg.api_key_secret);
}
