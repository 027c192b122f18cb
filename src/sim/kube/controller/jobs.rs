//! The Job controller, as far as a run started from the console (`create job --from`) needs
//! it: a Job that has not started (no `startTime`, no conditions, not suspended) gets one pod
//! from its template, which runs to completion at once (Succeeded, its container terminated
//! with exit code 0); the Job is Complete. Like the CronJob controller, the owning CronJob's
//! `lastSuccessfulTime` moves to the Job's completion. Jobs the world brings with a status are
//! left as they are (their pods are part of the world).

use super::def;
use super::pods::{owner_ref, pod_started_events, record_event, run_pod};
use crate::sim::kube::store::name_of;
use crate::sim::kube::store::{now_rfc3339, random_suffix, Store, UpdateMode};
use serde_json::{json, Value};

fn fresh(j: &Value) -> bool {
    j["status"]["startTime"].is_null()
        && j["status"]["conditions"]
            .as_array()
            .is_none_or(Vec::is_empty)
        && j["spec"]["suspend"].as_bool() != Some(true)
}

pub fn reconcile_jobs(store: &mut Store, ns: &str) {
    let jobs_def = def("batch", "jobs");
    let todo: Vec<Value> = store
        .list(jobs_def, Some(ns))
        .into_iter()
        .filter(|j| fresh(j))
        .cloned()
        .collect();
    for mut job in todo {
        let jname = name_of(&job).to_string();
        let now = now_rfc3339();
        // What the API server defaults on create (manualSelector unset): the selector on the
        // controller uid, the template labelled with it.
        let uid = job["metadata"]["uid"].clone();
        if job["spec"]["selector"].is_null() {
            job["spec"]["selector"] =
                json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
            let t = &mut job["spec"]["template"];
            if !t["metadata"]["labels"].is_object() {
                t["metadata"]["labels"] = json!({});
            }
            for (k, v) in [
                ("batch.kubernetes.io/controller-uid", uid.clone()),
                ("controller-uid", uid.clone()),
                ("batch.kubernetes.io/job-name", json!(jname)),
                ("job-name", json!(jname)),
            ] {
                t["metadata"]["labels"][k] = v;
            }
        }
        let pod_name = format!("{jname}-{}", random_suffix(5));
        let template = &job["spec"]["template"];
        let mut labels = template["metadata"]["labels"].clone();
        if !labels.is_object() {
            labels = json!({});
        }
        for k in ["job-name", "batch.kubernetes.io/job-name"] {
            labels[k] = json!(jname);
        }
        for k in ["controller-uid", "batch.kubernetes.io/controller-uid"] {
            labels[k] = uid.clone();
        }
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod_name, "namespace": ns, "labels": labels,
                "annotations": template["metadata"]["annotations"].as_object().cloned().unwrap_or_default(),
                "ownerReferences": [owner_ref(&job, true)]},
            "spec": template["spec"].clone(),
        });
        if pod["spec"]["restartPolicy"].is_null() {
            pod["spec"]["restartPolicy"] = json!("Never");
        }
        run_pod(store, &mut pod);
        // The run is over: every container exited 0.
        pod["status"]["phase"] = json!("Succeeded");
        if let Some(cs) = pod["status"]["containerStatuses"].as_array_mut() {
            for c in cs {
                c["ready"] = json!(false);
                c["started"] = json!(false);
                c["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed",
                    "startedAt": now, "finishedAt": now}});
            }
        }
        if let Some(cs) = pod["status"]["conditions"].as_array_mut() {
            for c in cs {
                if c["type"] == "Ready" || c["type"] == "ContainersReady" {
                    c["status"] = json!("False");
                    c["reason"] = json!("PodCompleted");
                }
            }
        }
        let pod = store.put_raw(def("", "pods"), pod, UpdateMode::Full);
        pod_started_events(store, &pod);
        record_event(
            store,
            &job,
            "SuccessfulCreate",
            &format!("Created pod: {pod_name}"),
            "job-controller",
        );
        let cond = |t: &str, reason: &str, msg: &str| {
            json!({"type": t, "status": "True", "reason": reason, "message": msg,
                "lastProbeTime": now, "lastTransitionTime": now})
        };
        job["status"] = json!({
            "startTime": now, "completionTime": now, "succeeded": 1, "ready": 0, "active": 0,
            "terminating": 0, "uncountedTerminatedPods": {},
            "conditions": [
                cond("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                cond("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
            ],
        });
        let job = store.put_raw(def("batch", "jobs"), job, UpdateMode::Full);
        record_event(store, &job, "Completed", "Job completed", "job-controller");
        let owner = job["metadata"]["ownerReferences"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["kind"] == "CronJob"))
            .and_then(|r| r["name"].as_str())
            .map(str::to_string);
        if let Some(cj_name) = owner {
            let cj_def = def("batch", "cronjobs");
            if let Some(mut cj) = store.get(cj_def, ns, &cj_name).cloned() {
                cj["status"]["lastSuccessfulTime"] = json!(now);
                store.put_raw(cj_def, cj, UpdateMode::Full);
            }
        }
    }
}
