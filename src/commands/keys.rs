//! `k8s-nas keys [--sync] [--show] [--yes]`: each app's own key against the key Secret
//! (drift per key), each key verified against its app with the app's URL base, and the safe
//! sync (merge patch of only the changed keys, after showing the masked diff and asking).
//! `--show` is the only way the console prints a key.
//!
//! Exit 0 every key in sync and valid; 1 drift, a rejected key or a sync left undone; 2 could
//! not run.

use crate::cli::Output;
use crate::config::{Config, Paths};
use crate::keys::live::{KeyCheck, KeysReport};
use crate::keys::{KeyDrift, KeyVerdict, SyncPlan};
use crate::model::{Secret, ServiceId};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, Default)]
pub struct KeysArgs {
    pub sync: bool,
    pub show: bool,
    pub yes: bool,
    pub output: Output,
}

pub async fn run(cfg: &Config, args: KeysArgs) -> anyhow::Result<u8> {
    if args.sync && cfg.read_only {
        anyhow::bail!("read-only mode: `keys --sync` would change the Secret");
    }
    let facts = crate::engine::facts::ClusterFacts::connect(cfg).await?;
    let crate::engine::live::KeysCheck {
        live,
        observed,
        target,
        secret_exists: exists,
        unlocated,
        found_by,
        report,
    } = crate::engine::live::check_keys(cfg, &facts, &Paths::resolve().integrations_file).await?;
    let obs: Vec<_> = observed.iter().map(|(o, _)| o.clone()).collect();
    let KeysReport {
        drift,
        from_secret,
        secret_checks: checks_secret,
        app_checks: checks_app,
        sync: plan,
    } = report;

    match args.output {
        Output::Json => {
            let keys: Vec<_> = drift
                .iter()
                .map(|d| {
                    let mut v = json!({
                        "service": d.service, "kind": d.kind, "secret_key": d.secret_key,
                        "drift": d.state,
                        "secret_verdict": find(&checks_secret, &d.service).map(|c| &c.verdict),
                        "app_key_verdict": find(&checks_app, &d.service).map(|c| &c.verdict),
                    });
                    if args.show {
                        v["secret_value"] = shown(from_secret.get(&d.service).map(|x| &x.0));
                        v["app_value"] = shown(app_key(&obs, &d.service));
                    }
                    v
                })
                .collect();
            let sync = plan
                .as_ref()
                .map(|p| json!({"target": p.target, "changes": p.changes}));
            crate::out!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "schema": "k8s-nas/keys/v1",
                    "secret": target.display(),
                    "secret_exists": exists,
                    "secret_found_by": found_by,
                    "keys": keys,
                    "sync": sync,
                }))?
            );
        }
        Output::Table => {
            if exists {
                let how = found_by.as_deref().unwrap_or("found");
                crate::out_table!("key Secret {} ({how})", target.display());
            }
            print_table(
                &drift,
                &checks_secret,
                &checks_app,
                &obs,
                &from_secret,
                args.show,
            )
        }
    }

    let json = matches!(args.output, Output::Json);
    let mut code = exit_code(&drift, &checks_secret, &checks_app);
    let verified = checks_secret
        .iter()
        .chain(&checks_app)
        .any(|c| matches!(c.verdict, KeyVerdict::Valid));
    if !exists && !unlocated.is_empty() {
        // No workload references a key Secret (and none has the default name): say whose.
        for why in &unlocated {
            eprintln!("k8s-nas: {why}");
        }
        eprintln!(
            "k8s-nas: no key Secret to compare with: reference one from the workloads, or set \
             api_key_secret (config) or [api_keys] (integrations.toml)"
        );
        code = code.max(if verified { 1 } else { 2 });
    } else if !exists && !verified {
        // Nothing was checked: not a green result (issue 7).
        eprintln!(
            "k8s-nas: the key Secret {} does not exist and no key could be verified",
            target.display()
        );
        code = 2;
    }
    if args.sync {
        match plan {
            None => note(
                json,
                &format!("keys: nothing to sync; {} is up to date", target.display()),
            ),
            Some(p) => {
                let lock = (cfg.lock_namespace.as_deref(), &live.inventory);
                match sync(
                    &facts.conn,
                    &target.namespace,
                    &target.name,
                    &p,
                    args.yes,
                    json,
                    lock,
                )
                .await?
                {
                    // Written: the Secret now matches; rejected Secret keys were replaced.
                    Synced::Written => code = exit_code_after_sync(&checks_app),
                    Synced::Declined => code = code.max(1),
                    // Same code as `integrate apply` without a terminal (issue 13, point 12).
                    Synced::Refused => code = 2,
                }
            }
        }
    } else if let Some(p) = &plan {
        note(
            json,
            &format!(
                "{} key(s) differ from the apps: run `k8s-nas keys --sync` to write them to {}",
                p.changes.len(),
                p.target
            ),
        );
    }
    Ok(code)
}

