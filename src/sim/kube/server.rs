//! HTTP front of the simulated API server: bearer auth, path routing (discovery, resources,
//! subresources), verbs, selectors, pagination, Table output, RBAC simulation.

use super::error::ApiError;
use super::patch::{apply_patch, PatchKind};
use super::registry::{self, Catalog, Res};
use super::select::{FieldSelector, LabelSelector};
use super::store::{name_of, Store, UpdateMode};
use super::table::{self, IncludeObject};
use super::{exec, logs, proxy, watch};
use crate::model::Secret;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;

/// The user name the simulated RBAC reports in Forbidden messages.
pub const USER: &str = "k8s-nas-sim";
/// Largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// State shared by every request.
pub struct Shared {
    pub store: Mutex<Store>,
    pub token: Secret,
    pub addr: SocketAddr,
    /// Cancelled at shutdown: open watches, log follows and proxied requests end.
    pub cancel: CancellationToken,
    /// Bumped to end every open watch (after a history compaction).
    pub watch_epoch: tokio::sync::watch::Sender<u64>,
    pub http: reqwest::Client,
    /// The server certificate (PEM).
    pub ca_pem: String,
}

impl Shared {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves consistent JSON behind; keep serving.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub fn json_response(code: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.code, &self.to_status())
    }
}

/// Parsed query string (last value wins).
pub type Query = HashMap<String, String>;

fn parse_query(q: Option<&str>) -> Query {
    url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// What a resource path names.
#[derive(Debug)]
pub struct Target {
    pub res: Res,
    pub ns: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
    /// Path after `…/proxy` (with its leading `/`), raw.
    pub tail: String,
}

fn parse_target(
    catalog: Catalog<'_>,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Result<Target, ApiError> {
    let nf = || {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    };
    let (ns, rest) = if rest.len() >= 3
        && rest[0] == "namespaces"
        && catalog
            .find(group, version, rest[2])
            .is_some_and(|r| r.namespaced)
    {
        (Some(rest[1].to_string()), &rest[2..])
    } else {
        (None, rest)
    };
    let res = rest
        .first()
        .and_then(|p| catalog.find(group, version, p))
        .ok_or_else(nf)?;
    if res.namespaced != ns.is_some() && rest.len() > 1 {
        return Err(nf());
    }
    let name = rest.get(1).map(|s| s.to_string());
    let sub = rest.get(2).map(|s| s.to_string());
    if let Some(sub) = &sub {
        if !res.has_sub(sub) {
            return Err(nf());
        }
    }
    let tail = if rest.len() > 3 {
        format!("/{}", rest[3..].join("/"))
    } else {
        String::new()
    };
    if sub.as_deref() != Some("proxy") && rest.len() > 3 {
        return Err(nf());
    }
    Ok(Target {
        res,
        ns,
        name,
        sub,
        tail,
    })
}

/// The single entry point: every request lands here.
pub async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let authorized = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == sh.token.expose());
    if !authorized {
        return ApiError::unauthorized().into_response();
    }
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let query = parse_query(req.uri().query());
    let trailing = path.ends_with('/') && path.len() > 1;
    let aggregated = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(registry::wants_aggregated);
    if let Some(resp) = super::discovery::serve(&sh, &segs, aggregated) {
        return resp;
    }
    let target = {
        let store = sh.store();
        match segs.as_slice() {
            ["api", "v1", rest @ ..] => parse_target(store.catalog(), "", "v1", rest),
            ["apis", g, v, rest @ ..] => parse_target(store.catalog(), g, v, rest),
            _ => Err(ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )),
        }
    };
    let mut target = match target {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    if trailing && target.sub.as_deref() == Some("proxy") && !target.tail.ends_with('/') {
        target.tail.push('/');
    }
    if let Err(e) = authorize(&sh, &target, req.method()) {
        return e.into_response();
    }
    match target.sub.as_deref() {
        Some("proxy")
            if matches!(target.res.kind.as_str(), "Service" | "Pod") && !target.res.custom =>
        {
            return proxy::forward(sh, target, req).await
        }
        Some("log") if req.method() == Method::GET => return logs::serve(sh, target, &query),
        Some("exec") if target.res.kind == "Pod" => return exec::serve(sh, target, req).await,
        _ => {}
    }
    if target.res.group == "metrics.k8s.io" {
        let store = sh.store();
        if !store.metrics || req.method() != Method::GET {
            return ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
            .into_response();
        }
        let plural = target.res.plural.clone();
        return match super::metrics::serve(
            &store,
            &plural,
            target.ns.as_deref(),
            target.name.as_deref(),
        ) {
            Ok(v) => json_response(200, &v),
            Err(e) => e.into_response(),
        };
    }
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(format!("reading body: {e}")).into_response(),
    };
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if parts.method == Method::GET && target.name.is_none() && is_true(query.get("watch")) {
        return watch::serve(sh, target, &query, &accept);
    }
    match dispatch(&sh, &target, &parts.method, &parts.headers, &query, &body) {
        Ok((code, v)) => {
            if table::wants_table(&accept) && parts.method == Method::GET && target.sub.is_none() {
                return json_response(code, &render_table(&target, v, &query));
            }
            json_response(code, &v)
        }
        Err(e) => e.into_response(),
    }
}

