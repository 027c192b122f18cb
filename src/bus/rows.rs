//! Pure view-model of the Services table: one [`ServiceRow`] per service, rebuilt when data
//! changes (never per key press or per frame), plus formatting helpers shared by panes.

use crate::checks::Budget;
use crate::model::{
    AppErrorKind, AppHealth, Finding, IssueLevel, PodPhase, PodStatus, ServiceId, ServiceInfo,
    ServiceObservation, Severity,
};
use jiff::Timestamp;

/// The colour class of a cell; the theme turns it into a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tone {
    Normal,
    Muted,
    Ok,
    Warn,
    Error,
}

impl Tone {
    pub fn role(self) -> &'static str {
        match self {
            Tone::Normal => "base",
            Tone::Muted => "muted",
            Tone::Ok => "ok",
            Tone::Warn => "warn",
            Tone::Error => "error",
        }
    }

    pub fn of_severity(s: Severity) -> Tone {
        match s {
            Severity::Ok | Severity::Info => Tone::Normal,
            Severity::Warning => Tone::Warn,
            Severity::Error | Severity::Critical => Tone::Error,
        }
    }
}

/// A cell: text and tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn new(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: text.into(),
            tone,
        }
    }
}

/// One row of the Services table, with everything that does not depend on the clock
/// pre-formatted. Ages are formatted at render time from the stored timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub id: ServiceId,
    pub name: String,
    pub kind: String,
    pub namespace: String,
    pub pod: Cell,
    pub restarts: Cell,
    /// Start of the oldest pod.
    pub started: Option<Timestamp>,
    pub http: Cell,
    pub health: Cell,
    pub vpn: Cell,
    pub observed_at: Option<Timestamp>,
    /// Worst finding about this service.
    pub worst: Severity,
    /// Lower-cased text of the filterable columns, one per line (so `^`/`$` anchor per column).
    pub haystack: String,
}

