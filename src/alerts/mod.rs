//! Alerts (issue 12): where the alerts come from — Alertmanager API v2, found from its Service
//! (port 9093, or a port or Service named `alertmanager`) or configured (`alertmanager_url`),
//! else Prometheus's own `/api/v1/alerts` from its Service (port 9090 or named `prometheus`),
//! with the URL base each serves under (`--web.route-prefix` of the pod behind the Service) —
//! and what they say ([`AlertsFacts`]). The `alert.*` findings are the active alerts.

use crate::clients::alertmanager::{Alert, AlertmanagerClient, Silence};
use crate::clients::transport::AppEndpoint;
use crate::cluster::list::Listing;
use crate::cluster::ClusterConn;
use crate::config::Config;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Service;
use std::time::Duration;

/// Which API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Alertmanager,
    /// Prometheus's own alerts: no silences, no inhibition.
    Prometheus,
}

/// How to reach the alert source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Through the API server's service proxy.
    Service {
        namespace: String,
        name: String,
        port: String,
        url_base: String,
    },
    /// A configured URL.
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSource {
    pub backend: Backend,
    pub access: Access,
}

impl AlertSource {
    /// `Alertmanager monitoring/alertmanager:9093` or the URL.
    pub fn label(&self) -> String {
        let what = match self.backend {
            Backend::Alertmanager => "Alertmanager",
            Backend::Prometheus => "Prometheus",
        };
        match &self.access {
            Access::Service {
                namespace,
                name,
                port,
                url_base,
            } => format!("{what} {namespace}/{name}:{port}{url_base}"),
            Access::Url(u) => format!("{what} {u}"),
        }
    }

    pub fn endpoint(&self, conn: &ClusterConn, timeout: Duration) -> AppEndpoint {
        match &self.access {
            Access::Service {
                namespace,
                name,
                port,
                url_base,
            } => AppEndpoint::proxy(conn.client.clone(), namespace, name, port, url_base),
            Access::Url(u) => AppEndpoint::direct(u.clone(), ""),
        }
        .with_timeout(timeout)
    }
}

/// What `:alerts` shows and the `alert.*` checks read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertsFacts {
    /// `None`: no Alertmanager or Prometheus was found (and none configured).
    pub source: Option<AlertSource>,
    pub alerts: Vec<Alert>,
    pub silences: Vec<Silence>,
    /// Why the source could not be read (the rest is empty).
    pub error: Option<String>,
    pub fetched_at: Option<Timestamp>,
}

fn port_of(svc: &Service, number: i32, name: &str) -> Option<String> {
    let ports = svc.spec.as_ref()?.ports.as_ref()?;
    let svc_name = svc.metadata.name.as_deref().unwrap_or_default();
    ports
        .iter()
        .find(|p| {
            p.port == number
                || p.name.as_deref().is_some_and(|n| n.contains(name))
                || (svc_name.contains(name) && ports.len() == 1)
        })
        .map(|p| p.port.to_string())
}

/// `--web.route-prefix` (or `--web.external-url`'s path) of a pod the Service selects.
fn route_prefix(l: &Listing, svc: &Service) -> String {
    let ns = svc.metadata.namespace.as_deref().unwrap_or_default();
    let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return String::new();
    };
    for pod in &l.objects.pods {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        if pod.metadata.namespace.as_deref() != Some(ns)
            || !sel.iter().all(|(k, v)| labels.get(k) == Some(v))
        {
            continue;
        }
        for c in pod.spec.iter().flat_map(|s| &s.containers) {
            for a in c.args.iter().flatten().chain(c.command.iter().flatten()) {
                if let Some(p) = a.strip_prefix("--web.route-prefix=") {
                    return crate::clients::transport::normalize_url_base(p);
                }
            }
        }
    }
    String::new()
}

/// The alert source: configured, else an Alertmanager Service, else a Prometheus Service.
pub fn discover(l: &Listing, cfg: &Config) -> Option<AlertSource> {
    if let Some(u) = &cfg.alertmanager_url {
        return Some(AlertSource {
            backend: Backend::Alertmanager,
            access: Access::Url(u.clone()),
        });
    }
    let find = |number: i32, name: &str, backend: Backend| {
        let mut svcs: Vec<&std::sync::Arc<Service>> = l
            .objects
            .services
            .iter()
            .filter(|s| {
                let n = s.metadata.name.as_deref().unwrap_or_default();
                n.contains(name) && !n.contains("operated") && !n.contains("operator")
            })
            .collect();
        svcs.sort_by_key(|s| (s.metadata.namespace.clone(), s.metadata.name.clone()));
        svcs.into_iter().find_map(|s| {
            let port = port_of(s, number, name)?;
            Some(AlertSource {
                backend,
                access: Access::Service {
                    namespace: s.metadata.namespace.clone().unwrap_or_default(),
                    name: s.metadata.name.clone().unwrap_or_default(),
                    port,
                    url_base: route_prefix(l, s),
                },
            })
        })
    };
    find(9093, "alertmanager", Backend::Alertmanager)
        .or_else(|| find(9090, "prometheus", Backend::Prometheus))
}

/// Read the source once: alerts (and silences from Alertmanager).
pub async fn fetch(source: &AlertSource, ep: &AppEndpoint) -> AlertsFacts {
    let c = AlertmanagerClient::new(ep.clone());
    let mut out = AlertsFacts {
        source: Some(source.clone()),
        fetched_at: Some(Timestamp::now()),
        ..AlertsFacts::default()
    };
    let r = match source.backend {
        Backend::Alertmanager => match c.alerts().await {
            Ok(a) => c.silences().await.map(|s| (a, s)),
            Err(e) => Err(e),
        },
        Backend::Prometheus => c.prometheus_alerts().await.map(|a| (a, vec![])),
    };
    match r {
        Ok((mut alerts, mut silences)) => {
            alerts.sort_by(|a, b| (a.name(), &a.fingerprint).cmp(&(b.name(), &b.fingerprint)));
            silences.sort_by(|a, b| (&a.state, &a.id).cmp(&(&b.state, &b.id)));
            out.alerts = alerts;
            out.silences = silences;
        }
        Err(e) => out.error = Some(e.to_string()),
    }
    out
}

/// The matchers a silence of `a` uses: every label but `severity` (so one alert instance).
pub fn matchers_of(a: &Alert) -> Vec<(String, String)> {
    a.labels
        .iter()
        .filter(|(k, _)| k.as_str() != "severity")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `2h`, `30m`, `1d`, `90s` → seconds (at most 30 days).
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n.parse().map_err(|_| format!("{s:?}: say 30m, 2h or 1d"))?;
    let secs = match unit {
        "s" => n,
        "m" | "" => n * 60,
        "h" => n * 3_600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: the unit is s, m, h or d")),
    };
    if secs <= 0 || secs > 30 * 86_400 {
        return Err("between 1 minute and 30 days".into());
    }
    Ok(secs)
}

#[cfg(test)]
mod tests;
