//! `d` on any watched object (Service, Job, CronJob, PVC, Ingress, ConfigMap, custom resources
//! such as Certificate or Application …): a kubectl-describe-like header (name, namespace,
//! kind, labels, annotations trimmed), the rest of the object as indented YAML without
//! `managedFields`, then its aggregated events. A Secret shows its key names and byte sizes
//! only, as `kubectl describe secret` does — never a value. Pure formatting.

use super::{events_section, EventLine};
use serde_json::Value;
use std::fmt::Write;

/// An annotation value longer than this is cut (`…`).
const ANNOTATION_MAX: usize = 80;

/// Annotations left out: a copy of the whole object, longer than the object itself.
const SKIPPED_ANNOTATIONS: [&str; 1] = ["kubectl.kubernetes.io/last-applied-configuration"];

/// Describe `object` (the object as JSON) of `kind`.
pub fn object(kind: &str, object: &Value, events: &[EventLine], now: jiff::Timestamp) -> String {
    let mut s = String::new();
    let md = &object["metadata"];
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let _ = writeln!(s, "Name:         {}", text(&md["name"]));
    if let Some(ns) = md["namespace"].as_str() {
        let _ = writeln!(s, "Namespace:    {ns}");
    }
    match object["apiVersion"].as_str() {
        Some(api) => {
            let _ = writeln!(s, "Kind:         {kind} ({api})");
        }
        None => {
            let _ = writeln!(s, "Kind:         {kind}");
        }
    }
    map_lines(&mut s, "Labels:", &md["labels"], &[], usize::MAX);
    map_lines(
        &mut s,
        "Annotations:",
        &md["annotations"],
        &SKIPPED_ANNOTATIONS,
        ANNOTATION_MAX,
    );
    if let Some(t) = md["creationTimestamp"].as_str() {
        let _ = writeln!(s, "Created:      {t}");
    }
    if let Some(owner) = md["ownerReferences"].as_array().and_then(|o| o.first()) {
        let _ = writeln!(
            s,
            "Controlled By: {}/{}",
            text(&owner["kind"]),
            text(&owner["name"])
        );
    }
    let secret = kind == "Secret" || object["kind"].as_str() == Some("Secret");
    if secret {
        secret_data(&mut s, object);
    } else if let Some(fields) = object.as_object() {
        for (key, value) in fields {
            if ["apiVersion", "kind", "metadata"].contains(&key.as_str()) {
                continue;
            }
            section(&mut s, key, value);
        }
    }
    events_section(&mut s, events, now);
    s
}

/// `Labels:` / `Annotations:` one `key=value` a line, aligned like kubectl; `<none>` when empty.
fn map_lines(s: &mut String, title: &str, map: &Value, skip: &[&str], max: usize) {
    let entries: Vec<String> = map
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| {
            let v = match v {
                Value::String(t) => t.clone(),
                other => other.to_string(),
            };
            let v = v.replace('\n', " ");
            match v.char_indices().nth(max) {
                Some((cut, _)) => format!("{k}={}…", &v[..cut]),
                None => format!("{k}={v}"),
            }
        })
        .collect();
    if entries.is_empty() {
        let _ = writeln!(s, "{title:<14}<none>");
    }
    for (i, e) in entries.iter().enumerate() {
        let head = if i == 0 { title } else { "" };
        let _ = writeln!(s, "{head:<14}{e}");
    }
}

/// `Spec:` then the value as YAML indented by two spaces, without `managedFields`.
fn section(s: &mut String, key: &str, value: &Value) {
    let mut value = value.clone();
    strip_managed_fields(&mut value);
    let mut title = key.to_string();
    if let Some(first) = title.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let yaml = match &value {
        Value::Object(_) | Value::Array(_) => serde_yaml_ng::to_string(&value).unwrap_or_default(),
        scalar => {
            let one = serde_yaml_ng::to_string(scalar).unwrap_or_default();
            let _ = writeln!(s, "{:<14}{}", format!("{title}:"), one.trim_end());
            return;
        }
    };
    let _ = writeln!(s, "{title}:");
    for line in yaml.lines() {
        let _ = writeln!(s, "  {line}");
    }
}

fn strip_managed_fields(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("managedFields");
            m.values_mut().for_each(strip_managed_fields);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_managed_fields),
        _ => {}
    }
}

/// A Secret: its type and each key with its size in bytes, never a value.
fn secret_data(s: &mut String, object: &Value) {
    let _ = writeln!(
        s,
        "Type:         {}",
        object["type"].as_str().unwrap_or("Opaque")
    );
    let _ = writeln!(s, "\nData\n====");
    let mut keys: Vec<(String, usize)> = Vec::new();
    for (field, base64) in [("data", true), ("stringData", false)] {
        for (k, v) in object[field].as_object().into_iter().flatten() {
            let text = v.as_str().unwrap_or("");
            let len = if base64 {
                decoded_len(text)
            } else {
                text.len()
            };
            keys.push((k.clone(), len));
        }
    }
    // TLS Secrets enter the watch store without their private key: say so, not "absent".
    let unread_key = object["type"].as_str() == Some("kubernetes.io/tls")
        && !keys.iter().any(|(k, _)| k == "tls.key");
    if keys.is_empty() && !unread_key {
        let _ = writeln!(s, "<none>");
    }
    for (k, len) in keys {
        let _ = writeln!(s, "{k}:  {len} bytes");
    }
    if unread_key {
        let _ = writeln!(s, "tls.key:  <not read by the console>");
    }
}

