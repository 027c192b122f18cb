//! Which config directory a backup name stands for, in one place for `backup run`, `restore`,
//! the console's backup tasks and its backups source: `backup.paths` first, else the node path
//! discovery resolved for the service's config volume (hostPath, or PVC → PV `local`/`hostPath`),
//! with `backup.node_root` prefixed either way.

use crate::config::BackupConfig;
use crate::model::{Inventory, ServiceInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The backup name of a discovered service: its workload name (`media/sonarr` → `sonarr`).
pub fn service_name(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_string()
}

/// The config directory of backup name `name` as seen from here, `None` when neither
/// `backup.paths` names it nor `svc` (the discovered service, if any) has a node path.
pub fn config_dir(cfg: &BackupConfig, name: &str, svc: Option<&ServiceInfo>) -> Option<PathBuf> {
    if let Some(p) = cfg.paths.get(name) {
        return Some(cfg.on_node(p));
    }
    let node = svc?.config_volume.as_ref()?.source.node_path()?;
    Some(cfg.on_node(Path::new(node)))
}

/// The include/exclude patterns of `[backup]` over the default excludes.
pub fn filter(cfg: &BackupConfig) -> super::Filter {
    super::Filter::with(&cfg.exclude, &cfg.include)
}

/// The retention of `[backup]` (`keep_daily/weekly/monthly`).
pub fn policy(cfg: &BackupConfig) -> super::Policy {
    super::Policy {
        daily: cfg.keep_daily,
        weekly: cfg.keep_weekly,
        monthly: cfg.keep_monthly,
    }
}

/// One backup name: its config directory and the discovered service, when there is one.
#[derive(Debug, Clone)]
pub struct Scoped<'a> {
    pub dir: PathBuf,
    pub service: Option<&'a ServiceInfo>,
}

/// Every backup name with a config directory: the discovered services (when `inv` is given)
/// and the names `backup.paths` configures, by name.
pub fn config_dirs<'a>(
    cfg: &BackupConfig,
    inv: Option<&'a Inventory>,
) -> BTreeMap<String, Scoped<'a>> {
    let mut out = BTreeMap::new();
    for svc in inv.map(|i| i.services.as_slice()).unwrap_or_default() {
        let name = service_name(svc.id.as_str());
        if out.contains_key(&name) {
            continue;
        }
        if let Some(dir) = config_dir(cfg, &name, Some(svc)) {
            out.insert(
                name,
                Scoped {
                    dir,
                    service: Some(svc),
                },
            );
        }
    }
    for name in cfg.paths.keys() {
        if !out.contains_key(name) {
            let dir = config_dir(cfg, name, None).unwrap_or_default();
            out.insert(name.clone(), Scoped { dir, service: None });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_path_wins_then_node_path_with_node_root() {
        let mut cfg = BackupConfig {
            node_root: Some("/host".into()),
            ..Default::default()
        };
        cfg.paths.insert("radarr".into(), "/srv/radarr".into());
        assert_eq!(service_name("media/sonarr"), "sonarr");
        assert_eq!(service_name("sonarr"), "sonarr");
        assert_eq!(
            config_dir(&cfg, "radarr", None),
            Some(PathBuf::from("/host/srv/radarr"))
        );
        assert_eq!(config_dir(&cfg, "sonarr", None), None);
        let all = config_dirs(&cfg, None);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["radarr"]);
        assert!(all["radarr"].service.is_none());
    }
}
