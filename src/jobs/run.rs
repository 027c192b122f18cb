//! Run a CronJob now, as `kubectl create job --from=cronjob/NAME` does: a Job whose spec is the
//! CronJob's `jobTemplate.spec`, whose labels and annotations are the template's, with the
//! annotation `cronjob.kubernetes.io/instantiate: manual` and a controller owner reference to
//! the CronJob (so the CronJob's history and `kubectl get jobs` show it as the CronJob's).
//! The name is `<cronjob>-manual-<suffix>` (cut so it stays a valid Job name).

use crate::cluster::kinds::{CRONJOBS, JOBS};
use crate::cluster::workload::Access;
use kube::api::{Api, DynamicObject, PostParams};
use serde_json::{json, Value};

/// RBAC the run needs: `create jobs` (batch) in the CronJob's namespace.
pub const CREATE_JOB: Access = Access {
    verb: "create",
    group: "batch",
    resource: "jobs",
    subresource: None,
};

/// The annotation kubectl puts on a Job it instantiates from a CronJob.
pub const INSTANTIATE: &str = "cronjob.kubernetes.io/instantiate";

/// Longest Job name whose pods' `job-name` label still fits (63 characters).
const MAX_NAME: usize = 63;

/// `<cronjob>-manual-<suffix>`, the CronJob's part cut so the whole fits in 63 characters.
pub fn job_name(cronjob: &str, suffix: &str) -> String {
    let tail = format!("-manual-{suffix}");
    let keep = MAX_NAME.saturating_sub(tail.len());
    let head: String = cronjob.chars().take(keep).collect();
    format!("{}{tail}", head.trim_end_matches(['-', '.']))
}

/// The Job `kubectl create job NAME --from=cronjob/…` builds from a CronJob object.
pub fn job_from_cronjob(cj: &Value, name: &str) -> anyhow::Result<Value> {
    let meta = &cj["metadata"];
    let (Some(cj_name), Some(uid)) = (meta["name"].as_str(), meta["uid"].as_str()) else {
        anyhow::bail!("the CronJob has no name or uid");
    };
    let template = &cj["spec"]["jobTemplate"];
    if !template["spec"]["template"].is_object() {
        anyhow::bail!("CronJob {cj_name} has no jobTemplate.spec.template");
    }
    let mut annotations = json!({ INSTANTIATE: "manual" });
    if let Some(a) = template["metadata"]["annotations"].as_object() {
        for (k, v) in a {
            annotations[k] = v.clone();
        }
    }
    let mut metadata = json!({
        "name": name,
        "namespace": meta["namespace"],
        "annotations": annotations,
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cj_name,
            "uid": uid, "controller": true}],
    });
    if template["metadata"]["labels"].is_object() {
        metadata["labels"] = template["metadata"]["labels"].clone();
    }
    Ok(json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": metadata,
        "spec": template["spec"],
    }))
}

/// Read the CronJob and create its manual Job; returns the Job's name.
pub async fn run_now(client: &kube::Client, ns: &str, cronjob: &str) -> anyhow::Result<String> {
    let explain = |what: &str, e: &kube::Error| {
        anyhow::anyhow!("{what} {ns}/{cronjob}: {}", crate::cluster::explain(e))
    };
    let cjs: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), ns, &CRONJOBS.api_resource());
    let cj = cjs.get(cronjob).await.map_err(|e| explain("CronJob", &e))?;
    let cj = serde_json::to_value(&cj)?;
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let suffix: String = (0..5)
        .map(|_| CHARS[rand::random_range(0..CHARS.len())] as char)
        .collect();
    let name = job_name(cronjob, &suffix);
    let job: DynamicObject = serde_json::from_value(job_from_cronjob(&cj, &name)?)?;
    let jobs: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &JOBS.api_resource());
    jobs.create(&PostParams::default(), &job)
        .await
        .map_err(|e| explain("Job from CronJob", &e))?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_from_a_cronjob_as_kubectl_builds_it() {
        let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "report", "namespace": "batch", "uid": "u-1"},
            "spec": {"schedule": "0 * * * *", "jobTemplate": {
                "metadata": {"labels": {"app": "report"}, "annotations": {"team": "ops"}},
                "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
                    "containers": [{"name": "r", "image": "busybox:1.36"}]}}}}}});
        let job = job_from_cronjob(&cj, "report-manual-abcde").unwrap();
        assert_eq!(job["metadata"]["annotations"][INSTANTIATE], "manual");
        assert_eq!(job["metadata"]["annotations"]["team"], "ops");
        assert_eq!(job["metadata"]["labels"]["app"], "report");
        assert_eq!(job["metadata"]["namespace"], "batch");
        let owner = &job["metadata"]["ownerReferences"][0];
        assert_eq!(
            (
                &owner["kind"],
                &owner["name"],
                &owner["uid"],
                &owner["controller"]
            ),
            (
                &json!("CronJob"),
                &json!("report"),
                &json!("u-1"),
                &json!(true)
            )
        );
        assert_eq!(job["spec"]["backoffLimit"], 0);
        assert_eq!(
            job["spec"]["template"]["spec"]["containers"][0]["image"],
            "busybox:1.36"
        );
        let mut no_template = cj.clone();
        no_template["spec"]["jobTemplate"] = json!({});
        assert!(job_from_cronjob(&no_template, "x").is_err());
    }

    #[test]
    fn manual_job_names_stay_valid() {
        assert_eq!(job_name("report", "abcde"), "report-manual-abcde");
        let long = "a".repeat(70);
        let n = job_name(&long, "abcde");
        assert_eq!(n.len(), 63);
        assert!(n.ends_with("-manual-abcde"));
        assert_eq!(
            job_name(&format!("{}-b", "a".repeat(49)), "xyzab").len(),
            62
        );
    }
}
