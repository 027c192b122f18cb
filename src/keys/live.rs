//! Verification of API keys against the running apps, through the protocol clients and with
//! the app's URL base (the endpoint carries it): one authenticated call per app, classified by
//! [`super::verify::classify_verification`].

use super::verify::{classify_verification, KeyVerdict};
use crate::clients::bazarr::BazarrClient;
use crate::clients::jellyfin::JellyfinClient;
use crate::clients::sabnzbd::SabClient;
use crate::clients::seerr::SeerrClient;
use crate::clients::servarr::ServarrClient;
use crate::clients::transport::AppEndpoint;
use crate::model::{AppError, AppErrorKind, AppKind, Secret, ServiceId, ServiceInfo};
use std::collections::BTreeMap;

/// The call that proves a key: Servarr `system/status`, Bazarr `system/status`, Jellyseerr
/// `settings/main`, SABnzbd `get_config misc`, Jellyfin `System/Info`.
pub async fn check_key(kind: AppKind, ep: &AppEndpoint, key: &Secret) -> Result<(), AppError> {
    if key.is_empty() {
        return Err(AppError::new(AppErrorKind::Config, "the key is empty"));
    }
    let ep = ep.clone();
    let key = key.clone();
    match kind {
        k if k.is_servarr() => ServarrClient::new(k, ep, key)
            .system_status()
            .await
            .map(|_| ()),
        AppKind::Bazarr => BazarrClient::new(ep, key).status().await.map(|_| ()),
        AppKind::Jellyseerr => SeerrClient::new(ep, key).main_settings().await.map(|_| ()),
        AppKind::Sabnzbd => SabClient::new(ep, key)
            .get_config(Some("misc"))
            .await
            .map(|_| ()),
        AppKind::Jellyfin => JellyfinClient::new(ep, Some(key))
            .system_info()
            .await
            .map(|_| ()),
        other => Err(AppError::new(
            AppErrorKind::Config,
            format!("{} has no API key", other.display()),
        )),
    }
}

/// Verify one key: valid / rejected / unreachable / wrong URL base / inconclusive.
pub async fn verify_key(kind: AppKind, ep: &AppEndpoint, key: &Secret) -> KeyVerdict {
    let r = check_key(kind, ep, key).await;
    classify_verification(kind, &r)
}

/// One verified key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyCheck {
    pub service: ServiceId,
    pub kind: AppKind,
    /// Where the key came from (`media/starr-secrets SONARR_API_KEY`, `config.xml` …).
    pub source: String,
    #[serde(flatten)]
    pub verdict: KeyVerdict,
}

/// Verify every `(service, key, source)` at once; services without an endpoint are unreachable.
pub async fn verify_all(
    services: &[&ServiceInfo],
    endpoints: &BTreeMap<ServiceId, AppEndpoint>,
    keys: &BTreeMap<ServiceId, (Secret, String)>,
) -> Vec<KeyCheck> {
    let runs = services.iter().filter_map(|svc| {
        let (key, source) = keys.get(&svc.id)?;
        let ep = endpoints.get(&svc.id).cloned();
        Some(async move {
            let verdict = match ep {
                Some(ep) => verify_key(svc.kind, &ep, key).await,
                None => KeyVerdict::Unreachable {
                    detail: "no endpoint to reach the app".into(),
                },
            };
            KeyCheck {
                service: svc.id.clone(),
                kind: svc.kind,
                source: source.clone(),
                verdict,
            }
        })
    });
    futures::future::join_all(runs).await
}

/// Everything `k8s-nas keys` shows: drift per key, verdicts, and the sync it would write.
#[derive(Debug, Clone)]
pub struct KeysReport {
    pub drift: Vec<super::KeyDrift>,
    /// The Secret's key per service (what the cluster uses), with where it came from.
    pub from_secret: BTreeMap<ServiceId, (Secret, String)>,
    /// Verdicts of the Secret's keys.
    pub secret_checks: Vec<KeyCheck>,
    /// Verdicts of the apps' own keys, where they differ from the Secret's.
    pub app_checks: Vec<KeyCheck>,
    pub sync: Option<super::SyncPlan>,
}

/// Compare the apps' own keys with the Secret and verify both against the apps.
pub async fn keys_report(
    inv: &crate::model::Inventory,
    endpoints: &BTreeMap<ServiceId, AppEndpoint>,
    target: &super::SecretTarget,
    secret: &BTreeMap<String, Secret>,
    secret_exists: bool,
    observed: &[(super::AppKeyObservation, Option<String>)],
) -> KeysReport {
    let obs: Vec<_> = observed.iter().map(|(o, _)| o.clone()).collect();
    let drift = super::compare(target, secret, &obs);
    let services: Vec<&ServiceInfo> = inv
        .services
        .iter()
        .filter(|s| target.key_name(s.kind).is_some())
        .collect();
    let mut from_secret = BTreeMap::new();
    let mut from_app = BTreeMap::new();
    for svc in &services {
        let name = target.key_name(svc.kind).unwrap_or_default();
        let in_secret = secret.get(name).filter(|k| !k.is_empty());
        if let Some(k) = in_secret {
            from_secret.insert(
                svc.id.clone(),
                (k.clone(), format!("{} {name}", target.display())),
            );
        }
        if let Some((o, origin)) = observed.iter().find(|(o, _)| o.service == svc.id) {
            if let Ok(k) = &o.key {
                if in_secret.map(|s| s.expose().trim()) != Some(k.expose().trim()) {
                    let origin = origin.clone().unwrap_or_else(|| "the app".into());
                    from_app.insert(svc.id.clone(), (k.clone(), origin));
                }
            }
        }
    }
    let (secret_checks, app_checks) = futures::join!(
        verify_all(&services, endpoints, &from_secret),
        verify_all(&services, endpoints, &from_app)
    );
    let sync = super::sync_patch(target, secret, secret_exists, &drift, &obs);
    KeysReport {
        drift,
        from_secret,
        secret_checks,
        app_checks,
        sync,
    }
}

/// Write a key sync to the cluster: a JSON merge patch of only the changed keys (every other
/// key of the Secret stays as it is), or a new Secret when it did not exist.
pub async fn write_secret(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    write: &super::SyncWrite,
) -> anyhow::Result<()> {
    use k8s_openapi::api::core::v1::Secret as KSecret;
    use kube::api::{Patch, PatchParams, PostParams};
    let api = kube::Api::<KSecret>::namespaced(client.clone(), namespace);
    match write {
        super::SyncWrite::MergePatch(body) => {
            api.patch(name, &PatchParams::default(), &Patch::Merge(body.expose()))
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "patching Secret {namespace}/{name}: {}",
                        crate::cluster::explain(&e)
                    )
                })?;
        }
        super::SyncWrite::Create(body) => {
            let s: KSecret = serde_json::from_value(body.expose().clone())
                .map_err(|e| anyhow::anyhow!("Secret body: {e}"))?;
            api.create(&PostParams::default(), &s).await.map_err(|e| {
                anyhow::anyhow!(
                    "creating Secret {namespace}/{name}: {}",
                    crate::cluster::explain(&e)
                )
            })?;
        }
    }
    Ok(())
}
