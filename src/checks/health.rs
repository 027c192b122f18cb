//! Service health: pods, the HTTP probe against the latency budget, and the app's own report.

use super::catalog::{self, Entry};
use crate::model::{
    AppErrorKind, Finding, IssueLevel, PodPhase, PodStatus, ServiceInfo, ServiceObservation,
    Severity,
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
    usage: Option<&crate::bus::ServiceUsage>,
) -> Vec<Finding> {
    let mut out = pod_findings(svc, pods, budget);
    let id = &svc.id;
    let name = svc.kind.display();
    if svc.service.is_none() {
        out.push(catalog::SERVICE_MISSING.for_service(
            id,
            format!("{name} has no Kubernetes Service targeting its port"),
            &[],
        ));
    }
    let Some(obs) = obs else { return out };
    let age = (now - obs.fetched_at).get_seconds();
    if age > budget.stale_after_secs {
        out.push(catalog::DATA_STALE.for_service(id, format!("health data is {age}s old"), &[]));
    }
    if let Some(p) = &obs.probe {
        if p.error.is_none() && p.latency_ms > budget.latency_ms {
            let mut slow = catalog::HTTP_SLOW.for_service(
                id,
                format!(
                    "{name} answered in {} ms, over the {} ms budget",
                    p.latency_ms, budget.latency_ms
                ),
                &[],
            );
            // With the metrics API: what its usage is against its limits.
            if let Some(u) = usage {
                slow.remediation = slow_advice(u);
            }
            out.push(slow);
        }
    }
    // The app error (if any) is reported once: an app that does not answer its anonymous probe
    // is down (whatever its key); otherwise the health call's error (the more specific one).
    // An unreachable API server is one cluster finding (see `checks::evaluate`), not one per app.
    let probe_err = obs.probe.as_ref().and_then(|p| p.error.as_ref());
    let err = match (probe_err, &obs.health) {
        (Some(p), _) if is_down(&p.kind) => Some(p),
        (_, Err(e)) => Some(e),
        (p, Ok(_)) => p,
    };
    if let Some(e) = err.filter(|e| e.kind != AppErrorKind::ClusterUnreachable) {
        out.push(error_entry(&e.kind).for_service(id, format!("{name}: {}", e.detail), &[]));
    }
    if let Ok(h) = &obs.health {
        for issue in &h.issues {
            let sev = match issue.level {
                IssueLevel::Error => Severity::Error,
                IssueLevel::Warning => Severity::Warning,
                IssueLevel::Notice => Severity::Info,
                IssueLevel::Ok => continue,
            };
            let mut f = catalog::APP_CHECK
                .member(
                    &issue.source,
                    id.to_string(),
                    format!("{name} reports: {}", issue.message),
                    &[],
                )
                .about(id.clone());
            f.severity = sev;
            if let Some(w) = &issue.wiki_url {
                f = f.with_runbook(w);
            }
            out.push(f);
        }
    }
    out
}

/// Nothing answers (or the API server in front of the app does not): the app is down.
pub fn is_down(kind: &AppErrorKind) -> bool {
    matches!(
        kind,
        AppErrorKind::Unreachable | AppErrorKind::ClusterUnreachable | AppErrorKind::Timeout { .. }
    )
}

/// The catalog entry of a classified app error.
fn error_entry(kind: &AppErrorKind) -> &'static Entry {
    match kind {
        AppErrorKind::Unauthorized => &catalog::AUTH_REJECTED,
        AppErrorKind::Forbidden => &catalog::AUTH_FORBIDDEN,
        AppErrorKind::Timeout { .. } => &catalog::HTTP_TIMEOUT,
        AppErrorKind::WrongUrlBase { .. } => &catalog::HTTP_URL_BASE,
        AppErrorKind::Unreachable => &catalog::HTTP_UNREACHABLE,
        AppErrorKind::ClusterUnreachable => &catalog::CLUSTER_UNREACHABLE,
        AppErrorKind::ServerError { .. } => &catalog::HTTP_SERVER_ERROR,
        AppErrorKind::BadBody => &catalog::HTTP_BAD_BODY,
        AppErrorKind::Http { .. } => &catalog::HTTP_UNEXPECTED,
        AppErrorKind::Config => &catalog::CLIENT_CONFIG,
    }
}

