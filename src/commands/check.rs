//! `k8s-nas check`: discovery + one collector round + checks, printed as a table or JSON.
//! Exit 0 healthy, 1 any finding of warning or worse, 2 could not run.

use crate::cli::Output;
use crate::config::Config;
use crate::engine::{self, Snapshot};
use crate::model::{finding::worst, Severity};

pub async fn run(cfg: &Config, output: Output) -> anyhow::Result<u8> {
    let snap = engine::check_once(cfg).await?;
    match output {
        Output::Json => crate::out!("{}", serde_json::to_string_pretty(&snap.to_json())?),
        Output::Table => print_table(&snap, &engine::budget(cfg)),
    }
    if snap.inventory.services.is_empty() {
        // Nothing checked is not healthy (issue 13, point 9).
        eprintln!(
            "k8s-nas: check: no service of the stack found in namespaces {}: nothing was checked",
            snap.namespaces_label()
        );
        return Ok(2);
    }
    Ok(if worst(&snap.findings).is_problem() {
        1
    } else {
        0
    })
}

fn print_table(s: &Snapshot, budget: &crate::checks::Budget) {
    crate::out_table!(
        "context {}  cluster {}  namespaces {}",
        s.context,
        s.cluster,
        s.namespaces_label()
    );
    crate::out_table!();
    crate::out_table!(
        "{:<22} {:<12} {:<12} {:<14} {:>8} {:<14} {:<22} {:<4}",
        "SERVICE",
        "KIND",
        "NAMESPACE",
        "POD",
        "RESTARTS",
        "HTTP",
        "HEALTH",
        "VPN"
    );
    for svc in &s.inventory.services {
        let [pod, restarts, http, health] = s.row(&svc.id, budget);
        crate::out_table!(
            "{:<22} {:<12} {:<12} {:<14} {:>8} {:<14} {:<22} {:<4}",
            svc.id.as_str(),
            svc.kind.display(),
            svc.namespace,
            pod,
            restarts,
            http,
            truncate(&health, 22),
            if svc.vpn.is_some() { "vpn" } else { "" }
        );
    }
    for w in s.inventory.warnings.iter().chain(&s.warnings) {
        crate::out_table!("warning: {w}");
    }
    crate::out_table!();
    if s.inventory.services.is_empty() {
        crate::out_table!("no services found: nothing was checked");
        return;
    }
    if s.findings.is_empty() {
        crate::out_table!(
            "no findings: all {} services healthy",
            s.inventory.services.len()
        );
        return;
    }
    crate::out_table!(
        "{:<9} {:<22} {:<22} MESSAGE / REMEDIATION",
        "SEVERITY",
        "SUBJECT",
        "CODE"
    );
    for f in &s.findings {
        crate::out_table!(
            "{:<9} {:<22} {:<22} {}",
            f.severity.label(),
            f.subject,
            f.code,
            f.message
        );
        crate::out_table!("{:<55} → {}", "", f.remediation);
        // The wiki or runbook link too, not only in JSON.
        if let Some(url) = &f.runbook {
            crate::out_table!("{:<55}   see {url}", "");
        }
    }
    let n = |sev: Severity| s.findings.iter().filter(|f| f.severity == sev).count();
    crate::out_table!(
        "\n{} findings: {} critical, {} error, {} warning, {} info",
        s.findings.len(),
        n(Severity::Critical),
        n(Severity::Error),
        n(Severity::Warning),
        n(Severity::Info)
    );
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
