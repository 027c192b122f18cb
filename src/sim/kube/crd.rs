//! CustomResourceDefinitions (`apiextensions.k8s.io/v1`): what a CRD makes the server serve,
//! the status the real server gives an accepted CRD, and the checks it makes. Pure.

use super::error::ApiError;
use super::registry::{PrinterColumn, Res, ResourceDef};
use serde_json::{json, Value};
use std::sync::Arc;

/// The kind of the CRD objects themselves.
pub const KIND: &str = "CustomResourceDefinition";
pub const GROUP: &str = "apiextensions.k8s.io";

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

const VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];

/// The resource types a CRD serves: one per served version, storage version first.
pub fn served(crd: &Value) -> Vec<Res> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let (Some(group), Some(plural), Some(kind)) = (
        spec["group"].as_str(),
        names["plural"].as_str(),
        names["kind"].as_str(),
    ) else {
        return Vec::new();
    };
    let singular = names["singular"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| kind.to_lowercase());
    let mut versions: Vec<&Value> = spec["versions"]
        .as_array()
        .map(|a| a.iter().filter(|v| v["served"] != false).collect())
        .unwrap_or_default();
    versions.sort_by_key(|v| v["storage"] != true);
    versions
        .into_iter()
        .filter_map(|v| {
            let version = v["name"].as_str()?;
            let mut subresources = Vec::new();
            if v["subresources"]["status"].is_object() {
                subresources.push(("status".to_string(), kind.to_string()));
            }
            if v["subresources"]["scale"].is_object() {
                subresources.push(("scale".to_string(), "Scale".to_string()));
            }
            let printer_columns = v["additionalPrinterColumns"]
                .as_array()
                .map(|cols| {
                    cols.iter()
                        .filter_map(|c| {
                            Some(PrinterColumn {
                                name: c["name"].as_str()?.to_string(),
                                ty: c["type"].as_str().unwrap_or("string").to_string(),
                                json_path: c["jsonPath"].as_str()?.to_string(),
                                priority: c["priority"].as_i64().unwrap_or(0),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(Arc::new(ResourceDef {
                group: group.to_string(),
                version: version.to_string(),
                plural: plural.to_string(),
                singular: singular.clone(),
                kind: kind.to_string(),
                namespaced: spec["scope"] != "Cluster",
                short_names: strings(&names["shortNames"]),
                verbs: VERBS.iter().map(|s| s.to_string()).collect(),
                subresources,
                categories: strings(&names["categories"]),
                custom: true,
                printer_columns,
                key: ResourceDef::key_of(group, plural),
            }))
        })
        .collect()
}

/// What the real server checks before it accepts a CRD (the parts that matter here).
pub fn validate(crd: &Value) -> Result<(), ApiError> {
    let name = crd["metadata"]["name"].as_str().unwrap_or("");
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or("");
    let plural = spec["names"]["plural"].as_str().unwrap_or("");
    let invalid = |what: String| {
        ApiError::invalid(format!(
            "CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {what}"
        ))
    };
    if group.is_empty() || !group.contains('.') {
        return Err(invalid(format!(
            "spec.group: Invalid value: \"{group}\": should be a domain with at least one dot"
        )));
    }
    if plural.is_empty() || spec["names"]["kind"].as_str().is_none_or(str::is_empty) {
        return Err(invalid(
            "spec.names: Required value: plural and kind are required".into(),
        ));
    }
    if name != format!("{plural}.{group}") {
        return Err(invalid(format!(
            "metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"
        )));
    }
    let versions = spec["versions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if versions.iter().filter(|v| v["storage"] == true).count() != 1 {
        return Err(invalid(
            "spec.versions: Invalid value: must have exactly one version marked as storage version"
                .into(),
        ));
    }
    Ok(())
}

/// The status the server gives an accepted CRD: names accepted, established, stored versions.
pub fn accepted_status(crd: &Value) -> Value {
    let spec = &crd["spec"];
    let storage: Vec<&str> = spec["versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| v["storage"] == true)
                .filter_map(|v| v["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let at = crd["metadata"]["creationTimestamp"].clone();
    json!({
        "acceptedNames": spec["names"],
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found", "lastTransitionTime": at},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted", "lastTransitionTime": at},
        ],
        "storedVersions": storage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> Value {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": KIND,
            "metadata": {"name": "widgets.example.io"},
            "spec": {"group": "example.io", "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                "versions": [
                    {"name": "v1beta1", "served": true, "storage": false},
                    {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                     "additionalPrinterColumns": [{"name": "Ready", "type": "string", "jsonPath": ".status.ready"}]},
                    {"name": "v0", "served": false, "storage": false}]}})
    }

    #[test]
    fn served_versions_storage_first_with_status_and_columns() {
        let defs = served(&crd());
        let versions: Vec<&str> = defs.iter().map(|d| d.version.as_str()).collect();
        assert_eq!(versions, ["v1", "v1beta1"]);
        assert!(defs[0].has_sub("status") && !defs[1].has_sub("status"));
        assert_eq!(defs[0].printer_columns[0].json_path, ".status.ready");
        assert!(defs
            .iter()
            .all(|d| d.key == "widgets.example.io" && d.namespaced));
        assert_eq!(defs[0].short_names, ["wd"]);
    }

    #[test]
    fn validation_like_the_server() {
        assert!(validate(&crd()).is_ok());
        let mut bad = crd();
        bad["metadata"]["name"] = json!("widgets");
        assert_eq!(validate(&bad).unwrap_err().code, 422);
        let mut two = crd();
        two["spec"]["versions"][0]["storage"] = json!(true);
        assert!(validate(&two).is_err());
        let status = accepted_status(&crd());
        assert_eq!(status["storedVersions"], json!(["v1"]));
        assert_eq!(status["conditions"][1]["type"], "Established");
    }
}
