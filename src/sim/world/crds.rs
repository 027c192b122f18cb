//! The CustomResourceDefinitions a world serves its custom resources through: cert-manager
//! (`cert-manager.io/v1`) and Argo CD (`argoproj.io/v1alpha1`), with the names, scopes, short
//! names, status subresources and printer columns of the upstream manifests. Schemas are left
//! open (`x-kubernetes-preserve-unknown-fields`): the simulator does not validate CR bodies.

use serde_json::{json, Value};

/// `(name, type, jsonPath, priority)` of one printer column.
type Col = (&'static str, &'static str, &'static str, i64);

/// One CRD row: group, version, kind, plural, singular, namespaced, short names, categories,
/// status subresource, printer columns.
struct Def {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    categories: &'static [&'static str],
    status: bool,
    columns: &'static [Col],
}

const READY: &str = r#".status.conditions[?(@.type=="Ready")].status"#;
const READY_MSG: &str = r#".status.conditions[?(@.type=="Ready")].message"#;
const AGE: Col = ("Age", "date", ".metadata.creationTimestamp", 0);
const CM: &[&str] = &["cert-manager"];

const CERT_MANAGER: &[Def] = &[
    Def {
        group: "cert-manager.io",
        version: "v1",
        kind: "Certificate",
        plural: "certificates",
        namespaced: true,
        short: &["cert", "certs"],
        categories: CM,
        status: true,
        columns: &[
            ("Ready", "string", READY, 0),
            ("Secret", "string", ".spec.secretName", 0),
            ("Issuer", "string", ".spec.issuerRef.name", 1),
            ("Status", "string", READY_MSG, 1),
            AGE,
        ],
    },
    Def {
        group: "cert-manager.io",
        version: "v1",
        kind: "CertificateRequest",
        plural: "certificaterequests",
        namespaced: true,
        short: &["cr", "crs"],
        categories: CM,
        status: true,
        columns: &[
            (
                "Approved",
                "string",
                r#".status.conditions[?(@.type=="Approved")].status"#,
                0,
            ),
            (
                "Denied",
                "string",
                r#".status.conditions[?(@.type=="Denied")].status"#,
                0,
            ),
            ("Ready", "string", READY, 0),
            ("Issuer", "string", ".spec.issuerRef.name", 0),
            ("Requester", "string", ".spec.username", 0),
            ("Status", "string", READY_MSG, 1),
            AGE,
        ],
    },
    Def {
        group: "cert-manager.io",
        version: "v1",
        kind: "Issuer",
        plural: "issuers",
        namespaced: true,
        short: &[],
        categories: CM,
        status: true,
        columns: &[
            ("Ready", "string", READY, 0),
            ("Status", "string", READY_MSG, 1),
            AGE,
        ],
    },
    Def {
        group: "cert-manager.io",
        version: "v1",
        kind: "ClusterIssuer",
        plural: "clusterissuers",
        namespaced: false,
        short: &[],
        categories: CM,
        status: true,
        columns: &[
            ("Ready", "string", READY, 0),
            ("Status", "string", READY_MSG, 1),
            AGE,
        ],
    },
];

const ARGO_CD: &[Def] = &[
    Def {
        group: "argoproj.io",
        version: "v1alpha1",
        kind: "Application",
        plural: "applications",
        namespaced: true,
        short: &["app", "apps"],
        categories: &[],
        status: false,
        columns: &[
            ("Sync Status", "string", ".status.sync.status", 0),
            ("Health Status", "string", ".status.health.status", 0),
            ("Revision", "string", ".status.sync.revision", 10),
            ("Project", "string", ".spec.project", 10),
        ],
    },
    Def {
        group: "argoproj.io",
        version: "v1alpha1",
        kind: "ApplicationSet",
        plural: "applicationsets",
        namespaced: true,
        short: &["appset", "appsets"],
        categories: &[],
        status: true,
        columns: &[],
    },
    Def {
        group: "argoproj.io",
        version: "v1alpha1",
        kind: "AppProject",
        plural: "appprojects",
        namespaced: true,
        short: &["appproj", "appprojs"],
        categories: &[],
        status: false,
        columns: &[],
    },
];

fn crd(d: &Def, labels: Value, created: &str) -> Value {
    let mut version = json!({
        "name": d.version, "served": true, "storage": true,
        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
    });
    if d.status {
        version["subresources"] = json!({"status": {}});
    }
    if !d.columns.is_empty() {
        let cols: Vec<Value> = d
            .columns
            .iter()
            .map(|(name, ty, path, prio)| {
                let mut c = json!({"name": name, "type": ty, "jsonPath": path});
                if *prio != 0 {
                    c["priority"] = json!(prio);
                }
                c
            })
            .collect();
        version["additionalPrinterColumns"] = json!(cols);
    }
    let mut names = json!({"kind": d.kind, "listKind": format!("{}List", d.kind),
        "plural": d.plural, "singular": d.kind.to_lowercase()});
    if !d.short.is_empty() {
        names["shortNames"] = json!(d.short);
    }
    if !d.categories.is_empty() {
        names["categories"] = json!(d.categories);
    }
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{}", d.plural, d.group), "labels": labels,
            "creationTimestamp": created},
        "spec": {"group": d.group, "names": names,
            "scope": if d.namespaced { "Namespaced" } else { "Cluster" },
            "versions": [version]},
    })
}

/// cert-manager's CRDs: Certificate, CertificateRequest, Issuer, ClusterIssuer.
pub fn cert_manager(created: &str) -> Vec<Value> {
    let labels = json!({"app": "cert-manager", "app.kubernetes.io/name": "cert-manager",
        "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/version": "v1.18.2"});
    CERT_MANAGER
        .iter()
        .map(|d| crd(d, labels.clone(), created))
        .collect()
}

/// Argo CD's CRDs: Application, ApplicationSet, AppProject.
pub fn argo_cd(created: &str) -> Vec<Value> {
    ARGO_CD
        .iter()
        .map(|d| {
            let name = format!("{}.{}", d.plural, d.group);
            let labels =
                json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "argocd"});
            crd(d, labels, created)
        })
        .collect()
}

/// The API groups these CRDs serve.
pub const GROUPS: &[&str] = &["cert-manager.io", "argoproj.io"];