pub fn is_true(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("true") | Some("1"))
}

fn verb(method: &Method, t: &Target) -> &'static str {
    if t.sub.as_deref() == Some("exec") {
        // Both the WebSocket GET and the SPDY POST need `create` on pods/exec.
        return "create";
    }
    match *method {
        Method::GET if t.name.is_none() => "list",
        Method::GET => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if t.name.is_none() => "deletecollection",
        Method::DELETE => "delete",
        _ => "get",
    }
}

/// RBAC simulation: forbidden namespaces, and cluster-wide reads of namespaced resources while
/// any namespace is forbidden (a user bound per namespace has no cluster-wide grant).
fn authorize(sh: &Shared, t: &Target, method: &Method) -> Result<(), ApiError> {
    let store = sh.store();
    if store.forbidden.is_empty() && store.denied.is_empty() {
        return Ok(());
    }
    let v = verb(method, t);
    let plural = match &t.sub {
        Some(s) => format!("{}/{s}", t.res.plural),
        None => t.res.plural.clone(),
    };
    let ns = t.ns.clone().unwrap_or_default();
    if store
        .denied
        .contains(&(v.to_string(), plural.clone(), ns.clone()))
    {
        return Err(ApiError::forbidden(
            USER,
            v,
            &plural,
            &t.res.group,
            t.ns.as_deref(),
        ));
    }
    match &t.ns {
        Some(ns) if store.forbidden.contains(ns) => Err(ApiError::forbidden(
            USER,
            v,
            &plural,
            &t.res.group,
            Some(ns),
        )),
        None if t.res.namespaced => Err(ApiError::forbidden(USER, v, &plural, &t.res.group, None)),
        _ => Ok(()),
    }
}

fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .or_else(|_| serde_yaml_ng::from_slice(body))
        .map_err(|e| ApiError::bad_request(format!("error decoding request body: {e}")))
}

/// Selected objects of a collection, with pagination applied.
fn list(store: &Store, t: &Target, q: &Query) -> Result<Value, ApiError> {
    let labels = LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str))?;
    let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str))?;
    let all: Vec<&Value> = store
        .list(&t.res, t.ns.as_deref())
        .into_iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .collect();
    let start = match q.get("continue").filter(|c| !c.is_empty()) {
        Some(tok) => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(tok)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| ApiError::bad_request("continue key is not valid"))?;
            let (ns, name) = raw.split_once('/').unwrap_or(("", raw.as_str()));
            all.iter()
                .position(|o| (super::store::ns_of(o), name_of(o)) > (ns, name))
                .unwrap_or(all.len())
        }
        None => 0,
    };
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let end = limit.map_or(all.len(), |l| (start + l).min(all.len()));
    let page = &all[start..end];
    let mut meta = json!({"resourceVersion": store.resource_version().to_string()});
    if end < all.len() {
        if let Some(last) = page.last() {
            let key = format!("{}/{}", super::store::ns_of(last), name_of(last));
            meta["continue"] = json!(base64::engine::general_purpose::STANDARD.encode(key));
            meta["remainingItemCount"] = json!(all.len() - end);
        }
    }
    Ok(json!({
        "kind": format!("{}List", t.res.kind),
        "apiVersion": t.res.api_version(),
        "metadata": meta,
        "items": page,
    }))
}

