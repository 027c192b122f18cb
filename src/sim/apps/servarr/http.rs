//! Wire conventions shared by every Servarr handler: auth (§1.1), URL base (§1.7), JSON answers,
//! FluentValidation-style 400 arrays (§1.5). Pure functions, no state.

use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Map, Value};

/// A JSON answer (camelCase, nulls already omitted by the caller).
pub fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

pub fn ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

/// `{"message": …}` with a status, like the apps' error middleware.
pub fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "message": message }))
}

pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NotFound")
}

/// An empty 401: the apps' API-key challenge only sets the status.
pub fn unauthorized() -> Response {
    Response::builder()
        .status(StatusCode::UNAUTHORIZED)
        .body(Body::empty())
        .unwrap_or_default()
}

/// One validation failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub property: String,
    pub message: String,
    pub attempted: Value,
    pub warning: bool,
}

impl Failure {
    pub fn error(property: &str, message: impl Into<String>) -> Self {
        Failure {
            property: property.to_string(),
            message: message.into(),
            attempted: Value::Null,
            warning: false,
        }
    }
    pub fn warning(property: &str, message: impl Into<String>) -> Self {
        Failure {
            warning: true,
            ..Failure::error(property, message)
        }
    }
    pub fn with_value(mut self, v: Value) -> Self {
        self.attempted = v;
        self
    }

    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "propertyName": self.property,
            "errorMessage": self.message,
            "severity": if self.warning { "warning" } else { "error" },
            "isWarning": self.warning,
        });
        if !self.attempted.is_null() {
            v["attemptedValue"] = self.attempted.clone();
        }
        v
    }
}

/// 400 with the array of failures.
pub fn validation(failures: &[Failure]) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &Value::Array(failures.iter().map(Failure::to_json).collect()),
    )
}

/// The key a request presents, in the apps' order: query `apikey`, `X-Api-Key`, `Bearer`.
/// The first place that holds one wins, even when a later place holds the right key.
pub fn presented_key(query: Option<&str>, headers: &HeaderMap) -> Option<String> {
    if let Some(q) = query {
        if let Some((_, v)) = url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case("apikey"))
        {
            return Some(v.into_owned());
        }
    }
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.to_string());
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
}

/// A query parameter (case-insensitive name).
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

pub fn query_flag(query: Option<&str>, name: &str) -> bool {
    query_param(query, name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Split `path` into (carries the URL base?, path below the base). Case-insensitive like ASP.NET's
/// `UsePathBase`. With no URL base every path counts as prefixed.
pub fn strip_url_base<'a>(url_base: &str, path: &'a str) -> (bool, &'a str) {
    if url_base.is_empty() {
        return (true, path);
    }
    let n = url_base.len();
    if path.len() >= n && path.is_char_boundary(n) && path[..n].eq_ignore_ascii_case(url_base) {
        let rest = &path[n..];
        if rest.is_empty() {
            return (true, "/");
        }
        if rest.starts_with('/') {
            return (true, rest);
        }
    }
    (false, path)
}

/// Routes the API key is not needed for (`[AllowAnonymous]` and the UI-policy pages, which the
/// simulator serves as if `AuthenticationMethod` allowed them).
pub fn is_anonymous(lower_path: &str) -> bool {
    matches!(lower_path, "/ping" | "/login" | "/api" | "/api/" | "/")
        || lower_path.starts_with("/content/")
}

/// Does this path get the API-key policy and the version header?
pub fn is_api(lower_path: &str) -> bool {
    lower_path == "/api" || lower_path.starts_with("/api/")
}

/// 307 to the prefixed path, query kept.
pub fn redirect_to_base(url_base: &str, path: &str, query: Option<&str>) -> Response {
    let loc = match query {
        Some(q) => format!("{url_base}{path}?{q}"),
        None => format!("{url_base}{path}"),
    };
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    if let Ok(v) = HeaderValue::from_str(&loc) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A property of a JSON object, matched case-insensitively like the apps' deserializer.
pub fn get_ci<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Parse a request body as a JSON object (trailing commas are not accepted here).
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("Request body must be a JSON object".into()),
        Err(e) => Err(format!("Invalid JSON: {e}")),
    }
}

pub fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_base_is_case_insensitive_and_segment_bound() {
        assert_eq!(strip_url_base("/sonarr", "/Sonarr/api"), (true, "/api"));
        assert_eq!(strip_url_base("/sonarr", "/sonarr"), (true, "/"));
        assert_eq!(
            strip_url_base("/sonarr", "/sonarrx/api"),
            (false, "/sonarrx/api")
        );
        assert_eq!(strip_url_base("", "/api"), (true, "/api"));
    }

    #[test]
    fn key_order_query_first() {
        let mut h = HeaderMap::new();
        h.insert("x-api-key", HeaderValue::from_static("good"));
        assert_eq!(
            presented_key(Some("apikey=bad"), &h).as_deref(),
            Some("bad")
        );
        assert_eq!(presented_key(None, &h).as_deref(), Some("good"));
        let mut b = HeaderMap::new();
        b.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k"));
        assert_eq!(presented_key(Some("x=1"), &b).as_deref(), Some("k"));
        assert_eq!(presented_key(None, &HeaderMap::new()), None);
    }
}
