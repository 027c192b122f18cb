//! The cluster side of a shell session (issue 8, `s`): `pods/exec` with a TTY and stdin
//! (kube-rs `AttachParams::interactive_tty()`), `/bin/bash` first and `/bin/sh` when the image
//! has no bash, pumping keystrokes, output and terminal sizes over [`ShellIo`] until the shell
//! exits. RBAC is asked first (`create pods/exec`, a SelfSubjectAccessReview), so a forbidden
//! shell says so instead of failing half-way.

use crate::bus::shell::ShellIo;
use crate::cluster::workload::{can_i, EXEC_POD};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{AttachParams, TerminalSize};
use kube::{Api, Client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The shells tried, in order.
pub const SHELLS: [&str; 2] = ["/bin/bash", "/bin/sh"];

/// How one attempt ended.
enum Ended {
    /// The program is not in the image (exit 126/127 before anything was typed): try the next.
    Missing(String),
    /// The shell ran and exited with this code.
    Exited(i32),
    /// The connection or the terminal went away.
    Lost(String),
}

/// The exit code a `Status` from the status channel reports (0 on success).
pub fn exit_code(status: &Status) -> i32 {
    if status.status.as_deref() == Some("Success") {
        return 0;
    }
    status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|c| c.iter().find(|c| c.reason.as_deref() == Some("ExitCode")))
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.parse().ok())
        .unwrap_or(1)
}

/// Run the session; the outcome goes to `io.done`.
pub async fn run(client: Client, namespace: String, pod: String, container: String, io: ShellIo) {
    let ShellIo {
        mut input,
        output,
        mut resize,
        done,
    } = io;
    let target = format!("{namespace}/{pod}:{container}");
    let outcome = async {
        // A review that cannot be made denies nothing: the exec itself will tell.
        if let Ok(Some(why)) = can_i(&client, &namespace, EXEC_POD).await {
            return Err(why);
        }
        let api: Api<Pod> = Api::namespaced(client, &namespace);
        let mut size = None;
        for shell in SHELLS {
            let params = AttachParams::interactive_tty().container(container.as_str());
            let proc = api
                .exec(&pod, vec![shell], &params)
                .await
                .map_err(|e| format!("shell in {target}: {}", crate::cluster::explain(&e)))?;
            match attempt(proc, &mut input, &output, &mut resize, &mut size).await {
                Ended::Missing(why) => {
                    tracing::debug!("{shell} in {target}: {why}");
                    continue;
                }
                Ended::Exited(code) => {
                    return Ok(format!("shell {shell} in {target} exited ({code})"));
                }
                Ended::Lost(why) => return Err(format!("shell in {target}: {why}")),
            }
        }
        Err(format!(
            "shell in {target}: the image has neither {}",
            SHELLS.join(" nor ")
        ))
    }
    .await;
    let _ = done.send(outcome);
}

/// One exec: pump until the process ends.
async fn attempt(
    mut proc: kube::api::AttachedProcess,
    input: &mut tokio::sync::mpsc::Receiver<Vec<u8>>,
    output: &tokio::sync::mpsc::Sender<Vec<u8>>,
    resize: &mut tokio::sync::mpsc::Receiver<(u16, u16)>,
    size: &mut Option<(u16, u16)>,
) -> Ended {
    let (Some(mut stdin), Some(mut stdout), Some(status)) =
        (proc.stdin(), proc.stdout(), proc.take_status())
    else {
        return Ended::Lost("no stdin/stdout".into());
    };
    let mut sizes = proc.terminal_size();
    let send_size = |sizes: &mut Option<futures::channel::mpsc::Sender<TerminalSize>>,
                     (width, height): (u16, u16)| {
        if let Some(tx) = sizes.as_mut() {
            let _ = tx.try_send(TerminalSize { width, height });
        }
    };
    if let Some(s) = *size {
        send_size(&mut sizes, s);
    }
    let mut typed = false;
    let mut buf = vec![0u8; 4096];
    let mut input_open = true;
    let mut resize_open = true;
    loop {
        tokio::select! {
            n = stdout.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if output.send(buf[..n].to_vec()).await.is_err() {
                        proc.abort();
                        return Ended::Lost("the terminal went away".into());
                    }
                }
            },
            keys = input.recv(), if input_open => match keys {
                Some(k) => {
                    typed = true;
                    if stdin.write_all(&k).await.is_err() {
                        break;
                    }
                }
                None => {
                    // The terminal's stdin ended: close the shell's.
                    input_open = false;
                    let _ = stdin.shutdown().await;
                }
            },
            s = resize.recv(), if resize_open => match s {
                Some(s) => {
                    *size = Some(s);
                    send_size(&mut sizes, s);
                }
                None => resize_open = false,
            },
        }
    }
    let status = tokio::time::timeout(std::time::Duration::from_secs(5), status).await;
    let _ = proc.join().await;
    match status {
        Ok(Some(st)) => {
            let code = exit_code(&st);
            if !typed && matches!(code, 126 | 127) {
                Ended::Missing(st.message.unwrap_or_default())
            } else {
                Ended::Exited(code)
            }
        }
        _ => Ended::Lost("the connection closed without an exit status".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{StatusCause, StatusDetails};

    #[test]
    fn exit_codes_from_the_status() {
        let ok = Status {
            status: Some("Success".into()),
            ..Status::default()
        };
        assert_eq!(exit_code(&ok), 0);
        let failed = Status {
            status: Some("Failure".into()),
            details: Some(StatusDetails {
                causes: Some(vec![StatusCause {
                    reason: Some("ExitCode".into()),
                    message: Some("127".into()),
                    ..StatusCause::default()
                }]),
                ..StatusDetails::default()
            }),
            ..Status::default()
        };
        assert_eq!(exit_code(&failed), 127);
        let bare = Status {
            status: Some("Failure".into()),
            ..Status::default()
        };
        assert_eq!(exit_code(&bare), 1);
    }
}
