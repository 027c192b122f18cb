//! Settings validators of each provider implementation (the apps' FluentValidation rules).

use super::http::Failure;
use super::providers::{field, field_str};
use super::schema::Template;
use crate::clients::servarr::category_field;
use crate::model::AppKind;
use serde_json::{json, Map, Value};

pub fn pascal(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn valid_url(s: &str) -> bool {
    url::Url::parse(s)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// The settings validators of each implementation (FluentValidation rules in the apps).
pub fn settings(kind: AppKind, t: &Template, r: &Map<String, Value>) -> Vec<Failure> {
    let mut out = Vec::new();
    let s = |n: &str| field_str(r, n);
    match t.implementation {
        "QBittorrent" | "Sabnzbd" => {
            let host = s("host");
            if host.trim().is_empty() {
                out.push(Failure::error("Host", "'Host' must not be empty."));
            } else if host.contains(['/', ' ', ':']) && host.parse::<std::net::Ipv6Addr>().is_err()
            {
                out.push(
                    Failure::error("Host", format!("Invalid Host: '{host}'"))
                        .with_value(json!(host)),
                );
            }
            let port =
                field(r, "port").and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
            match port {
                Some(p) if (1..=65535).contains(&p) => {}
                other => out.push(Failure::error(
                    "Port",
                    format!(
                        "'Port' must be between 1 and 65535. You entered {}.",
                        other.map(|p| p.to_string()).unwrap_or_else(|| s("port"))
                    ),
                )),
            }
            let base = s("urlBase");
            if !base.is_empty() && (base.contains(' ') || base.contains("//")) {
                out.push(Failure::error(
                    "UrlBase",
                    format!("Invalid URL base: '{base}'"),
                ));
            }
            let cat = s(category_field(kind));
            if t.implementation == "QBittorrent" {
                if cat.contains('\\')
                    || cat.contains("//")
                    || cat.starts_with('/')
                    || cat.ends_with('/')
                {
                    out.push(Failure::error(
                        &pascal(category_field(kind)),
                        "Can not contain '\\', '//', or start/end with '/'",
                    ));
                }
                if t.field("apiKey").is_some()
                    && !s("apiKey").is_empty()
                    && (!s("username").is_empty() || !s("password").is_empty())
                {
                    out.push(Failure::error(
                        "Username",
                        "Username and Password must be empty when an API Key is set",
                    ));
                }
            } else {
                let (key, user, pass) = (s("apiKey"), s("username"), s("password"));
                if key.is_empty() && user.is_empty() {
                    out.push(Failure::error("ApiKey", "'API Key' must not be empty."));
                }
                if key.is_empty() && !user.is_empty() && pass.is_empty() {
                    out.push(Failure::error("Password", "'Password' must not be empty."));
                }
            }
        }
        "Newznab" | "Torznab" => {
            let base = s("baseUrl");
            if !valid_url(&base) {
                out.push(
                    Failure::error("BaseUrl", format!("Invalid Url: '{base}'"))
                        .with_value(json!(base)),
                );
            }
        }
        "Cardigann" if s("definitionFile").is_empty() => {
            out.push(Failure::error(
                "DefinitionFile",
                "'Definition File' must not be empty.",
            ));
        }
        "Sonarr" | "Radarr" | "Lidarr" => {
            for f in ["baseUrl", "prowlarrUrl"] {
                let v = s(f);
                if !valid_url(&v) {
                    out.push(
                        Failure::error(&pascal(f), format!("Invalid Url: '{v}'"))
                            .with_value(json!(v)),
                    );
                }
            }
            if s("apiKey").is_empty() {
                out.push(Failure::error("ApiKey", "'API Key' must not be empty."));
            }
        }
        _ => {}
    }
    out
}