/// One row; `budget` is the configured one the findings use (the HTTP cell's colours).
pub fn build_row(
    svc: &ServiceInfo,
    pods: &[PodStatus],
    obs: Option<&ServiceObservation>,
    findings: &[Finding],
    budget: &Budget,
) -> ServiceRow {
    let name = svc.workload.name.clone();
    let kind = svc.kind.display().to_string();
    let pod = pod_cell(pods);
    let total_restarts: u32 = pods.iter().map(|p| p.restarts).sum();
    let restarts = Cell::new(
        total_restarts.to_string(),
        match total_restarts {
            0 => Tone::Normal,
            1..=4 => Tone::Warn,
            _ => Tone::Error,
        },
    );
    let started = pods.iter().filter_map(|p| p.started_at).min();
    let http = obs.map_or(Cell::new("—", Tone::Muted), |o| http_cell(o, budget));
    let health = obs.map_or(Cell::new("—", Tone::Muted), |o| health_cell(&o.health));
    let vpn = match &svc.vpn {
        // The badge only; provider and type are in the detail pane.
        Some(_) => Cell::new("vpn", Tone::Ok),
        None => Cell::new("", Tone::Muted),
    };
    let worst = crate::model::finding::worst(findings.iter().filter(|f| f.is_about(&svc.id)));
    // The HEALTH cell is a count; the filter also matches the checks it counts.
    let sources = match obs.map(|o| &o.health) {
        Some(Ok(h)) => h
            .issues
            .iter()
            .filter(|i| i.level > IssueLevel::Ok)
            .map(|i| i.source.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    let haystack = [
        name.as_str(),
        kind.as_str(),
        svc.namespace.as_str(),
        pod.text.as_str(),
        http.text.as_str(),
        health.text.as_str(),
        sources.as_str(),
        vpn.text.as_str(),
    ]
    .join("\n")
    .to_lowercase();
    ServiceRow {
        id: svc.id.clone(),
        name,
        kind,
        namespace: svc.namespace.clone(),
        pod,
        restarts,
        started,
        http,
        health,
        vpn,
        observed_at: obs.map(|o| o.fetched_at),
        worst,
        haystack,
    }
}

/// The pod a service's row, logs, describe and actions are about: the most interesting one
/// (not ready first, then one with a reason such as `CrashLoopBackOff`, then by name).
pub fn interesting_pod(pods: &[PodStatus]) -> Option<&PodStatus> {
    pods.iter()
        .min_by_key(|p| (p.is_ready(), p.reason.is_none(), p.name.as_str()))
}

/// A waiting reason short enough for an 80-column POD cell (issue 7: never cut mid-value); the
/// pod's detail and `describe` keep the full word.
pub fn short_reason(word: &str) -> &str {
    match word {
        "CrashLoopBackOff" => "CrashLoop",
        "ImagePullBackOff" => "ImagePull",
        "CreateContainerConfigError" => "ConfigError",
        "CreateContainerError" => "CreateError",
        "ContainerCreating" => "Creating",
        "PodInitializing" => "Initializing",
        other => other,
    }
}

/// `Running 1/1`, `CrashLoop 0/1` (CrashLoopBackOff), `Running 2/2 ×3`, `no pods`.
pub fn pod_cell(pods: &[PodStatus]) -> Cell {
    let Some(worst) = interesting_pod(pods) else {
        return Cell::new("no pods", Tone::Error);
    };
    let word = short_reason(worst.reason.as_deref().unwrap_or(worst.phase.as_str()));
    let mut text = format!(
        "{word} {}/{}",
        worst.ready_containers, worst.total_containers
    );
    if pods.len() > 1 {
        let ready = pods.iter().filter(|p| p.is_ready()).count();
        text.push_str(&format!(" ({ready}/{} pods)", pods.len()));
    }
    if worst.terminating {
        text.push_str(" terminating");
    }
    let tone = if worst.is_ready() && !worst.terminating {
        Tone::Ok
    } else if worst.phase == PodPhase::Pending && worst.reason.is_none() {
        Tone::Warn
    } else {
        Tone::Error
    };
    Cell::new(text, tone)
}

/// `200 45ms`, `200 2.4s`, `timeout 5s`, `401 12ms`, `refused`: durations as units, short
/// enough that a narrow column never cuts a number. Red over the latency budget (where
/// `http.slow` starts), yellow over half of it.
pub fn http_cell(obs: &ServiceObservation, budget: &Budget) -> Cell {
    let Some(p) = &obs.probe else {
        return Cell::new("—", Tone::Muted);
    };
    if let Some(e) = &p.error {
        let text = match &e.kind {
            AppErrorKind::Timeout { after_ms } => format!("timeout {}", duration(*after_ms)),
            AppErrorKind::Unreachable => "unreachable".to_string(),
            AppErrorKind::ClusterUnreachable => "cluster unreachable".to_string(),
            _ => match p.status {
                Some(s) => format!("{s} {}", duration(p.latency_ms)),
                None => short_error(&e.kind).to_string(),
            },
        };
        return Cell::new(text, Tone::Error);
    }
    let text = match p.status {
        Some(s) => format!("{s} {}", duration(p.latency_ms)),
        None => duration(p.latency_ms),
    };
    let tone = if p.status.is_some_and(|s| s >= 400) || p.latency_ms > budget.latency_ms {
        Tone::Error
    } else if p.latency_ms > budget.latency_ms / 2 {
        Tone::Warn
    } else {
        Tone::Ok
    };
    Cell::new(text, tone)
}

/// A duration in its unit: `45ms`, `2.4s`, `12s`, `3m`.
pub fn duration(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms}ms"),
        1_000..=9_999 => {
            let tenths = (ms + 50) / 100;
            if tenths % 10 == 0 {
                format!("{}s", tenths / 10)
            } else {
                format!("{}.{}s", tenths / 10, tenths % 10)
            }
        }
        10_000..=119_999 => format!("{}s", (ms + 500) / 1000),
        _ => format!("{}m", (ms + 30_000) / 60_000),
    }
}

pub fn short_error(kind: &AppErrorKind) -> String {
    match kind {
        AppErrorKind::Unreachable => "unreachable".into(),
        AppErrorKind::ClusterUnreachable => "cluster unreachable".into(),
        AppErrorKind::Timeout { after_ms } => format!("timeout {}", duration(*after_ms)),
        AppErrorKind::Unauthorized => "401 bad key".into(),
        AppErrorKind::Forbidden => "403 forbidden".into(),
        AppErrorKind::WrongUrlBase { .. } => "wrong url base".into(),
        AppErrorKind::ServerError { status } => format!("{status} server error"),
        AppErrorKind::Http { status } => format!("http {status}"),
        AppErrorKind::BadBody => "bad body".into(),
        AppErrorKind::Config => "not configured".into(),
    }
}

pub fn issue_label(l: IssueLevel) -> &'static str {
    match l {
        IssueLevel::Ok => "ok",
        IssueLevel::Notice => "notice",
        IssueLevel::Warning => "warn",
        IssueLevel::Error => "error",
    }
}

