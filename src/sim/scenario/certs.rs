//! Certificate scenarios (issue 10), on the target world's cert-manager objects: each edit
//! finds its Certificate and Secrets by evidence (the `cert-manager.io/certificate-name`
//! annotation, `spec.secretName`), never by a fixed name.

use super::Layer;
use crate::sim::world::tls::reissue_secret;
use crate::sim::world::World;
use serde_json::{json, Value};

const DAY: i64 = 86_400;

fn ts(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The Certificates of the world, sorted by namespace/name.
fn certificates(world: &World) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = world
        .objects
        .iter()
        .filter(|o| o["kind"] == "Certificate" && o["apiVersion"] == "cert-manager.io/v1")
        .map(|o| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&o["metadata"]["namespace"]),
                s(&o["metadata"]["name"]),
                s(&o["spec"]["secretName"]),
            )
        })
        .collect();
    v.sort();
    v
}

fn certificate_mut<'a>(world: &'a mut World, ns: &str, name: &str) -> Option<&'a mut Value> {
    world.objects.iter_mut().find(|o| {
        o["kind"] == "Certificate"
            && o["metadata"]["namespace"] == ns
            && o["metadata"]["name"] == name
    })
}

/// Copies (`namespace`, `name`) of the Secret `ns/secret` of Certificate `cert`: Secrets in
/// other namespaces annotated with the certificate's name.
fn copies(world: &World, ns: &str, cert: &str) -> Vec<(String, String)> {
    world
        .objects
        .iter()
        .filter(|o| {
            o["type"] == "kubernetes.io/tls"
                && o["metadata"]["annotations"]["cert-manager.io/certificate-name"] == cert
                && o["metadata"]["namespace"] != ns
        })
        .map(|o| {
            (
                o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

/// One stale copy and one certificate expiring in 20 days.
pub struct CertStale;

impl Layer for CertStale {
    fn name(&self) -> &'static str {
        "cert-stale"
    }
    fn about(&self) -> &'static str {
        "one per-namespace copy of a renewed wildcard certificate left at the old revision (expires in 3 days); another certificate expiring in 20 days"
    }
    fn edit_world(&self, world: &mut World) {
        let certs = certificates(world);
        // The certificate with copies gets a stale copy: the previous revision, issued 87 days
        // ago (a 90-day certificate), in the first namespace holding a copy.
        if let Some((ns, name, _)) = certs
            .iter()
            .find(|(ns, n, _)| !copies(world, ns, n).is_empty())
        {
            if let Some((cns, cname)) = copies(world, ns, name).into_iter().min() {
                reissue_secret(
                    &mut world.objects,
                    &cns,
                    &cname,
                    now() - 87 * DAY + 3_600,
                    now() + 3 * DAY + 3_600,
                );
            }
        }
        // Another certificate (without copies when there is one) expires in 20 days: issued 70
        // days ago, and cert-manager has not renewed it.
        let other = certs
            .iter()
            .find(|(ns, n, _)| copies(world, ns, n).is_empty())
            .or(certs.first())
            .cloned();
        if let Some((ns, name, secret)) = other {
            let (nb, na) = (now() - 70 * DAY + 3_600, now() + 20 * DAY + 3_600);
            reissue_secret(&mut world.objects, &ns, &secret, nb, na);
            if let Some(c) = certificate_mut(world, &ns, &name) {
                c["status"]["notBefore"] = json!(ts(nb));
                c["status"]["notAfter"] = json!(ts(na));
                c["status"]["renewalTime"] = json!(ts(na - 30 * DAY));
            }
        }
    }
}

/// Issuance failing for one Certificate (ACME challenge failing, retried with backoff).
pub struct CertFailing;

impl Layer for CertFailing {
    fn name(&self) -> &'static str {
        "cert-failing"
    }
    fn about(&self) -> &'static str {
        "a Certificate whose re-issuance keeps failing (Ready False, Issuing True, 3 failed attempts)"
    }
    fn edit_world(&self, world: &mut World) {
        let Some((ns, name, _)) = certificates(world).into_iter().next() else {
            return;
        };
        let at = ts(now() - 3_600);
        if let Some(c) = certificate_mut(world, &ns, &name) {
            let msg = "The certificate request has failed to complete and will be retried: Failed to wait for order resource to become ready: order is in \"invalid\" state: DNS-01 challenge failed";
            c["status"]["conditions"] = json!([
                {"type": "Ready", "status": "False", "reason": "Failed", "message": msg,
                    "lastTransitionTime": at},
                {"type": "Issuing", "status": "False", "reason": "Failed", "message": msg,
                    "lastTransitionTime": at},
            ]);
            c["status"]["failedIssuanceAttempts"] = json!(3);
            c["metadata"]["annotations"][crate::sim::kube::controller::certs::ISSUANCE_FAILS] =
                json!("DNS-01 challenge failed");
            c["status"]["lastFailureTime"] = json!(at);
        }
        // The failed CertificateRequest of the next revision, as cert-manager leaves it.
        let (revision, issuer) = certificate_mut(world, &ns, &name)
            .map(|c| {
                (
                    c["status"]["revision"].as_i64().unwrap_or(1),
                    c["spec"]["issuerRef"].clone(),
                )
            })
            .unwrap_or((1, json!({})));
        let msg = "Failed to wait for order resource to become ready: order is in \"invalid\" state: DNS-01 challenge failed";
        world.objects.push(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
            "metadata": {"name": format!("{name}-{}", revision + 1), "namespace": ns,
                "creationTimestamp": at,
                "annotations": {"cert-manager.io/certificate-name": name,
                    "cert-manager.io/certificate-revision": (revision + 1).to_string()}},
            "spec": {"issuerRef": issuer, "request": ""},
            "status": {"failureTime": at, "conditions": [
                {"type": "Approved", "status": "True", "reason": "cert-manager.io",
                    "message": "Certificate request has been approved by cert-manager.io",
                    "lastTransitionTime": at},
                {"type": "Ready", "status": "False", "reason": "Failed", "message": msg,
                    "lastTransitionTime": at}]},
        }));
    }
}