fn pod_findings(svc: &ServiceInfo, pods: &[PodStatus], budget: &Budget) -> Vec<Finding> {
    let id = &svc.id;
    let name = svc.kind.display();
    let mut out = Vec::new();
    if pods.is_empty() {
        let workload_kind = svc.workload.kind.to_lowercase();
        out.push(catalog::POD_MISSING.for_service(
            id,
            format!("{name} has no pod (scaled to zero or failing to schedule)"),
            &[
                ("namespace", &svc.namespace),
                ("workload_kind", &workload_kind),
                ("workload", &svc.workload.name),
            ],
        ));
        return out;
    }
    for p in pods {
        let reason = p.reason.as_deref().unwrap_or("");
        if let Some(f) = oom_finding(svc, p) {
            out.push(f);
            if reason == "OOMKilled" {
                continue;
            }
        }
        let f = if matches!(reason, "CrashLoopBackOff" | "Error") {
            catalog::POD_CRASHLOOP.for_service(
                id,
                format!(
                    "pod {} is in {reason} ({}){}",
                    p.name,
                    restart_facts(p),
                    last_exit(p)
                ),
                &[("namespace", &svc.namespace), ("pod", &p.name)],
            )
        } else if matches!(reason, "ImagePullBackOff" | "ErrImagePull") {
            catalog::POD_IMAGE.for_service(
                id,
                format!("pod {} cannot pull its image ({reason})", p.name),
                &[],
            )
        } else if p.phase == PodPhase::Pending {
            let why = if reason.is_empty() {
                String::new()
            } else {
                format!(" ({reason})")
            };
            catalog::POD_PENDING.for_service(id, format!("pod {} is Pending{why}", p.name), &[])
        } else if !p.is_ready() && !p.terminating {
            catalog::POD_NOT_READY.for_service(
                id,
                format!(
                    "pod {} is {} with {}/{} containers ready",
                    p.name, p.phase, p.ready_containers, p.total_containers
                ),
                &[],
            )
        } else if p.restarts > budget.restart_warn {
            catalog::POD_RESTARTS.for_service(
                id,
                format!(
                    "pod {} restarted {} times ({}){}",
                    p.name,
                    p.restarts,
                    last_hour(p),
                    last_exit(p)
                ),
                &[],
            )
        } else {
            continue;
        };
        out.push(f);
    }
    out
}

/// `12 restarts, 3 in the last hour`.
fn restart_facts(p: &PodStatus) -> String {
    format!("{} restarts, {}", p.restarts, last_hour(p))
}

/// `3 in the last hour` (or `last hour unknown` before the engine counted).
fn last_hour(p: &PodStatus) -> String {
    match p.restarts_last_hour {
        Some(n) => format!("{n} in the last hour"),
        None => "last hour unknown".into(),
    }
}

/// `; last exit: Error, code 1 (bazarr)` from the latest termination, or nothing.
fn last_exit(p: &PodStatus) -> String {
    let Some(t) = &p.last_termination else {
        return String::new();
    };
    let reason = t.reason.as_deref().unwrap_or("terminated");
    format!(
        "; last exit: {reason}, code {} ({})",
        t.exit_code, t.container
    )
}

/// `pod.oom_killed` when a container's latest termination (or the pod's reason) is an OOM kill;
/// the remediation names the container's memory limit.
fn oom_finding(svc: &ServiceInfo, p: &PodStatus) -> Option<Finding> {
    let t = p.last_termination.as_ref();
    let oom_t = t.filter(|t| t.reason.as_deref() == Some("OOMKilled"));
    if oom_t.is_none() && p.reason.as_deref() != Some("OOMKilled") {
        return None;
    }
    let container = oom_t.map_or(svc.container.as_str(), |t| t.container.as_str());
    let limit = oom_t
        .and_then(|t| t.memory_limit.as_deref())
        .unwrap_or("no limit set: the node ran out of memory");
    let when = oom_t
        .and_then(|t| t.finished_at)
        .map(|f| format!(" at {}", f.strftime("%Y-%m-%d %H:%M:%SZ")))
        .unwrap_or_default();
    Some(catalog::POD_OOM_KILLED.for_service(
        &svc.id,
        format!(
            "container {container} of pod {} was OOM-killed{when} ({})",
            p.name,
            restart_facts(p)
        ),
        &[
            ("namespace", &svc.namespace),
            ("pod", &p.name),
            ("container", container),
            ("limit", limit),
        ],
    ))
}

