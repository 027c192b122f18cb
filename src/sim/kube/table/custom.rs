//! Table columns and cells of custom resources, from their CRD's `additionalPrinterColumns`
//! (the apiextensions server's table convertor): the name, then one cell per column from a
//! simple JSONPath; `date` columns print as an age. A CRD without printer columns prints
//! NAME and AGE.

use super::human_duration;
use crate::sim::kube::registry::{PrinterColumn, ResourceDef};
use serde_json::{json, Value};

/// One step of a simple JSONPath.
#[derive(Debug, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    /// `[?(@.key=="value")]`
    Filter(String, String),
    /// `[*]`
    All,
}

/// Parse `.a.b[0].c[?(@.type=="Ready")].status` (the subset CRDs use). `None` when it is not
/// that subset.
fn parse(path: &str) -> Option<Vec<Step>> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut steps = Vec::new();
    let mut rest = path.strip_prefix('.').unwrap_or(path);
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            let body = &inner[..end];
            rest = &inner[end + 1..];
            if body == "*" {
                steps.push(Step::All);
            } else if let Some(f) = body.strip_prefix("?(@.").and_then(|b| b.strip_suffix(')')) {
                let (k, v) = f.split_once("==")?;
                let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
                steps.push(Step::Filter(k.trim().to_string(), v.to_string()));
            } else {
                steps.push(Step::Index(body.parse().ok()?));
            }
            rest = rest.strip_prefix('.').unwrap_or(rest);
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        steps.push(Step::Field(rest[..end].to_string()));
        rest = rest[end..].strip_prefix('.').unwrap_or(&rest[end..]);
    }
    Some(steps)
}

/// Every value the path reaches.
fn eval<'a>(obj: &'a Value, steps: &[Step]) -> Vec<&'a Value> {
    let mut cur = vec![obj];
    for step in steps {
        cur = cur
            .into_iter()
            .flat_map(|v| -> Vec<&Value> {
                match step {
                    Step::Field(f) => v.get(f).into_iter().collect(),
                    Step::Index(i) => v.get(*i).into_iter().collect(),
                    Step::All => v.as_array().map(|a| a.iter().collect()).unwrap_or_default(),
                    Step::Filter(k, want) => v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter(|e| e.get(k).and_then(Value::as_str) == Some(want))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
    }
    cur
}

fn age_of(v: &Value, now: i64) -> Value {
    v.as_str()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| json!(human_duration(now - t.as_second())))
        .unwrap_or_else(|| json!("<invalid>"))
}

/// The cell for one column: the first value the path reaches, typed like the column.
fn cell(obj: &Value, col: &PrinterColumn, now: i64) -> Value {
    let Some(steps) = parse(&col.json_path) else {
        return Value::Null;
    };
    let Some(v) = eval(obj, &steps).into_iter().find(|v| !v.is_null()) else {
        return Value::Null;
    };
    match col.ty.as_str() {
        "date" => age_of(v, now),
        "integer" | "number" | "boolean" => v.clone(),
        _ => match v {
            Value::String(s) => json!(s),
            other => json!(other.to_string()),
        },
    }
}

/// Column definitions: Name, then the printer columns (or Age).
pub(super) fn columns(res: &ResourceDef) -> Vec<Value> {
    let name = json!({"name": "Name", "type": "string", "format": "name",
        "description": "Name must be unique within a namespace.", "priority": 0});
    let mut out = vec![name];
    if res.printer_columns.is_empty() {
        out.push(json!({"name": "Age", "type": "date", "format": "",
            "description": "CreationTimestamp is a timestamp representing the server time when this object was created.",
            "priority": 0}));
    }
    for c in &res.printer_columns {
        out.push(json!({"name": c.name, "type": c.ty, "format": "",
            "description": format!("{} of the {}", c.name, res.kind), "priority": c.priority}));
    }
    out
}

/// Row cells: the name, then one per column.
pub(super) fn cells(res: &ResourceDef, obj: &Value, now: i64) -> Vec<Value> {
    let mut out = vec![obj["metadata"]["name"].clone()];
    if res.printer_columns.is_empty() {
        out.push(age_of(&obj["metadata"]["creationTimestamp"], now));
    }
    out.extend(res.printer_columns.iter().map(|c| cell(obj, c, now)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_jsonpath_subset() {
        let obj = json!({"status": {"conditions": [
            {"type": "Issuing", "status": "False"}, {"type": "Ready", "status": "True"}],
            "revision": 3}, "spec": {"dnsNames": ["a", "b"]}});
        let at = |p: &str| -> Vec<Value> {
            eval(&obj, &parse(p).unwrap())
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(
            at(r#".status.conditions[?(@.type=="Ready")].status"#),
            [json!("True")]
        );
        assert_eq!(at(".status.revision"), [json!(3)]);
        assert_eq!(at(".spec.dnsNames[1]"), [json!("b")]);
        assert_eq!(at(".spec.dnsNames[*]").len(), 2);
        assert!(at(".status.missing.deeper").is_empty());
        assert!(parse(".a[?(@.x)]").is_none());
    }

    #[test]
    fn typed_cells() {
        let col = |name: &str, ty: &str, path: &str| PrinterColumn {
            name: name.into(),
            ty: ty.into(),
            json_path: path.into(),
            priority: 0,
        };
        let obj = json!({"metadata": {"creationTimestamp": "2026-01-01T00:00:00Z"},
            "status": {"revision": 3, "ok": true}});
        let now = "2026-01-03T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        assert_eq!(
            cell(
                &obj,
                &col("Age", "date", ".metadata.creationTimestamp"),
                now
            ),
            json!("2d")
        );
        assert_eq!(
            cell(&obj, &col("Rev", "integer", ".status.revision"), now),
            json!(3)
        );
        assert_eq!(
            cell(&obj, &col("Ok", "string", ".status.ok"), now),
            json!("true")
        );
        assert_eq!(
            cell(&obj, &col("X", "string", ".status.none"), now),
            Value::Null
        );
    }
}
