//! `pods/{name}/log`: `container`, `tailLines`, `timestamps`, `previous`, `follow` (one line
//! about every second until the client goes away; none for an exited container, whose stream
//! ends after its lines). Lines come from `KubeSim::set_logs` or from
//! a deterministic generator that speaks like the container's image.

use super::error::ApiError;
use super::server::{is_true, stream_body, Query, Shared, Target};
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// How many lines the generator has "printed" before the request.
const HISTORY_LINES: usize = 40;
/// Seconds between generated lines.
const LINE_EVERY: Duration = Duration::from_secs(1);

/// The `i`-th line an image prints (no timestamp prefix).
pub fn generated_line(image: &str, i: usize, at: jiff::Timestamp) -> String {
    let img = image.to_ascii_lowercase();
    let servarr = ["sonarr", "radarr", "lidarr", "prowlarr", "readarr"]
        .into_iter()
        .find(|a| img.contains(a));
    let clock = at.strftime("%Y-%m-%d %H:%M:%S");
    if let Some(app) = servarr {
        let mut name = app.to_string();
        name[..1].make_ascii_uppercase();
        let msgs = [
            format!("[Info] Bootstrap: Starting {name} - /app/{app}/bin/{name}"),
            "[Info] RssSyncService: Starting RSS Sync".to_string(),
            "[Info] DownloadDecisionMaker: Processing 50 releases".to_string(),
            "[Info] RssSyncService: RSS Sync Completed. Reports found: 50, Reports grabbed: 0"
                .to_string(),
            "[Info] HousekeepingService: Running housekeeping tasks".to_string(),
            "[Info] Microsoft.Hosting.Lifetime: Application started. Press Ctrl+C to shut down."
                .to_string(),
        ];
        return format!("{clock} {}", msgs[i % msgs.len()]);
    }
    if img.contains("jellyfin") {
        let msgs = [
            "[INF] [1] Main: Jellyfin version: 10.11.11",
            "[INF] [12] Emby.Server.Implementations.ScheduledTasks.TaskManager: Refresh Guide Completed",
            "[INF] [8] Jellyfin.Api.Auth.ApiKeyAuthenticationHandler: Authenticated request",
            "[INF] [15] MediaBrowser.Controller.MediaEncoding.TranscodeManager: Idle",
        ];
        return format!("[{}] {}", at.strftime("%H:%M:%S"), msgs[i % msgs.len()]);
    }
    if img.contains("qbittorrent") {
        let msgs = [
            "(N) qBittorrent v5.1.0 started",
            "(N) WebUI: Now listening on IP: *, port: 8080",
            "(I) Successfully listening on IP. IP: 0.0.0.0. Port: TCP/6881",
            "(N) Torrent download finished. Torrent: \"ubuntu-24.04.iso\"",
        ];
        return format!("{clock} {}", msgs[i % msgs.len()]);
    }
    if img.contains("gluetun") {
        let msgs = [
            "INFO [vpn] starting",
            "INFO [wireguard] Connecting to 185.65.134.1:51820",
            "INFO [ip getter] Public IP address is 185.65.134.77 (Sweden, Stockholm)",
            "INFO [healthcheck] healthy!",
        ];
        return format!(
            "{}Z {}",
            at.strftime("%Y-%m-%dT%H:%M:%S"),
            msgs[i % msgs.len()]
        );
    }
    format!("{clock} INFO heartbeat {i}: {image} is running")
}

/// What a container printed in the run that ended with `exit_code` (its `lastState`): for
/// Bazarr the Python traceback of a config it cannot load, for other images a start-up that
/// fails. `{clock}` is replaced with the line's time.
pub fn previous_run(image: &str, exit_code: i64) -> Vec<String> {
    let img = image.to_ascii_lowercase();
    if img.contains("bazarr") {
        return [
            "{clock} - root - INFO - BAZARR starting child process with PID 57...",
            "{clock} - root - INFO - BAZARR is reading config from /config/config/config.yaml",
            "Traceback (most recent call last):",
            "  File \"/app/bazarr/bin/bazarr/main.py\", line 58, in <module>",
            "    from bazarr.app.get_args import args  # noqa E402",
            "  File \"/app/bazarr/bin/bazarr/app/config.py\", line 409, in <module>",
            "    settings.validators.validate()",
            "  File \"/lsiopy/lib/python3.12/site-packages/dynaconf/validator.py\", line 426, in validate",
            "    validator.validate(self.settings, only=only, exclude=exclude)",
            "  File \"/lsiopy/lib/python3.12/site-packages/dynaconf/validator.py\", line 201, in validate",
            "    raise ValidationError(message, details=[(self, message)])",
            "dynaconf.validator.ValidationError: auth.type must is_in ['basic', 'form', None] but it is 'forms' in env main",
            "{clock} - root - ERROR - BAZARR cannot start: invalid setting in /config/config/config.yaml",
        ]
        .into_iter()
        .map(String::from)
        .collect();
    }
    vec![
        "{clock} starting".to_string(),
        format!("{{clock}} fatal: exiting with code {exit_code}"),
    ]
}

