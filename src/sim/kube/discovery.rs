//! Version, health and discovery endpoints: `/version`, `/healthz`, `/api`, `/apis`,
//! group and group/version documents (legacy, or aggregated `apidiscovery.k8s.io/v2` when the
//! client asks for it, as kubectl does), and the OpenAPI v3 index kubectl reads before writes.

use super::error::ApiError;
use super::registry;
use super::server::{json_response, Shared};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Version, health and discovery paths (legacy documents, or the aggregated one when the
/// client asks for it); `None` for every other path.
pub fn serve(sh: &Shared, segs: &[&str], aggregated: bool) -> Option<Response> {
    if let ["version"] = segs {
        return Some(json_response(200, &registry::version_info()));
    }
    if let ["healthz"] | ["livez"] | ["readyz"] = segs {
        return Some((StatusCode::OK, "ok").into_response());
    }
    let store = sh.store();
    let catalog = store.catalog();
    let resp = match segs {
        ["api"] | ["apis"] if aggregated => {
            let doc = catalog.aggregated(segs[0] == "api");
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, registry::AGGREGATED_V2)],
                doc.to_string(),
            )
                .into_response()
        }
        ["api"] => json_response(200, &registry::api_versions(&sh.addr.to_string())),
        ["api", "v1"] => discovery(catalog.resource_list("", "v1")),
        ["apis"] => json_response(200, &catalog.api_group_list()),
        ["apis", g] => discovery(catalog.api_group(g)),
        ["apis", g, v] => discovery(catalog.resource_list(g, v)),
        ["openapi", "v3"] => json_response(200, &super::openapi::root(catalog)),
        ["openapi", "v3", rest @ ..] => {
            discovery(super::openapi::group_version(catalog, &rest.join("/")))
        }
        _ => return None,
    };
    Some(resp)
}

fn discovery(doc: Option<Value>) -> Response {
    match doc {
        Some(d) => json_response(200, &d),
        None => ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
        .into_response(),
    }
}
