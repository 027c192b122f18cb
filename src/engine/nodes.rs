//! The `:nodes` view's rows (issue 8), read when the view asks (one node list, one node
//! metrics list; nothing polled while the view is closed): the Ready condition, the pressure
//! conditions (DiskPressure, MemoryPressure, PIDPressure), usage against allocatable from the
//! metrics API, and the disk use of the node paths the stack mounts (`hostPath` volumes of the
//! pods on that node), measured with statvfs where they are reachable from here: under
//! `backup.node_root`, or directly when the console runs on that node (its hostname).

use crate::bus::{NodeFigures, ResourceRow};
use crate::cluster::list::Listing;
use crate::cluster::metrics::{self, Usage};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pressure conditions a node reports.
pub const PRESSURES: [&str; 3] = ["DiskPressure", "MemoryPressure", "PIDPressure"];

/// Used and total bytes of the filesystem holding `path` (statvfs), if it exists here.
pub fn disk_use(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a NUL-terminated path and a zeroed statvfs we own.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let frsize = st.f_frsize as u64;
    let total = st.f_blocks as u64 * frsize;
    let free = st.f_bfree as u64 * frsize;
    Some((total.saturating_sub(free), total))
}

/// This machine's host name.
fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
}

/// The `hostPath` paths mounted by the pods on each node.
pub fn host_paths(listing: &Listing) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for pod in &listing.objects.pods {
        let Some(spec) = &pod.spec else { continue };
        let Some(node) = &spec.node_name else {
            continue;
        };
        for v in spec.volumes.iter().flatten() {
            if let Some(hp) = v.host_path.as_ref().filter(|hp| holds_files(hp)) {
                out.entry(node.clone()).or_default().insert(hp.path.clone());
            }
        }
    }
    out
}

/// A `hostPath` whose disk use means something: not a device, socket or kernel file system
/// (Jellyfin's `/dev/dri` is a GPU, not a disk).
fn holds_files(hp: &k8s_openapi::api::core::v1::HostPathVolumeSource) -> bool {
    let special = matches!(
        hp.type_.as_deref(),
        Some("CharDevice" | "BlockDevice" | "Socket")
    );
    let kernel = ["/dev", "/proc", "/sys"]
        .iter()
        .any(|root| hp.path == *root || hp.path.starts_with(&format!("{root}/")));
    !special && !kernel
}

/// Bytes in GiB, one decimal (`9.0Gi`).
pub fn gib(b: u64) -> String {
    format!("{:.1}Gi", b as f64 / (1u64 << 30) as f64)
}

/// `used` in percent of `of` (0 when `of` is 0).
pub fn pct(used: u64, of: u64) -> u64 {
    (used * 100).checked_div(of).unwrap_or(0)
}

/// One node's row (pure: the disk use is passed in).
pub fn row(
    node: &Node,
    usage: Option<&Usage>,
    metrics_api: bool,
    disks: &[(String, Option<(u64, u64)>)],
) -> ResourceRow {
    let conditions = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    let cond = |t: &str| {
        conditions
            .iter()
            .find(|c| c.type_ == t)
            .map(|c| c.status.as_str())
    };
    let ready = match cond("Ready") {
        Some("True") => "Ready",
        Some("False") => "NotReady",
        _ => "Unknown",
    };
    let pressure: Vec<&str> = PRESSURES
        .iter()
        .copied()
        .filter(|p| cond(p) == Some("True"))
        .collect();
    let alloc = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let q = |k: &str| alloc.and_then(|a| a.get(k)).map(|q| q.0.clone());
    let cpu = q("cpu").as_deref().and_then(metrics::cpu_milli);
    let mem = q("memory").as_deref().and_then(metrics::bytes);
    let mut info = Vec::new();
    match (usage, cpu, mem) {
        (Some(u), Some(c), Some(m)) => {
            info.push(format!(
                "cpu {}m/{}m ({}%)",
                u.cpu_milli,
                c,
                pct(u.cpu_milli, c)
            ));
            info.push(format!(
                "mem {}/{} ({}%)",
                gib(u.mem_bytes),
                gib(m),
                pct(u.mem_bytes, m)
            ));
        }
        _ => {
            let why = if metrics_api {
                "usage unknown"
            } else {
                "no metrics API"
            };
            info.push(format!(
                "allocatable cpu {} mem {} ({why})",
                cpu.map_or("?".into(), |c| format!("{c}m")),
                mem.map_or("?".into(), gib)
            ));
        }
    }
    if !disks.is_empty() {
        let d: Vec<String> = disks
            .iter()
            .map(|(p, u)| match u {
                Some((used, total)) => format!("{p} {}% of {}", pct(*used, *total), gib(*total)),
                None => format!("{p} unknown"),
            })
            .collect();
        info.push(format!("disk {}", d.join(", ")));
    }
    ResourceRow {
        name: node.metadata.name.clone().unwrap_or_default(),
        ready: ready.to_string(),
        status: if pressure.is_empty() {
            "no pressure".to_string()
        } else {
            pressure.join(", ")
        },
        since: node.metadata.creation_timestamp.as_ref().map(|t| t.0),
        info: info.join(" · "),
        bad: ready != "Ready" || !pressure.is_empty(),
        node: Some(NodeFigures {
            cpu_milli: usage.map(|u| u.cpu_milli),
            cpu_allocatable: cpu,
            mem_bytes: usage.map(|u| u.mem_bytes),
            mem_allocatable: mem,
            metrics_api,
            disks: disks.to_vec(),
        }),
        ..ResourceRow::default()
    }
}

