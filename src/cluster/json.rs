//! Fields of a Kubernetes object read as JSON (custom resources arrive as
//! `DynamicObject.data`): a string, a time, and the entries of `status.conditions`.

use jiff::Timestamp;
use serde_json::Value;

/// A string field; empty when absent or not a string.
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// An RFC 3339 time field (`None` when absent or unreadable).
pub fn time(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// The entries of an object's `status.conditions` (none when absent).
pub fn conditions(obj: &Value) -> impl Iterator<Item = &Value> {
    obj["status"]["conditions"].as_array().into_iter().flatten()
}

/// The first `status.conditions` entry of type `ty`.
pub fn condition<'a>(obj: &'a Value, ty: &str) -> Option<&'a Value> {
    conditions(obj).find(|c| c["type"] == ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_conditions_strings_and_times() {
        let o = json!({"status": {"conditions": [
            {"type": "Ready", "status": "False"},
            {"type": "Issuing", "status": "True"},
            {"type": "Ready", "status": "True"}
        ], "notAfter": "2026-03-01T00:00:00Z"}});
        assert_eq!(conditions(&o).count(), 3);
        assert_eq!(condition(&o, "Ready").unwrap()["status"], "False");
        assert!(condition(&o, "Approved").is_none());
        assert_eq!(conditions(&json!({})).count(), 0);
        assert_eq!(text(&o["status"]["conditions"][1]["type"]), "Issuing");
        assert_eq!(text(&o["missing"]), "");
        assert_eq!(
            time(&o["status"]["notAfter"]).map(|t| t.as_second()),
            Some(1_772_323_200)
        );
        assert_eq!(time(&json!("not a time")), None);
    }
}