fn bad(msg: String) -> Response {
    ApiError::bad_request(msg).into_response()
}

pub fn serve(sh: Arc<Shared>, t: Target, q: &Query) -> Response {
    let ns = t.ns.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let (pod, custom) = {
        let store = sh.store();
        let Some(pod) = store.get(&t.res, &ns, &name).cloned() else {
            return ApiError::not_found("pods", &name).into_response();
        };
        (pod, store.logs.clone())
    };
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let container = match q.get("container").filter(|c| !c.is_empty()) {
        Some(c) if names.contains(&c.as_str()) => c.clone(),
        Some(c) => return bad(format!("container {c} is not valid for pod {name}")),
        None if names.len() == 1 => names[0].to_string(),
        None => {
            return bad(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            ))
        }
    };
    let image = containers
        .iter()
        .find(|c| c["name"] == container.as_str())
        .and_then(|c| c["image"].as_str())
        .unwrap_or("")
        .to_string();
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == container.as_str()).cloned())
        .unwrap_or(Value::Null);
    let previous = is_true(q.get("previous"));
    if previous && status["restartCount"].as_i64().unwrap_or(0) == 0 {
        return bad(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        ));
    }
    if !previous
        && status["state"]["waiting"].is_object()
        && status["restartCount"].as_i64().unwrap_or(0) == 0
    {
        let reason = status["state"]["waiting"]["reason"]
            .as_str()
            .unwrap_or("ContainerCreating");
        return bad(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        ));
    }
    // A container waiting to be restarted has not printed anything in this run yet.
    let not_started = !previous && status["state"]["waiting"].is_object();
    let timestamps = is_true(q.get("timestamps"));
    // A container that has exited (a Job's finished run) prints no more: the stream ends.
    let exited = status["state"]["terminated"].is_object();
    let follow = is_true(q.get("follow")) && !previous && !not_started && !exited;
    let now = jiff::Timestamp::now();
    let stamp = move |at: jiff::Timestamp, line: &str| {
        if timestamps {
            format!("{} {line}\n", at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        } else {
            format!("{line}\n")
        }
    };
    let key = (ns.clone(), name.clone(), container.clone());
    let last = &status["lastState"]["terminated"];
    let mut lines: Vec<(jiff::Timestamp, String)> = match custom.get(&key) {
        _ if not_started => Vec::new(),
        Some(given) if !previous => given.iter().map(|l| (now, l.clone())).collect(),
        _ if previous && last.is_object() => {
            let ended = last["finishedAt"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .unwrap_or(now);
            let code = last["exitCode"].as_i64().unwrap_or(1);
            let run = previous_run(&image, code);
            let n = run.len();
            run.into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let at = ended - jiff::SignedDuration::from_millis(((n - i) * 40) as i64);
                    let clock = at.strftime("%Y-%m-%d %H:%M:%S,%3f").to_string();
                    (at, l.replace("{clock}", &clock))
                })
                .collect()
        }
        _ => (0..HISTORY_LINES)
            .map(|i| {
                let at = now - jiff::SignedDuration::from_secs(((HISTORY_LINES - i) * 7) as i64);
                let seed = if previous { i + 3 } else { i };
                (at, generated_line(&image, seed, at))
            })
            .collect(),
    };
    if previous && !last.is_object() {
        lines.push((now, "FATAL: container exited with code 1".into()));
    }
    if let Some(s) = q.get("sinceSeconds").and_then(|n| n.parse::<i64>().ok()) {
        let cut = now - jiff::SignedDuration::from_secs(s);
        lines.retain(|(at, _)| *at >= cut);
    }
    let mut lines: Vec<String> = lines.iter().map(|(at, l)| stamp(*at, l)).collect();
    if let Some(n) = q.get("tailLines").and_then(|n| n.parse::<usize>().ok()) {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let cancel = sh.cancel.clone();
    tokio::spawn(async move {
        for l in lines {
            if tx.send(Ok(Bytes::from(l))).await.is_err() {
                return;
            }
        }
        if !follow {
            return;
        }
        let mut i = HISTORY_LINES;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tx.closed() => return,
                _ = tokio::time::sleep(LINE_EVERY) => {}
            }
            let at = jiff::Timestamp::now();
            if tx
                .send(Ok(Bytes::from(stamp(at, &generated_line(&image, i, at)))))
                .await
                .is_err()
            {
                return;
            }
            i += 1;
        }
    });
    axum::http::Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(stream_body(ReceiverStream::new(rx)))
        .unwrap_or_else(|_| {
            ApiError::new(500, "InternalError", "building the response").into_response()
        })
}
