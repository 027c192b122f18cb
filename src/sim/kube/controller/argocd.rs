//! Argo CD's application controller, as far as the console's two actions need it (ops-facts
//! §2.2–§2.3): an Application with an `operation` block is synced at once (operationState
//! Succeeded with the sync revision, sync status and every resource Synced, the `operation`
//! removed; health is left as it is — a sync does not heal a broken Deployment), and one with
//! the `argocd.argoproj.io/refresh` annotation is refreshed (`reconciledAt` now, annotation
//! removed). The ApplicationSet controller drops `argocd.argoproj.io/application-set-refresh`
//! once it has regenerated (stamping the `ResourcesUpToDate` condition).

use super::super::store::{Store, UpdateMode};
use serde_json::{json, Value};

const REFRESH: &str = "argocd.argoproj.io/refresh";
const SET_REFRESH: &str = "argocd.argoproj.io/application-set-refresh";

fn reconcile_sets(store: &mut Store, ns: &str) {
    let Some(sets) = store
        .catalog()
        .find_kind("argoproj.io/v1alpha1", "ApplicationSet")
    else {
        return;
    };
    let todo: Vec<Value> = store
        .list(&sets, Some(ns))
        .into_iter()
        .filter(|s| s["metadata"]["annotations"][SET_REFRESH].is_string())
        .cloned()
        .collect();
    for mut s in todo {
        if let Some(m) = s["metadata"]["annotations"].as_object_mut() {
            m.remove(SET_REFRESH);
        }
        let now = jiff::Timestamp::now().to_string();
        let mut conds: Vec<Value> = s["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        conds.retain(|c| c["type"] != "ResourcesUpToDate");
        conds.push(json!({"type": "ResourcesUpToDate", "status": "True",
            "reason": "ApplicationSetUpToDate", "message": "All applications have been generated successfully",
            "lastTransitionTime": now}));
        s["status"]["conditions"] = json!(conds);
        store.put_raw(&sets, s, UpdateMode::Full);
    }
}

pub fn reconcile_applications(store: &mut Store, ns: &str) {
    reconcile_sets(store, ns);
    let Some(apps) = store
        .catalog()
        .find_kind("argoproj.io/v1alpha1", "Application")
    else {
        return;
    };
    let todo: Vec<Value> = store
        .list(&apps, Some(ns))
        .into_iter()
        .filter(|a| a["operation"].is_object() || a["metadata"]["annotations"][REFRESH].is_string())
        .cloned()
        .collect();
    for mut a in todo {
        let now = jiff::Timestamp::now().to_string();
        if let Some(op) = a.as_object_mut().and_then(|m| m.remove("operation")) {
            let revision = a["status"]["sync"]["revision"].clone();
            a["status"]["operationState"] = json!({"phase": "Succeeded",
                "message": "successfully synced (all tasks run)",
                "startedAt": now, "finishedAt": now, "operation": op,
                "syncResult": {"revision": revision}});
            a["status"]["sync"]["status"] = json!("Synced");
            if let Some(rs) = a["status"]["resources"].as_array_mut() {
                for r in rs {
                    r["status"] = json!("Synced");
                }
            }
            if let Some(cs) = a["status"]["conditions"].as_array_mut() {
                cs.retain(|c| c["type"] != "SyncError");
            }
        }
        if let Some(m) = a["metadata"]["annotations"].as_object_mut() {
            if m.remove(REFRESH).is_some() {
                m.remove("argocd.argoproj.io/refresh-timestamp");
                a["status"]["reconciledAt"] = json!(now);
            }
        }
        store.put_raw(&apps, a, UpdateMode::Full);
    }
}
