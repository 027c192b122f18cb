//! Name resolution inside the simulated cluster: in-cluster service names → loopback addresses.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

type Table = HashMap<(String, String, u16), SocketAddr>;

/// Shared table of `(service, namespace, port) → 127.0.0.1:N`. Cheap to clone.
#[derive(Clone, Default, Debug)]
pub struct SimDns {
    table: Arc<RwLock<Table>>,
}

impl SimDns {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register the Service `name` in `namespace` on `port`, served at `addr`.
    pub fn register(&self, namespace: &str, name: &str, port: u16, addr: SocketAddr) {
        if let Ok(mut t) = self.table.write() {
            t.insert((name.to_string(), namespace.to_string(), port), addr);
        }
    }

    pub fn unregister(&self, namespace: &str, name: &str, port: u16) {
        if let Ok(mut t) = self.table.write() {
            t.remove(&(name.to_string(), namespace.to_string(), port));
        }
    }

    /// Resolve `host:port` as seen from a pod in `caller_ns`. Accepts `name`, `name.ns`,
    /// `name.ns.svc`, `name.ns.svc.cluster.local`, and literal loopback addresses / `localhost`
    /// (used by tests that point an app at a real program such as qbittorrent-nox).
    pub fn resolve(&self, caller_ns: &str, host: &str, port: u16) -> Option<SocketAddr> {
        let host = host.trim_end_matches('.');
        if host == "localhost" {
            return Some(SocketAddr::from(([127, 0, 0, 1], port)));
        }
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return ip.is_loopback().then_some(SocketAddr::new(ip, port));
        }
        let parts: Vec<&str> = host.split('.').collect();
        let (name, ns) = match parts.as_slice() {
            [name] => (*name, caller_ns),
            [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => (*name, *ns),
            _ => return None,
        };
        self.table
            .read()
            .ok()?
            .get(&(name.to_string(), ns.to_string(), port))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_short_and_full_names() {
        let d = SimDns::new();
        let a: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        d.register("media", "sonarr", 8989, a);
        assert_eq!(d.resolve("media", "sonarr", 8989), Some(a));
        assert_eq!(d.resolve("qbittorrent", "sonarr", 8989), None);
        assert_eq!(
            d.resolve("x", "sonarr.media.svc.cluster.local", 8989),
            Some(a)
        );
        assert_eq!(d.resolve("x", "sonarr.media", 8989), Some(a));
        assert_eq!(d.resolve("x", "sonarr.media", 80), None);
        assert_eq!(d.resolve("x", "10.0.0.1", 80), None);
        assert!(d.resolve("x", "127.0.0.1", 80).is_some());
    }
}