/// `ok`, `2 warn`, `1 error`, or the classified error: a count at the worst level, short
/// enough that a narrow column never cuts it mid-word (issue 7). Which checks they are (and
/// their messages) is in the service's detail view; the `/` filter still finds the sources.
pub fn health_cell(health: &Result<AppHealth, crate::model::AppError>) -> Cell {
    match health {
        Err(e) => Cell::new(short_error(&e.kind), Tone::Error),
        Ok(h) => {
            let worst = h.worst_level();
            if worst <= IssueLevel::Ok {
                return Cell::new("ok", Tone::Ok);
            }
            let count = h.issues.iter().filter(|i| i.level == worst).count();
            let text = format!("{count} {}", issue_label(worst));
            let tone = match worst {
                IssueLevel::Error => Tone::Error,
                IssueLevel::Warning => Tone::Warn,
                _ => Tone::Normal,
            };
            Cell::new(text, tone)
        }
    }
}

/// Compact age: `42s`, `5m`, `3h12m`, `4d2h`; `—` when unknown; `0s` for the future.
pub fn age(since: Option<Timestamp>, now: Timestamp) -> String {
    let Some(t) = since else {
        return "—".to_string();
    };
    let secs = now.as_second().saturating_sub(t.as_second()).max(0);
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m}m")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

/// DATA AGE cell: amber once the observation is older than the budget (where `data.stale`
/// starts), red past three times that.
pub fn data_age_cell(observed: Option<Timestamp>, now: Timestamp, budget: &Budget) -> Cell {
    let Some(t) = observed else {
        return Cell::new("pending", Tone::Muted);
    };
    let secs = now.as_second() - t.as_second();
    let stale = budget.stale_after_secs;
    let tone = if secs > stale.saturating_mul(3) {
        Tone::Error
    } else if secs > stale {
        Tone::Warn
    } else {
        Tone::Normal
    };
    Cell::new(age(Some(t), now), tone)
}