/// What to do about a slow app given its usage against its limits (metrics API), instead of
/// "run kubectl top".
fn slow_advice(u: &crate::bus::ServiceUsage) -> String {
    let pct = |used: u64, limit: Option<u64>| limit.filter(|l| *l > 0).map(|l| used * 100 / l);
    let cpu_pct = pct(u.cpu_milli, u.cpu_limit);
    let mem_pct = pct(u.mem_bytes, u.mem_limit);
    let cpu = match (u.cpu_limit, cpu_pct) {
        (Some(l), Some(p)) => format!("CPU {}m of its {l}m limit ({p}%)", u.cpu_milli),
        _ => format!("CPU {}m (no limit)", u.cpu_milli),
    };
    let mib = |b: u64| b / (1024 * 1024);
    let mem = match (u.mem_limit, mem_pct) {
        (Some(l), Some(p)) => format!("memory {}Mi of {}Mi ({p}%)", mib(u.mem_bytes), mib(l)),
        _ => format!("memory {}Mi (no limit)", mib(u.mem_bytes)),
    };
    let verdict = if cpu_pct.is_some_and(|p| p >= 90) {
        "it is held at its CPU limit (throttled): raise the CPU limit"
    } else if mem_pct.is_some_and(|p| p >= 90) {
        "memory is at its limit (swapping/GC, next an OOM kill): raise the memory limit"
    } else {
        "usage is within its limits: look at the node's load (`kubectl top node`) and the app's logs"
    };
    format!("{cpu}, {mem}: {verdict}")
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
            last_termination: None,
            restarts_last_hour: None,
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
            None,
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn each_fault_becomes_one_finding_with_a_remediation() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let b = Budget::default();
        let f = evaluate(
            &svc(),
            &[pod(Some("CrashLoopBackOff"), 0)],
            None,
            now,
            &b,
            None,
        );
        assert_eq!(codes(&f), ["pod.crashloop"]);
        assert!(f[0].remediation.contains("--previous"));
        assert_eq!(
            f[0].remediation,
            "Read the previous run's log: kubectl -n media logs sonarr-abc --previous"
        );
        assert_eq!(f[0].service, Some(svc().id), "rows find it by id");

        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(2430, Ok(AppHealth::default()))),
            now,
            &b,
            None,
        );
        assert_eq!(codes(&f), ["http.slow"]);
        assert!(f[0].message.contains("2430 ms"));

        let rejected = Err(AppError::new(AppErrorKind::Unauthorized, "401"));
        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(10, rejected)),
            now,
            &b,
            None,
        );
        assert_eq!(codes(&f), ["auth.rejected"]);
        assert_eq!(f[0].severity, Severity::Error);

        let hung = Err(AppError::new(
            AppErrorKind::Timeout { after_ms: 5000 },
            "no answer",
        ));
        let f = evaluate(&svc(), &[pod(None, 1)], Some(&obs(10, hung)), now, &b, None);
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
        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(10, Ok(issues))),
            now,
            &b,
            None,
        );
        assert_eq!(
            codes(&f),
            ["app.IndexerRssCheck", "app.DownloadClientCheck"]
        );
        assert_eq!(
            f[0].runbook.as_deref(),
            Some("https://wiki.servarr.com/sonarr/system#x")
        );
        assert_eq!(f[1].severity, Severity::Warning);
        assert_eq!(
            f[1].runbook.as_deref(),
            Some("docs/runbooks/app.HealthCheckSource.md"),
            "no wiki link: the runbook page"
        );
    }

    /// Issue 7: an app that does not answer its anonymous probe is down, whether or not the
    /// console has its key (it used to be only a "no API key" warning).
    #[test]
    fn an_app_that_does_not_answer_is_down_whatever_its_key() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let b = Budget::default();
        let no_key = || Err(AppError::new(AppErrorKind::Config, "no API key for Sonarr"));
        for (kind, code) in [
            (AppErrorKind::Unreachable, "http.unreachable"),
            (AppErrorKind::Timeout { after_ms: 5000 }, "http.timeout"),
        ] {
            let o = ServiceObservation {
                fetched_at: now,
                probe: Some(ProbeResult {
                    status: None,
                    latency_ms: 5000,
                    error: Some(AppError::new(kind, "no answer")),
                }),
                health: no_key(),
            };
            let f = evaluate(&svc(), &[pod(None, 1)], Some(&o), now, &b, None);
            assert_eq!(codes(&f), [code]);
            assert_eq!(f[0].severity, Severity::Error);
        }
        // Up but keyless: the missing key is what is said.
        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(10, no_key())),
            now,
            &b,
            None,
        );
        assert_eq!(codes(&f), ["client.config"]);
    }

    /// Issue 8: an OOM kill is its own finding with the container's limit in the remediation,
    /// next to the crash loop (whose message says the last exit and the restarts of the hour).
    #[test]
    fn oom_kill_names_the_limit_and_the_loop_its_last_exit() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let mut p = pod(Some("CrashLoopBackOff"), 0);
        p.restarts = 12;
        p.restarts_last_hour = Some(4);
        p.last_termination = Some(Termination {
            container: "sonarr".into(),
            reason: Some("OOMKilled".into()),
            exit_code: 137,
            finished_at: Some(now),
            memory_limit: Some("512Mi".into()),
        });
        let f = evaluate(&svc(), &[p.clone()], None, now, &Budget::default(), None);
        assert_eq!(codes(&f), ["pod.oom_killed", "pod.crashloop"]);
        assert!(
            f[0].remediation.contains("(now 512Mi)"),
            "{}",
            f[0].remediation
        );
        assert!(f[0].remediation.contains("top pod sonarr-abc"));
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(
            f[1].message,
            "pod sonarr-abc is in CrashLoopBackOff (12 restarts, 4 in the last hour); \
             last exit: OOMKilled, code 137 (sonarr)"
        );
        // A plain error exit is no OOM finding; unknown hour stays "unknown".
        p.last_termination.as_mut().unwrap().reason = Some("Error".into());
        p.restarts_last_hour = None;
        let f = evaluate(&svc(), &[p], None, now, &Budget::default(), None);
        assert_eq!(codes(&f), ["pod.crashloop"]);
        assert!(
            f[0].message.contains("last hour unknown"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn slow_advice_reads_usage_against_limits() {
        let mi = 1024 * 1024;
        let throttled = crate::bus::ServiceUsage {
            cpu_milli: 495,
            mem_bytes: 100 * mi,
            cpu_limit: Some(500),
            mem_limit: Some(512 * mi),
            ..Default::default()
        };
        let a = slow_advice(&throttled);
        assert!(
            a.starts_with("CPU 495m of its 500m limit (99%), memory 100Mi of 512Mi (19%)"),
            "{a}"
        );
        assert!(a.contains("raise the CPU limit"), "{a}");
        let idle = crate::bus::ServiceUsage {
            cpu_milli: 20,
            mem_bytes: 100 * mi,
            ..Default::default()
        };
        let a = slow_advice(&idle);
        assert!(
            a.contains("CPU 20m (no limit)") && a.contains("within its limits"),
            "{a}"
        );
    }

    #[test]
    fn no_pods_and_stale_data() {
        let b = Budget::default();
        let f = evaluate(&svc(), &[], None, jiff::Timestamp::UNIX_EPOCH, &b, None);
        assert_eq!(codes(&f), ["pod.missing"]);
        assert_eq!(
            f[0].remediation,
            "kubectl -n media scale deployment sonarr --replicas=1, or look at its events"
        );
        let later = jiff::Timestamp::from_second(120).unwrap();
        let f = evaluate(
            &svc(),
            &[pod(None, 1)],
            Some(&obs(10, Ok(AppHealth::default()))),
            later,
            &b,
            None,
        );
        assert_eq!(codes(&f), ["data.stale"]);
    }
}
