//! `kubernetes.io/tls` Secrets as cert-manager writes them (ops-facts §1.4): a real X.509
//! certificate in `tls.crt` (so expiry can be read offline), its key in `tls.key`, and the
//! `cert-manager.io/*` annotations that map the Secret back to its Certificate.
//!
//! Signed by a simulated ACME root ([`sim_ca`], also in `ca.crt`). Deterministic by seed: the
//! keys are Ed25519 from seed-derived secrets and Ed25519 signatures are deterministic, so two
//! worlds built from one seed are equal.

use super::objects::Ctx;
use base64::Engine;
use serde_json::{json, Value};

/// What one certificate covers and when.
pub(crate) struct CertSpec<'a> {
    /// The Certificate's name (annotation `cert-manager.io/certificate-name`).
    pub certificate: &'a str,
    pub issuer: &'a str,
    pub dns_names: &'a [String],
    pub not_before: i64,
    pub not_after: i64,
}

/// A deterministic Ed25519 key for `label`.
fn key_for(ctx: &Ctx, label: &str) -> anyhow::Result<rcgen::KeyPair> {
    // PKCS#8 v1 wrapping of a 32-byte Ed25519 seed (RFC 8410).
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    for i in 0..4 {
        der.extend(ctx.hash(&format!("{label}/{i}")).to_le_bytes());
    }
    Ok(rcgen::KeyPair::try_from(der.as_slice())?)
}

/// The simulated ACME issuer's root (`ca.crt` of every simulated TLS Secret): what a console
/// judging the simulator's chains trusts (`tls_ca_file`).
/// The same root in every world (its validity does not depend on the clock), so a Secret
/// re-issued by a scenario chains to it too.
pub(crate) fn sim_ca(
    _ctx: &Ctx,
) -> anyhow::Result<(String, rcgen::Issuer<'static, rcgen::KeyPair>)> {
    let ctx = &Ctx::new(0, jiff::Timestamp::UNIX_EPOCH, "ca");
    let key = key_for(ctx, "tls-ca")?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Simulated ACME Root");
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2060, 1, 1);
    params.serial_number = Some(rcgen::SerialNumber::from(ctx.hash("tls-ca-serial")));
    let pem = params.self_signed(&key)?.pem();
    Ok((pem, rcgen::Issuer::new(params, key)))
}

/// PEM certificate (signed by [`sim_ca`]), PKCS#8 key and the CA's PEM for `spec`.
fn pem_pair(ctx: &Ctx, spec: &CertSpec<'_>) -> anyhow::Result<(String, String, String)> {
    let key = key_for(ctx, &format!("tls-key/{}", spec.certificate))?;
    let mut params = rcgen::CertificateParams::new(spec.dns_names.to_vec())?;
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let at = |secs: i64| epoch + std::time::Duration::from_secs(secs.max(0).unsigned_abs());
    params.not_before = at(spec.not_before);
    params.not_after = at(spec.not_after);
    params.serial_number = Some(rcgen::SerialNumber::from(ctx.hash(&format!(
        "tls-serial/{}/{}",
        spec.certificate, spec.not_before
    ))));
    if let Some(cn) = spec.dns_names.first() {
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn.as_str());
    }
    let (ca_pem, ca) = sim_ca(ctx)?;
    let cert = params.signed_by(&key, &ca)?;
    Ok((cert.pem(), key.serialize_pem(), ca_pem))
}

/// The TLS Secret `namespace/name` holding the certificate of `spec`.
pub(crate) fn tls_secret(ctx: &Ctx, namespace: &str, name: &str, spec: &CertSpec<'_>) -> Value {
    let (crt, key, ca) = pem_pair(ctx, spec).unwrap_or_else(|e| {
        tracing::warn!("simulated TLS Secret {namespace}/{name}: {e}");
        (String::new(), String::new(), String::new())
    });
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": namespace,
            "labels": {"controller.cert-manager.io/fao": "true"},
            "annotations": {
                "cert-manager.io/certificate-name": spec.certificate,
                "cert-manager.io/issuer-name": spec.issuer,
                "cert-manager.io/issuer-kind": "ClusterIssuer",
                "cert-manager.io/issuer-group": "cert-manager.io",
                "cert-manager.io/common-name": spec.dns_names.first().cloned().unwrap_or_default(),
                "cert-manager.io/alt-names": spec.dns_names.join(","),
            }},
        "data": {"tls.crt": b64(&crt), "tls.key": b64(&key), "ca.crt": b64(&ca)},
    })
}

/// Re-issue the world's TLS Secret `namespace/name` for a new validity window (unix seconds),
/// keeping its names, issuer and annotations. `false` when there is no such Secret.
pub fn reissue_secret(
    objects: &mut [Value],
    namespace: &str,
    name: &str,
    not_before: i64,
    not_after: i64,
) -> bool {
    match objects.iter_mut().find(|o| {
        o["type"] == "kubernetes.io/tls"
            && o["metadata"]["namespace"] == namespace
            && o["metadata"]["name"] == name
    }) {
        Some(obj) => {
            reissue(obj, not_before, not_after);
            true
        }
        None => false,
    }
}

/// Re-issue one TLS Secret object in place (new certificate and key for its annotated names).
pub fn reissue(obj: &mut Value, not_before: i64, not_after: i64) {
    let ann = |k: &str| {
        obj["metadata"]["annotations"][k]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let names: Vec<String> = ann("cert-manager.io/alt-names")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let (certificate, issuer) = (
        ann("cert-manager.io/certificate-name"),
        ann("cert-manager.io/issuer-name"),
    );
    let namespace = obj["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ctx = Ctx::new(not_before.unsigned_abs(), jiff::Timestamp::now(), "n");
    let spec = CertSpec {
        certificate: &certificate,
        issuer: &issuer,
        dns_names: &names,
        not_before,
        not_after,
    };
    let fresh = tls_secret(&ctx, &namespace, &name, &spec);
    obj["data"] = fresh["data"].clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_certificate_with_the_given_window() {
        let ctx = Ctx::new(7, "2026-11-28T11:00:00Z".parse().unwrap(), "n");
        let names = vec!["home.example.com".to_string(), "*.home.example.com".into()];
        let spec = CertSpec {
            certificate: "home",
            issuer: "le",
            dns_names: &names,
            not_before: 1_790_000_000,
            not_after: 1_800_000_000,
        };
        let s = tls_secret(&ctx, "kube-system", "home-tls", &spec);
        assert_eq!(s["type"], "kubernetes.io/tls");
        let pem = base64::engine::general_purpose::STANDARD
            .decode(s["data"]["tls.crt"].as_str().unwrap())
            .unwrap();
        let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
        let cert = pem.parse_x509().unwrap();
        assert_eq!(cert.validity().not_after.timestamp(), 1_800_000_000);
        assert_eq!(cert.validity().not_before.timestamp(), 1_790_000_000);
        // Same seed, same bytes.
        assert_eq!(s, tls_secret(&ctx, "kube-system", "home-tls", &spec));
    }
}
