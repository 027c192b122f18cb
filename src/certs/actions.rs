//! Certificate actions: renew (what `cmctl renew` does, ops-facts §1.2), follow the renewal to
//! its new revision, and re-sync a stale copy from its source Secret. Secret values never reach
//! a log or an error message.

use crate::cluster::json;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{json, Value};
use std::time::Duration;

fn certificates(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    let ar = crate::cluster::kinds::CERTIFICATES.api_resource();
    Api::namespaced_with(client.clone(), ns, &ar)
}

fn revision(o: &DynamicObject) -> i64 {
    o.data["status"]["revision"].as_i64().unwrap_or(0)
}

/// Set `Issuing=True` (reason `ManuallyTriggered`) with an Update of the status subresource,
/// as `cmctl renew` does. Returns the revision before the renewal.
pub async fn renew(client: &kube::Client, ns: &str, name: &str) -> anyhow::Result<i64> {
    let api = certificates(client, ns);
    let mut obj = api
        .get_status(name)
        .await
        .map_err(|e| anyhow::anyhow!("Certificate {ns}/{name}: {}", crate::cluster::explain(&e)))?;
    let before = revision(&obj);
    let mut conditions: Vec<Value> = json::conditions(&obj.data)
        .filter(|c| c["type"] != "Issuing")
        .cloned()
        .collect();
    conditions.push(json!({
        "type": "Issuing", "status": "True", "reason": "ManuallyTriggered",
        "message": "Certificate re-issuance manually triggered",
        "lastTransitionTime": Timestamp::now().to_string(),
        "observedGeneration": obj.metadata.generation.unwrap_or(0),
    }));
    if !obj.data["status"].is_object() {
        obj.data["status"] = json!({});
    }
    obj.data["status"]["conditions"] = json!(conditions);
    api.replace_status(name, &PostParams::default(), &obj)
        .await
        .map_err(|e| anyhow::anyhow!("Certificate {ns}/{name}: {}", crate::cluster::explain(&e)))?;
    Ok(before)
}

/// How a renewal ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewal {
    /// A new revision is Ready.
    Ready { revision: i64 },
    /// Issuance failed (`Issuing=False`, reason `Failed`), with cert-manager's message.
    Failed(String),
    /// Neither within the time given; the state last seen.
    TimedOut(String),
}

/// Follow the Certificate until a revision after `before` is Ready, issuance fails, or
/// `timeout` passes.
pub async fn follow(
    client: &kube::Client,
    ns: &str,
    name: &str,
    before: i64,
    timeout: Duration,
) -> anyhow::Result<Renewal> {
    let api = certificates(client, ns);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let o = api.get(name).await.map_err(|e| {
            anyhow::anyhow!("Certificate {ns}/{name}: {}", crate::cluster::explain(&e))
        })?;
        let ready = json::condition(&o.data, "Ready").is_some_and(|c| c["status"] == "True");
        let issuing = json::condition(&o.data, "Issuing");
        if revision(&o) > before && ready && issuing.is_none_or(|c| c["status"] != "True") {
            return Ok(Renewal::Ready {
                revision: revision(&o),
            });
        }
        if let Some(c) = issuing.filter(|c| c["status"] == "False" && c["reason"] == "Failed") {
            return Ok(Renewal::Failed(
                c["message"]
                    .as_str()
                    .unwrap_or("issuance failed")
                    .to_string(),
            ));
        }
        if tokio::time::Instant::now() >= deadline {
            let state = issuing
                .map(|c| format!("Issuing={} ({})", c["status"], c["reason"]))
                .unwrap_or_else(|| format!("revision {}", revision(&o)));
            return Ok(Renewal::TimedOut(state));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Copy the data of the source Secret into the copy (a merge patch of `data` only: the copy
/// keeps its name, namespace, labels and annotations).
pub async fn resync(
    client: &kube::Client,
    (copy_ns, copy): (&str, &str),
    (src_ns, src): (&str, &str),
) -> anyhow::Result<()> {
    let source = Api::<Secret>::namespaced(client.clone(), src_ns)
        .get(src)
        .await
        .map_err(|e| anyhow::anyhow!("Secret {src_ns}/{src}: {}", crate::cluster::explain(&e)))?;
    let data = source
        .data
        .filter(|d| d.contains_key("tls.crt") && d.contains_key("tls.key"))
        .ok_or_else(|| anyhow::anyhow!("Secret {src_ns}/{src} has no tls.crt/tls.key"))?;
    Api::<Secret>::namespaced(client.clone(), copy_ns)
        .patch(
            copy,
            &PatchParams::default(),
            &Patch::Merge(json!({ "data": data })),
        )
        .await
        .map_err(|e| anyhow::anyhow!("Secret {copy_ns}/{copy}: {}", crate::cluster::explain(&e)))?;
    Ok(())
}
