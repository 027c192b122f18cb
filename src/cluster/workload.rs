//! Acting on workloads like kubectl does: `rollout restart` (the pod-template annotation
//! `kubectl.kubernetes.io/restartedAt`), `delete pod`, `scale --replicas=N`, each preceded by a
//! SelfSubjectAccessReview (`kubectl auth can-i`) so a forbidden action is reported as such.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::json;

/// What a verb on a resource needs: `(verb, group, resource, subresource)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: Option<&'static str>,
}

impl Access {
    /// `patch deployments` in words.
    pub fn describe(&self) -> String {
        let res = match self.subresource {
            Some(s) => format!("{}/{s}", self.resource),
            None => self.resource.to_string(),
        };
        format!("{} {res}", self.verb)
    }
}

/// The workload kinds these actions support and their API resource.
pub fn resource_of(kind: &str) -> anyhow::Result<&'static str> {
    match kind {
        "Deployment" => Ok("deployments"),
        "StatefulSet" => Ok("statefulsets"),
        other => anyhow::bail!("{other} cannot be restarted or scaled from the console"),
    }
}

pub fn restart_access(kind: &str) -> anyhow::Result<Access> {
    Ok(Access {
        verb: "patch",
        group: "apps",
        resource: resource_of(kind)?,
        subresource: None,
    })
}

pub fn scale_access(kind: &str) -> anyhow::Result<Access> {
    Ok(Access {
        verb: "patch",
        group: "apps",
        resource: resource_of(kind)?,
        subresource: None,
    })
}

pub const DELETE_POD: Access = Access {
    verb: "delete",
    group: "",
    resource: "pods",
    subresource: None,
};

pub const EXEC_POD: Access = Access {
    verb: "create",
    group: "",
    resource: "pods",
    subresource: Some("exec"),
};

/// `kubectl auth can-i VERB RESOURCE -n NS`: `Ok(None)` when allowed, `Ok(Some(reason))` when
/// denied (the API server's reason, or a sentence).
pub async fn can_i(client: &Client, ns: &str, access: Access) -> anyhow::Result<Option<String>> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.to_string()),
                verb: Some(access.verb.to_string()),
                group: Some(access.group.to_string()),
                resource: Some(access.resource.to_string()),
                subresource: access.subresource.map(str::to_string),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = api
        .create(&PostParams::default(), &review)
        .await
        .map_err(|e| anyhow::anyhow!("SelfSubjectAccessReview: {}", super::explain(&e)))?;
    let status = answer.status.unwrap_or_default();
    if status.allowed {
        return Ok(None);
    }
    let why = status
        .reason
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "RBAC does not allow it".to_string());
    Ok(Some(format!(
        "forbidden: {} in {ns}: {why}",
        access.describe()
    )))
}

/// `kubectl rollout restart`: set the pod template's `kubectl.kubernetes.io/restartedAt`
/// annotation (strategic merge patch); the controller replaces the pods. Returns the value set.
pub async fn rollout_restart(
    client: &Client,
    ns: &str,
    kind: &str,
    name: &str,
) -> anyhow::Result<String> {
    let at = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": at}}}}});
    let pp = PatchParams::default();
    let res = match resource_of(kind)? {
        "deployments" => Api::<Deployment>::namespaced(client.clone(), ns)
            .patch(name, &pp, &Patch::Strategic(&patch))
            .await
            .map(|_| ()),
        _ => Api::<StatefulSet>::namespaced(client.clone(), ns)
            .patch(name, &pp, &Patch::Strategic(&patch))
            .await
            .map(|_| ()),
    };
    res.map_err(|e| anyhow::anyhow!("restart {kind} {ns}/{name}: {}", super::explain(&e)))?;
    Ok(at)
}

/// `kubectl scale --replicas=N` (a merge patch of `spec.replicas`).
pub async fn scale(
    client: &Client,
    ns: &str,
    kind: &str,
    name: &str,
    replicas: u32,
) -> anyhow::Result<()> {
    let patch = json!({"spec": {"replicas": replicas}});
    let pp = PatchParams::default();
    let res = match resource_of(kind)? {
        "deployments" => Api::<Deployment>::namespaced(client.clone(), ns)
            .patch(name, &pp, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
        _ => Api::<StatefulSet>::namespaced(client.clone(), ns)
            .patch(name, &pp, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
    };
    res.map_err(|e| anyhow::anyhow!("scale {kind} {ns}/{name}: {}", super::explain(&e)))
}

/// `kubectl delete pod`: its controller creates a replacement.
pub async fn delete_pod(client: &Client, ns: &str, name: &str) -> anyhow::Result<()> {
    Api::<Pod>::namespaced(client.clone(), ns)
        .delete(name, &DeleteParams::default())
        .await
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("delete pod {ns}/{name}: {}", super::explain(&e)))
}

/// The SelfSubjectAccessReview each console action needs (`restart`, `scale`, `delete`,
/// `exec`; restart and scale asked for Deployments).
pub fn action_access(action: &str) -> Option<Access> {
    match action {
        "restart" | "scale" => restart_access("Deployment").ok(),
        "delete" => Some(DELETE_POD),
        "exec" => Some(EXEC_POD),
        _ => None,
    }
}

/// The reviews `actions` need, each once, with the actions it answers (restart and scale
/// both need `patch deployments`).
pub fn reviews<'a>(actions: &[&'a str]) -> Vec<(Access, Vec<&'a str>)> {
    let mut out: Vec<(Access, Vec<&str>)> = Vec::new();
    for action in actions {
        let Some(access) = action_access(action) else {
            continue;
        };
        match out.iter_mut().find(|(a, _)| *a == access) {
            Some((_, answers)) => answers.push(action),
            None => out.push((access, vec![action])),
        }
    }
    out
}

/// Ask RBAC about every action in every namespace: `(namespace, action, why)` of those denied,
/// one review per namespace and distinct [`Access`] ([`reviews`]). A review that cannot be
/// made (old API server, network) denies nothing: the task asks again.
pub async fn denied_actions(
    client: &Client,
    namespaces: &[String],
    actions: &[&str],
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let reviews = reviews(actions);
    for ns in namespaces {
        for (access, answers) in &reviews {
            if let Ok(Some(why)) = can_i(client, ns, *access).await {
                for action in answers {
                    out.push((ns.clone(), action.to_string(), why.clone()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_review_per_distinct_access() {
        let r = reviews(&crate::bus::ACCESS_ACTIONS);
        let names: Vec<(String, Vec<&str>)> = r
            .iter()
            .map(|(a, names)| (a.describe(), names.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("patch deployments".to_string(), vec!["restart", "scale"]),
                ("delete pods".to_string(), vec!["delete"]),
                ("create pods/exec".to_string(), vec!["exec"]),
            ]
        );
    }
}
