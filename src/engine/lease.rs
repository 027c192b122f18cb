//! One writer at a time, cluster-wide (issue 13, point 5): every mutating operation (`keys
//! --sync`, `integrate apply`, the TUI's sync and apply tasks) holds a `coordination.k8s.io/v1`
//! Lease named [`LEASE_NAME`], the way Kubernetes controllers elect a leader: a holder identity,
//! a duration and a renew time. Another console or a CronJob that finds the Lease held and not
//! expired waits up to its patience and then refuses, naming the holder. Taking the Lease is a
//! compare-and-swap on its `resourceVersion` (create, or replace an expired one), so two writers
//! starting together cannot both win. A crashed holder's Lease expires after
//! [`LEASE_DURATION`]; a live holder renews it every third of that.
//!
//! The namespace is the console's: `lock_namespace` from the config, else the namespace where
//! discovery found the apps, else the kubeconfig context's namespace. Never a constant.

use crate::model::Inventory;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use std::time::Duration;

/// The Lease every k8s-nas writer takes.
pub const LEASE_NAME: &str = "k8s-nas-writer";

/// How long a Lease stays valid without renewal.
pub const LEASE_DURATION: Duration = Duration::from_secs(30);

/// How long a second writer waits for the Lease before it refuses.
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(10);

/// Deadline for one call to the API server about the Lease.
const CALL_DEADLINE: Duration = Duration::from_secs(5);

/// Why the Lease could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error(
        "another writer holds the lock (Lease {namespace}/{LEASE_NAME}): {holder}, for {expires_in_s} s more unless renewed; try again later"
    )]
    Held {
        namespace: String,
        holder: String,
        expires_in_s: i64,
    },
    #[error("cannot take the lock (Lease {namespace}/{LEASE_NAME}): {why}")]
    Api { namespace: String, why: String },
}

/// The namespace of the Lease: config, else where the apps are (the namespace holding most
/// discovered services, ties to the first by name), else the context's default namespace.
pub fn namespace(configured: Option<&str>, inventory: &Inventory, client: &kube::Client) -> String {
    if let Some(ns) = configured.filter(|s| !s.is_empty()) {
        return ns.to_string();
    }
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for s in &inventory.services {
        *counts.entry(s.namespace.as_str()).or_default() += 1;
    }
    let best = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    match best {
        Some((ns, _)) => ns.to_string(),
        None => client.default_namespace().to_string(),
    }
}

/// Who we are, as written into `holderIdentity`: `k8s-nas <what> on <host> pid <pid>`.
pub fn identity(what: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".into());
    format!(
        "k8s-nas {} on {} pid {}",
        crate::bounds::sanitize(what),
        crate::bounds::sanitize(&host),
        std::process::id()
    )
}

/// The Lease, held. Renewed in the background; [`LeaseGuard::release`] gives it up (dropping
/// the guard stops renewing, and the Lease then expires on its own).
pub struct LeaseGuard {
    api: Api<Lease>,
    holder: String,
    renew: tokio::task::JoinHandle<()>,
}

impl LeaseGuard {
    /// Give the Lease up now so the next writer need not wait for it to expire.
    pub async fn release(self) {
        self.renew.abort();
        let api = self.api.clone();
        let holder = self.holder.clone();
        let _ = tokio::time::timeout(CALL_DEADLINE, async move {
            if let Ok(mut l) = api.get(LEASE_NAME).await {
                let spec = l.spec.get_or_insert_with(Default::default);
                if spec.holder_identity.as_deref() == Some(holder.as_str()) {
                    spec.holder_identity = None;
                    spec.renew_time = None;
                    let _ = api.replace(LEASE_NAME, &PostParams::default(), &l).await;
                }
            }
        })
        .await;
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        self.renew.abort();
    }
}

/// Take the Lease in `namespace` as `holder`, waiting up to `patience` while another live
/// writer holds it.
pub async fn acquire(
    client: &kube::Client,
    namespace: &str,
    holder: &str,
    patience: Duration,
) -> Result<LeaseGuard, LeaseError> {
    let api: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let give_up = tokio::time::Instant::now() + patience;
    loop {
        match try_take(&api, namespace, holder).await {
            Ok(()) => break,
            Err(e @ LeaseError::Api { .. }) => return Err(e),
            Err(held) => {
                if tokio::time::Instant::now() >= give_up {
                    return Err(held);
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    let renew = {
        let api = api.clone();
        let holder = holder.to_string();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_DURATION / 3).await;
                let _ = tokio::time::timeout(CALL_DEADLINE, renew_once(&api, &holder)).await;
            }
        })
    };
    Ok(LeaseGuard {
        api,
        holder: holder.to_string(),
        renew,
    })
}

