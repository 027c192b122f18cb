//! Pod state of a discovered service: the pods its selector matches, summarised.

use super::network::selects;
use super::ClusterObjects;
use crate::model::{PodPhase, PodStatus, ServiceInfo, Termination};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// How bad a container reason is; higher is worse.
fn rank(reason: &str) -> u8 {
    match reason {
        "CrashLoopBackOff" => 6,
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" => 5,
        "CreateContainerConfigError" | "CreateContainerError" => 5,
        "OOMKilled" => 4,
        "Error" | "ContainerCannotRun" => 3,
        "ContainerCreating" | "PodInitializing" => 1,
        "Completed" => 0,
        _ => 2,
    }
}

/// Reasons a container status shows: current waiting/terminated, and an OOM kill in lastState.
fn reasons(cs: &ContainerStatus, init: bool) -> Vec<String> {
    let mut out = vec![];
    let prefix = if init { "Init:" } else { "" };
    if let Some(state) = &cs.state {
        if let Some(r) = state.waiting.as_ref().and_then(|w| w.reason.clone()) {
            out.push(format!("{prefix}{r}"));
        }
        if let Some(t) = &state.terminated {
            if let Some(r) = t.reason.clone().filter(|r| r != "Completed") {
                out.push(format!("{prefix}{r}"));
            } else if t.exit_code != 0 {
                out.push(format!("{prefix}Error"));
            }
        }
    }
    if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
        if t.reason.as_deref() == Some("OOMKilled") && !cs.ready {
            out.push("OOMKilled".into());
        }
    }
    out
}

/// The latest termination among the pod's containers (current `terminated` state first, then
/// `lastState`), with that container's memory limit from the spec.
fn last_termination(pod: &Pod, statuses: &[ContainerStatus]) -> Option<Termination> {
    let limit = |name: &str| {
        let spec = pod.spec.as_ref()?;
        let c = spec
            .containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .find(|c| c.name == name)?;
        let q = c.resources.as_ref()?.limits.as_ref()?.get("memory")?;
        Some(q.0.clone())
    };
    statuses
        .iter()
        .filter_map(|cs| {
            let t = cs
                .state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .filter(|t| t.reason.as_deref() != Some("Completed"))
                .or(cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()))?;
            Some(Termination {
                container: cs.name.clone(),
                reason: t.reason.clone(),
                exit_code: t.exit_code,
                finished_at: t.finished_at.as_ref().map(|f| f.0),
                memory_limit: limit(&cs.name),
            })
        })
        .max_by_key(|t| t.finished_at)
}

/// Summarise one pod.
pub fn pod_status(pod: &Pod) -> PodStatus {
    let status = pod.status.as_ref();
    let spec = pod.spec.as_ref();
    let statuses: &[ContainerStatus] = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or(&[]);
    let init_statuses: &[ContainerStatus] = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or(&[]);
    let total = spec.map(|s| s.containers.len()).unwrap_or(statuses.len());
    let ready = statuses.iter().filter(|c| c.ready).count();
    let restarts: i64 = statuses
        .iter()
        .chain(init_statuses)
        .map(|c| i64::from(c.restart_count.max(0)))
        .sum();
    let mut all: Vec<String> = statuses.iter().flat_map(|c| reasons(c, false)).collect();
    all.extend(init_statuses.iter().flat_map(|c| reasons(c, true)));
    if let Some(r) = status.and_then(|s| s.reason.clone()) {
        all.push(r);
    }
    let reason = all
        .into_iter()
        .max_by_key(|r| rank(r.strip_prefix("Init:").unwrap_or(r)));
    PodStatus {
        name: pod.metadata.name.clone().unwrap_or_default(),
        phase: status
            .and_then(|s| s.phase.as_deref())
            .map_or(PodPhase::Unknown, PodPhase::from),
        ready_containers: u32::try_from(ready).unwrap_or(u32::MAX),
        total_containers: u32::try_from(total).unwrap_or(u32::MAX),
        restarts: u32::try_from(restarts).unwrap_or(u32::MAX),
        reason,
        started_at: status.and_then(|s| s.start_time.as_ref()).map(|t| t.0),
        node: spec.and_then(|s| s.node_name.clone()),
        terminating: pod.metadata.deletion_timestamp.is_some(),
        last_termination: last_termination(pod, statuses),
        restarts_last_hour: None,
    }
}

/// The pods of `svc` (its namespace, matching its selector), summarised, sorted by name.
pub fn pod_statuses(svc: &ServiceInfo, objs: &ClusterObjects) -> Vec<PodStatus> {
    let mut out: Vec<PodStatus> = objs
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(svc.namespace.as_str()))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .is_some_and(|l| selects(&svc.selector, l))
        })
        .map(|p| pod_status(p))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