fn render_table(t: &Target, v: Value, q: &Query) -> Value {
    let include = IncludeObject::parse(q.get("includeObject").map(String::as_str));
    let now = jiff::Timestamp::now().as_second();
    if v["kind"].as_str().is_some_and(|k| k.ends_with("List")) {
        let items: Vec<&Value> = v["items"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        table::table(&t.res, &items, include, v["metadata"].clone(), now)
    } else {
        let meta = json!({"resourceVersion": v["metadata"]["resourceVersion"]});
        table::table(&t.res, &[&v], include, meta, now)
    }
}

fn scale_of(obj: &Value) -> Value {
    let selector = obj["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let m = &obj["metadata"];
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                     "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
    })
}

fn access_review(store: &Store, res: &Res, body: &Value) -> Value {
    let mut out = body.clone();
    out["apiVersion"] = json!(res.api_version());
    out["kind"] = json!(res.kind);
    if res.kind == "SelfSubjectRulesReview" {
        let ns = body["spec"]["namespace"].as_str().unwrap_or("");
        let denied = store.forbidden.contains(ns);
        let rules = if denied {
            json!([])
        } else {
            json!([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}])
        };
        out["status"] = json!({"resourceRules": rules, "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": false});
        return out;
    }
    let attrs = &body["spec"]["resourceAttributes"];
    let ns = attrs["namespace"].as_str().unwrap_or("");
    let group = attrs["group"].as_str().unwrap_or("");
    let resource = attrs["resource"].as_str().unwrap_or("");
    let namespaced = store.catalog().is_namespaced(group, resource);
    let verb = attrs["verb"].as_str().unwrap_or("");
    let plural = match attrs["subresource"].as_str().filter(|s| !s.is_empty()) {
        Some(sub) => format!("{resource}/{sub}"),
        None => resource.to_string(),
    };
    let denied = store.forbidden.contains(ns)
        || (ns.is_empty() && namespaced && !store.forbidden.is_empty())
        || store
            .denied
            .contains(&(verb.to_string(), plural, ns.to_string()));
    out["status"] = if denied {
        json!({"allowed": false})
    } else {
        json!({"allowed": true, "reason": format!("RBAC: allowed by ClusterRoleBinding \"k8s-nas-sim\" of ClusterRole \"cluster-admin\" to User \"{USER}\"")})
    };
    out
}

