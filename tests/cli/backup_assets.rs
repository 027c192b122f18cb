//! The backup schedule assets: the CronJob, its ServiceAccount and RBAC parse into k8s-openapi
//! types and reference only what exists (service account, ConfigMap, volumes, Role, Secret
//! name), the CronJob's arguments and config file are ones k8s-nas accepts, the config mounts
//! are read-only under `node_root`, and the alert fires on 26 h without a successful run.

use clap::Parser;
use k8s_openapi::api::{
    batch::v1::CronJob,
    core::v1::{ConfigMap, ServiceAccount},
    rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding},
};
use serde::Deserialize;
use serde_json::Value;

fn docs(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn one<T: serde::de::DeserializeOwned>(d: &[Value], kind: &str) -> T {
    let v = d
        .iter()
        .find(|v| v["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"));
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

#[test]
fn backup_cronjob_is_typed_and_references_only_what_exists() {
    let d = docs("assets/k8s/backup-cronjob.yaml");
    assert_eq!(d.len(), 7);
    let sa: ServiceAccount = one(&d, "ServiceAccount");
    let cr: ClusterRole = one(&d, "ClusterRole");
    let crb: ClusterRoleBinding = one(&d, "ClusterRoleBinding");
    let role: Role = one(&d, "Role");
    let rb: RoleBinding = one(&d, "RoleBinding");
    let cm: ConfigMap = one(&d, "ConfigMap");
    let cj: CronJob = one(&d, "CronJob");
    let sa_name = sa.metadata.name.clone().unwrap();
    let ns = sa.metadata.namespace.clone().unwrap();

    // Bindings point at the roles and the service account defined here.
    assert_eq!(crb.role_ref.name, cr.metadata.name.clone().unwrap());
    assert_eq!(rb.role_ref.name, role.metadata.name.clone().unwrap());
    for subj in crb
        .subjects
        .unwrap()
        .iter()
        .chain(rb.subjects.unwrap().iter())
    {
        assert_eq!(
            (subj.name.as_str(), subj.namespace.as_deref()),
            (sa_name.as_str(), Some(ns.as_str()))
        );
    }
    // Least privilege: read-only cluster-wide, no Secrets but the one restic Secret by name.
    for r in cr.rules.unwrap() {
        assert!(
            r.verbs
                .iter()
                .all(|v| ["get", "list", "watch"].contains(&v.as_str())),
            "{r:?}"
        );
        assert!(!r
            .resources
            .unwrap_or_default()
            .iter()
            .any(|x| x == "secrets"));
    }
    let rr = &role.rules.unwrap()[0];
    assert_eq!(rr.verbs, ["get"]);
    let restic_secret = rr.resource_names.clone().unwrap()[0].clone();

    // The config file parses as k8s-nas config and names that Secret.
    let toml_text = cm.data.unwrap()["config.toml"].clone();
    let cfg: k8s_nas::config::Config = toml::from_str(&toml_text).unwrap();
    assert_eq!(
        cfg.backup.restic_secret.as_deref(),
        Some(format!("{ns}/{restic_secret}").as_str())
    );
    let node_root = cfg.backup.node_root.clone().unwrap();
    let root = cfg.backup.root.clone().unwrap();

    let spec = cj.spec.unwrap();
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    let pod = spec.job_template.spec.unwrap().template.spec.unwrap();
    assert_eq!(pod.service_account_name.as_deref(), Some(sa_name.as_str()));
    assert_eq!(
        pod.security_context.unwrap().run_as_user,
        Some(1000),
        "linuxserver PUID"
    );
    let c = &pod.containers[0];
    let argv = std::iter::once("k8s-nas".to_string()).chain(c.args.clone().unwrap());
    k8s_nas::cli::Cli::try_parse_from(argv).expect("CronJob args are valid k8s-nas arguments");
    let volumes = pod.volumes.unwrap();
    let env_dir = c
        .env
        .clone()
        .unwrap()
        .into_iter()
        .find(|e| e.name == "K8S_NAS_CONFIG_DIR")
        .unwrap()
        .value
        .unwrap();
    let mut saw_root = false;
    let mut host_configs = 0;
    for m in c.volume_mounts.clone().unwrap() {
        let v = volumes
            .iter()
            .find(|v| v.name == m.name)
            .unwrap_or_else(|| panic!("no volume {}", m.name));
        if let Some(cmv) = &v.config_map {
            assert_eq!(cmv.name, cm.metadata.name.clone().unwrap());
            assert_eq!(
                m.mount_path, env_dir,
                "the config file is where K8S_NAS_CONFIG_DIR says"
            );
        }
        if let Some(h) = &v.host_path {
            if m.mount_path == root.to_str().unwrap() {
                saw_root = true;
                assert_ne!(m.read_only, Some(true), "the backup root is writable");
            } else {
                // A node path, mounted at node_root + the same path, read-only.
                assert_eq!(m.mount_path, format!("{}{}", node_root.display(), h.path));
                assert_eq!(m.read_only, Some(true), "{} must be read-only", m.name);
                host_configs += 1;
            }
        }
    }
    assert!(saw_root && host_configs >= 2);
}

#[test]
fn backup_alert_fires_after_26_hours_without_success() {
    let d = docs("assets/k8s/backup-alert.yaml");
    let cj: CronJob = one(&docs("assets/k8s/backup-cronjob.yaml"), "CronJob");
    let name = cj.metadata.name.unwrap();
    assert_eq!(d[0]["kind"], "PrometheusRule");
    let rules = d[0]["spec"]["groups"][0]["rules"].as_array().unwrap();
    let expr = rules[0]["expr"].as_str().unwrap();
    assert!(
        expr.contains("kube_cronjob_status_last_successful_time"),
        "{expr}"
    );
    assert!(expr.contains(&format!("cronjob=\"{name}\"")), "{expr}");
    assert!(expr.contains("> 26 * 3600"), "{expr}");
}

#[test]
fn backup_image_has_restic_and_runs_a_valid_command() {
    let text = std::fs::read_to_string("assets/backup/Dockerfile").unwrap();
    assert!(text.contains("restic"));
    assert!(text.contains("USER 1000:1000"));
    let cmd = text.lines().find_map(|l| l.strip_prefix("CMD ")).unwrap();
    let args: Vec<String> = serde_json::from_str(cmd).unwrap();
    k8s_nas::cli::Cli::try_parse_from(std::iter::once("k8s-nas".to_string()).chain(args)).unwrap();
}

#[test]
fn the_console_finds_the_shipped_cronjob_by_its_command_and_by_its_labels() {
    use k8s_nas::backup::schedule::backup_services;
    let d = docs("assets/k8s/backup-cronjob.yaml");
    let v = d.iter().find(|v| v["kind"] == "CronJob").unwrap().clone();
    let o: kube::api::DynamicObject = serde_json::from_value(v.clone()).unwrap();
    // `backup run --all`: every service.
    assert_eq!(backup_services(&o), Some(None));
    // Renamed, with another image and entrypoint: still found by the labels.
    let mut renamed = v.clone();
    renamed["metadata"]["name"] = "nightly".into();
    renamed["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0] = serde_json::json!({"name": "b", "image": "example/backup-runner:1", "command": ["/entry.sh"]});
    let o: kube::api::DynamicObject = serde_json::from_value(renamed.clone()).unwrap();
    assert_eq!(backup_services(&o), Some(None));
    // Without the labels and the command it is some other CronJob, whatever its name.
    renamed["metadata"]["name"] = "k8s-nas-backup".into();
    renamed["metadata"]["labels"] = serde_json::json!({});
    let o: kube::api::DynamicObject = serde_json::from_value(renamed).unwrap();
    assert_eq!(backup_services(&o), None);
}
