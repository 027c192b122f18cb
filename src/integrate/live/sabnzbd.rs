//! SABnzbd's side of a usenet-client edge: the category the *arr app sends must exist in
//! SABnzbd, or the app's connection test (and every download) fails with "Category 'tv' does
//! not exist". The planner sees only the *arr side, so this module adds the missing categories
//! to the plan and creates them before the download clients are applied.

use super::backend::HttpBackend;
use crate::clients::sabnzbd::SabCategory;
use crate::clients::servarr::category_field;
use crate::integrate::{Edge, EdgeKind};
use crate::model::AppError;
use std::collections::BTreeMap;

/// The category a usenet-client edge sends to SABnzbd (`tvCategory` …), when it has one.
fn wanted(edge: &Edge) -> Option<String> {
    let name = category_field(edge.from_kind);
    edge.fields
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| f.value.json().as_str().map(str::to_string))
        .filter(|c| !c.trim().is_empty())
}

/// Edge id → (SABnzbd category it needs that SABnzbd lacks). Read errors leave the edge out
/// (the app's own test reports an unreachable SABnzbd).
pub async fn missing_categories(b: &HttpBackend, edges: &[Edge]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut names: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    for e in edges.iter().filter(|e| e.kind == EdgeKind::UsenetClient) {
        let Some(cat) = wanted(e) else { continue };
        let key = e.to.to_string();
        if !names.contains_key(&key) {
            let list = match b.sab(&e.to) {
                Ok(c) => {
                    b.count(&e.to, "GET", "get_config categories");
                    c.categories().await.ok()
                }
                Err(_) => None,
            };
            names.insert(
                key.clone(),
                list.map(|l| l.into_iter().map(|c| c.name).collect()),
            );
        }
        if let Some(Some(have)) = names.get(&key) {
            if !have.iter().any(|n| n.eq_ignore_ascii_case(&cat)) {
                out.insert(e.id.clone(), cat);
            }
        }
    }
    out
}

pub fn describe(category: &str) -> String {
    format!("category {category} in SABnzbd")
}

/// Create one category (folder named after it), as SABnzbd's Categories page does.
pub async fn create_category(b: &HttpBackend, edge: &Edge, name: &str) -> Result<(), AppError> {
    let c = b.sab(&edge.to)?;
    b.count_write(&edge.to, "POST", "set_config categories");
    c.set_category(&SabCategory {
        name: name.to_string(),
        dir: name.to_string(),
        priority: -100,
        ..SabCategory::default()
    })
    .await
}
