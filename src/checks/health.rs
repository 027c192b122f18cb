//! Service health: pods, the HTTP probe against the latency budget, and the app's own report.

use crate::model::{
    AppErrorKind, Finding, IssueLevel, PodStatus, ServiceInfo, ServiceObservation, Severity,
};

/// Thresholds the rules use (from the config).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Latency over this is a warning (the 2 s budget).
    pub latency_ms: u64,
    /// Observations older than this are stale.
    pub stale_after_secs: i64,
    /// More restarts than this is a warning even when running.
    pub restart_warn: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            latency_ms: 2_000,
            stale_after_secs: 45,
            restart_warn: 5,
        }
    }
}

/// All health findings for one service.
pub fn evaluate(
    svc: &ServiceInfo,
    pods: &[PodStatus],
    obs: Option<&ServiceObservation>,
    now: jiff::Timestamp,
    budget: &Budget,
) -> Vec<Finding> {
    let mut out = pod_findings(svc, pods, budget);
    let subject = svc.id.to_string();
    let name = svc.kind.display();
    if svc.service.is_none() {
        out.push(Finding::new(
            Severity::Warning,
            "service.missing",
            &subject,
            format!("{name} has no Kubernetes Service targeting its port"),
            "Create a Service for the workload, or set `services.<id>.url` in the config",
        ));
    }
    let Some(obs) = obs else { return out };
    let age = (now - obs.fetched_at).get_seconds();
    if age > budget.stale_after_secs {
        out.push(Finding::new(
            Severity::Warning,
            "data.stale",
            &subject,
            format!("health data is {age}s old"),
            "The collector is not getting answers; see the HTTP column and the log file",
        ));
    }
    if let Some(p) = &obs.probe {
        if p.error.is_none() && p.latency_ms > budget.latency_ms {
            out.push(Finding::new(
                Severity::Warning,
                "http.slow",
                &subject,
                format!(
                    "{name} answered in {} ms, over the {} ms budget",
                    p.latency_ms, budget.latency_ms
                ),
                "Check the pod's CPU/memory limits and node load (`kubectl top pod`), and the app's logs",
            ));
        }
    }
    // The app error (if any) is reported once, from the health call (the more specific one).
    let err = match &obs.health {
        Err(e) => Some(e),
        Ok(_) => obs.probe.as_ref().and_then(|p| p.error.as_ref()),
    };
    if let Some(e) = err {
        let (sev, code, fix) = match &e.kind {
            AppErrorKind::Unauthorized => (
                Severity::Error,
                "auth.rejected",
                "The API key the console uses (cluster Secret or config) differs from the app's; run `k8s-nas keys`",
            ),
            AppErrorKind::Forbidden => (
                Severity::Error,
                "auth.forbidden",
                "Check the app's host whitelist / auth bypass, or RBAC on services/proxy",
            ),
            AppErrorKind::Timeout { .. } => (
                Severity::Error,
                "http.timeout",
                "The app accepts connections but does not answer: look at its logs (`l`) and restart it",
            ),
            AppErrorKind::WrongUrlBase { .. } => (
                Severity::Error,
                "http.url_base",
                "Set the app's URL base and the console's (`services.<id>.url_base`) to the same value",
            ),
            AppErrorKind::Unreachable => (
                Severity::Error,
                "http.unreachable",
                "No ready endpoint answers: check the pod, the Service selector and port",
            ),
            AppErrorKind::ServerError { .. } => (
                Severity::Error,
                "http.server_error",
                "The app fails internally: read its logs (`l`)",
            ),
            AppErrorKind::BadBody => (
                Severity::Error,
                "http.bad_body",
                "Something else answers at this address (login portal, wrong ingress path?)",
            ),
            AppErrorKind::Http { .. } => (
                Severity::Warning,
                "http.unexpected",
                "Check the app's URL and URL base",
            ),
            AppErrorKind::Config => (
                Severity::Warning,
                "client.config",
                "Give the console what it needs in the config file (API key, credentials)",
            ),
        };
        out.push(Finding::new(
            sev,
            code,
            &subject,
            format!("{name}: {}", e.detail),
            fix,
        ));
    }
    if let Ok(h) = &obs.health {
        for issue in &h.issues {
            let sev = match issue.level {
                IssueLevel::Error => Severity::Error,
                IssueLevel::Warning => Severity::Warning,
                IssueLevel::Notice => Severity::Info,
                IssueLevel::Ok => continue,
            };
            let mut f = Finding::new(
                sev,
                format!("app.{}", issue.source),
                &subject,
                format!("{name} reports: {}", issue.message),
                "Follow the app's wiki entry for this check",
            );
            if let Some(w) = &issue.wiki_url {
                f = f.with_runbook(w);
            }
            out.push(f);
        }
    }
    out
}

