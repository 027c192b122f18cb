//! cert-manager's issuing controller, as far as a renewal needs it (ops-facts §1.1–1.2): a
//! Certificate with `Issuing=True` (e.g. set by `cmctl renew` through the status subresource)
//! gets a CertificateRequest for revision+1, a freshly issued 90-day certificate in its Secret,
//! `status.revision` bumped, `notBefore`/`notAfter`/`renewalTime` set, `Issuing` removed and
//! `Ready=True`. A Certificate annotated `sim.k8s-nas/issuance-fails` fails instead
//! (`Issuing=False`, reason `Failed`, `failedIssuanceAttempts`+1), as an ACME order would.

use super::super::store::{Store, UpdateMode};
use serde_json::{json, Value};

/// Annotation that makes every issuance of a Certificate fail.
pub const ISSUANCE_FAILS: &str = "sim.k8s-nas/issuance-fails";

const VALID_FOR: i64 = 90 * 86_400;

fn ts(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

pub fn reconcile_certificates(store: &mut Store, ns: &str) {
    let catalog = store.catalog();
    let (Some(certs), Some(reqs), Some(secrets)) = (
        catalog.find_kind("cert-manager.io/v1", "Certificate"),
        catalog.find_kind("cert-manager.io/v1", "CertificateRequest"),
        catalog.find_kind("v1", "Secret"),
    ) else {
        return;
    };
    let issuing: Vec<Value> = store
        .list(&certs, Some(ns))
        .into_iter()
        .filter(|c| {
            c["status"]["conditions"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|x| x["type"] == "Issuing" && x["status"] == "True")
            })
        })
        .cloned()
        .collect();
    for mut c in issuing {
        let now = jiff::Timestamp::now().as_second();
        let name = c["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let conditions: Vec<Value> = c["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|x| x["type"] != "Issuing" && x["type"] != "Ready")
            .collect();
        if c["metadata"]["annotations"][ISSUANCE_FAILS].is_string() {
            let msg = "The certificate request has failed to complete and will be retried: order is in \"invalid\" state";
            let mut cs = conditions;
            cs.push(json!({"type": "Ready", "status": "False", "reason": "Failed", "message": msg, "lastTransitionTime": ts(now)}));
            cs.push(json!({"type": "Issuing", "status": "False", "reason": "Failed", "message": msg, "lastTransitionTime": ts(now)}));
            c["status"]["conditions"] = json!(cs);
            let n = c["status"]["failedIssuanceAttempts"].as_i64().unwrap_or(0) + 1;
            c["status"]["failedIssuanceAttempts"] = json!(n);
            c["status"]["lastFailureTime"] = json!(ts(now));
            store.put_raw(&certs, c, UpdateMode::Full);
            continue;
        }
        let revision = c["status"]["revision"].as_i64().unwrap_or(0) + 1;
        let issuer = c["spec"]["issuerRef"].clone();
        store.put_raw(
            &reqs,
            json!({
                "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
                "metadata": {"name": format!("{name}-{revision}"), "namespace": ns,
                    "annotations": {"cert-manager.io/certificate-name": name,
                        "cert-manager.io/certificate-revision": revision.to_string()}},
                "spec": {"issuerRef": issuer, "request": ""},
                "status": {"conditions": [
                    {"type": "Approved", "status": "True", "reason": "cert-manager.io", "lastTransitionTime": ts(now)},
                    {"type": "Ready", "status": "True", "reason": "Issued", "message": "Certificate fetched from issuer successfully", "lastTransitionTime": ts(now)}]},
            }),
            UpdateMode::Full,
        );
        let secret_name = c["spec"]["secretName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(mut s) = store.get(&secrets, ns, &secret_name).cloned() {
            crate::sim::world::tls::reissue(&mut s, now, now + VALID_FOR);
            store.put_raw(&secrets, s, UpdateMode::Full);
        }
        let mut cs = conditions;
        cs.push(json!({"type": "Ready", "status": "True", "reason": "Ready",
            "message": "Certificate is up to date and has not expired", "lastTransitionTime": ts(now)}));
        c["status"]["conditions"] = json!(cs);
        c["status"]["revision"] = json!(revision);
        c["status"]["notBefore"] = json!(ts(now));
        c["status"]["notAfter"] = json!(ts(now + VALID_FOR));
        c["status"]["renewalTime"] = json!(ts(now + VALID_FOR * 2 / 3));
        if let Some(m) = c["status"].as_object_mut() {
            m.remove("failedIssuanceAttempts");
            m.remove("lastFailureTime");
        }
        store.put_raw(&certs, c, UpdateMode::Full);
    }
}
