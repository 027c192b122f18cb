//! Run-now against the simulator (issue 12): a Job from a CronJob's template through kube-rs
//! (the console's task) and through the real `kubectl create job --from=cronjob/…` (a protobuf
//! Job body the simulator decodes). The simulated Job controller runs it: one pod, Succeeded,
//! with a log; the Job Complete; the CronJob's last success moves. RBAC is asked first (a
//! SelfSubjectAccessReview for `create jobs`); without it the create is refused.

use crate::kubectl_common::start_with;
use futures::StreamExt;
use k8s_nas::cluster::logs::{stream, LogRequest};
use k8s_nas::jobs::run;
use serde_json::{json, Value};

fn cronjob() -> Value {
    json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly-report", "namespace": "batch",
            "uid": "6d1f0a52-0000-4000-8000-000000000001", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {
            "metadata": {"labels": {"app": "report"}},
            "spec": {"backoffLimit": 1, "template": {"spec": {"restartPolicy": "OnFailure",
                "containers": [{"name": "report", "image": "busybox:1.36",
                    "command": ["sh", "-c"], "args": ["echo report done"],
                    "env": [{"name": "MODE", "value": "full"}]}]}}}}},
        "status": {"lastSuccessfulTime": "2026-01-01T03:00:00Z"}})
}

fn namespace() -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "batch"}})
}

fn job_named<'a>(jobs: &'a [Value], name: &str) -> &'a Value {
    jobs.iter()
        .find(|j| j["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("job {name} missing"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_now_through_kube_rs_and_kubectl() {
    let ctx = start_with(vec![namespace(), cronjob()]).await;
    let client = ctx.sim.kube_client().await.unwrap();

    // The console's way (kube-rs, JSON), after asking RBAC as the task does.
    assert_eq!(
        k8s_nas::cluster::workload::can_i(&client, "batch", run::CREATE_JOB)
            .await
            .unwrap(),
        None
    );
    let name = run::run_now(&client, "batch", "nightly-report")
        .await
        .unwrap();
    assert!(name.starts_with("nightly-report-manual-"), "{name}");
    let jobs = ctx.sim.list("batch/v1", "Job", Some("batch"));
    let job = job_named(&jobs, &name);
    assert_eq!(job["metadata"]["annotations"][run::INSTANTIATE], "manual");
    assert_eq!(job["metadata"]["labels"]["app"], "report");
    let owner = &job["metadata"]["ownerReferences"][0];
    assert_eq!(owner["kind"], "CronJob");
    assert_eq!(owner["uid"], "6d1f0a52-0000-4000-8000-000000000001");
    let complete = job["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Complete" && c["status"] == "True");
    assert!(complete, "{job}");
    let pods = ctx.sim.list("v1", "Pod", Some("batch"));
    let pod = pods
        .iter()
        .find(|p| p["metadata"]["labels"]["job-name"] == name.as_str())
        .expect("a pod of the Job");
    assert_eq!(pod["status"]["phase"], "Succeeded");
    let pod_name = pod["metadata"]["name"].as_str().unwrap().to_string();
    let conn = k8s_nas::cluster::connect(Some(&ctx.kubeconfig), None)
        .await
        .unwrap();
    let lines: Vec<String> = stream(
        &conn,
        &LogRequest {
            namespace: "batch".into(),
            pod: pod_name,
            container: None,
            follow: false,
            tail: Some(50),
            previous: false,
            timestamps: false,
            since_seconds: None,
        },
    )
    .await
    .unwrap()
    .collect()
    .await;
    assert!(!lines.is_empty(), "the run has a log");
    let cj = ctx
        .sim
        .get("batch/v1", "CronJob", Some("batch"), "nightly-report")
        .unwrap();
    assert_ne!(cj["status"]["lastSuccessfulTime"], "2026-01-01T03:00:00Z");

    // The facts the pane reads: the manual Job is the CronJob's newest, Complete.
    let listing_jobs = k8s_nas::jobs::job_state(
        &serde_json::from_value(job.clone()).unwrap(),
        &[std::sync::Arc::new(
            serde_json::from_value(pod.clone()).unwrap(),
        )],
    );
    assert_eq!(listing_jobs.cronjob.as_deref(), Some("nightly-report"));
    assert_eq!(listing_jobs.state, "Complete");
    assert!(listing_jobs.pods[0].ran() && listing_jobs.pods[0].containers == ["report"]);

    // The real kubectl (protobuf Job body).
    let out = ctx
        .ok(&[
            "create",
            "job",
            "by-hand",
            "--from=cronjob/nightly-report",
            "-n",
            "batch",
        ])
        .await;
    assert!(out.contains("job.batch/by-hand created"), "{out}");
    let jobs = ctx.sim.list("batch/v1", "Job", Some("batch"));
    let job = job_named(&jobs, "by-hand");
    assert_eq!(job["metadata"]["annotations"][run::INSTANTIATE], "manual");
    assert_eq!(
        job["metadata"]["ownerReferences"][0]["name"],
        "nightly-report"
    );
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "busybox:1.36");
    assert_eq!(c["args"], json!(["echo report done"]));
    assert_eq!(c["env"], json!([{"name": "MODE", "value": "full"}]));
    assert_eq!(job["spec"]["backoffLimit"], 1);
    assert_eq!(
        job["spec"]["template"]["spec"]["restartPolicy"],
        "OnFailure"
    );
    let out = ctx
        .ok(&[
            "get",
            "jobs",
            "-n",
            "batch",
            "-o",
            "custom-columns=NAME:.metadata.name,DONE:.status.succeeded",
        ])
        .await;
    assert!(
        out.lines()
            .any(|l| l.starts_with("by-hand") && l.ends_with('1')),
        "{out}"
    );
    let logs = ctx.ok(&["logs", "job/by-hand", "-n", "batch"]).await;
    assert!(
        !logs.trim().is_empty(),
        "kubectl logs job/by-hand printed nothing"
    );

    // Without `create jobs`: the review says so, and the API refuses the Job.
    ctx.sim.deny("create", "jobs", "batch");
    let why = k8s_nas::cluster::workload::can_i(&client, "batch", run::CREATE_JOB)
        .await
        .unwrap();
    assert_eq!(
        why.as_deref(),
        Some("forbidden: create jobs in batch: RBAC does not allow it")
    );
    let err = run::run_now(&client, "batch", "nightly-report")
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("forbidden"), "{err:#}");
}