fn pod_findings(svc: &ServiceInfo, pods: &[PodStatus], budget: &Budget) -> Vec<Finding> {
    let subject = svc.id.to_string();
    let name = svc.kind.display();
    let mut out = Vec::new();
    if pods.is_empty() {
        out.push(Finding::new(
            Severity::Error,
            "pod.missing",
            &subject,
            format!("{name} has no pod (scaled to zero or failing to schedule)"),
            format!(
                "kubectl -n {} scale {} {} --replicas=1, or look at its events",
                svc.namespace,
                svc.workload.kind.to_lowercase(),
                svc.workload.name
            ),
        ));
        return out;
    }
    for p in pods {
        let reason = p.reason.as_deref().unwrap_or("");
        if matches!(reason, "CrashLoopBackOff" | "Error" | "OOMKilled") {
            out.push(Finding::new(
                Severity::Error,
                "pod.crashloop",
                &subject,
                format!("pod {} is in {reason} ({} restarts)", p.name, p.restarts),
                format!(
                    "Read the previous run's log: kubectl -n {} logs {} --previous",
                    svc.namespace, p.name
                ),
            ));
        } else if matches!(reason, "ImagePullBackOff" | "ErrImagePull") {
            out.push(Finding::new(
                Severity::Error,
                "pod.image",
                &subject,
                format!("pod {} cannot pull its image ({reason})", p.name),
                "Check the image name/tag and registry access",
            ));
        } else if p.phase == "Pending" {
            out.push(Finding::new(
                Severity::Warning,
                "pod.pending",
                &subject,
                format!(
                    "pod {} is Pending{}",
                    p.name,
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({reason})")
                    }
                ),
                "Look at its events (`enter`): insufficient CPU, unbound PVC or image pull",
            ));
        } else if !p.is_ready() && !p.terminating {
            out.push(Finding::new(
                Severity::Warning,
                "pod.not_ready",
                &subject,
                format!(
                    "pod {} is {} with {}/{} containers ready",
                    p.name, p.phase, p.ready_containers, p.total_containers
                ),
                "Look at the failing readiness probe in its events and logs",
            ));
        } else if p.restarts > budget.restart_warn {
            out.push(Finding::new(
                Severity::Warning,
                "pod.restarts",
                &subject,
                format!("pod {} restarted {} times", p.name, p.restarts),
                "Check for OOM kills and liveness probe failures in its events",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::collections::BTreeMap;

    fn svc() -> ServiceInfo {
        ServiceInfo {
            id: ServiceId::new("media", "sonarr"),
            kind: AppKind::Sonarr,
            namespace: "media".into(),
            workload: WorkloadRef {
                kind: "Deployment".into(),
                name: "sonarr".into(),
            },
            container: "sonarr".into(),
            image: "linuxserver/sonarr".into(),
            selector: BTreeMap::new(),
            service: Some(ServicePort {
                name: "sonarr".into(),
                port: 8989,
                target_port: 8989,
                port_name: None,
            }),
            url_base: "/sonarr".into(),
            url_base_source: UrlBaseSource::Probe,
            probe_path: Some("/ping".into()),
            ingresses: vec![],
            config_volume: None,
            vpn: None,
            evidence: vec![],
        }
    }

    fn pod(reason: Option<&str>, ready: u32) -> PodStatus {
        PodStatus {
            name: "sonarr-abc".into(),
            phase: "Running".into(),
            ready_containers: ready,
            total_containers: 1,
            restarts: 0,
            reason: reason.map(str::to_string),
            started_at: None,
            node: None,
            terminating: false,
        }
    }

    fn obs(latency: u64, health: Result<AppHealth, AppError>) -> ServiceObservation {
        ServiceObservation {
            fetched_at: jiff::Timestamp::UNIX_EPOCH,
            probe: Some(ProbeResult {
                status: Some(200),
                latency_ms: latency,
                error: None,
            }),
            health,
        }
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn healthy_service_has_no_findings() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(40, Ok(AppHealth::default()))),
            now,
            &Budget::default(),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn each_fault_becomes_one_finding_with_a_remediation() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let b = Budget::default();
        let f = evaluate(&svc(), &[pod(Some("CrashLoopBackOff"), 0)], None, now, &b);
        assert_eq!(codes(&f), ["pod.crashloop"]);
        assert!(f[0].remediation.contains("--previous"));

        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(2430, Ok(AppHealth::default()))),
            now,
            &b,
        );
        assert_eq!(codes(&f), ["http.slow"]);
        assert!(f[0].message.contains("2430 ms"));

        let rejected = Err(AppError::new(AppErrorKind::Unauthorized, "401"));
        let f = evaluate(&svc(), &[pod(None, 1)], Some(&obs(10, rejected)), now, &b);
        assert_eq!(codes(&f), ["auth.rejected"]);
        assert_eq!(f[0].severity, Severity::Error);

        let hung = Err(AppError::new(
            AppErrorKind::Timeout { after_ms: 5000 },
            "no answer",
        ));
        let f = evaluate(&svc(), &[pod(None, 1)], Some(&obs(10, hung)), now, &b);
        assert_eq!(codes(&f), ["http.timeout"]);

        let issues = AppHealth {
            version: None,
            summary: "2 issues".into(),
            issues: vec![
                HealthIssue {
                    source: "IndexerRssCheck".into(),
                    level: IssueLevel::Error,
                    message: "No indexers".into(),
                    wiki_url: Some("https://wiki.servarr.com/sonarr/system#x".into()),
                },
                HealthIssue {
                    source: "DownloadClientCheck".into(),
                    level: IssueLevel::Warning,
                    message: "No download client".into(),
                    wiki_url: None,
                },
            ],
        };
        let f = evaluate(&svc(), &[pod(None, 1)], Some(&obs(10, Ok(issues))), now, &b);
        assert_eq!(
            codes(&f),
            ["app.IndexerRssCheck", "app.DownloadClientCheck"]
        );
        assert_eq!(
            f[0].runbook.as_deref(),
            Some("https://wiki.servarr.com/sonarr/system#x")
        );
    }

    #[test]
    fn no_pods_and_stale_data() {
        let b = Budget::default();
        let f = evaluate(&svc(), &[], None, jiff::Timestamp::UNIX_EPOCH, &b);
        assert_eq!(codes(&f), ["pod.missing"]);
        let later = jiff::Timestamp::from_second(120).unwrap();
        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(10, Ok(AppHealth::default()))),
            later,
            &b,
        );
        assert_eq!(codes(&f), ["data.stale"]);
    }
}
