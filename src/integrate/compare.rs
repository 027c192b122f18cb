//! Field comparison with reasons a human can act on.

use super::edge::{
    loose_eq, norm_base, show_json, split_url, Cmp, DesiredField, DesiredValue, Edge, EdgeKind,
    SvcRef, SERVARR_MASK,
};
use crate::model::secret::MASK;
use serde::Serialize;
use serde_json::Value;

/// One field that differs, for display (secrets masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub field: String,
    pub current: String,
    pub desired: String,
}

/// A field that must be written, with the reason.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub reason: String,
    pub diff: FieldDiff,
}

static NULL: Value = Value::Null;

/// The value of a desired field inside one current resource of the edge's kind.
pub fn lookup<'a>(kind: EdgeKind, item: &'a Value, name: &str, top: bool) -> Option<&'a Value> {
    if top {
        return item.get(name);
    }
    if kind.is_provider() {
        let f = item
            .get("fields")?
            .as_array()?
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(name))?;
        return Some(f.get("value").unwrap_or(&NULL));
    }
    if matches!(kind, EdgeKind::BazarrSonarr | EdgeKind::BazarrRadarr) {
        let mut v = item;
        for part in name.split('.') {
            v = v.get(part)?;
        }
        return Some(v);
    }
    item.get(name)
}

fn base_words(target: &SvcRef) -> String {
    if target.url_base.is_empty() {
        "no URL base".into()
    } else {
        target.url_base.clone()
    }
}

/// Compare one field; `None` when it is as desired (or cannot be known to differ).
pub fn compare_field(edge: &Edge, f: &DesiredField, current: Option<&Value>) -> Option<Mismatch> {
    let label = edge.label();
    let cur = current.unwrap_or(&NULL);
    let cur_str = cur.as_str().unwrap_or("");
    let desired = f.value.json();
    let diff = |reason: String| {
        let shown_cur = match (&f.value, current) {
            (_, None) => "(not set)".to_string(),
            (DesiredValue::Secret(_), _) if cur.is_null() || cur_str.is_empty() => "(empty)".into(),
            (DesiredValue::Secret(_), _) => MASK.into(),
            (DesiredValue::Plain(_), Some(v)) => show_json(v),
        };
        Some(Mismatch {
            reason,
            diff: FieldDiff {
                field: f.name.clone(),
                current: shown_cur,
                desired: f.value.shown(),
            },
        })
    };
    if let DesiredValue::Secret(s) = &f.value {
        if cur_str == SERVARR_MASK {
            // The app hides the stored value; a non-empty desired secret cannot be known to differ.
            return None;
        }
        if cur.is_null() || cur_str.trim().is_empty() {
            return diff(format!("{label}: {} is empty", f.name));
        }
        if cur_str.trim() == s.expose().trim() {
            return None;
        }
        return diff(format!(
            "{label}: {} differs from the key {} uses",
            f.name,
            edge.to_kind.display()
        ));
    }
    if current.is_none() {
        return diff(format!(
            "{label}: {} is not set, want {}",
            f.name,
            f.value.shown()
        ));
    }
    match &f.cmp {
        Cmp::Exact => {
            if loose_eq(cur, &desired) {
                None
            } else {
                diff(format!(
                    "{label}: {} is {}, want {}",
                    f.name,
                    show_json(cur),
                    f.value.shown()
                ))
            }
        }
        Cmp::Host { target } => {
            // A host given in the file (an override such as an IP) counts as itself.
            if target.host_reaches(cur_str) || cur_str.eq_ignore_ascii_case(desired_str(&desired)) {
                None
            } else if target.host_names_service(cur_str) {
                diff(format!(
                    "{label} uses host {cur_str}, which does not resolve from namespace {} \
                     ({} is in namespace {}: use {})",
                    target.caller_ns,
                    target.app.display(),
                    target.namespace,
                    target.short_fqdn()
                ))
            } else {
                diff(format!(
                    "{label} uses host {}, not {}'s Service {}",
                    if cur_str.is_empty() { "''" } else { cur_str },
                    target.app.display(),
                    target.short_fqdn()
                ))
            }
        }
        Cmp::UrlBase { target } => {
            let want = norm_base(desired.as_str().unwrap_or(""));
            if norm_base(cur_str) == want {
                None
            } else {
                let used = if norm_base(cur_str).is_empty() {
                    "no URL base".to_string()
                } else {
                    norm_base(cur_str)
                };
                diff(format!(
                    "{label} uses {used} but {} serves {}",
                    target.app.display(),
                    base_words(target)
                ))
            }
        }
        Cmp::Url { target } => {
            let want = split_url(desired.as_str().unwrap_or(""));
            let have = split_url(cur_str);
            match (have, want) {
                (Some((hs, hh, hp, hpath)), Some((ws, _, wp, wpath))) => {
                    if hpath != wpath {
                        diff(format!(
                            "{label} uses {cur_str} but {} serves {}",
                            target.app.display(),
                            base_words(target)
                        ))
                    } else if hp != wp || hs != ws {
                        diff(format!(
                            "{label} uses {cur_str} but {} listens on {ws}://…:{}",
                            target.app.display(),
                            wp.unwrap_or(0)
                        ))
                    } else if !target.host_reaches(&hh)
                        && !split_url(desired.as_str().unwrap_or(""))
                            .is_some_and(|(_, wh, _, _)| wh.eq_ignore_ascii_case(&hh))
                    {
                        diff(format!(
                            "{label} uses {cur_str}, whose host does not reach {} from namespace {}",
                            target.app.display(),
                            target.caller_ns
                        ))
                    } else {
                        None
                    }
                }
                _ => diff(format!(
                    "{label}: {} is {}, not a valid URL (want {})",
                    f.name,
                    show_json(cur),
                    f.value.shown()
                )),
            }
        }
    }
}

fn desired_str(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Set `name` to `v` inside a provider's `fields` array (appending when absent).
pub fn set_provider_field(item: &mut Value, name: &str, v: Value) {
    if !item.get("fields").is_some_and(Value::is_array) {
        item["fields"] = Value::Array(vec![]);
    }
    if let Some(fields) = item.get_mut("fields").and_then(Value::as_array_mut) {
        if let Some(f) = fields
            .iter_mut()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(name))
        {
            f["value"] = v;
        } else {
            fields.push(serde_json::json!({"name": name, "value": v}));
        }
    }
}

/// A value as Bazarr's form expects it.
pub fn form_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
