//! PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch for the common cases, and
//! JSON patch (RFC 6902). Pure functions over `serde_json::Value`.

use super::error::ApiError;
use serde_json::{Map, Value};

/// Which patch format the `Content-Type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Strategic,
    Json,
    /// Server-side apply; treated as a merge of the applied configuration.
    Apply,
}

impl PatchKind {
    pub fn from_content_type(ct: &str) -> Result<Self, ApiError> {
        let ct = ct.split(';').next().unwrap_or("").trim();
        match ct {
            "application/merge-patch+json" => Ok(PatchKind::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
            "application/json-patch+json" => Ok(PatchKind::Json),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(PatchKind::Apply),
            other => Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other:?})"),
            )),
        }
    }
}

/// Parse a patch body (YAML accepted for server-side apply) and apply it to `target`.
pub fn apply_patch(kind: PatchKind, target: &Value, body: &[u8]) -> Result<Value, ApiError> {
    let bad = |e: String| ApiError::bad_request(format!("error decoding patch: {e}"));
    let patch: Value = match kind {
        PatchKind::Apply => serde_yaml_ng::from_slice(body).map_err(|e| bad(e.to_string()))?,
        _ => serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?,
    };
    let mut out = target.clone();
    match kind {
        PatchKind::Merge | PatchKind::Apply => json_patch::merge(&mut out, &patch),
        PatchKind::Strategic => strategic_merge(&mut out, &patch, ""),
        PatchKind::Json => {
            let ops: json_patch::Patch =
                serde_json::from_value(patch).map_err(|e| bad(e.to_string()))?;
            json_patch::patch(&mut out, &ops).map_err(|e| {
                ApiError::invalid(format!(
                    "the server rejected our request due to an error in our request: {e}"
                ))
            })?;
        }
    }
    Ok(out)
}

/// The merge key of a list field in strategic merge patch, for the lists we care about.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "ephemeralContainers" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "ports" => Some("containerPort"),
        "tolerations" => None,
        _ => None,
    }
}

/// Strategic merge: maps merge recursively, `null` deletes, lists with a known merge key merge
/// element-wise by that key (`$patch: delete` removes an element), other lists are replaced.
pub fn strategic_merge(target: &mut Value, patch: &Value, field: &str) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            if p.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut p = p.clone();
                p.remove("$patch");
                *t = p;
                return;
            }
            for (k, v) in p {
                if k.starts_with("$setElementOrder/") || k == "$retainKeys" {
                    continue;
                }
                if v.is_null() {
                    t.remove(k);
                    continue;
                }
                match t.get_mut(k) {
                    Some(existing) => strategic_merge(existing, v, k),
                    None => {
                        let mut fresh = Value::Object(Map::new());
                        if v.is_object() {
                            strategic_merge(&mut fresh, v, k);
                        } else {
                            fresh = v.clone();
                        }
                        t.insert(k.clone(), fresh);
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(p)) => match merge_key(field) {
            Some(key) if field == "ports" && p.iter().any(|e| e.get(key).is_none()) => {
                *t = p.clone();
            }
            Some(key) => {
                for elem in p {
                    let id = elem.get(key).cloned();
                    let pos = id
                        .as_ref()
                        .and_then(|id| t.iter().position(|e| e.get(key) == Some(id)));
                    let delete = elem.get("$patch").and_then(Value::as_str) == Some("delete");
                    match (pos, delete) {
                        (Some(i), true) => {
                            t.remove(i);
                        }
                        (None, true) => {}
                        (Some(i), false) => strategic_merge(&mut t[i], elem, ""),
                        (None, false) => t.push(elem.clone()),
                    }
                }
            }
            None => *t = p.clone(),
        },
        (t, p) => *t = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merges_containers_and_env_by_name() {
        let dep = json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"name": "app", "image": "sonarr:4", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "side", "image": "gluetun"}
        ]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}
        ]}}}});
        let out = apply_patch(PatchKind::Strategic, &dep, patch.to_string().as_bytes()).unwrap();
        let cs = out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0]["image"], "sonarr:4");
        assert_eq!(
            cs[0]["env"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}])
        );
        assert_eq!(out["spec"]["replicas"], 1);
    }

    #[test]
    fn merge_patch_nulls_delete_and_lists_replace() {
        let obj =
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"args": ["x", "y"]}});
        let patch = br#"{"metadata": {"labels": {"a": null}}, "spec": {"args": ["z"]}}"#;
        let out = apply_patch(PatchKind::Merge, &obj, patch).unwrap();
        assert_eq!(
            out,
            json!({"metadata": {"labels": {"b": "2"}}, "spec": {"args": ["z"]}})
        );
    }

    #[test]
    fn json_patch_ops_and_errors() {
        let obj = json!({"spec": {"replicas": 1}});
        let out = apply_patch(
            PatchKind::Json,
            &obj,
            br#"[{"op": "replace", "path": "/spec/replicas", "value": 3}]"#,
        )
        .unwrap();
        assert_eq!(out["spec"]["replicas"], 3);
        let err = apply_patch(
            PatchKind::Json,
            &obj,
            br#"[{"op": "remove", "path": "/nope"}]"#,
        )
        .unwrap_err();
        assert_eq!(err.code, 422);
        assert!(apply_patch(PatchKind::Merge, &obj, b"{not json").is_err());
    }
}
