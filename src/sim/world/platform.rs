//! The target cluster's platform objects around the apps: Argo CD Applications (§7),
//! cert-manager ClusterIssuer and Certificates (§4), and the CronJobs admins rely on (§3, §4).
//! TLS Secrets themselves are not generated here (no certificate material).

use super::objects::Ctx;
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

fn certificate(ctx: &Ctx, name: &str, secret: &str, domain: &str) -> Value {
    let not_before = ctx.ago(86_400 * 40);
    let not_after = ctx.ago(-86_400 * 50);
    json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": "kube-system",
            "annotations": {"argocd.argoproj.io/ignore-healthcheck": "true"}},
        "spec": {"secretName": secret, "dnsNames": [domain, format!("*.{domain}")],
            "renewBefore": "720h0m0s",
            "issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt-dns-home"}},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                "message": "Certificate is up to date and has not expired",
                "lastTransitionTime": not_before}],
            "notBefore": not_before, "notAfter": not_after,
            "renewalTime": ctx.ago(-86_400 * 20), "revision": 3,
        },
    })
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

/// All platform objects of the target cluster.
pub(crate) fn objects(ctx: &Ctx) -> Vec<Value> {
    let mut out: Vec<Value> = APPLICATIONS.iter().map(|a| application(ctx, a)).collect();
    out.push(json!({
        "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "letsencrypt-dns-home"},
        "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory",
            "privateKeySecretRef": {"name": "letsencrypt-dns-home"},
            "solvers": [{"dns01": {"route53": {"region": "us-west-2", "accessKeyID": "",
                "hostedZoneID": "Z0000000000000000000",
                "secretAccessKeySecretRef": {"name": "route53-credentials", "key": "secret-access-key"}}}}]}},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "ACMEAccountRegistered"}]},
    }));
    out.push(certificate(
        ctx,
        "home-brettswift-com-dns",
        "home-brettswift-com-tls",
        "home.brettswift.com",
    ));
    out.push(certificate(
        ctx,
        "brettswift-com-dns",
        "brettswift-com-tls",
        "brettswift.com",
    ));
    out.extend(CRONJOBS.iter().map(|c| cronjob(ctx, c)));
    out
}
