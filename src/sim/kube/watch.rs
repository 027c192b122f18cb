//! `?watch=true`: newline-delimited JSON watch events (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR),
//! resuming from a resourceVersion, selector transitions, bookmarks, `timeoutSeconds`,
//! `sendInitialEvents`, and Table-shaped events for `kubectl get -w`.

use super::error::ApiError;
use super::registry::Res;
use super::select::{FieldSelector, LabelSelector};
use super::server::{is_true, stream_body, Query, Shared, Target};
use super::store::{Change, ChangeKind};
use super::table::{self, IncludeObject};
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

/// How often a watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(10);
/// Default watch length when the client sets none (the real server picks 30–60 minutes).
const DEFAULT_TIMEOUT: u64 = 1800;

struct Filter {
    res: Res,
    ns: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, obj: &Value) -> bool {
        if let Some(ns) = &self.ns {
            if obj["metadata"]["namespace"].as_str() != Some(ns) {
                return false;
            }
        }
        self.labels.matches(obj) && self.fields.matches(obj)
    }

    /// The event type this watcher sees for a change, if any.
    fn event(&self, c: &Change) -> Option<&'static str> {
        if c.res.key != self.res.key {
            return None;
        }
        let now = self.matches(&c.obj);
        match c.kind {
            ChangeKind::Added => now.then_some("ADDED"),
            ChangeKind::Deleted => now.then_some("DELETED"),
            ChangeKind::Modified => {
                let before = c.old.as_ref().is_some_and(|o| self.matches(o));
                match (before, now) {
                    (true, true) => Some("MODIFIED"),
                    (false, true) => Some("ADDED"),
                    (true, false) => Some("DELETED"),
                    (false, false) => None,
                }
            }
        }
    }
}

struct Render {
    res: Res,
    table: bool,
    include: IncludeObject,
}

impl Render {
    fn line(&self, ty: &str, obj: &Value) -> Bytes {
        let object = if self.table && ty != "BOOKMARK" && ty != "ERROR" {
            let now = jiff::Timestamp::now().as_second();
            let meta = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
            table::table(&self.res, &[obj], self.include, meta, now)
        } else {
            obj.clone()
        };
        let mut line = json!({"type": ty, "object": object}).to_string();
        line.push('\n');
        Bytes::from(line)
    }
}

fn bookmark(res: &super::registry::ResourceDef, rv: u64, initial_end: bool) -> Value {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    json!({"kind": res.kind, "apiVersion": res.api_version(), "metadata": meta})
}

/// Does this change delete the CRD that serves `res` (the real server ends such watches)?
fn ends_with_crd(c: &Change, res: &Res) -> bool {
    c.kind == ChangeKind::Deleted
        && c.res.kind == super::crd::KIND
        && c.res.group == super::crd::GROUP
        && super::crd::served(&c.obj).iter().any(|r| r.key == res.key)
}

/// Start a watch; the response streams until timeout, client disconnect, compaction or shutdown.
pub fn serve(sh: Arc<Shared>, t: Target, q: &Query, accept: &str) -> Response {
    let labels = match LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str)) {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let fields = match FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str)) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let filter = Filter {
        res: t.res.clone(),
        ns: t.ns.clone(),
        labels,
        fields,
    };
    let render = Render {
        res: t.res.clone(),
        table: table::wants_table(accept),
        include: IncludeObject::parse(q.get("includeObject").map(String::as_str)),
    };
    let bookmarks = is_true(q.get("allowWatchBookmarks"));
    let send_initial = is_true(q.get("sendInitialEvents"));
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    let rv_param = q.get("resourceVersion").cloned().unwrap_or_default();

    let mut first: Vec<Bytes> = Vec::new();
    let subscription = {
        let store = sh.store();
        let initial = rv_param.is_empty() || rv_param == "0" || send_initial;
        if initial {
            for obj in store.list(&t.res, t.ns.as_deref()) {
                if filter.matches(obj) {
                    first.push(render.line("ADDED", obj));
                }
            }
            let rv = store.resource_version();
            if send_initial && bookmarks {
                first.push(render.line("BOOKMARK", &bookmark(&t.res, rv, true)));
            }
            store.subscribe(rv).map(|(past, rx)| (past, rx, rv))
        } else {
            match rv_param.parse::<u64>() {
                Ok(rv) => store.subscribe(rv).map(|(past, rx)| (past, rx, rv)),
                Err(_) => {
                    return ApiError::bad_request(format!("invalid resource version: {rv_param}"))
                        .into_response()
                }
            }
        }
    };
    let (past, rx, mut last_rv) = match subscription {
        Ok(s) => s,
        Err(gone) => {
            // Like the real server: 200, one ERROR event carrying the 410 Status, end of stream.
            let line = format!("{}\n", json!({"type": "ERROR", "object": gone.to_status()}));
            return (
                [(header::CONTENT_TYPE, "application/json")],
                stream_body(futures::stream::iter([Ok::<_, std::io::Error>(
                    Bytes::from(line),
                )])),
            )
                .into_response();
        }
    };
    for c in &past {
        if let Some(ty) = filter.event(c) {
            first.push(render.line(ty, &c.obj));
        }
        last_rv = c.rv;
    }
    let (tx, out_rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    let mut epoch = sh.watch_epoch.subscribe();
    let cancel = sh.cancel.clone();
    tokio::spawn(async move {
        let mut rx: broadcast::Receiver<Arc<Change>> = rx;
        for line in first {
            if tx.send(Ok(line)).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::sleep(Duration::from_secs(timeout));
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(BOOKMARK_EVERY);
        tick.tick().await;
        loop {
            let line = tokio::select! {
                _ = cancel.cancelled() => return,
                _ = epoch.changed() => return,
                _ = &mut deadline => return,
                _ = tx.closed() => return,
                _ = tick.tick() => {
                    if !bookmarks { continue; }
                    render.line("BOOKMARK", &bookmark(&filter.res, last_rv, false))
                }
                msg = rx.recv() => match msg {
                    Ok(c) => {
                        if c.rv <= last_rv { continue; }
                        last_rv = c.rv;
                        if ends_with_crd(&c, &filter.res) { return; }
                        match filter.event(&c) {
                            Some(ty) => render.line(ty, &c.obj),
                            None => continue,
                        }
                    }
                    // Fell behind or the store went away: end; the client resumes or relists.
                    Err(_) => return,
                },
            };
            if tx.send(Ok(line)).await.is_err() {
                return;
            }
        }
    });
    axum::http::Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, "application/json")
        .body(stream_body(ReceiverStream::new(out_rx)))
        .unwrap_or_else(|_| {
            ApiError::new(500, "InternalError", "building the response").into_response()
        })
}
