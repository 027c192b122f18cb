//! `pods/{name}/exec` over WebSocket, as the API server (and kubelet behind it) speak it.
//!
//! `GET` or `POST …/exec?command=cat&command=/config/config.xml&container=…&stdout=true&…`
//! with a WebSocket upgrade. The pod must exist (404) and the container be one of its
//! containers (400, or a name must be given when the pod has several). Subprotocols
//! `v5.channel.k8s.io` (preferred) and `v4.channel.k8s.io`; every binary frame starts with its
//! channel byte: 0 stdin, 1 stdout, 2 stderr, 3 status (a `meta/v1 Status` JSON), 4 resize,
//! 255 close (v5). The command runs against the container's files ([`super::execfs`]); its
//! output goes out on channels 1/2 (stderr merged into stdout with `tty=true`), then the
//! status: `Success`, or `Failure` with reason `NonZeroExitCode` and a cause
//! `{reason: ExitCode, message: "<code>"}`; then the socket closes. A shell (`/bin/sh`,
//! `/bin/bash` where the image has it) with `stdin=true` is a session with the interpreter of
//! [`super::shell`]: stdin frames in (channel 0; `255,0` closes stdin on v5), terminal sizes on
//! channel 4 (`{"Width":…,"Height":…}`), output on channel 1 until `exit`.

use super::error::ApiError;
use super::execfs;
use super::server::{Shared, Target};
use super::shell::{self, Shell};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const V5: &str = "v5.channel.k8s.io";
pub const V4: &str = "v4.channel.k8s.io";

const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const STATUS: u8 = 3;
const STDIN: u8 = 0;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// The query of an exec request (`command` repeats).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExecParams {
    pub command: Vec<String>,
    pub container: Option<String>,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
}

impl ExecParams {
    pub fn parse(query: Option<&str>) -> ExecParams {
        let mut p = ExecParams::default();
        let flag = |v: &str| matches!(v, "true" | "1");
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "command" => p.command.push(v.into_owned()),
                "container" if !v.is_empty() => p.container = Some(v.into_owned()),
                "stdin" => p.stdin = flag(&v),
                "stdout" => p.stdout = flag(&v),
                "stderr" => p.stderr = flag(&v),
                "tty" => p.tty = flag(&v),
                _ => {}
            }
        }
        p
    }
}

/// The `Status` sent on channel 3 when the command has ended.
pub fn exit_status(argv: &[String], code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", argv.join(" ")),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

/// Which container of `pod` the request names, or the API server's 400.
fn pick_container(pod: &Value, name: &str, asked: Option<&str>) -> Result<String, ApiError> {
    let names: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .map(|cs| cs.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    match asked {
        Some(c) if names.contains(&c) => Ok(c.to_string()),
        Some(c) => Err(ApiError::bad_request(format!(
            "container {c} is not valid for pod {name}"
        ))),
        None if names.len() == 1 => Ok(names[0].to_string()),
        None => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

/// A container that has not started cannot run anything.
fn check_running(pod: &Value, container: &str) -> Result<(), ApiError> {
    let waiting = pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == container))
        .is_some_and(|c| c["state"]["waiting"].is_object());
    if waiting {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade connection: container not found (\"{container}\")"
        )));
    }
    Ok(())
}

pub async fn serve(sh: Arc<Shared>, t: Target, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::POST {
        return ApiError::method_not_allowed().into_response();
    }
    let ns = t.ns.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let params = ExecParams::parse(req.uri().query());
    let (output, argv) = {
        let store = sh.store();
        let Some(pod) = store.get(&t.res, &ns, &name) else {
            return ApiError::not_found("pods", &name).into_response();
        };
        let container = match pick_container(pod, &name, params.container.as_deref()) {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        };
        if params.command.is_empty() {
            return ApiError::bad_request("you must specify at least 1 command").into_response();
        }
        if !params.stdin && !params.stdout && !params.stderr {
            return ApiError::bad_request("you must specify at least 1 of stdin, stdout, stderr")
                .into_response();
        }
        if let Err(e) = check_running(pod, &container) {
            return e.into_response();
        }
        let files = store.files.view(&ns, &name, &container);
        let image = pod["spec"]["containers"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == container.as_str()))
            .and_then(|c| c["image"].as_str())
            .unwrap_or_default();
        let interactive = params.stdin
            && shell::is_shell(&params.command)
            && shell::has_shell(image, &params.command[0]);
        let run = if interactive {
            let web = store.files.web.clone();
            Run::Shell(Box::new(Shell::new(
                files,
                web,
                &params.command[0],
                &name,
                params.tty,
            )))
        } else {
            Run::Once(execfs::run_with_web(
                &files,
                &store.files.web,
                &params.command,
            ))
        };
        (run, params.command.clone())
    };
    let (mut parts, _body) = req.into_parts();
    // The handshake is the same on POST (what SPDY-era clients send); only GET is standard.
    parts.method = Method::GET;
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(u) => u.protocols([V5, V4]),
        Err(_) => return ApiError::bad_request("Upgrade request required").into_response(),
    };
    if upgrade.selected_protocol().is_none() {
        return ApiError::bad_request(format!(
            "unable to upgrade connection: none of the offered subprotocols is supported (supported: {V5}, {V4})"
        ))
        .into_response();
    }
    let cancel = sh.cancel.clone();
    upgrade.on_upgrade(move |socket| async move {
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = async {
                match output {
                    Run::Once(out) => talk(socket, params, out, argv).await,
                    Run::Shell(sh) => session(socket, *sh, argv).await,
                }
            } => {}
        }
    })
}

