//! The target cluster's platform objects around the apps: Argo CD Applications, the
//! `homeautomation` ApplicationSet and the AppProjects (§7), cert-manager ClusterIssuer,
//! Certificates with their CertificateRequests and TLS Secrets (§4), the CRDs that serve them,
//! and the CronJobs admins rely on (§3, §4).

use super::objects::Ctx;
use super::tls::{tls_secret, CertSpec};
use serde_json::{json, Value};

/// (name, project, source path or Helm chart, destination namespace, sync wave)
const APPLICATIONS: &[(&str, &str, &str, &str, Option<i32>)] = &[
    (
        "ingress-nginx",
        "default",
        "ingress-nginx@4.15.1",
        "ingress-nginx",
        Some(-3),
    ),
    (
        "argocd-config",
        "infrastructure",
        "apps/infrastructure/argocd",
        "argocd",
        Some(5),
    ),
    (
        "infrastructure",
        "infrastructure",
        "apps/infrastructure",
        "cert-manager",
        None,
    ),
    (
        "monitoring",
        "infrastructure",
        "apps/infrastructure/monitoring",
        "monitoring",
        Some(20),
    ),
    (
        "homepage",
        "apps",
        "apps/homepage/base",
        "homepage",
        Some(25),
    ),
    (
        "media-services",
        "apps",
        "apps/media-services",
        "media",
        Some(30),
    ),
    (
        "qbittorrent",
        "apps",
        "apps/media-services/qbittorrent",
        "qbittorrent",
        Some(30),
    ),
    (
        "jellyfin",
        "apps",
        "apps/media-services/jellyfin",
        "media",
        Some(35),
    ),
];

/// (namespace, name, schedule, image, concurrencyPolicy, last success `secs` ago)
type CronRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
);
const CRONJOBS: &[CronRow] = &[
    (
        "monitoring",
        "sabnzbd-vpn-check",
        "*/15 * * * *",
        "bitnami/kubectl:latest",
        Some("Forbid"),
        600,
    ),
    (
        "argocd",
        "sync-cert-secret",
        "*/15 * * * *",
        "bitnami/kubectl:latest",
        None,
        300,
    ),
    (
        "cert-manager",
        "sync-route53-credentials",
        "0 */6 * * *",
        "bitnami/kubectl:latest",
        None,
        7_200,
    ),
    (
        "qbittorrent",
        "qbittorrent-f1-scraper",
        "0 7-19 * * 0,4,5,6",
        "python:3.11-alpine",
        Some("Forbid"),
        3_600,
    ),
];

fn application(ctx: &Ctx, a: &(&str, &str, &str, &str, Option<i32>)) -> Value {
    let (name, project, source, dest, wave) = *a;
    let src = match source.split_once('@') {
        Some((chart, version)) => json!({"repoURL": "https://kubernetes.github.io/ingress-nginx",
            "chart": chart, "targetRevision": version}),
        None => json!({"repoURL": "git@github.com:brettswift/k8s_nas.git",
            "path": source, "targetRevision": "live"}),
    };
    let mut meta = json!({"name": name, "namespace": "argocd",
        "creationTimestamp": ctx.ago(86_400 * 90)});
    if let Some(w) = wave {
        meta["annotations"] = json!({"argocd.argoproj.io/sync-wave": w.to_string()});
    }
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta,
        "spec": {"project": project, "source": src,
            "destination": {"server": "https://kubernetes.default.svc", "namespace": dest},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true},
                "syncOptions": ["CreateNamespace=true"]}},
        "status": {
            "sync": {"status": "Synced", "revision": format!("{:040x}", u128::from(ctx.hash("rev")))},
            "health": {"status": "Healthy"},
            "operationState": {"phase": "Succeeded", "finishedAt": ctx.ago(1_800),
                "message": "successfully synced (all tasks run)"},
            "reconciledAt": ctx.ago(120),
        },
    })
}

