//! Just enough OpenAPI v3 for `kubectl create -f` / `apply`: kubectl asks `/openapi/v3` whether
//! the server validates fields itself (`fieldValidation` on each resource's PATCH operation);
//! when it does, kubectl sends `fieldValidation=Strict` instead of validating client-side
//! against full schemas, which this simulator does not serve.

use super::registry::{Catalog, ResourceDef};
use serde_json::{json, Map, Value};

fn gv_path(r: &ResourceDef) -> String {
    if r.group.is_empty() {
        format!("api/{}", r.version)
    } else {
        format!("apis/{}/{}", r.group, r.version)
    }
}

/// `GET /openapi/v3`: one entry per group/version.
pub fn root(catalog: Catalog<'_>) -> Value {
    let mut paths = Map::new();
    for r in catalog.iter() {
        let p = gv_path(r);
        paths
            .entry(p.clone())
            .or_insert_with(|| json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=sim")}));
    }
    json!({"paths": paths})
}

/// `GET /openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`.
pub fn group_version(catalog: Catalog<'_>, path: &str) -> Option<Value> {
    let defs: Vec<&ResourceDef> = catalog
        .iter()
        .map(|r| &**r)
        .filter(|r| gv_path(r) == path)
        .collect();
    if defs.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    for r in defs {
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind});
        let params = json!([
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
        ]);
        let op = |action: &str| {
            json!({
                "operationId": format!("{action}{}", r.kind),
                "parameters": params,
                "responses": {"200": {"description": "OK"}},
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
            })
        };
        let base = if r.namespaced {
            format!("/{path}/namespaces/{{namespace}}/{}", r.plural)
        } else {
            format!("/{path}/{}", r.plural)
        };
        paths.insert(base.clone(), json!({"post": op("post")}));
        paths.insert(format!("{base}/{{name}}"), json!({"get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete")}));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.4+k8s-nas-sim"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