/// [`acquire`] for a headless command: namespace from `lock_namespace` or evidence, default
/// patience.
pub async fn acquire_for(
    client: &kube::Client,
    configured: Option<&str>,
    inventory: &Inventory,
    what: &str,
) -> Result<LeaseGuard, LeaseError> {
    let ns = namespace(configured, inventory, client);
    acquire(client, &ns, &identity(what), DEFAULT_PATIENCE).await
}

fn now() -> MicroTime {
    MicroTime(jiff::Timestamp::now())
}

fn api_err(namespace: &str, e: impl std::fmt::Display) -> LeaseError {
    LeaseError::Api {
        namespace: namespace.to_string(),
        why: e.to_string(),
    }
}

/// One compare-and-swap attempt. `Err(Held)` when a live holder has it or another writer won
/// the race.
async fn try_take(api: &Api<Lease>, namespace: &str, holder: &str) -> Result<(), LeaseError> {
    let held_by = |who: &str, left: i64| LeaseError::Held {
        namespace: namespace.to_string(),
        holder: who.to_string(),
        expires_in_s: left.max(0),
    };
    let current = tokio::time::timeout(CALL_DEADLINE, api.get_opt(LEASE_NAME))
        .await
        .map_err(|_| api_err(namespace, "the API server did not answer within 5 s"))?
        .map_err(|e| api_err(namespace, crate::cluster::explain(&e)))?;
    let spec = LeaseSpec {
        holder_identity: Some(holder.to_string()),
        lease_duration_seconds: Some(LEASE_DURATION.as_secs() as i32),
        acquire_time: Some(now()),
        renew_time: Some(now()),
        ..Default::default()
    };
    let result = match current {
        None => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(LEASE_NAME.into()),
                    namespace: Some(namespace.into()),
                    ..Default::default()
                },
                spec: Some(spec),
            };
            tokio::time::timeout(CALL_DEADLINE, api.create(&PostParams::default(), &lease)).await
        }
        Some(mut lease) => {
            let s = lease.spec.clone().unwrap_or_default();
            if let Some(who) = s.holder_identity.as_deref().filter(|w| *w != holder) {
                let left = seconds_left(&s);
                if left > 0 {
                    return Err(held_by(who, left));
                }
            }
            let transitions = s.lease_transitions.unwrap_or(0) + 1;
            lease.spec = Some(LeaseSpec {
                lease_transitions: Some(transitions),
                ..spec
            });
            // replace carries the resourceVersion we read: a concurrent taker makes it a 409
            tokio::time::timeout(
                CALL_DEADLINE,
                api.replace(LEASE_NAME, &PostParams::default(), &lease),
            )
            .await
        }
    };
    match result {
        Err(_) => Err(api_err(
            namespace,
            "the API server did not answer within 5 s",
        )),
        Ok(Ok(_)) => Ok(()),
        // somebody else created or replaced it first: held, look again
        Ok(Err(kube::Error::Api(s))) if s.code == 409 => Err(held_by("another writer", 1)),
        Ok(Err(e)) => Err(api_err(namespace, crate::cluster::explain(&e))),
    }
}

/// Seconds until `spec`'s holder loses the Lease (0 or less: expired or never renewed).
pub fn seconds_left(spec: &LeaseSpec) -> i64 {
    let Some(renewed) = spec.renew_time.as_ref().or(spec.acquire_time.as_ref()) else {
        return 0;
    };
    let dur = i64::from(spec.lease_duration_seconds.unwrap_or(0));
    let age = jiff::Timestamp::now().duration_since(renewed.0).as_secs();
    dur - age
}

async fn renew_once(api: &Api<Lease>, holder: &str) -> Result<(), kube::Error> {
    let mut l = api.get(LEASE_NAME).await?;
    let spec = l.spec.get_or_insert_with(Default::default);
    if spec.holder_identity.as_deref() != Some(holder) {
        return Ok(()); // lost it: nothing to renew
    }
    spec.renew_time = Some(now());
    api.replace(LEASE_NAME, &PostParams::default(), &l).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_counts_from_the_last_renewal() {
        let mut s = LeaseSpec {
            holder_identity: Some("a".into()),
            lease_duration_seconds: Some(30),
            renew_time: Some(MicroTime(
                jiff::Timestamp::now() - jiff::SignedDuration::from_secs(10),
            )),
            ..Default::default()
        };
        let left = seconds_left(&s);
        assert!((19..=20).contains(&left), "{left}");
        s.renew_time = Some(MicroTime(
            jiff::Timestamp::now() - jiff::SignedDuration::from_secs(31),
        ));
        assert!(seconds_left(&s) <= 0);
        s.renew_time = None;
        assert_eq!(seconds_left(&s), 0);
    }

    #[test]
    fn identity_names_the_operation_and_process() {
        let id = identity("integrate apply\x1b[2J");
        assert!(id.starts_with("k8s-nas integrate apply\\e[2J on "), "{id}");
        assert!(id.ends_with(&format!("pid {}", std::process::id())));
    }
}