/// Issued 40 days ago, valid for 90 days (Let's Encrypt), at revision 3.
const ISSUED_AGO: i64 = 86_400 * 40;
const VALID_FOR: i64 = 86_400 * 90;
const REVISION: i64 = 3;
const ISSUER: &str = "letsencrypt-dns-home";

/// (Certificate, TLS Secret, domain) in `kube-system` (§4).
pub(crate) const CERTIFICATES: &[(&str, &str, &str)] = &[
    (
        "home-brettswift-com-dns",
        "home-brettswift-com-tls",
        "home.brettswift.com",
    ),
    ("brettswift-com-dns", "brettswift-com-tls", "brettswift.com"),
];

fn certificate(ctx: &Ctx, name: &str, secret: &str, domain: &str) -> Value {
    let not_before = ctx.ago(ISSUED_AGO);
    let not_after = ctx.ago(ISSUED_AGO - VALID_FOR);
    json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": "kube-system",
            "creationTimestamp": ctx.ago(86_400 * 120),
            "annotations": {"argocd.argoproj.io/ignore-healthcheck": "true"}},
        "spec": {"secretName": secret, "dnsNames": [domain, format!("*.{domain}")],
            "renewBefore": "720h0m0s",
            "issuerRef": {"kind": "ClusterIssuer", "name": ISSUER}},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                "message": "Certificate is up to date and has not expired",
                "lastTransitionTime": not_before}],
            "notBefore": not_before, "notAfter": not_after,
            "renewalTime": ctx.ago(-86_400 * 20), "revision": REVISION,
        },
    })
}

/// The CertificateRequest of the Certificate's current revision, approved and issued.
fn certificate_request(ctx: &Ctx, cert: &str) -> Value {
    let at = ctx.ago(ISSUED_AGO);
    let cond = |ty: &str, reason: &str, msg: &str| {
        json!({"type": ty, "status": "True", "reason": reason, "message": msg,
            "lastTransitionTime": at})
    };
    json!({
        "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
        "metadata": {"name": format!("{cert}-{REVISION}"), "namespace": "kube-system",
            "creationTimestamp": at,
            "annotations": {"cert-manager.io/certificate-name": cert,
                "cert-manager.io/certificate-revision": REVISION.to_string(),
                "cert-manager.io/private-key-secret-name": format!("{cert}-key")}},
        "spec": {"issuerRef": {"kind": "ClusterIssuer", "name": ISSUER, "group": "cert-manager.io"},
            "request": "", "usages": ["digital signature", "key encipherment"],
            "username": "system:serviceaccount:cert-manager:cert-manager"},
        "status": {"conditions": [
            cond("Approved", "cert-manager.io", "Certificate request has been approved by cert-manager.io"),
            cond("Ready", "Issued", "Certificate fetched from issuer successfully")]},
    })
}

/// The TLS Secret of a Certificate in `namespace` (`kube-system`, or a copy the
/// `sync-cert-secret` CronJob made next to an Ingress).
pub(crate) fn certificate_secret(
    ctx: &Ctx,
    namespace: &str,
    (cert, secret, domain): (&str, &str, &str),
) -> Value {
    let names = [domain.to_string(), format!("*.{domain}")];
    let issued = ctx.now.as_second() - ISSUED_AGO;
    tls_secret(
        ctx,
        namespace,
        secret,
        &CertSpec {
            certificate: cert,
            issuer: ISSUER,
            dns_names: &names,
            not_before: issued,
            not_after: issued + VALID_FOR,
        },
    )
}

