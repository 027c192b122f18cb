//! Service and Ingress matching: which Service port reaches the app container, and which Ingress
//! rules route to that Service.

use crate::model::{IngressRoute, ServicePort};
use k8s_openapi::api::core::v1::{Container, Service};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Does a (non-empty) selector select these labels?
pub(crate) fn selects(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The port of `svc` that forwards to `app`'s container port (by number or by port name),
/// as a [`ServicePort`]. The first container port that matches wins.
pub(crate) fn service_port(svc: &Service, app: &Container) -> Option<ServicePort> {
    let name = svc.metadata.name.clone()?;
    let spec = svc.spec.as_ref()?;
    for cport in app.ports.iter().flatten() {
        for sp in spec.ports.iter().flatten() {
            let proto_ok = sp.protocol.as_deref().unwrap_or("TCP")
                == cport.protocol.as_deref().unwrap_or("TCP");
            let hit = match &sp.target_port {
                Some(IntOrString::Int(n)) => *n == cport.container_port,
                Some(IntOrString::String(s)) => cport.name.as_deref() == Some(s.as_str()),
                None => sp.port == cport.container_port,
            };
            if hit && proto_ok {
                return Some(ServicePort {
                    name,
                    port: u16::try_from(sp.port).ok()?,
                    target_port: u16::try_from(cport.container_port).ok()?,
                    port_name: sp.name.clone(),
                });
            }
        }
    }
    None
}

/// Every Service in `services` (already limited to the namespace) whose selector selects
/// `labels` and which targets the app container.
pub(crate) fn matching_services(
    services: &[&Service],
    labels: &BTreeMap<String, String>,
    app: &Container,
) -> Vec<ServicePort> {
    let mut out: Vec<ServicePort> = services
        .iter()
        .filter(|s| {
            s.spec
                .as_ref()
                .and_then(|sp| sp.selector.as_ref())
                .is_some_and(|sel| selects(sel, labels))
        })
        .filter_map(|s| service_port(s, app))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Is this Ingress a redirect (nginx `permanent-redirect`/`temporal-redirect`), not a proxy?
fn is_redirect(ing: &Ingress) -> bool {
    ing.metadata.annotations.as_ref().is_some_and(|a| {
        a.contains_key("nginx.ingress.kubernetes.io/permanent-redirect")
            || a.contains_key("nginx.ingress.kubernetes.io/temporal-redirect")
    })
}

fn rewrites(ing: &Ingress) -> bool {
    ing.metadata.annotations.as_ref().is_some_and(|a| {
        a.contains_key("nginx.ingress.kubernetes.io/rewrite-target")
            || a.contains_key("traefik.ingress.kubernetes.io/router.middlewares")
    })
}

/// Every rule path of `ingresses` (already limited to the namespace) whose backend is `svc`,
/// with a flag telling whether the Ingress is a redirect.
pub(crate) fn routes(
    ingresses: &[&Ingress],
    namespace: &str,
    svc: &ServicePort,
) -> Vec<(IngressRoute, bool)> {
    let mut out = vec![];
    for ing in ingresses {
        let Some(spec) = &ing.spec else { continue };
        let ing_name = ing.metadata.name.as_deref().unwrap_or("");
        for rule in spec.rules.iter().flatten() {
            let host = rule.host.clone().unwrap_or_else(|| "*".into());
            let tls_secret = spec.tls.iter().flatten().find_map(|t| {
                let covers = t
                    .hosts
                    .as_ref()
                    .is_none_or(|hs| hs.is_empty() || hs.iter().any(|h| host_matches(h, &host)));
                if covers {
                    t.secret_name.clone()
                } else {
                    None
                }
            });
            for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                let Some(b) = p.backend.service.as_ref() else {
                    continue;
                };
                if b.name != svc.name {
                    continue;
                }
                let port_ok = match &b.port {
                    None => true,
                    Some(bp) => {
                        bp.number.is_some_and(|n| i32::from(svc.port) == n)
                            || (bp.name.is_some() && bp.name == svc.port_name)
                    }
                };
                if !port_ok {
                    continue;
                }
                out.push((
                    IngressRoute {
                        ingress: format!("{namespace}/{ing_name}"),
                        host: host.clone(),
                        path: p.path.clone().unwrap_or_else(|| "/".into()),
                        tls_secret: tls_secret.clone(),
                        rewrites: rewrites(ing),
                    },
                    is_redirect(ing),
                ));
            }
        }
    }
    out
}

/// TLS host entry `pattern` (possibly `*.example.com`) covers `host`.
fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(suffix)),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_hosts() {
        assert!(host_matches(
            "*.home.example.com",
            "bazarr.home.example.com"
        ));
        assert!(!host_matches("*.home.example.com", "home.example.com"));
        assert!(host_matches("home.example.com", "HOME.example.com"));
    }

    #[test]
    fn empty_selector_selects_nothing() {
        let labels = BTreeMap::from([("app".to_string(), "x".to_string())]);
        assert!(!selects(&BTreeMap::new(), &labels));
        assert!(selects(&labels.clone(), &labels));
    }
}
