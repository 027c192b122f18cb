//! The credential Secrets (configured, or referenced by the workloads) the watch did not
//! deliver (not watched yet, or not allowed to be listed but readable by name): each read by name, so a rotated Secret still reaches the pollers
//! without a restart. A Secret the watch delivers is never read here.

use super::{Observed, Source, SourceFacts};
use crate::bus::Msg;
use crate::collect::credentials::{locate, wanted_with};
use k8s_openapi::api::core::v1::Secret as KSecret;
use kube::Api;

pub struct CredentialSecrets;

/// `(namespace, name)`.
pub type SecretKey = (String, String);

#[derive(Clone)]
pub struct SecretTarget {
    pub namespace: String,
    pub name: String,
    pub client: kube::Client,
}

impl PartialEq for SecretTarget {
    /// The client is always the console's one connection.
    fn eq(&self, o: &Self) -> bool {
        self.namespace == o.namespace && self.name == o.name
    }
}

/// The Secret, `None` when it does not exist, or why it could not be read.
pub type SecretObs = Result<Option<KSecret>, String>;

impl Source for CredentialSecrets {
    type Key = SecretKey;
    type Target = SecretTarget;
    type Obs = SecretObs;

    fn targets(&self, f: &SourceFacts<'_>) -> Vec<(SecretKey, SecretTarget)> {
        let locs = locate(f.cfg, f.inventory, f.listing, &f.listing.secrets);
        wanted_with(f.cfg, &locs)
            .into_iter()
            .filter(|(ns, name)| !watched(f, ns, name))
            .map(|(namespace, name)| {
                let target = SecretTarget {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    client: f.conn.client.clone(),
                };
                ((namespace, name), target)
            })
            .collect()
    }

    async fn observe(&self, t: SecretTarget) -> (SecretObs, bool) {
        let r = Api::<KSecret>::namespaced(t.client, &t.namespace)
            .get_opt(&t.name)
            .await
            .map_err(|e| crate::cluster::explain(&e));
        let ok = r.is_ok();
        (r, ok)
    }

    fn record(key: SecretKey, obs: SecretObs, into: &mut Observed) -> Vec<Msg> {
        if into.secrets.get(&key) != Some(&obs) {
            into.secrets.insert(key, obs);
            into.secrets_generation += 1;
        }
        Vec::new()
    }

    fn forget(key: &SecretKey, into: &mut Observed) {
        if into.secrets.remove(key).is_some() {
            into.secrets_generation += 1;
        }
    }
}

/// Is the Secret in the watch's listing?
pub fn watched(f: &SourceFacts<'_>, ns: &str, name: &str) -> bool {
    f.listing.secrets.iter().any(|s| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name)
    })
}
