//! The two things the console asks of Argo CD, both through the Application object (ops-facts
//! §2.2–§2.3), never by applying manifests: a refresh (the `argocd.argoproj.io/refresh`
//! annotation, removed by the controller once done) and a sync (the `operation` block, written
//! only when no operation is requested or running — as Argo CD's own API server refuses with
//! "another operation is already in progress" — and with the resourceVersion read, so a
//! concurrent change makes the write fail instead of racing).

use jiff::Timestamp;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

fn applications(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    let ar = crate::cluster::kinds::APPLICATIONS.api_resource();
    Api::namespaced_with(client.clone(), ns, &ar)
}

fn err(ns: &str, name: &str, e: &kube::Error) -> anyhow::Error {
    anyhow::anyhow!("Application {ns}/{name}: {}", crate::cluster::explain(e))
}

/// Ask for a refresh (`normal`, or `hard` to drop the manifest cache).
pub async fn refresh(
    client: &kube::Client,
    ns: &str,
    name: &str,
    hard: bool,
) -> anyhow::Result<()> {
    let patch = json!({"metadata": {"annotations": {
        "argocd.argoproj.io/refresh": if hard { "hard" } else { "normal" },
        "argocd.argoproj.io/refresh-timestamp": Timestamp::now().to_string(),
    }}});
    applications(client, ns)
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| err(ns, name, &e))?;
    Ok(())
}

/// Ask the ApplicationSet controller to regenerate now instead of at its next poll: the
/// annotation `argocd.argoproj.io/application-set-refresh: "true"`, which the controller
/// removes once it has reconciled.
pub async fn refresh_appset(client: &kube::Client, ns: &str, name: &str) -> anyhow::Result<()> {
    let ar = crate::cluster::kinds::APPLICATION_SETS.api_resource();
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    let patch = json!({"metadata": {"annotations": {APPSET_REFRESH: "true"}}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "ApplicationSet {ns}/{name}: {}",
                crate::cluster::explain(&e)
            )
        })?;
    Ok(())
}

/// The ApplicationSet refresh annotation.
pub const APPSET_REFRESH: &str = "argocd.argoproj.io/application-set-refresh";

/// Why a sync cannot be requested now, from the Application as read.
pub fn sync_refusal(app: &DynamicObject) -> Option<String> {
    if app.data["operation"].is_object() {
        return Some("another operation is already in progress (requested, not started)".into());
    }
    match app.data["status"]["operationState"]["phase"].as_str() {
        Some(p @ ("Running" | "Terminating")) => {
            Some(format!("another operation is already in progress ({p})"))
        }
        _ => None,
    }
}

/// Request a sync (the `operation` block, hook strategy, initiated by `k8s-nas`). Refused while
/// an operation is requested or running. Returns the revision the Application was at.
pub async fn sync(client: &kube::Client, ns: &str, name: &str) -> anyhow::Result<String> {
    let api = applications(client, ns);
    let app = api.get(name).await.map_err(|e| err(ns, name, &e))?;
    if let Some(why) = sync_refusal(&app) {
        anyhow::bail!("{ns}/{name}: {why}");
    }
    let patch = json!({
        "metadata": {"resourceVersion": app.metadata.resource_version},
        "operation": {"initiatedBy": {"username": "k8s-nas"},
            "sync": {"syncStrategy": {"hook": {}}}},
    });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| err(ns, name, &e))?;
    Ok(app.data["status"]["sync"]["revision"]
        .as_str()
        .unwrap_or("unknown")
        .to_string())
}
