//! Certificates users actually see (issue 10): cert-manager Certificates, the TLS Secrets
//! (sources and their per-namespace copies) and what each Ingress host really serves.
//!
//! [`from_listing`] is pure: the watched objects → [`CertFacts`] (Secrets parsed, copies matched
//! to their source). [`gather`] adds the served certificates (one TLS handshake per Ingress
//! host). The rules on these facts are in [`crate::checks::certs`].

pub mod actions;
pub mod gather;
pub mod issuers;
pub mod redirect;

use crate::clients::tls::{parse_pem_bundle, CertInfo, Served};
use crate::cluster::json::{self, text, time};
use crate::cluster::list::Listing;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Registry name of cert-manager's Certificate kind.
pub const CERTIFICATES_KIND: &str = "certificates.cert-manager.io";
/// The annotation cert-manager writes on a Certificate's Secret (ops-facts §1.4).
pub const CERTIFICATE_NAME: &str = "cert-manager.io/certificate-name";

/// Everything about certificates at one moment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CertFacts {
    /// Whether the cluster serves cert-manager's Certificate kind (`None`: unknown).
    pub cert_manager: Option<bool>,
    pub certificates: Vec<CmCertificate>,
    pub secrets: Vec<SecretCert>,
    pub served: Vec<ServedCert>,
    /// Ingresses (`namespace/name`) with rules but no `spec.tls`.
    pub ingresses_without_tls: Vec<String>,
    /// Issuers and ClusterIssuers (cert-manager).
    pub issuers: Vec<issuers::CmIssuer>,
    /// CertificateRequests (cert-manager).
    pub requests: Vec<issuers::CmRequest>,
}

/// One condition of a Certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub status: String,
    pub reason: String,
    pub message: String,
}

impl Condition {
    /// The `status.conditions` entry of type `ty` of a cert-manager object.
    pub fn of(obj: &Value, ty: &str) -> Option<Condition> {
        json::condition(obj, ty).map(|c| Condition {
            status: text(&c["status"]),
            reason: text(&c["reason"]),
            message: text(&c["message"]),
        })
    }
}

/// `Kind/name` of an object's `spec.issuerRef` (the kind defaults to `Issuer`).
fn issuer_ref(v: &Value) -> String {
    let issuer = &v["spec"]["issuerRef"];
    format!(
        "{}/{}",
        issuer["kind"].as_str().unwrap_or("Issuer"),
        text(&issuer["name"])
    )
}

/// A cert-manager `Certificate` (cert-manager.io/v1).
#[derive(Debug, Clone, Serialize)]
pub struct CmCertificate {
    pub namespace: String,
    pub name: String,
    pub secret_name: String,
    /// `Kind/name` of `spec.issuerRef`.
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub ready: Option<Condition>,
    pub issuing: Option<Condition>,
    pub not_after: Option<Timestamp>,
    pub renewal_time: Option<Timestamp>,
    pub revision: Option<i64>,
    pub failed_issuance_attempts: Option<i64>,
}

impl CmCertificate {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A `kubernetes.io/tls` Secret and the certificate in its `tls.crt`.
#[derive(Debug, Clone, Serialize)]
pub struct SecretCert {
    pub namespace: String,
    pub name: String,
    /// `cert-manager.io/certificate-name`, when present.
    pub certificate_name: Option<String>,
    /// Ingresses (`namespace/name`) naming this Secret in `spec.tls`.
    pub ingresses: Vec<String>,
    /// The parsed `tls.crt`, leaf first (empty when unreadable).
    pub chain: Vec<CertInfo>,
    /// Why `tls.crt` could not be read.
    pub error: Option<String>,
    /// The Secret this one copies (`namespace/name`), when it is a copy.
    pub source: Option<String>,
    /// Whether its leaf equals the source's leaf (`None`: not a copy, or either unreadable).
    pub equals_source: Option<bool>,
    /// The copy is older than its source (a renewal did not reach it).
    pub stale: bool,
}

impl SecretCert {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    pub fn leaf(&self) -> Option<&CertInfo> {
        self.chain.first()
    }
}

/// What one Ingress host serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServedCert {
    pub host: String,
    /// The configured extra URL (`[certs] extra_urls`) this row handshakes (`None`: an
    /// Ingress host, port 443).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Ingresses (`namespace/name`) routing this host with TLS.
    pub ingresses: Vec<String>,
    /// The Secret the Ingress names for this host (`namespace/name`).
    pub secret: Option<String>,
    pub served: Option<Served>,
    /// Why the handshake failed.
    pub error: Option<String>,
    /// Plain HTTP to the same host (FR017).
    pub http: Option<redirect::RedirectCheck>,
}

impl ServedCert {
    /// The finding subject: `https://host`, or the configured URL.
    pub fn subject(&self) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| format!("https://{}", self.host))
    }
}

