//! Protobuf `batch/v1` JobSpec and the `core/v1` pod template inside it, as far as a simulated
//! run uses them (field numbers from k8s.io/api's generated.proto): the Job's parallelism,
//! completions, deadlines, backoff limit and suspend; the template's metadata; the pod's
//! restart policy, service account, node selector, host network, containers and init
//! containers (name, image, command, args, working dir, env with values or Secret/ConfigMap
//! key references, volume mounts, pull policy) and volumes (hostPath, emptyDir, Secret,
//! PersistentVolumeClaim, ConfigMap). Other fields are dropped.

use super::proto::{fields, map_entry, object_meta, text, Field};
use serde_json::{json, Map, Value};

/// A message's fields as named JSON values: strings for bytes, numbers for varints (`bool`
/// names get booleans).
fn scalars(buf: &[u8], names: &[(u64, &str)], bools: &[&str]) -> Option<Map<String, Value>> {
    let mut m = Map::new();
    for (n, f) in fields(buf)? {
        let Some((_, name)) = names.iter().find(|(k, _)| *k == n) else {
            continue;
        };
        let v = match f {
            Field::Bytes(b) => text(b),
            Field::Varint(v) if bools.contains(name) => json!(v != 0),
            Field::Varint(v) => json!(v as i64),
        };
        m.insert((*name).into(), v);
    }
    Some(m)
}

/// `LocalObjectReference`-carrying key selector (Secret/ConfigMap key refs).
fn key_ref(buf: &[u8]) -> Option<Value> {
    let mut m = Map::new();
    for (n, f) in fields(buf)? {
        match (n, f) {
            (1, Field::Bytes(b)) => {
                m.extend(scalars(b, &[(1, "name")], &[])?);
            }
            (2, Field::Bytes(b)) => {
                m.insert("key".into(), text(b));
            }
            (3, Field::Varint(v)) => {
                m.insert("optional".into(), json!(v != 0));
            }
            _ => {}
        }
    }
    Some(Value::Object(m))
}

fn env_var(buf: &[u8]) -> Option<Value> {
    let mut m = Map::new();
    for (n, f) in fields(buf)? {
        let Field::Bytes(b) = f else { continue };
        match n {
            1 => {
                m.insert("name".into(), text(b));
            }
            2 => {
                m.insert("value".into(), text(b));
            }
            3 => {
                let mut from = Map::new();
                for (sn, sf) in fields(b)? {
                    let Field::Bytes(sb) = sf else { continue };
                    match sn {
                        3 => from.insert("configMapKeyRef".into(), key_ref(sb)?),
                        4 => from.insert("secretKeyRef".into(), key_ref(sb)?),
                        _ => None,
                    };
                }
                m.insert("valueFrom".into(), Value::Object(from));
            }
            _ => {}
        }
    }
    Some(Value::Object(m))
}

fn push(m: &mut Map<String, Value>, key: &str, v: Value) {
    if let Value::Array(a) = m.entry(key).or_insert_with(|| json!([])) {
        a.push(v);
    }
}

fn container(buf: &[u8]) -> Option<Value> {
    let mut m = scalars(
        buf,
        &[
            (1, "name"),
            (2, "image"),
            (5, "workingDir"),
            (14, "imagePullPolicy"),
        ],
        &[],
    )?;
    for (n, f) in fields(buf)? {
        let Field::Bytes(b) = f else { continue };
        match n {
            3 => push(&mut m, "command", text(b)),
            4 => push(&mut m, "args", text(b)),
            7 => push(&mut m, "env", env_var(b)?),
            9 => push(
                &mut m,
                "volumeMounts",
                Value::Object(scalars(
                    b,
                    &[
                        (1, "name"),
                        (2, "readOnly"),
                        (3, "mountPath"),
                        (4, "subPath"),
                    ],
                    &["readOnly"],
                )?),
            ),
            _ => {}
        }
    }
    Some(Value::Object(m))
}

fn volume(buf: &[u8]) -> Option<Value> {
    let mut m = Map::new();
    for (n, f) in fields(buf)? {
        let Field::Bytes(b) = f else { continue };
        match n {
            1 => {
                m.insert("name".into(), text(b));
            }
            2 => {
                for (sn, sf) in fields(b)? {
                    let Field::Bytes(sb) = sf else { continue };
                    let (key, v) = match sn {
                        1 => ("hostPath", scalars(sb, &[(1, "path"), (2, "type")], &[])?),
                        2 => ("emptyDir", scalars(sb, &[(1, "medium")], &[])?),
                        6 => (
                            "secret",
                            scalars(
                                sb,
                                &[(1, "secretName"), (3, "defaultMode"), (4, "optional")],
                                &["optional"],
                            )?,
                        ),
                        10 => (
                            "persistentVolumeClaim",
                            scalars(sb, &[(1, "claimName"), (2, "readOnly")], &["readOnly"])?,
                        ),
                        19 => {
                            let Value::Object(r) = key_ref(sb)? else {
                                continue;
                            };
                            ("configMap", r)
                        }
                        _ => continue,
                    };
                    m.insert(key.into(), Value::Object(v));
                }
            }
            _ => {}
        }
    }
    Some(Value::Object(m))
}