/// The length of what a base64 text decodes to (the API serves Secret data as base64).
fn decoded_len(text: &str) -> usize {
    let text = text.trim();
    let pad = text.bytes().rev().take_while(|b| *b == b'=').count();
    (text.len() / 4 * 3).saturating_sub(pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> jiff::Timestamp {
        "2026-01-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_service_shows_header_yaml_without_managed_fields_and_events() {
        let svc = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {
                "name": "sonarr", "namespace": "media",
                "creationTimestamp": "2026-01-01T10:00:00Z",
                "labels": {"app": "sonarr", "tier": "arr"},
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"huge\": true}",
                    "note": "x".repeat(200),
                },
                "managedFields": [{"manager": "kubectl"}],
            },
            "spec": {"type": "ClusterIP", "ports": [{"port": 8989, "protocol": "TCP"}],
                     "managedFields": "nested too"},
            "status": {"loadBalancer": {}},
        });
        let events = vec![EventLine {
            object: "Service/sonarr".into(),
            type_: "Normal".into(),
            reason: "Updated".into(),
            message: "ports changed".into(),
            count: 1,
            first: None,
            last: Some("2026-01-01T11:00:00Z".parse().unwrap()),
        }];
        let s = object("Service", &svc, &events, now());
        for want in [
            "Name:         sonarr",
            "Namespace:    media",
            "Kind:         Service (v1)",
            "Labels:       app=sonarr\n              tier=arr",
            "Created:      2026-01-01T10:00:00Z",
            "Spec:\n  ports:\n  - port: 8989\n    protocol: TCP\n  type: ClusterIP",
            "Status:\n  loadBalancer: {}",
            "Events:",
            "Updated",
            "ports changed",
        ] {
            assert!(s.contains(want), "{want:?} missing:\n{s}");
        }
        assert!(s.contains(&format!("note={}…", "x".repeat(80))), "{s}");
        assert!(!s.contains(&"x".repeat(81)), "annotation trimmed:\n{s}");
        assert!(!s.contains("last-applied"), "{s}");
        assert!(!s.contains("managedFields"), "{s}");
        assert!(!s.contains("kubectl\n"), "{s}");
    }

    #[test]
    fn a_cluster_scoped_custom_resource_has_no_namespace_and_none_maps() {
        let issuer = json!({
            "metadata": {"name": "letsencrypt"},
            "spec": {"acme": {"server": "https://acme.example/dir"}},
        });
        let s = object("ClusterIssuer", &issuer, &[], now());
        assert!(!s.contains("Namespace:"), "{s}");
        assert!(s.contains("Kind:         ClusterIssuer\n"), "{s}");
        assert!(s.contains("Labels:       <none>"), "{s}");
        assert!(s.contains("Annotations:  <none>"), "{s}");
        assert!(
            s.contains("  acme:\n    server: https://acme.example/dir"),
            "{s}"
        );
        assert!(s.contains("Events:\n  <none>"), "{s}");
    }

    #[test]
    fn a_secret_shows_key_names_and_sizes_never_values() {
        // "hunter2-password" is 16 bytes; "c2VjcmV0" is "secret", 6 bytes.
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": "arr-api-keys", "namespace": "media",
                         "annotations": {"owner": "ops"}},
            "data": {"SONARR_API_KEY": "aHVudGVyMi1wYXNzd29yZA==", "short": "c2VjcmV0"},
            "stringData": {"plain": "topsecretvalue"},
        });
        for kind in ["Secret", "Unknown"] {
            let s = object(kind, &secret, &[], now());
            for want in [
                "Type:         Opaque",
                "Data\n====",
                "SONARR_API_KEY:  16 bytes",
                "short:  6 bytes",
                "plain:  14 bytes",
                "Annotations:  owner=ops",
            ] {
                assert!(s.contains(want), "{want:?} missing:\n{s}");
            }
            for secret_text in [
                "aHVudGVy",
                "c2VjcmV0",
                "hunter2",
                "topsecretvalue",
                "Data:\n",
            ] {
                assert!(!s.contains(secret_text), "{secret_text} leaked:\n{s}");
            }
        }
        let tls = json!({
            "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": "wildcard-tls", "namespace": "media"},
            "data": {"tls.crt": "YWJj"},
        });
        let s = object("Secret", &tls, &[], now());
        assert!(s.contains("tls.crt:  3 bytes"), "{s}");
        assert!(s.contains("tls.key:  <not read by the console>"), "{s}");
        assert!(!s.contains("YWJj"), "{s}");
        assert_eq!(decoded_len("aHVudGVyMi1wYXNzd29yZA=="), 16);
        assert_eq!(decoded_len("YQ=="), 1);
        assert_eq!(decoded_len(""), 0);
    }
}
