//! The shipped manifests are well-typed Kubernetes objects, and the CronJob runs a command line
//! our own CLI accepts.

use clap::Parser;
use k8s_openapi::api::{
    batch::v1::CronJob,
    core::v1::ServiceAccount,
    rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding},
};
use serde::Deserialize;

fn docs(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn typed(v: &serde_json::Value) {
    let kind = v["kind"].as_str().unwrap();
    let r = match kind {
        "ServiceAccount" => serde_json::from_value::<ServiceAccount>(v.clone()).map(|_| ()),
        "ClusterRole" => serde_json::from_value::<ClusterRole>(v.clone()).map(|_| ()),
        "ClusterRoleBinding" => serde_json::from_value::<ClusterRoleBinding>(v.clone()).map(|_| ()),
        "Role" => serde_json::from_value::<Role>(v.clone()).map(|_| ()),
        "RoleBinding" => serde_json::from_value::<RoleBinding>(v.clone()).map(|_| ()),
        "CronJob" => serde_json::from_value::<CronJob>(v.clone()).map(|_| ()),
        other => panic!("unexpected kind {other}"),
    };
    r.unwrap_or_else(|e| panic!("{kind} {}: {e}", v["metadata"]["name"]));
}

#[test]
fn rbac_grants_what_the_console_uses_and_no_more() {
    let d = docs("assets/k8s/rbac.yaml");
    d.iter().for_each(typed);
    let read: ClusterRole = serde_json::from_value(
        d.iter()
            .find(|v| v["kind"] == "ClusterRole")
            .unwrap()
            .clone(),
    )
    .unwrap();
    let resources: Vec<String> = read
        .rules
        .unwrap()
        .into_iter()
        .flat_map(|r| r.resources.unwrap_or_default())
        .collect();
    for needed in [
        "pods",
        "pods/log",
        "services/proxy",
        "deployments",
        "ingresses",
        "events",
    ] {
        assert!(resources.iter().any(|r| r == needed), "{needed} missing");
    }
    assert!(
        !resources.iter().any(|r| r == "secrets"),
        "cluster-wide secrets must not be granted"
    );
}

#[test]
fn check_cronjob_is_typed_and_its_args_parse() {
    let d = docs("assets/k8s/check-cronjob.yaml");
    d.iter().for_each(typed);
    let cj: CronJob = serde_json::from_value(d[0].clone()).unwrap();
    let spec = cj.spec.unwrap();
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    let pod = spec.job_template.spec.unwrap().template.spec.unwrap();
    let args = pod.containers[0].args.clone().unwrap();
    let argv = std::iter::once("k8s-nas".to_string()).chain(args);
    k8s_nas::cli::Cli::try_parse_from(argv).expect("CronJob args are valid k8s-nas arguments");
}