fn pod_spec(buf: &[u8]) -> Option<Value> {
    let mut m = scalars(
        buf,
        &[
            (3, "restartPolicy"),
            (4, "terminationGracePeriodSeconds"),
            (5, "activeDeadlineSeconds"),
            (8, "serviceAccountName"),
            (10, "nodeName"),
            (11, "hostNetwork"),
        ],
        &["hostNetwork"],
    )?;
    let mut selector = Map::new();
    for (n, f) in fields(buf)? {
        let Field::Bytes(b) = f else { continue };
        match n {
            1 => push(&mut m, "volumes", volume(b)?),
            2 => push(&mut m, "containers", container(b)?),
            7 => map_entry(&mut selector, b, false)?,
            20 => push(&mut m, "initContainers", container(b)?),
            _ => {}
        }
    }
    if !selector.is_empty() {
        m.insert("nodeSelector".into(), Value::Object(selector));
    }
    Some(Value::Object(m))
}

/// A `JobSpec` message as JSON.
pub fn job_spec(buf: &[u8]) -> Option<Value> {
    let mut m = scalars(
        buf,
        &[
            (1, "parallelism"),
            (2, "completions"),
            (3, "activeDeadlineSeconds"),
            (7, "backoffLimit"),
            (8, "ttlSecondsAfterFinished"),
            (9, "completionMode"),
            (10, "suspend"),
        ],
        &["suspend"],
    )?;
    for (n, f) in fields(buf)? {
        if let (6, Field::Bytes(b)) = (n, f) {
            let mut t = Map::new();
            for (tn, tf) in fields(b)? {
                match (tn, tf) {
                    (1, Field::Bytes(x)) => {
                        t.insert("metadata".into(), object_meta(x)?);
                    }
                    (2, Field::Bytes(x)) => {
                        t.insert("spec".into(), pod_spec(x)?);
                    }
                    _ => {}
                }
            }
            m.insert("template".into(), Value::Object(t));
        }
    }
    Some(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8];
        let mut len = payload.len();
        while len >= 0x80 {
            v.push((len as u8 & 0x7f) | 0x80);
            len >>= 7;
        }
        v.push(len as u8);
        v.extend_from_slice(payload);
        v
    }

    fn vi(num: u64, v: u8) -> Vec<u8> {
        vec![(num << 3) as u8, v]
    }

    #[test]
    fn decodes_a_job_spec_with_its_pod_template() {
        let mount = [ld(1, b"cfg"), ld(3, b"/config"), vi(2, 1)].concat();
        let secret_ref = [ld(1, &ld(1, b"creds")), ld(2, b"token")].concat();
        let env = [ld(1, b"TOKEN"), ld(3, &ld(4, &secret_ref))].concat();
        let c = [
            ld(1, b"sync"),
            ld(2, b"busybox:1.36"),
            ld(3, b"sh"),
            ld(3, b"-c"),
            ld(4, b"echo hi"),
            ld(7, &env),
            ld(9, &mount),
        ]
        .concat();
        let vol = [ld(1, b"cfg"), ld(2, &ld(10, &ld(1, b"app-config")))].concat();
        let spec = [ld(1, &vol), ld(2, &c), ld(3, b"Never")].concat();
        let tpl = [
            ld(1, &ld(11, &[ld(1, b"app"), ld(2, b"sync")].concat())),
            ld(2, &spec),
        ]
        .concat();
        let job = [vi(7, 0), ld(6, &tpl), vi(10, 0)].concat();
        let v = job_spec(&job).unwrap();
        assert_eq!(
            v,
            json!({"backoffLimit": 0, "suspend": false, "template": {
                "metadata": {"labels": {"app": "sync"}},
                "spec": {"restartPolicy": "Never",
                    "volumes": [{"name": "cfg", "persistentVolumeClaim": {"claimName": "app-config"}}],
                    "containers": [{"name": "sync", "image": "busybox:1.36",
                        "command": ["sh", "-c"], "args": ["echo hi"],
                        "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}],
                        "volumeMounts": [{"name": "cfg", "mountPath": "/config", "readOnly": true}]}]}}})
        );
        assert!(job_spec(&[0x32, 0x05, 1]).is_none(), "truncated");
    }
}