/// Read the nodes and their usage now. `node_root`: where the node's filesystem is mounted
/// here (`None`: only a node named like this host is measured, at its own paths).
pub async fn rows(
    client: kube::Client,
    listing: Option<std::sync::Arc<Listing>>,
    node_root: Option<PathBuf>,
) -> Result<Vec<ResourceRow>, String> {
    let nodes = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("nodes: {}", crate::cluster::explain(&e)))?;
    let usage = metrics::node_usage(&client).await.ok().flatten();
    let paths = listing.as_deref().map(host_paths).unwrap_or_default();
    let here = hostname();
    let mut out = Vec::new();
    for n in &nodes.items {
        let name = n.metadata.name.clone().unwrap_or_default();
        let local = node_root.is_some() || here.as_deref() == Some(name.as_str());
        let disks: Vec<(String, Option<(u64, u64)>)> = if local {
            let mut seen = BTreeSet::new();
            paths
                .get(&name)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let at = match &node_root {
                        Some(r) => r.join(p.trim_start_matches('/')),
                        None => PathBuf::from(p),
                    };
                    let u = disk_use(&at);
                    // One entry per filesystem (by its size and use), so a tree on one disk
                    // is one line; a path not found here is always listed.
                    (u.is_none() || seen.insert(u)).then(|| (p.clone(), u))
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push(row(
            n,
            usage.as_ref().and_then(|u| u.get(&name)),
            usage.is_some(),
            &disks,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn devices_and_kernel_file_systems_are_not_disks() {
        let hp = |path: &str, t: Option<&str>| k8s_openapi::api::core::v1::HostPathVolumeSource {
            path: path.into(),
            type_: t.map(str::to_string),
        };
        assert!(holds_files(&hp("/mnt/data/media", None)));
        assert!(holds_files(&hp("/mnt/data", Some("DirectoryOrCreate"))));
        assert!(holds_files(&hp("/devices", None)));
        assert!(!holds_files(&hp("/dev/dri", None)));
        assert!(!holds_files(&hp("/srv/gpu", Some("CharDevice"))));
        assert!(!holds_files(&hp("/run/docker.sock", Some("Socket"))));
        assert!(!holds_files(&hp("/sys", None)));
        assert!(!holds_files(&hp("/proc/cpuinfo", None)));
    }

    fn node(pressure: bool) -> Node {
        serde_json::from_value(json!({
            "metadata": {"name": "nas"},
            "status": {
                "allocatable": {"cpu": "4", "memory": "16Gi"},
                "conditions": [
                    {"type": "Ready", "status": "True"},
                    {"type": "DiskPressure", "status": if pressure { "True" } else { "False" }},
                    {"type": "MemoryPressure", "status": "False"}
                ]
            }
        }))
        .unwrap()
    }

    #[test]
    fn conditions_usage_and_disks() {
        let u = Usage {
            cpu_milli: 1000,
            mem_bytes: 4 << 30,
        };
        let disks = vec![
            ("/srv/media".to_string(), Some((71u64 << 30, 100u64 << 30))),
            ("/srv/gone".to_string(), None),
        ];
        let r = row(&node(true), Some(&u), true, &disks);
        assert_eq!(
            (r.ready.as_str(), r.status.as_str(), r.bad),
            ("Ready", "DiskPressure", true)
        );
        assert_eq!(
            r.info,
            "cpu 1000m/4000m (25%) · mem 4.0Gi/16.0Gi (25%) · disk /srv/media 71% of 100.0Gi, /srv/gone unknown"
        );
        let r = row(&node(false), None, false, &[]);
        assert_eq!((r.status.as_str(), r.bad), ("no pressure", false));
        assert_eq!(r.info, "allocatable cpu 4000m mem 16.0Gi (no metrics API)");
    }

    #[test]
    fn statvfs_of_a_real_path() {
        let (used, total) = disk_use(Path::new("/")).expect("/ exists");
        assert!(total > 0 && used <= total);
        assert_eq!(disk_use(Path::new("/nonexistent/k8s-nas")), None);
    }
}
