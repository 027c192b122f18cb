//! The few protobuf request bodies `kubectl` sends. Since client-go 1.32 typed clients encode
//! built-in kinds as `application/vnd.kubernetes.protobuf`; kubectl does this for
//! `auth can-i` (SelfSubjectAccessReview) and `create configmap|secret|namespace`. This decodes
//! those kinds' fields into the JSON the rest of the server works with; other kinds get 415.
//! `create job --from=cronjob/X` sends a Job: its metadata (with owner references) and the
//! parts of the spec a simulated run uses ([`super::proto_pod`]).
//! Wire format: the magic `k8s\0`, then a `runtime.Unknown` {typeMeta, raw} whose `raw` is the
//! object's message.

use super::error::ApiError;
use base64::Engine;
use serde_json::{json, Map, Value};

/// One protobuf field: number and payload (varint value or length-delimited bytes).
pub(super) enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

pub(super) fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

/// All fields of a message, in order; `None` on malformed input.
pub(super) fn fields(buf: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (num, wire) = (key >> 3, key & 7);
        let f = match wire {
            0 => Field::Varint(varint(buf, &mut pos)?),
            2 => {
                let len = varint(buf, &mut pos)? as usize;
                let end = pos.checked_add(len).filter(|e| *e <= buf.len())?;
                let f = Field::Bytes(&buf[pos..end]);
                pos = end;
                f
            }
            1 => {
                pos += 8;
                Field::Varint(0)
            }
            5 => {
                pos += 4;
                Field::Varint(0)
            }
            _ => return None,
        };
        out.push((num, f));
    }
    (pos == buf.len()).then_some(out)
}

pub(super) fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

/// A `map<string, string|bytes>` entry list → JSON object (bytes base64-encoded).
pub(super) fn map_entry(obj: &mut Map<String, Value>, entry: &[u8], bytes: bool) -> Option<()> {
    let mut key = String::new();
    let mut val = Value::String(String::new());
    for (n, f) in fields(entry)? {
        if let Field::Bytes(b) = f {
            match n {
                1 => key = String::from_utf8_lossy(b).into_owned(),
                2 if bytes => val = json!(base64::engine::general_purpose::STANDARD.encode(b)),
                2 => val = text(b),
                _ => {}
            }
        }
    }
    obj.insert(key, val);
    Some(())
}

