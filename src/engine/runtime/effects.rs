//! Carrying out the effects `update` returns: refresh, log streams, tasks, describe, ….

use crate::bus::{describe_title, Effect, Msg, TaskOutcome};
use crate::cluster::logs;
use crate::engine::tasks::{self};

use super::State;

impl State {
    pub(super) async fn on_effect(&mut self, e: Effect) {
        match e {
            Effect::Quit => {}
            Effect::RefreshNow => self.refresh.now(),
            Effect::StreamLogs {
                stream,
                namespace,
                pod,
                container,
                follow,
                tail,
                previous,
                timestamps,
                since_seconds,
            } => {
                let req = logs::LogRequest {
                    namespace,
                    pod,
                    container: Some(container),
                    follow,
                    tail: since_seconds.is_none().then_some(i64::from(tail)),
                    previous,
                    timestamps,
                    since_seconds: since_seconds.map(i64::from),
                };
                let (conn, tx) = (self.conn.clone(), self.tx.clone());
                let h = tokio::spawn(crate::engine::logstream::stream_logs(conn, req, stream, tx));
                if let Some(old) = self.logs.insert(stream, h) {
                    old.abort();
                }
                self.logs.retain(|_, h| !h.is_finished());
            }
            Effect::SaveLogs { name, lines } => {
                let dir = self.saved_logs.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let text = match dir {
                        Some(dir) => {
                            match crate::engine::logstream::save(&dir, &name, &lines).await {
                                Ok(path) => {
                                    format!("saved {} lines to {}", lines.len(), path.display())
                                }
                                Err(e) => format!("could not save the log: {e:#}"),
                            }
                        }
                        None => "could not save the log: no data directory".to_string(),
                    };
                    let _ = tx.send(Msg::Flash(text)).await;
                });
            }
            Effect::ListResources { kind } if kind == "nodes" => {
                // Read on demand (the view asks on entering and every few seconds).
                let (client, tx) = (self.conn.client.clone(), self.tx.clone());
                let listing = self.listing.clone();
                let root = self.env.cfg.backup.node_root.clone();
                tokio::spawn(async move {
                    let msg = match crate::engine::nodes::rows(client, listing, root).await {
                        Ok(rows) => Msg::Resources { kind, rows },
                        Err(e) => Msg::Flash(e),
                    };
                    let _ = tx.send(msg).await;
                });
            }
            Effect::ListResources { kind } => {
                let rows = self
                    .listing
                    .as_deref()
                    .map(|l| crate::engine::resources::rows(l, &kind))
                    .unwrap_or_default();
                let _ = self.tx.send(Msg::Resources { kind, rows }).await;
            }
            Effect::StopLogs { stream } => {
                if let Some(h) = self.logs.remove(&stream) {
                    h.abort();
                }
            }
            Effect::Describe {
                namespace,
                kind,
                name,
            } => {
                let text = crate::engine::view::describe_workload(
                    self.listing.as_deref(),
                    &self.inventory,
                    &self.pods,
                    &namespace,
                    &kind,
                    &name,
                );
                let title = describe_title(&kind, &namespace, &name);
                let _ = self.tx.send(Msg::Describe { title, text }).await;
            }
            Effect::RunTask { id, request } => {
                match tasks::task(&request, &self.env, &self.inventory) {
                    Ok((spec, body)) => {
                        let _ = self.sched.start(id, spec, body).await;
                    }
                    Err(why) => {
                        let outcome = TaskOutcome::Refused(why);
                        let _ = self.tx.send(Msg::TaskDone { id, outcome }).await;
                    }
                }
            }
            Effect::ReadTaskLog { id, path } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let lines = match tokio::fs::read_to_string(&path).await {
                        Ok(text) => {
                            let all: Vec<&str> = text.lines().collect();
                            let from = all.len().saturating_sub(crate::bus::msg::TASK_LOG_TAIL);
                            Ok(all[from..].iter().map(|l| l.to_string()).collect())
                        }
                        Err(e) => Err(format!("{}: {e}", path.display())),
                    };
                    let _ = tx.send(Msg::TaskLogFile { id, lines }).await;
                });
            }
            Effect::ReadBackupManifest { path } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let manifest = match tokio::fs::read(&path).await {
                        Ok(b) => serde_json::from_slice(&b)
                            .map(Box::new)
                            .map_err(|e| format!("{}: {e}", path.display())),
                        Err(e) => Err(format!("{}: {e}", path.display())),
                    };
                    let _ = tx.send(Msg::BackupManifest { path, manifest }).await;
                });
            }
            Effect::Shell {
                namespace,
                pod,
                container,
                io,
            } => {
                if let Some(io) = io.take() {
                    let client = self.conn.exec.clone();
                    tokio::spawn(crate::engine::shell::run(
                        client, namespace, pod, container, io,
                    ));
                }
            }
            Effect::CancelTask(id) => {
                self.sched.cancel(id);
            }
        }
    }
}