/// Everything except watch, logs and proxy: returns (HTTP code, body).
fn dispatch(
    sh: &Shared,
    t: &Target,
    method: &Method,
    headers: &HeaderMap,
    q: &Query,
    body: &Bytes,
) -> Result<(u16, Value), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media_type = ct.split(';').next().unwrap_or("").trim();
    let parse_body = |body: &Bytes| -> Result<Value, ApiError> {
        match media_type {
            "application/vnd.kubernetes.protobuf" => super::proto::decode(body),
            "" | "application/json" | "application/yaml" => parse_body(body),
            other => Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {other})"),
            )),
        }
    };
    let mut store = sh.store();
    let ns = t.ns.clone().unwrap_or_default();
    let res = &t.res;
    let q_name = res.qualified();
    match (method.clone(), &t.name, t.sub.as_deref()) {
        (Method::GET, None, None) => Ok((200, list(&store, t, q)?)),
        (Method::POST, None, None) if res.group == "authorization.k8s.io" => {
            Ok((201, access_review(&store, res, &parse_body(body)?)))
        }
        (Method::POST, None, None) => {
            let obj = parse_body(body)?;
            if is_dry_run(q) {
                return Ok((201, obj));
            }
            Ok((201, store.create(res, &ns, obj)?))
        }
        (Method::DELETE, None, None) => {
            let listed = list(&store, t, q)?;
            let names: Vec<(String, String)> = listed["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| (super::store::ns_of(o).to_string(), name_of(o).to_string()))
                        .collect()
                })
                .unwrap_or_default();
            for (n, name) in names {
                store.delete(res, &n, &name)?;
            }
            Ok((200, listed))
        }
        (Method::GET, Some(name), None) | (Method::GET, Some(name), Some("status")) => store
            .get(res, &ns, name)
            .cloned()
            .map(|o| (200, o))
            .ok_or_else(|| ApiError::not_found(&q_name, name)),
        (Method::GET, Some(name), Some("scale")) => store
            .get(res, &ns, name)
            .map(|o| (200, scale_of(o)))
            .ok_or_else(|| ApiError::not_found(&q_name, name)),
        (Method::PUT, Some(name), sub) => {
            let obj = parse_body(body)?;
            match sub {
                Some("scale") => {
                    set_replicas(&mut store, res, &ns, name, &obj, q).map(|v| (200, v))
                }
                Some("status") => Ok((200, store.update(res, &ns, name, obj, UpdateMode::Status)?)),
                _ => Ok((200, store.update(res, &ns, name, obj, UpdateMode::Main)?)),
            }
        }
        (Method::PATCH, Some(name), sub) => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let kind = PatchKind::from_content_type(ct)?;
            if kind == PatchKind::Strategic && res.custom {
                // Custom resources have no patch strategy metadata: the real server refuses.
                return Err(ApiError::new(
                    415,
                    "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                ));
            }
            let current = match store.get(res, &ns, name) {
                Some(o) => o.clone(),
                None if kind == PatchKind::Apply && sub.is_none() => {
                    let mut obj = apply_patch(kind, &json!({}), body)?;
                    obj["metadata"]["name"] = json!(name);
                    return Ok((201, store.create(res, &ns, obj)?));
                }
                None => return Err(ApiError::not_found(&q_name, name)),
            };
            match sub {
                Some("scale") => {
                    let patched = apply_patch(kind, &scale_of(&current), body)?;
                    set_replicas(&mut store, res, &ns, name, &patched, q).map(|v| (200, v))
                }
                _ => {
                    let mut patched = apply_patch(kind, &current, body)?;
                    if let Some(m) = patched["metadata"].as_object_mut() {
                        m.remove("resourceVersion");
                    }
                    if is_dry_run(q) {
                        return Ok((200, patched));
                    }
                    let mode = if sub == Some("status") {
                        UpdateMode::Status
                    } else {
                        UpdateMode::Main
                    };
                    Ok((200, store.update(res, &ns, name, patched, mode)?))
                }
            }
        }
        (Method::DELETE, Some(name), None) => {
            if is_dry_run(q) {
                return store
                    .get(res, &ns, name)
                    .cloned()
                    .map(|o| (200, o))
                    .ok_or_else(|| ApiError::not_found(&q_name, name));
            }
            Ok((200, store.delete(res, &ns, name)?))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn is_dry_run(q: &Query) -> bool {
    q.get("dryRun").is_some_and(|v| v == "All")
}

/// Apply a Scale's `spec.replicas` to a Deployment/StatefulSet/ReplicaSet.
fn set_replicas(
    store: &mut Store,
    res: &Res,
    ns: &str,
    name: &str,
    scale: &Value,
    q: &Query,
) -> Result<Value, ApiError> {
    let current = store
        .get(res, ns, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&res.qualified(), name))?;
    let replicas = scale["spec"]["replicas"]
        .as_i64()
        .filter(|r| *r >= 0)
        .ok_or_else(|| ApiError::invalid(format!("Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0")))?;
    if let Some(rv) = scale["metadata"]["resourceVersion"]
        .as_str()
        .filter(|r| !r.is_empty())
    {
        if Some(rv) != current["metadata"]["resourceVersion"].as_str() {
            return Err(ApiError::conflict(&res.qualified(), name));
        }
    }
    if is_dry_run(q) {
        let mut next = current.clone();
        next["spec"]["replicas"] = json!(replicas);
        return Ok(scale_of(&next));
    }
    let mut next = current;
    next["spec"]["replicas"] = json!(replicas);
    if let Some(m) = next["metadata"].as_object_mut() {
        m.remove("resourceVersion");
    }
    let updated = store.update(res, ns, name, next, UpdateMode::Main)?;
    Ok(scale_of(&updated))
}

/// The axum router: one fallback handler does the routing.
pub fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

/// Used by watch/log streams: a body from a stream of byte chunks.
pub fn stream_body<S>(s: S) -> Body
where
    S: futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    Body::from_stream(s)
}