/// The Secrets, Certificates and Ingress TLS of a listing (no network).
pub fn from_listing(l: &Listing) -> CertFacts {
    let cert_manager = l.kind(CERTIFICATES_KIND).map(|k| k.present);
    let certificates: Vec<CmCertificate> = l
        .custom(CERTIFICATES_KIND)
        .iter()
        .filter_map(|o| serde_json::to_value(o.as_ref()).ok())
        .map(|v| certificate(&v))
        .collect();
    let mut referenced: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut ingresses_without_tls = Vec::new();
    for ing in &l.objects.ingresses {
        let ns = ing.metadata.namespace.clone().unwrap_or_default();
        let id = format!("{ns}/{}", ing.metadata.name.clone().unwrap_or_default());
        let spec = ing.spec.clone().unwrap_or_default();
        let tls = spec.tls.unwrap_or_default();
        if tls.is_empty() && !spec.rules.unwrap_or_default().is_empty() {
            ingresses_without_tls.push(id.clone());
        }
        for t in tls {
            if let Some(s) = t.secret_name {
                referenced
                    .entry((ns.clone(), s))
                    .or_default()
                    .push(id.clone());
            }
        }
    }
    let mut secrets: Vec<SecretCert> = l
        .tls_secrets
        .iter()
        .map(|s| {
            let namespace = s.metadata.namespace.clone().unwrap_or_default();
            let name = s.metadata.name.clone().unwrap_or_default();
            let (chain, error) = match s.data.as_ref().and_then(|d| d.get("tls.crt")) {
                None => (Vec::new(), Some("no tls.crt".to_string())),
                Some(b) => match parse_pem_bundle(&b.0) {
                    Ok(c) => (c, None),
                    Err(e) => (Vec::new(), Some(format!("tls.crt: {e}"))),
                },
            };
            SecretCert {
                certificate_name: s
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(CERTIFICATE_NAME).cloned()),
                ingresses: referenced
                    .get(&(namespace.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default(),
                namespace,
                name,
                chain,
                error,
                source: None,
                equals_source: None,
                stale: false,
            }
        })
        .collect();
    secrets.sort_by_key(|s| s.id());
    match_copies(&mut secrets, &certificates);
    CertFacts {
        cert_manager,
        certificates,
        secrets,
        served: Vec::new(),
        ingresses_without_tls,
        issuers: issuers::issuers(l),
        requests: issuers::requests(l),
    }
}

/// Group Secrets that hold the same certificate (by `certificate-name`, or identical SANs and
/// issuer), pick each group's source (the Secret a Certificate writes, else the newest) and
/// mark the others as its copies.
fn match_copies(secrets: &mut [SecretCert], certificates: &[CmCertificate]) {
    let sans_key = |s: &SecretCert| {
        s.leaf().map(|l| {
            let mut sans = l.sans.clone();
            sans.sort();
            format!("{}|{}", sans.join(","), l.issuer)
        })
    };
    // Group key per Secret: the certificate name, else SANs+issuer (joined to a named group
    // whose members share them).
    let mut keys: Vec<Option<String>> = secrets
        .iter()
        .map(|s| s.certificate_name.as_ref().map(|c| format!("cert:{c}")))
        .collect();
    for i in 0..secrets.len() {
        if keys[i].is_some() {
            continue;
        }
        let Some(sk) = sans_key(&secrets[i]) else {
            continue;
        };
        let joined = (0..secrets.len())
            .find(|&j| keys[j].is_some() && sans_key(&secrets[j]).as_ref() == Some(&sk))
            .and_then(|j| keys[j].clone());
        keys[i] = Some(joined.unwrap_or(format!("sans:{sk}")));
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            groups.entry(k.clone()).or_default().push(i);
        }
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let written_by_certificate = |i: &usize| {
            certificates
                .iter()
                .any(|c| c.namespace == secrets[*i].namespace && c.secret_name == secrets[*i].name)
        };
        let newest = |i: &&usize| {
            secrets[**i]
                .leaf()
                .map(|l| l.not_before.as_second())
                .unwrap_or(i64::MIN)
        };
        let Some(src) = members
            .iter()
            .find(|i| written_by_certificate(i))
            .or_else(|| members.iter().max_by_key(newest))
            .copied()
        else {
            continue;
        };
        let src_id = secrets[src].id();
        let src_leaf = secrets[src].leaf().cloned();
        for &i in members.iter().filter(|&&i| i != src) {
            let copy = &mut secrets[i];
            copy.source = Some(src_id.clone());
            if let (Some(a), Some(b)) = (copy.leaf(), src_leaf.as_ref()) {
                let equal = a.sha256 == b.sha256;
                copy.stale = !equal && a.not_before < b.not_before;
                copy.equals_source = Some(equal);
            }
        }
    }
}

fn certificate(v: &Value) -> CmCertificate {
    CmCertificate {
        namespace: text(&v["metadata"]["namespace"]),
        name: text(&v["metadata"]["name"]),
        secret_name: text(&v["spec"]["secretName"]),
        issuer: issuer_ref(v),
        dns_names: v["spec"]["dnsNames"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect(),
        ready: Condition::of(v, "Ready"),
        issuing: Condition::of(v, "Issuing"),
        not_after: time(&v["status"]["notAfter"]),
        renewal_time: time(&v["status"]["renewalTime"]),
        revision: v["status"]["revision"].as_i64(),
        failed_issuance_attempts: v["status"]["failedIssuanceAttempts"].as_i64(),
    }
}

#[cfg(test)]
mod tests;
