//! The home IP seen from inside the cluster: the IP-echo URL fetched in a pod without a VPN
//! sidecar (`pods/exec`: `wget -qO- URL`, else `curl -fsS URL`), so its egress is the home
//! connection's. Which pod: `[vpn] ip_echo_from_pod` — a service id (`media/sonarr`) or `auto`
//! (the first discovered service without a VPN sidecar that has a running pod).

use crate::discover::ClusterObjects;
use crate::model::{AppError, AppErrorKind, Inventory, PodPhase};
use std::time::Duration;

/// The most an IP-echo exec may print on stdout or stderr before it is cut.
const ECHO_LIMIT: u64 = 64 * 1024;

/// A pod to fetch the IP-echo URL in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoPod {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

/// The pod `[vpn] ip_echo_from_pod` names (or `auto` picks), or why there is none.
pub fn pick(
    choice: &str,
    inventory: &Inventory,
    objects: &ClusterObjects,
) -> Result<EchoPod, String> {
    let choice = choice.trim();
    let candidates = inventory
        .services
        .iter()
        .filter(|s| choice == "auto" || s.id.as_str() == choice);
    let mut named = false;
    for svc in candidates {
        named = true;
        if svc.vpn.is_some() {
            if choice == "auto" {
                continue;
            }
            return Err(format!(
                "{choice} runs behind the VPN: its egress is not the home connection"
            ));
        }
        let running = crate::discover::pod_statuses(svc, objects)
            .into_iter()
            .find(|p| p.phase == PodPhase::Running && !p.terminating);
        if let Some(p) = running {
            return Ok(EchoPod {
                namespace: svc.namespace.clone(),
                pod: p.name,
                container: svc.container.clone(),
            });
        }
        if choice != "auto" {
            return Err(format!("{choice} has no running pod"));
        }
    }
    Err(if named || choice == "auto" {
        "no running pod without a VPN sidecar to fetch the IP-echo URL in".into()
    } else {
        format!("ip_echo_from_pod: no discovered service {choice}")
    })
}

/// Fetch `url` inside the pod and return the IP it answers.
pub async fn fetch(
    client: &kube::Client,
    p: &EchoPod,
    url: &str,
    timeout: Duration,
) -> Result<String, AppError> {
    let at = format!("pod {}/{}", p.namespace, p.pod);
    let run = async {
        let (mut out, mut err) = exec(client, p, vec!["wget", "-qO-", url]).await?;
        if out.trim().is_empty() && (err.contains("not found") || err.contains("executable file")) {
            (out, err) = exec(client, p, vec!["curl", "-fsS", url]).await?;
        }
        if out.trim().is_empty() {
            return Err(AppError::new(
                AppErrorKind::Unreachable,
                format!("IP-echo service {url} from {at}: {}", err.trim()),
            ));
        }
        super::observe::parse_echo(&out).ok_or_else(|| {
            AppError::new(
                AppErrorKind::BadBody,
                format!("IP-echo service {url} from {at} did not answer an IP"),
            )
        })
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(r) => r,
        Err(_) => Err(AppError::new(
            AppErrorKind::Timeout {
                after_ms: timeout.as_millis() as u64,
            },
            format!(
                "IP-echo service {url} from {at}: no answer within {} ms",
                timeout.as_millis()
            ),
        )),
    }
}

/// Run `argv` in the pod: (stdout, stderr). An exec the API server refuses is an error.
async fn exec(
    client: &kube::Client,
    p: &EchoPod,
    argv: Vec<&str>,
) -> Result<(String, String), AppError> {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::AttachParams;
    use tokio::io::AsyncReadExt;
    let api = kube::Api::<Pod>::namespaced(client.clone(), &p.namespace);
    let params = AttachParams::default()
        .container(p.container.clone())
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let mut proc = api.exec(&p.pod, argv, &params).await.map_err(|e| {
        AppError::new(
            AppErrorKind::Unreachable,
            format!(
                "exec in pod {}/{}: {}",
                p.namespace,
                p.pod,
                crate::cluster::explain(&e)
            ),
        )
    })?;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let (o, e) = (proc.stdout(), proc.stderr());
    let read_out = async {
        // An IP-echo answer is one line: a pod that streams more is cut, never buffered whole.
        if let Some(s) = o {
            let _ = s.take(ECHO_LIMIT).read_to_end(&mut out).await;
        }
    };
    let read_err = async {
        if let Some(s) = e {
            let _ = s.take(ECHO_LIMIT).read_to_end(&mut err).await;
        }
    };
    futures::join!(read_out, read_err);
    let _ = proc.join().await;
    Ok((
        String::from_utf8_lossy(&out).to_string(),
        String::from_utf8_lossy(&err).to_string(),
    ))
}