pub(super) fn object_meta(buf: &[u8]) -> Option<Value> {
    let mut m = Map::new();
    let (mut labels, mut annotations) = (Map::new(), Map::new());
    for (n, f) in fields(buf)? {
        let Field::Bytes(b) = f else { continue };
        match n {
            1 => {
                m.insert("name".into(), text(b));
            }
            2 => {
                m.insert("generateName".into(), text(b));
            }
            3 => {
                m.insert("namespace".into(), text(b));
            }
            11 => map_entry(&mut labels, b, false)?,
            12 => map_entry(&mut annotations, b, false)?,
            13 => {
                let mut r = Map::new();
                for (rn, rf) in fields(b)? {
                    let name = match rn {
                        1 => "kind",
                        3 => "name",
                        4 => "uid",
                        5 => "apiVersion",
                        6 => "controller",
                        7 => "blockOwnerDeletion",
                        _ => continue,
                    };
                    match rf {
                        Field::Bytes(x) => r.insert(name.into(), text(x)),
                        Field::Varint(v) => r.insert(name.into(), json!(v != 0)),
                    };
                }
                let refs = m.entry("ownerReferences").or_insert_with(|| json!([]));
                refs.as_array_mut()?.push(Value::Object(r));
            }
            _ => {}
        }
    }
    if !labels.is_empty() {
        m.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    Some(Value::Object(m))
}

fn strings(buf: &[u8], names: &[(u64, &str)]) -> Option<Value> {
    let mut m = Map::new();
    for (n, f) in fields(buf)? {
        if let (Field::Bytes(b), Some((_, name))) = (f, names.iter().find(|(k, _)| *k == n)) {
            m.insert((*name).into(), text(b));
        }
    }
    Some(Value::Object(m))
}

fn decode_kind(kind: &str, raw: &[u8]) -> Option<Value> {
    let mut obj = Map::new();
    let mut maps: [Map<String, Value>; 3] = Default::default();
    for (n, f) in fields(raw)? {
        match (kind, n, f) {
            (_, 1, Field::Bytes(b)) => {
                obj.insert("metadata".into(), object_meta(b)?);
            }
            ("ConfigMap", 2, Field::Bytes(b)) => map_entry(&mut maps[0], b, false)?,
            ("ConfigMap", 3, Field::Bytes(b)) => map_entry(&mut maps[1], b, true)?,
            ("ConfigMap" | "Secret", 4 | 5, Field::Varint(v)) if (kind, n) != ("Secret", 4) => {
                obj.insert("immutable".into(), json!(v != 0));
            }
            ("Secret", 2, Field::Bytes(b)) => map_entry(&mut maps[0], b, true)?,
            ("Secret", 3, Field::Bytes(b)) => {
                obj.insert("type".into(), text(b));
            }
            ("Secret", 4, Field::Bytes(b)) => map_entry(&mut maps[2], b, false)?,
            ("SelfSubjectAccessReview", 2, Field::Bytes(b)) => {
                let mut spec = Map::new();
                for (sn, sf) in fields(b)? {
                    let Field::Bytes(sb) = sf else { continue };
                    match sn {
                        1 => {
                            spec.insert(
                                "resourceAttributes".into(),
                                strings(
                                    sb,
                                    &[
                                        (1, "namespace"),
                                        (2, "verb"),
                                        (3, "group"),
                                        (4, "version"),
                                        (5, "resource"),
                                        (6, "subresource"),
                                        (7, "name"),
                                    ],
                                )?,
                            );
                        }
                        2 => {
                            spec.insert(
                                "nonResourceAttributes".into(),
                                strings(sb, &[(1, "path"), (2, "verb")])?,
                            );
                        }
                        _ => {}
                    }
                }
                obj.insert("spec".into(), Value::Object(spec));
            }
            ("Job", 2, Field::Bytes(b)) => {
                obj.insert("spec".into(), super::proto_pod::job_spec(b)?);
            }
            ("SelfSubjectRulesReview", 2, Field::Bytes(b)) => {
                obj.insert("spec".into(), strings(b, &[(1, "namespace")])?);
            }
            _ => {}
        }
    }
    let names: &[&str] = match kind {
        "ConfigMap" => &["data", "binaryData", ""],
        "Secret" => &["data", "", "stringData"],
        _ => &["", "", ""],
    };
    for (name, map) in names.iter().zip(maps) {
        if !name.is_empty() && !map.is_empty() {
            obj.insert((*name).into(), Value::Object(map));
        }
    }
    Some(Value::Object(obj))
}

/// Decode a `application/vnd.kubernetes.protobuf` body into a JSON object.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let unsupported = |what: String| {
        ApiError::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml ({what})"))
    };
    let inner = body
        .strip_prefix(b"k8s\0")
        .ok_or_else(|| ApiError::bad_request("protobuf body without the k8s magic prefix"))?;
    let malformed = || ApiError::bad_request("malformed protobuf body");
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (n, f) in fields(inner).ok_or_else(malformed)? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (tn, tf) in fields(tm).ok_or_else(malformed)? {
                    if let Field::Bytes(s) = tf {
                        match tn {
                            1 => api_version = String::from_utf8_lossy(s).into_owned(),
                            2 => kind = String::from_utf8_lossy(s).into_owned(),
                            _ => {}
                        }
                    }
                }
            }
            (2, Field::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    if !matches!(
        kind.as_str(),
        "ConfigMap"
            | "Secret"
            | "Namespace"
            | "Job"
            | "SelfSubjectAccessReview"
            | "SelfSubjectRulesReview"
    ) {
        return Err(unsupported(format!(
            "protobuf {kind} is not decoded by the simulator"
        )));
    }
    let mut obj = decode_kind(&kind, raw).ok_or_else(malformed)?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_configmap_envelope() {
        let meta = [ld(1, b"settings"), ld(3, b"media")].concat();
        let entry = [ld(1, b"a"), ld(2, b"1")].concat();
        let raw = [ld(1, &meta), ld(2, &entry)].concat();
        let tm = [ld(1, b"v1"), ld(2, b"ConfigMap")].concat();
        let body = [b"k8s\0".to_vec(), ld(1, &tm), ld(2, &raw)].concat();
        let obj = decode(&body).unwrap();
        assert_eq!(
            obj,
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "media"}, "data": {"a": "1"}})
        );
        assert_eq!(decode(b"k8s\0\xff").unwrap_err().code, 400);
        assert_eq!(decode(b"nope").unwrap_err().code, 400);
    }
}
