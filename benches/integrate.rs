//! Benchmark of the integration engine against the app simulators on loopback (prints
//! figures; not a timed test). `cargo bench --bench integrate [-- --rounds N]`
//!
//! 1. apply from a freshly installed stack to fully wired (goal ≤ 2 s; apps in parallel);
//! 2. plan on the wired stack: requests per resource (goal: one each) and writes (must be 0);
//! 3. a second apply on the wired stack: writes (must be 0).
//!
//! The stack is the one the wire tests use (`tests/support/stack.rs`), included, not copied.

#[path = "../tests/support/stack.rs"]
#[allow(dead_code)]
mod stack;

use k8s_nas::integrate::live;
use k8s_nas::sim::apps::Seed;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    k8s_nas::init_tls();
    let rounds: usize = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
        .max(1);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench integrate: no runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(run(rounds))
}

async fn run(rounds: usize) -> ExitCode {
    let mut ok = true;
    let mut apply_ms = Vec::new();
    for round in 1..=rounds {
        let stack = stack::start(Seed::Fresh, |_| {}).await;
        let live = stack.live();
        let backend = live.backend();
        let t = Instant::now();
        let report = live::apply_with(&live, &backend, &|_| {}).await;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        apply_ms.push(ms);
        let verified = report.outcomes.iter().filter(|o| o.verified()).count();
        let requests: usize = backend.requests().values().sum();
        println!(
            "round {round}: apply fresh → wired: {ms:.0} ms, {} edges ({verified} verified), \
             {} writes, {requests} requests",
            report.outcomes.len(),
            report.writes()
        );
        ok &= report.all_verified();

        if round == rounds {
            let t = Instant::now();
            let p = live::read_plan(&live).await;
            let plan_ms = t.elapsed().as_secs_f64() * 1000.0;
            println!(
                "\nplan on the wired stack: {plan_ms:.0} ms, {} edges, {} pending writes, \
                 {} writes made",
                p.plan.edges.len(),
                p.plan.writes(),
                p.writes
            );
            println!("{:<60} {:>5}", "requests per resource", "count");
            for (res, n) in &p.requests {
                let flag = if *n > 1 {
                    "  ← read more than once"
                } else {
                    ""
                };
                println!("{res:<60} {n:>5}{flag}");
            }
            let total: usize = p.requests.values().sum();
            let repeated = p.requests.values().filter(|n| **n > 1).count();
            println!(
                "{total} requests over {} resources; {repeated} read more than once",
                p.requests.len()
            );
            ok &= p.writes == 0 && p.plan.is_empty();

            let again = live.backend();
            let t = Instant::now();
            let r2 = live::apply_with(&live, &again, &|_| {}).await;
            println!(
                "\nsecond apply on the wired stack: {:.0} ms, {} writes (must be 0)",
                t.elapsed().as_secs_f64() * 1000.0,
                again.writes()
            );
            ok &= again.writes() == 0 && r2.all_verified();
        }
    }
    apply_ms.sort_by(|a, b| a.total_cmp(b));
    let median = apply_ms[apply_ms.len() / 2];
    println!(
        "\napply fresh → wired: median {median:.0} ms over {} round(s) (goal ≤ 2000 ms: {})",
        apply_ms.len(),
        if median <= 2000.0 { "met" } else { "NOT met" }
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        println!("a round did not verify every edge, or the wired stack saw writes");
        ExitCode::from(1)
    }
}
