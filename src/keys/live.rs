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
        AppKind::Jellyseerr => {
            let c = SeerrClient::new(ep, key);
            match c.main_settings().await {
                // Before its first sign-in Jellyseerr answers 403 to every key: that says
                // nothing about the key, so it must not read as "rejected".
                Err(e) if e.kind == AppErrorKind::Forbidden => match c.public_settings().await {
                    Ok(p) if !p.initialized => Err(AppError::new(
                        AppErrorKind::Config,
                        "Jellyseerr is not set up yet (no admin user): its API refuses every \
                         key until the first sign-in (`k8s-nas integrate apply` does it)",
                    )),
                    _ => Err(e),
                },
                r => r.map(|_| ()),
            }
        }
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

/// Reads the key file through the pod: `cat <mount path>/<key file>` by `exec` in the app's
/// container (needs `pods/exec` RBAC). Used when the console does not run on the node.
#[derive(Clone)]
pub struct PodExecSource {
    pub client: kube::Client,
    /// A running pod per service (from discovery).
    pub pods: BTreeMap<ServiceId, String>,
}

impl std::fmt::Debug for PodExecSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PodExecSource")
            .field("pods", &self.pods)
            .finish()
    }
}

impl PodExecSource {
    /// The file inside the container that holds `svc`'s key.
    pub fn key_path(svc: &ServiceInfo) -> Result<String, super::KeyError> {
        let file = super::key_file(svc.kind).ok_or(super::KeyError::NotSupported(svc.kind))?;
        let vol = svc
            .config_volume
            .as_ref()
            .ok_or_else(|| super::KeyError::NoConfigVolume(svc.id.to_string()))?;
        Ok(format!(
            "{}/{}",
            vol.mount_path.trim_end_matches('/'),
            file.rel_path
        ))
    }

    /// `cat` the file in the pod, at most [`crate::bounds::MAX_CONFIG_FILE`] bytes, within
    /// [`crate::bounds::EXEC_DEADLINE`]. The payload is never logged.
    async fn cat(&self, svc: &ServiceInfo, pod: &str, path: &str) -> Result<String, String> {
        let deadline = crate::bounds::EXEC_DEADLINE;
        match tokio::time::timeout(deadline, self.cat_unbounded_time(svc, pod, path)).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "exec in pod {pod}: no answer within {} s",
                deadline.as_secs()
            )),
        }
    }

    async fn cat_unbounded_time(
        &self,
        svc: &ServiceInfo,
        pod: &str,
        path: &str,
    ) -> Result<String, String> {
        use k8s_openapi::api::core::v1::Pod;
        use kube::api::AttachParams;
        use tokio::io::AsyncReadExt;
        let api = kube::Api::<Pod>::namespaced(self.client.clone(), &svc.namespace);
        let params = AttachParams::default()
            .container(svc.container.clone())
            .stdin(false)
            .stdout(true)
            .stderr(true);
        let mut proc = api
            .exec(pod, vec!["cat", path], &params)
            .await
            .map_err(|e| format!("exec in pod {pod}: {}", crate::cluster::explain(&e)))?;
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (o, e) = (proc.stdout(), proc.stderr());
        let limit = crate::bounds::MAX_CONFIG_FILE as u64;
        let read_out = async {
            if let Some(s) = o {
                let _ = s.take(limit + 1).read_to_end(&mut out).await;
            }
        };
        let read_err = async {
            if let Some(s) = e {
                let _ = s.take(4096).read_to_end(&mut err).await;
            }
        };
        futures::join!(read_out, read_err);
        if out.len() as u64 > limit {
            return Err(format!(
                "{path} in pod {pod} is larger than {} KiB: not read",
                limit / 1024
            ));
        }
        let status = match proc.take_status() {
            Some(st) => st.await,
            None => None,
        };
        let _ = proc.join().await;
        let failed = status
            .as_ref()
            .and_then(|s| s.status.as_deref())
            .is_some_and(|s| s != "Success");
        if failed {
            let msg = status
                .and_then(|s| s.message)
                .unwrap_or_else(|| String::from_utf8_lossy(&err).trim().to_string());
            return Err(msg);
        }
        String::from_utf8(out).map_err(|_| "the file is not UTF-8".to_string())
    }
}

#[async_trait::async_trait]
impl super::KeySource for PodExecSource {
    fn describe(&self) -> &'static str {
        "pod exec"
    }

    async fn find_key(&self, svc: &ServiceInfo) -> Result<super::FoundKey, super::KeyError> {
        let path = Self::key_path(svc)?;
        let pod = self
            .pods
            .get(&svc.id)
            .ok_or_else(|| super::KeyError::Unreadable {
                path: path.clone(),
                why: "no running pod".into(),
            })?;
        let text = self
            .cat(svc, pod, &path)
            .await
            .map_err(|why| super::KeyError::Unreadable {
                path: format!("{pod}:{path}"),
                why,
            })?;
        let shown = format!("{}/{pod}:{path}", svc.namespace);
        let key = super::parse_key(svc.kind, &text).map_err(|e| match e {
            super::KeyError::NoKey { locator, .. } => super::KeyError::NoKey {
                file: shown.clone(),
                locator,
            },
            super::KeyError::EmptyKey { locator, .. } => super::KeyError::EmptyKey {
                file: shown.clone(),
                locator,
            },
            super::KeyError::Malformed { why, .. } => super::KeyError::Malformed {
                file: shown.clone(),
                why,
            },
            other => other,
        })?;
        Ok(super::FoundKey {
            service: svc.id.clone(),
            kind: svc.kind,
            key,
            origin: shown,
        })
    }
}