/// A sentence for the user: on stdout beside a table, on stderr beside JSON (stdout then holds
/// exactly one JSON document).
fn note(json: bool, text: &str) {
    if json {
        eprintln!("{}", crate::bounds::sanitize_lines(text));
    } else {
        crate::out_table!("{text}");
    }
}

/// What became of a sync.
enum Synced {
    Written,
    /// The user said no.
    Declined,
    /// Nobody could be asked (no terminal, no `--yes`).
    Refused,
}

fn find<'a>(checks: &'a [KeyCheck], id: &ServiceId) -> Option<&'a KeyCheck> {
    checks.iter().find(|c| &c.service == id)
}

fn app_key<'a>(obs: &'a [crate::keys::AppKeyObservation], id: &ServiceId) -> Option<&'a Secret> {
    obs.iter()
        .find(|o| &o.service == id)
        .and_then(|o| o.key.as_ref().ok())
}

/// `--show` only: the real value.
fn shown(k: Option<&Secret>) -> serde_json::Value {
    k.map(|k| json!(k.expose()))
        .unwrap_or(serde_json::Value::Null)
}

fn verdict_text(c: Option<&KeyCheck>) -> String {
    match c.map(|c| &c.verdict) {
        None => "-".into(),
        Some(KeyVerdict::WrongUrlBase { location }) => format!("wrong URL base (→ {location})"),
        Some(v) => v.label().into(),
    }
}

fn print_table(
    drift: &[KeyDrift],
    secret: &[KeyCheck],
    app: &[KeyCheck],
    obs: &[crate::keys::AppKeyObservation],
    from_secret: &BTreeMap<ServiceId, (Secret, String)>,
    show: bool,
) {
    crate::out_table!(
        "{:<22} {:<20} {:<18} {:<24} {:<24}",
        "SERVICE",
        "SECRET KEY",
        "DRIFT",
        "SECRET'S KEY",
        "APP'S OWN KEY"
    );
    for d in drift {
        let app_v = match find(app, &d.service) {
            Some(c) => verdict_text(Some(c)),
            None if d.state == crate::keys::KeyDriftState::InSync => "same".into(),
            None => "-".into(),
        };
        crate::out_table!(
            "{:<22} {:<20} {:<18} {:<24} {:<24}",
            d.service.as_str(),
            d.secret_key,
            d.state.label(),
            verdict_text(find(secret, &d.service)),
            app_v
        );
        if let crate::keys::KeyDriftState::AppKeyUnknown { why } = &d.state {
            crate::out_table!("    app key unknown: {why}");
        }
        if show {
            let s = from_secret
                .get(&d.service)
                .map(|x| x.0.expose())
                .unwrap_or("(none)");
            let a = app_key(obs, &d.service)
                .map(Secret::expose)
                .unwrap_or("(unknown)");
            crate::out_table!("    secret: {s}\n    app:    {a}");
        }
    }
}

fn exit_code(drift: &[KeyDrift], secret: &[KeyCheck], app: &[KeyCheck]) -> u8 {
    let drifted = drift.iter().any(|d| d.state.needs_write());
    let bad = secret
        .iter()
        .chain(app)
        .any(|c| !matches!(c.verdict, KeyVerdict::Valid));
    if drifted || bad {
        1
    } else {
        0
    }
}

fn exit_code_after_sync(app: &[KeyCheck]) -> u8 {
    if app.iter().all(|c| matches!(c.verdict, KeyVerdict::Valid)) {
        0
    } else {
        1
    }
}

/// Show the masked diff, confirm, write.
async fn sync(
    conn: &crate::cluster::ClusterConn,
    namespace: &str,
    name: &str,
    plan: &SyncPlan,
    yes: bool,
    json: bool,
    (lock_ns, inventory): (Option<&str>, &crate::model::Inventory),
) -> anyhow::Result<Synced> {
    note(json, &format!("sync {}:", plan.target));
    for c in &plan.changes {
        note(json, &format!("  {c}"));
    }
    note(json, "  (other keys of the Secret are left as they are)");
    if !yes {
        if !std::io::stdin().is_terminal() {
            eprintln!("k8s-nas: not writing the Secret: stdin is not a terminal; pass --yes");
            return Ok(Synced::Refused);
        }
        if !super::integrate::confirm(&format!("Write {} key(s)?", plan.changes.len()))? {
            note(json, "nothing written");
            return Ok(Synced::Declined);
        }
    }
    let lock =
        crate::engine::lease::acquire_for(&conn.client, lock_ns, inventory, "keys --sync").await?;
    let written = crate::keys::live::write_secret(&conn.client, namespace, name, &plan.write).await;
    lock.release().await;
    written?;
    note(
        json,
        &format!("wrote {} key(s) to {}", plan.changes.len(), plan.target),
    );
    Ok(Synced::Written)
}
