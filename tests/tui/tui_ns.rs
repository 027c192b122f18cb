//! `:ns NAME` from anywhere (issue 8 leftovers): the scope is set by a typed argument that
//! completes from the namespaces the console knows, an unknown name is an error that changes
//! nothing, `:ns all` / `:ns -` clears it, and the scope filters the Services pane (its title
//! says it) as well as the generic resource views.

use crate::tui_common::*;
use k8s_nas::tui::app::FlashLevel;
use k8s_nas::tui::Msg;

fn flash(h: &Harness) -> (String, FlashLevel) {
    let f = h.app.flash.as_ref().expect("a flash");
    (f.text.clone(), f.level)
}

#[test]
fn ns_name_scopes_the_services_pane_and_all_clears_it() {
    let mut h = Harness::degraded();
    h.frame();
    let all = h.services().list.rows.len();
    assert!(all > 1, "{all}");
    h.press(":ns qbittorrent<enter>");
    assert_eq!(h.app.namespace.as_deref(), Some("qbittorrent"));
    assert_eq!(h.app.view().pane, "services", "the current view stays");
    let (text, level) = flash(&h);
    assert!(text.contains("namespace qbittorrent"), "{text}");
    assert_eq!(level, FlashLevel::Info);
    let screen = h.frame();
    assert!(screen.contains("Services(qbittorrent)"), "{screen}");
    // The header says the scope first, then what is watched.
    assert!(
        screen.contains("qbittorrent (of media, qbittorrent)"),
        "{screen}"
    );
    assert!(!screen.contains("sonarr"), "{screen}");
    assert!(
        h.services()
            .list
            .rows
            .iter()
            .all(|r| r.row.id.as_str().starts_with("qbittorrent/")),
        "only the scoped namespace's services"
    );
    h.press(":ns all<enter>");
    assert_eq!(h.app.namespace, None);
    let screen = h.frame();
    assert!(screen.contains("Services(media,qbittorrent)"), "{screen}");
    assert!(!screen.contains("(of media"), "{screen}");
    assert!(screen.contains("sonarr"), "{screen}");
    assert_eq!(h.services().list.rows.len(), all);
    h.press(":ns media<enter>");
    assert_eq!(h.app.namespace.as_deref(), Some("media"));
    h.press(":ns -<enter>");
    assert_eq!(h.app.namespace, None);
}

#[test]
fn unknown_namespace_is_an_error_and_changes_nothing() {
    let mut h = Harness::degraded();
    h.press(":ns media<enter>");
    h.press(":ns nope<enter>");
    let (text, level) = flash(&h);
    assert_eq!(level, FlashLevel::Error);
    assert!(text.contains("unknown namespace \"nope\""), "{text}");
    assert!(text.contains("media, qbittorrent"), "{text}");
    assert_eq!(h.app.namespace.as_deref(), Some("media"), "unchanged");
    assert_eq!(h.app.view().pane, "services");
    // A word where a command takes none is refused as before.
    h.press(":tasks nope<enter>");
    assert_eq!(flash(&h).1, FlashLevel::Error);
    assert_eq!(h.app.view().pane, "services");
}

#[test]
fn ns_argument_completes_from_the_known_namespaces() {
    let mut h = Harness::degraded();
    h.press(":ns qb");
    let p = h.app.prompt.as_ref().expect("the prompt");
    assert_eq!(p.suggestion().as_deref(), Some("ittorrent"));
    h.press("<tab>");
    assert_eq!(h.app.prompt.as_ref().unwrap().text(), "ns qbittorrent");
    h.press("<enter>");
    assert_eq!(h.app.namespace.as_deref(), Some("qbittorrent"));
    h.press(":ns a");
    assert_eq!(
        h.app.prompt.as_ref().unwrap().suggestion().as_deref(),
        Some("ll")
    );
}

#[test]
fn ns_name_rescopes_an_open_resource_view_at_once() {
    let listing = listing_of(&target_world(false), false);
    let pods = k8s_nas::engine::resources::rows(&listing, "pods");
    assert!(pods.iter().any(|r| r.namespace == "kube-system"));
    let mut h = Harness::degraded();
    h.press(":ns<enter>");
    h.feed(Msg::Resources {
        kind: "namespaces".into(),
        rows: k8s_nas::engine::resources::rows(&listing, "namespaces"),
    });
    h.press(":pods<enter>");
    h.feed(Msg::Resources {
        kind: "pods".into(),
        rows: pods,
    });
    assert!(h.frame().contains("Pods(all namespaces)"));
    // kube-system is known from the `:ns` view's rows (not a watched namespace).
    h.press(":ns kube-system<enter>");
    assert_eq!(h.app.view().pane, "pods");
    let screen = h.frame();
    assert!(screen.contains("Pods(kube-system)"), "{screen}");
    assert!(!screen.contains("sonarr-"), "{screen}");
    h.press(":ns all<enter>");
    let screen = h.frame();
    assert!(screen.contains("Pods(all namespaces)"), "{screen}");
    assert!(screen.contains("sonarr-"), "{screen}");
}

#[test]
fn help_lists_the_ns_argument() {
    let mut h = Harness::degraded();
    h.press("?G");
    let screen = h.frame();
    assert!(screen.contains("[NAME|all]"), "{screen}");
}

#[test]
fn typing_ns_reads_the_clusters_namespaces_and_completes_from_them_as_they_arrive() {
    let listing = listing_of(&target_world(false), false);
    let mut h = Harness::degraded();
    let ns = k8s_nas::tui::Effect::ListResources {
        kind: "namespaces".into(),
    };
    assert!(h.press(":ns").is_empty(), "not before the word starts");
    assert!(h.press(" ").contains(&ns), "read when the word starts");
    assert!(h.press("kube-s").is_empty(), "once per prompt");
    assert_eq!(h.app.prompt.as_ref().unwrap().suggestion(), None);
    h.feed(Msg::Resources {
        kind: "namespaces".into(),
        rows: k8s_nas::engine::resources::rows(&listing, "namespaces"),
    });
    assert_eq!(
        h.app.prompt.as_ref().unwrap().suggestion().as_deref(),
        Some("ystem"),
        "completes from the answer while the prompt is open"
    );
    // kube-system is neither watched nor an app's: known from the cluster's list.
    h.press("<tab><enter>");
    assert_eq!(h.app.namespace.as_deref(), Some("kube-system"));
    assert_eq!(h.app.view().pane, "services");
    // An unknown name asks again (a namespace created since is known at the next try).
    let fx = h.press("<esc>:ns nope<enter>");
    assert!(fx.contains(&ns), "{fx:?}");
    assert_eq!(h.app.namespace.as_deref(), Some("kube-system"));
}
