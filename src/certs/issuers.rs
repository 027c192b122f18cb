//! cert-manager Issuers, ClusterIssuers and CertificateRequests from the watched objects
//! (pure): the Ready condition of an issuer; Approved / Denied / Ready of a request, with its
//! failure reason.

use super::{issuer_ref, Condition};
use crate::cluster::json::{text, time};
use crate::cluster::list::Listing;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// Registry names of the watched kinds (rows of `cluster::kinds`).
pub const ISSUERS_KIND: &str = "issuers.cert-manager.io";
pub const CLUSTER_ISSUERS_KIND: &str = "clusterissuers.cert-manager.io";
pub const REQUESTS_KIND: &str = "certificaterequests.cert-manager.io";

/// An `Issuer` or `ClusterIssuer`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CmIssuer {
    /// `Issuer` or `ClusterIssuer`.
    pub kind: String,
    /// Empty for a ClusterIssuer.
    pub namespace: String,
    pub name: String,
    /// `acme`, `ca`, `selfSigned`, `vault`, `venafi` … (the spec's one key), when known.
    pub issuer_type: Option<String>,
    pub ready: Option<Condition>,
}

impl CmIssuer {
    /// `ClusterIssuer/letsencrypt` or `Issuer/media/ca`.
    pub fn id(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
    pub fn is_ready(&self) -> bool {
        self.ready.as_ref().is_some_and(|c| c.status == "True")
    }
}

/// A `CertificateRequest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CmRequest {
    pub namespace: String,
    pub name: String,
    /// `Kind/name` of `spec.issuerRef`.
    pub issuer: String,
    /// The Certificate it was made for (`cert-manager.io/certificate-name`).
    pub certificate: Option<String>,
    /// `cert-manager.io/certificate-revision`.
    pub revision: Option<i64>,
    pub approved: Option<Condition>,
    pub denied: Option<Condition>,
    pub ready: Option<Condition>,
    pub failure_time: Option<Timestamp>,
}

impl CmRequest {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `approved`, `denied`, `ready`, `failed`, `pending`: the request's state in one word.
    pub fn state(&self) -> &'static str {
        let is_true = |c: &Option<Condition>| c.as_ref().is_some_and(|c| c.status == "True");
        if is_true(&self.denied) {
            "denied"
        } else if self.failed() {
            "failed"
        } else if is_true(&self.ready) {
            "ready"
        } else if is_true(&self.approved) {
            "approved"
        } else {
            "pending"
        }
    }

    /// Ready=False with reason `Failed` (cert-manager's terminal failure), or a failure time.
    pub fn failed(&self) -> bool {
        self.ready
            .as_ref()
            .is_some_and(|c| c.status == "False" && c.reason == "Failed")
            || self.failure_time.is_some()
    }

    /// Why it is denied or failed (`reason: message`), empty otherwise.
    pub fn failure_reason(&self) -> String {
        let c = match self.state() {
            "denied" => self.denied.as_ref(),
            "failed" => self.ready.as_ref(),
            _ => None,
        };
        c.map(|c| format!("{}: {}", c.reason, c.message))
            .unwrap_or_default()
    }
}

fn objects(l: &Listing, kind: &str) -> Vec<Value> {
    l.custom(kind)
        .iter()
        .filter_map(|o| serde_json::to_value(o.as_ref()).ok())
        .collect()
}

/// Every Issuer and ClusterIssuer of the listing, sorted by id.
pub fn issuers(l: &Listing) -> Vec<CmIssuer> {
    let mut out: Vec<CmIssuer> = [
        (ISSUERS_KIND, "Issuer"),
        (CLUSTER_ISSUERS_KIND, "ClusterIssuer"),
    ]
    .into_iter()
    .flat_map(|(k, kind)| objects(l, k).into_iter().map(move |v| issuer(kind, &v)))
    .collect();
    out.sort_by_key(CmIssuer::id);
    out
}

/// One Issuer / ClusterIssuer object.
pub fn issuer(kind: &str, v: &Value) -> CmIssuer {
    CmIssuer {
        kind: kind.to_string(),
        namespace: text(&v["metadata"]["namespace"]),
        name: text(&v["metadata"]["name"]),
        issuer_type: v["spec"].as_object().and_then(|m| m.keys().next().cloned()),
        ready: Condition::of(v, "Ready"),
    }
}

/// Every CertificateRequest of the listing, sorted by id.
pub fn requests(l: &Listing) -> Vec<CmRequest> {
    let mut out: Vec<CmRequest> = objects(l, REQUESTS_KIND).iter().map(request).collect();
    out.sort_by_key(CmRequest::id);
    out
}

/// One CertificateRequest object.
pub fn request(v: &Value) -> CmRequest {
    let ann = &v["metadata"]["annotations"];
    CmRequest {
        namespace: text(&v["metadata"]["namespace"]),
        name: text(&v["metadata"]["name"]),
        issuer: issuer_ref(v),
        certificate: ann[super::CERTIFICATE_NAME].as_str().map(str::to_string),
        revision: ann["cert-manager.io/certificate-revision"]
            .as_str()
            .and_then(|r| r.parse().ok()),
        approved: Condition::of(v, "Approved"),
        denied: Condition::of(v, "Denied"),
        ready: Condition::of(v, "Ready"),
        failure_time: time(&v["status"]["failureTime"]),
    }
}
