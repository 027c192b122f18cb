//! `k8s-nas integrate plan|apply`: the integration graph, headless.
//!
//! * `plan`: exit 0 nothing to do, 1 changes pending (writes or manual steps), 2 could not run
//!   (or nothing pending but some edges could not be read).
//! * `apply`: exit 0 every edge applied and verified, 1 partial or failed, 2 could not run.
//!   Without `--yes` it asks on a terminal and refuses otherwise.

use crate::cli::Output;
use crate::config::{Config, Paths};
use crate::engine::facts::ClusterFacts;
use crate::integrate::live::{self, Live, LivePlan};
use crate::integrate::{ApplyEvent, ApplyReport, TestOutcome};
use clap::Subcommand;
use serde_json::json;
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Subcommand)]
pub enum IntegrateAction {
    /// Show what apply would change (secrets masked). Exit 0 nothing to do, 1 changes pending.
    Plan {
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// Write the changes, re-read and test every edge. Exit 0 applied and verified, 1 not all.
    Apply {
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Also remove the stale root folders the plan lists (inaccessible, beside a working
        /// one); a separate step, asked for separately.
        #[arg(long)]
        remove_stale: bool,
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
}

pub async fn run(cfg: &Config, action: IntegrateAction) -> anyhow::Result<u8> {
    match action {
        IntegrateAction::Plan { output } => {
            let facts = ClusterFacts::connect(cfg).await?;
            let ctx = crate::engine::live_context(cfg, &facts, &Paths::resolve().integrations_file)
                .await?;
            plan(&ctx, output).await
        }
        IntegrateAction::Apply {
            yes,
            remove_stale,
            output,
        } => {
            if cfg.read_only {
                anyhow::bail!("read-only mode: `integrate apply` would change the apps");
            }
            let facts = ClusterFacts::connect(cfg).await?;
            let ctx = crate::engine::live_context(cfg, &facts, &Paths::resolve().integrations_file)
                .await?;
            let interactive = std::io::stdin().is_terminal();
            if !yes && !interactive {
                return apply(&ctx, yes, output, interactive).await;
            }

            // One writer at a time, cluster-wide (issue 13, point 5).
            let lock = crate::engine::lease::acquire_for(
                &facts.conn.client,
                cfg.lock_namespace.as_deref(),
                &ctx.inventory,
                "integrate apply",
            )
            .await?;
            let mut code = apply(&ctx, yes, output, interactive).await;
            if let (Ok(c), true) = (&code, remove_stale) {
                let c = *c;
                code = stale_step(&ctx, yes, output).await.map(|s| c.max(s));
            }
            lock.release().await;
            code
        }
    }
}

/// `integrate plan` over a built context; returns the exit code.
pub async fn plan(ctx: &Live, output: Output) -> anyhow::Result<u8> {
    let p = live::read_plan(ctx).await;
    match output {
        Output::Json => crate::out!("{}", serde_json::to_string_pretty(&plan_json(&p))?),
        Output::Table => crate::out_table!("{}", render_plan(&p).trim_end_matches('\n')),
    }
    let code = p.plan.exit_code() as u8;
    if code == 2 {
        // exit 2 always says why (issue 7)
        let unknown: Vec<String> = p
            .plan
            .edges
            .iter()
            .filter_map(|e| match &e.state {
                crate::integrate::EdgeState::Unknown { why } => Some(format!("{}: {why}", e.label)),
                crate::integrate::EdgeState::Blocked { why } => {
                    Some(format!("{}: blocked: {why}", e.label))
                }
                _ => None,
            })
            .collect();
        eprintln!(
            "k8s-nas: integrate plan: {} edge(s) could not be read or are blocked: {}",
            unknown.len(),
            crate::bounds::sanitize(&unknown.join("; "))
        );
    }
    Ok(code)
}

/// `integrate apply` over a built context. Without `yes` it asks when `interactive`, and
/// refuses (exit 2, nothing written) otherwise.
pub async fn apply(ctx: &Live, yes: bool, output: Output, interactive: bool) -> anyhow::Result<u8> {
    if !yes {
        if !interactive {
            eprintln!(
                "k8s-nas: refusing to apply without --yes: stdin is not a terminal \
                 (run `k8s-nas integrate plan` to see the changes)"
            );
            return Ok(2);
        }
        let p = live::read_plan(ctx).await;
        // with --output json, stdout holds only the JSON document: the rest goes to stderr
        let say = |text: &str| {
            if output == Output::Json {
                eprintln!("{}", crate::bounds::sanitize_lines(text));
            } else {
                crate::out_table!("{text}");
            }
        };
        say(render_plan(&p).trim_end_matches('\n'));
        if p.plan.writes() == 0 {
            say("nothing to apply");
            return Ok(if p.plan.exit_code() == 0 { 0 } else { 1 });
        }
        if !confirm(&format!("Apply {} change(s)?", p.plan.writes()))? {
            say("nothing changed");
            return Ok(1);
        }
    }
    let table = output == Output::Table;
    let report = live::apply(ctx, &|e: ApplyEvent| {
        if table {
            eprintln!("{}", crate::bounds::sanitize_lines(&event_line(&e)));
        }
    })
    .await;
    match output {
        Output::Json => crate::out!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "schema": "k8s-nas/integrate-apply/v1",
                "verified": report.all_verified(),
                "writes": report.writes(),
                "outcomes": report.outcomes,
                "findings": report.findings(),
            }))?
        ),
        Output::Table => crate::out_table!("{}", render_report(&report).trim_end_matches('\n')),
    }
    if report.all_verified() {
        return Ok(0);
    }
    if !report.outcomes.is_empty() && report.outcomes.iter().all(|o| !o.verified()) {
        // Nothing could be applied: the command could not do its job (issue 13, point 12).
        eprintln!(
            "k8s-nas: integrate apply: none of the {} edge(s) could be applied and verified",
            report.outcomes.len()
        );
        return Ok(2);
    }
    Ok(1)
}