/// The `homeautomation` ApplicationSet (list generator), the only real one (§7).
fn application_set(ctx: &Ctx) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": "homeautomation", "namespace": "argocd",
            "creationTimestamp": ctx.ago(86_400 * 90)},
        "spec": {
            "generators": [{"list": {"elements": [{"name": "homeassistant"}, {"name": "matter-server"}]}}],
            "template": {"metadata": {"name": "{{name}}"},
                "spec": {"project": "apps",
                    "source": {"repoURL": "git@github.com:brettswift/k8s_nas.git",
                        "path": "apps/homeautomation/{{name}}", "targetRevision": "live"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "homeautomation"},
                    "syncPolicy": {"automated": {"prune": true, "selfHeal": true},
                        "syncOptions": ["CreateNamespace=true"]}}},
        },
        "status": {"conditions": [{"type": "ResourcesUpToDate", "status": "True",
            "reason": "ApplicationSetUpToDate", "message": "All applications have been generated successfully",
            "lastTransitionTime": ctx.ago(3_600)}]},
    })
}

/// AppProjects `default`, `apps`, `infrastructure`, `admin`, `nas` (§7).
fn app_projects(ctx: &Ctx) -> Vec<Value> {
    let infra_ns = [
        "ingress-nginx",
        "cert-manager",
        "monitoring",
        "argocd",
        "homepage",
        "kube-system",
        "external-dns",
        "media",
        "homeautomation",
        "qbittorrent",
    ];
    let any = || vec![json!({"server": "*", "namespace": "*"})];
    [
        ("default", any()),
        ("apps", any()),
        (
            "infrastructure",
            infra_ns
                .iter()
                .map(|ns| json!({"server": "https://kubernetes.default.svc", "namespace": ns}))
                .collect(),
        ),
        ("admin", any()),
        ("nas", any()),
    ]
    .into_iter()
    .map(|(name, destinations)| {
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": {"name": name, "namespace": "argocd",
                "creationTimestamp": ctx.ago(86_400 * 120)},
            "spec": {"sourceRepos": ["*"], "destinations": destinations,
                "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]},
        })
    })
    .collect()
}

fn cronjob(ctx: &Ctx, c: &CronRow) -> Value {
    let (ns, name, schedule, image, policy, ok_ago) = *c;
    let mut spec = json!({
        "schedule": schedule, "suspend": false,
        "successfulJobsHistoryLimit": 5, "failedJobsHistoryLimit": 5,
        "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": name, "image": image, "command": ["/bin/sh", "-c", "/scripts/run.sh"]}],
        }}}},
    });
    if let Some(p) = policy {
        spec["concurrencyPolicy"] = json!(p);
    }
    json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": ctx.ago(86_400 * 60)},
        "spec": spec,
        "status": {"lastScheduleTime": ctx.ago(ok_ago), "lastSuccessfulTime": ctx.ago(ok_ago - 20)},
    })
}

/// All platform objects of the target cluster (TLS Secret copies next to Ingresses are added
/// once the Ingresses exist: [`certificate_secret`]).
pub(crate) fn objects(ctx: &Ctx) -> Vec<Value> {
    let crd_created = ctx.ago(86_400 * 120);
    let mut out = super::crds::cert_manager(&crd_created);
    out.extend(super::crds::argo_cd(&crd_created));
    out.extend(APPLICATIONS.iter().map(|a| application(ctx, a)));
    out.push(application_set(ctx));
    out.extend(app_projects(ctx));
    out.push(json!({
        "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": ISSUER, "creationTimestamp": ctx.ago(86_400 * 120)},
        "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory",
            "privateKeySecretRef": {"name": ISSUER},
            "solvers": [{"dns01": {"route53": {"region": "us-west-2", "accessKeyID": "",
                "hostedZoneID": "Z0000000000000000000",
                "secretAccessKeySecretRef": {"name": "route53-credentials", "key": "secret-access-key"}}}}]}},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "ACMEAccountRegistered"}]},
    }));
    for &(cert, secret, domain) in CERTIFICATES {
        out.push(certificate(ctx, cert, secret, domain));
        out.push(certificate_request(ctx, cert));
        out.push(certificate_secret(
            ctx,
            "kube-system",
            (cert, secret, domain),
        ));
    }
    out.extend(CRONJOBS.iter().map(|c| cronjob(ctx, c)));
    out
}