/// Make untrusted multi-line text (log lines, describe output, task logs, detail boxes) safe
/// and readable: ANSI escape sequences (log colours) are removed, tabs expanded to the next
/// multiple of 4 columns, other control characters dropped. Table cells and headless tables
/// escape instead ([`crate::bounds::sanitize`]), so a hostile value is visible there.
pub fn sanitize(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    let mut col = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek() {
                // CSI: ESC [ params… final byte in @..~
                Some('[') => {
                    chars.next();
                    for d in chars.by_ref() {
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                }
                // OSC: ESC ] … BEL or ESC \
                Some(']') => {
                    chars.next();
                    while let Some(d) = chars.next() {
                        if d == '\u{7}' || (d == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            },
            '\t' => {
                let n = 4 - col % 4;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            c if c.is_control() => {}
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppError, HealthIssue, ProbeResult};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn ages_are_compact() {
        let now = ts("2026-11-28T12:00:00Z");
        assert_eq!(age(Some(ts("2026-11-28T11:59:18Z")), now), "42s");
        assert_eq!(age(Some(ts("2026-11-28T08:48:00Z")), now), "3h12m");
        assert_eq!(age(Some(ts("2026-11-24T10:00:00Z")), now), "4d2h");
        assert_eq!(age(Some(ts("2026-11-28T12:00:09Z")), now), "0s");
        assert_eq!(age(None, now), "—");
        assert_eq!(
            data_age_cell(Some(ts("2026-11-28T11:58:00Z")), now, &Budget::default()).tone,
            Tone::Warn
        );
        assert_eq!(
            data_age_cell(Some(ts("2026-11-28T11:50:00Z")), now, &Budget::default()).tone,
            Tone::Error
        );
    }

    fn obs(status: Option<u16>, ms: u64, err: Option<AppErrorKind>) -> ServiceObservation {
        ServiceObservation {
            fetched_at: ts("2026-11-28T12:00:00Z"),
            probe: Some(ProbeResult {
                status,
                latency_ms: ms,
                error: err.map(|k| AppError::new(k, "x")),
            }),
            health: Ok(AppHealth::default()),
        }
    }

    #[test]
    fn http_thresholds() {
        let b = &Budget::default();
        assert_eq!(
            http_cell(&obs(Some(200), 40, None), b),
            Cell::new("200 40ms", Tone::Ok)
        );
        assert_eq!(http_cell(&obs(Some(200), 1500, None), b).tone, Tone::Warn);
        assert_eq!(
            http_cell(&obs(Some(200), 2430, None), b),
            Cell::new("200 2.4s", Tone::Error)
        );
        assert_eq!(
            http_cell(
                &obs(None, 5000, Some(AppErrorKind::Timeout { after_ms: 5000 })),
                b
            ),
            Cell::new("timeout 5s", Tone::Error)
        );
        assert_eq!(
            http_cell(&obs(Some(401), 9, Some(AppErrorKind::Unauthorized)), b),
            Cell::new("401 9ms", Tone::Error)
        );
    }

    /// Issue 7: durations in their unit, never a bare number a narrow column could cut.
    #[test]
    fn durations_are_abbreviated_as_units() {
        for (ms, text) in [
            (0, "0ms"),
            (999, "999ms"),
            (1000, "1s"),
            (2403, "2.4s"),
            (2430, "2.4s"),
            (9_960, "10s"),
            (12_400, "12s"),
            (125_000, "2m"),
        ] {
            assert_eq!(duration(ms), text, "{ms}");
        }
    }

    /// DATA AGE turns amber exactly where `data.stale` starts, for any configured budget.
    #[test]
    fn data_age_and_data_stale_share_the_budget() {
        use crate::checks::health;
        let svc = crate::integrate::fixtures::target_inventory().services[0].clone();
        let now = ts("2026-11-28T12:00:00Z");
        for stale_after_secs in [30, 45, 300] {
            let b = Budget {
                stale_after_secs,
                ..Budget::default()
            };
            for age in [
                stale_after_secs,
                stale_after_secs + 1,
                3 * stale_after_secs,
                3 * stale_after_secs + 1,
            ] {
                let mut o = obs(Some(200), 10, None);
                o.fetched_at = Timestamp::from_second(now.as_second() - age).unwrap();
                let stale = health::evaluate(&svc, &[], Some(&o), now, &b, None)
                    .iter()
                    .any(|f| f.code == "data.stale");
                let tone = data_age_cell(Some(o.fetched_at), now, &b).tone;
                assert_eq!(
                    tone != Tone::Normal,
                    stale,
                    "{age}s, budget {stale_after_secs}s"
                );
                let red = age > 3 * stale_after_secs;
                assert_eq!(
                    tone == Tone::Error,
                    red,
                    "{age}s, budget {stale_after_secs}s"
                );
            }
        }
    }

    /// The cell turns red exactly where `http.slow` starts, for any configured budget.
    #[test]
    fn http_cell_and_http_slow_share_the_budget() {
        use crate::checks::health;
        let svc = crate::integrate::fixtures::target_inventory().services[0].clone();
        for budget_ms in [300, 2_000, 10_000] {
            let b = Budget {
                latency_ms: budget_ms,
                ..Budget::default()
            };
            for ms in [budget_ms / 2, budget_ms / 2 + 1, budget_ms, budget_ms + 1] {
                let o = obs(Some(200), ms, None);
                let slow = health::evaluate(&svc, &[], Some(&o), o.fetched_at, &b, None)
                    .iter()
                    .any(|f| f.code == "http.slow");
                let tone = http_cell(&o, &b).tone;
                assert_eq!(tone == Tone::Error, slow, "{ms} ms over {budget_ms}");
                let want = if ms > budget_ms {
                    Tone::Error
                } else if ms > budget_ms / 2 {
                    Tone::Warn
                } else {
                    Tone::Ok
                };
                assert_eq!(tone, want, "{ms} ms over {budget_ms}");
            }
        }
    }

    #[test]
    fn health_summary_names_worst_level() {
        let issue = |level, source: &str| HealthIssue {
            source: source.into(),
            level,
            message: "m".into(),
            wiki_url: None,
        };
        let h = AppHealth {
            version: None,
            summary: String::new(),
            issues: vec![
                issue(IssueLevel::Warning, "IndexerStatusCheck"),
                issue(IssueLevel::Error, "DownloadClientCheck"),
            ],
        };
        assert_eq!(health_cell(&Ok(h)), Cell::new("1 error", Tone::Error));
        assert_eq!(
            health_cell(&Ok(AppHealth::default())),
            Cell::new("ok", Tone::Ok)
        );
    }

    #[test]
    fn rows_take_the_worst_finding_about_their_service_by_id() {
        let inv = crate::integrate::fixtures::target_inventory();
        let svc = &inv.services[0];
        let edge = crate::checks::catalog::INTEGRATION_MISSING
            .finding(format!("download-client:{}->x/y", svc.id), "m", &[])
            .about(svc.id.clone());
        let other = crate::checks::catalog::POD_MISSING.for_service(
            &ServiceId(format!("{}-4k", svc.id)),
            "m",
            &[
                ("namespace", "n"),
                ("workload_kind", "k"),
                ("workload", "w"),
            ],
        );
        let row = build_row(svc, &[], None, &[edge, other], &Budget::default());
        assert_eq!(row.worst, Severity::Warning, "by id, not by subject prefix");
    }

    #[test]
    fn sanitize_strips_escapes_and_expands_tabs() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m ok"), "red ok");
        assert_eq!(sanitize("a\tb"), "a   b");
        assert_eq!(sanitize("\u{1b}]0;title\u{7}x\r"), "x");
        assert_eq!(sanitize("\u{1b}]8;;http://x\u{1b}\\link"), "link");
        assert_eq!(sanitize("日本\u{0}語"), "日本語");
        assert_eq!(sanitize("trailing \u{1b}"), "trailing ");
    }
}