/// `--remove-stale`: plan again, list the stale root folders, ask (unless `yes`), remove them.
/// Exit 0 none or all removed, 1 declined or some failed.
pub async fn stale_step(ctx: &Live, yes: bool, output: Output) -> anyhow::Result<u8> {
    let p = live::read_plan(ctx).await;
    let stale = &p.plan.stale;
    // beside a JSON document on stdout, the words go to stderr
    let say = |text: &str| {
        if output == Output::Json {
            eprintln!("{}", crate::bounds::sanitize_lines(text));
        } else {
            crate::out_table!("{text}");
        }
    };
    if stale.is_empty() {
        say("no stale root folder to remove");
        return Ok(0);
    }
    say(crate::integrate::stale::render(stale).trim_matches('\n'));
    if !yes && !confirm(&format!("Remove {} stale root folder(s)?", stale.len()))? {
        say("no root folder removed");
        return Ok(1);
    }
    let res = p.resolution;
    let done = crate::integrate::stale::remove(&ctx.backend(), &res.edges, stale).await;
    let mut code = 0;
    for (s, r) in done {
        match r {
            Ok(()) => say(&format!("removed {}", s.describe())),
            Err(e) => {
                code = 1;
                say(&format!("NOT removed {}: {}", s.describe(), e.detail));
            }
        }
    }
    Ok(code)
}

/// Ask `question [y/N]` on the terminal (on stderr: stdout may be a JSON document).
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

pub fn plan_json(p: &LivePlan) -> serde_json::Value {
    json!({
        "schema": "k8s-nas/integrate-plan/v1",
        "exit_code": p.plan.exit_code(),
        "writes": p.plan.writes(),
        "manual_steps": p.plan.manual_steps(),
        "plan": p,
    })
}

pub fn render_plan(p: &LivePlan) -> String {
    let mut out = p.plan.render();
    if !p.extras.indexers.is_empty() {
        out.push_str("\nindexers:\n");
        for i in &p.extras.indexers {
            out.push_str(&format!(
                "  {:<22} {} ({} enabled)\n",
                i.app.as_str(),
                i.count,
                i.enabled
            ));
        }
    }
    if !p.extras.root_folders.is_empty() {
        out.push_str("\nroot folders:\n");
        for r in &p.extras.root_folders {
            let free = r
                .free_space
                .map(|b| format!("{:.1} GiB free", b as f64 / (1u64 << 30) as f64))
                .unwrap_or_else(|| "free space unknown".into());
            out.push_str(&format!(
                "  {:<22} {:<24} {} {free}\n",
                r.app.as_str(),
                r.path,
                if r.accessible {
                    "accessible"
                } else {
                    "NOT accessible"
                }
            ));
        }
    }
    if !p.extras.health.is_empty() {
        out.push_str("\napps say:\n");
        for h in &p.extras.health {
            out.push_str(&format!(
                "  {:<22} {:<8} {}: {}\n",
                h.app.as_str(),
                crate::bus::rows::issue_label(h.issue.level),
                h.issue.source,
                h.issue.message
            ));
        }
    }
    for w in &p.version_warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for e in &p.extras.errors {
        out.push_str(&format!("warning: {e}\n"));
    }
    out
}

pub fn event_line(e: &ApplyEvent) -> String {
    let mark = if e.ok { "ok" } else { "FAILED" };
    let detail = if e.detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", e.detail)
    };
    format!("{}: {:?} {mark}{detail}", e.label, e.stage)
}

pub fn render_report(r: &ApplyReport) -> String {
    let mut out = String::new();
    for o in &r.outcomes {
        let mark = if o.verified() { "✔" } else { "✘" };
        out.push_str(&format!("{mark} {}\n", o.label));
        for a in &o.applied {
            out.push_str(&format!("    applied: {a}\n"));
        }
        for a in &o.not_applied {
            out.push_str(&format!("    NOT applied: {a}\n"));
        }
        for m in &o.manual {
            out.push_str(&format!("    manual: {m}\n"));
        }
        if let Some(f) = &o.failed {
            out.push_str(&format!(
                "    failed at {:?}: {}\n",
                f.stage, f.error.detail
            ));
        }
        match &o.test {
            TestOutcome::Passed => out.push_str("    test: passed\n"),
            TestOutcome::Failed { detail } => {
                out.push_str(&format!("    test: FAILED: {detail}\n"))
            }
            TestOutcome::Skipped => {}
        }
    }
    let ok = r.outcomes.iter().filter(|o| o.verified()).count();
    out.push_str(&format!(
        "{} write(s); {ok}/{} edge(s) verified\n",
        r.writes(),
        r.outcomes.len()
    ));
    out
}