/// What an exec request runs: one command, or a shell session.
enum Run {
    Once(execfs::Output),
    Shell(Box<Shell>),
}

/// A shell session: feed stdin to the interpreter, send what it writes, end with its status.
async fn session(mut socket: WebSocket, mut sh: Shell, argv: Vec<String>) {
    let hello = sh.greeting();
    if !hello.is_empty() && socket.send(frame(STDOUT, hello.as_bytes())).await.is_err() {
        return;
    }
    let code = loop {
        let Some(Ok(m)) = socket.recv().await else {
            // The client went away: the shell gets SIGHUP.
            return;
        };
        let data = match m {
            Message::Binary(b) => b.to_vec(),
            Message::Close(_) => return,
            _ => continue,
        };
        let (out, exit) = match data.split_first() {
            Some((&STDIN, rest)) => sh.feed(rest),
            Some((&RESIZE, rest)) => {
                let v: Value = serde_json::from_slice(rest).unwrap_or_default();
                if let (Some(w), Some(h)) = (v["Width"].as_u64(), v["Height"].as_u64()) {
                    sh.size = Some((w.min(9999) as u16, h.min(9999) as u16));
                }
                continue;
            }
            Some((&CLOSE, [STDIN])) => {
                let (out, code) = sh.end_of_input();
                (out, Some(code))
            }
            _ => continue,
        };
        if !out.is_empty() && socket.send(frame(STDOUT, &out)).await.is_err() {
            return;
        }
        if let Some(code) = exit {
            break code;
        }
    };
    finish(socket, &argv, code).await;
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

/// Send the command's output and status, close, and wait briefly for the client's close.
async fn talk(mut socket: WebSocket, p: ExecParams, out: execfs::Output, argv: Vec<String>) {
    let mut frames = Vec::new();
    let (stdout, stderr) = if p.tty {
        (format!("{}{}", out.stdout, out.stderr), String::new())
    } else {
        (out.stdout, out.stderr)
    };
    if (p.stdout || p.tty) && !stdout.is_empty() {
        frames.push(frame(STDOUT, stdout.as_bytes()));
    }
    if p.stderr && !p.tty && !stderr.is_empty() {
        frames.push(frame(STDERR, stderr.as_bytes()));
    }
    for f in frames {
        if socket.send(f).await.is_err() {
            return;
        }
    }
    finish(socket, &argv, out.exit_code).await;
}

/// Send the exit status, close, and wait briefly for the client's close.
async fn finish(mut socket: WebSocket, argv: &[String], code: i32) {
    let status = frame(STATUS, exit_status(argv, code).to_string().as_bytes());
    if socket.send(status).await.is_err() {
        return;
    }
    // client-go takes only a normal closure (1000) as the end of the streams.
    let close = CloseFrame {
        code: axum::extract::ws::close_code::NORMAL,
        reason: "".into(),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(m)) = socket.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_every_command_word() {
        let p = ExecParams::parse(Some(
            "command=cat&command=%2Fconfig%2Fa+b&container=radarr&stdout=true&stderr=1&tty=false",
        ));
        assert_eq!(p.command, vec!["cat", "/config/a b"]);
        assert_eq!(p.container.as_deref(), Some("radarr"));
        assert!(p.stdout && p.stderr && !p.stdin && !p.tty);
    }

    #[test]
    fn statuses() {
        let argv = vec!["cat".to_string(), "/nope".to_string()];
        assert_eq!(exit_status(&argv, 0)["status"], "Success");
        let f = exit_status(&argv, 1);
        assert_eq!(f["status"], "Failure");
        assert_eq!(f["reason"], "NonZeroExitCode");
        assert_eq!(f["details"]["causes"][0]["message"], "1");
    }

    #[test]
    fn containers() {
        let pod = json!({"spec": {"containers": [{"name": "qbittorrent"}, {"name": "gluetun"}]}});
        assert_eq!(
            pick_container(&pod, "qb-1", Some("gluetun")).unwrap(),
            "gluetun"
        );
        let e = pick_container(&pod, "qb-1", Some("nope")).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (400, "container nope is not valid for pod qb-1")
        );
        assert!(pick_container(&pod, "qb-1", None)
            .unwrap_err()
            .message
            .contains("choose one of: [qbittorrent gluetun]"));
    }
}
