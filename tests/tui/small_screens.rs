//! Issue 7, "80×24 and smaller": every pane at the typical SSH window (80×24) and at 60×20.
//! The header is two lines with `<?> help` always visible, the pane gets the rest, and the
//! snapshots pin what each pane shows (columns dropped before values are cut).

use crate::tui_common::*;
use crate::tui_integrations_support::{integrations, keys_harness, miswired_view};
use k8s_nas::tui::Msg;

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];

/// Each pane, set up with data, by name.
fn pane(name: &str) -> Harness {
    match name {
        "services" => Harness::degraded(),
        "findings" => {
            let mut h = Harness::degraded();
            h.press("F");
            h
        }
        "tasks" => {
            let mut h = Harness::degraded();
            h.press("c");
            h.press(":tasks<enter>");
            h
        }
        "integrations" => integrations(false, miswired_view()),
        "keys" => keys_harness(false),
        "vpn" => {
            let mut h = Harness::healthy();
            crate::vpn_pane::feed(
                &mut h,
                vec![crate::vpn_pane::qbit(), crate::vpn_pane::sab()],
            );
            h.press(":vpn<enter>");
            h
        }
        "certs" => {
            let mut h = Harness::healthy();
            h.feed(Msg::Certs(Box::new(crate::tui_certs::view())));
            h.press(":certs<enter>");
            h
        }
        "help" => {
            let mut h = Harness::degraded();
            h.press("?");
            h
        }
        other => panic!("no pane {other}"),
    }
}

const PANES: [&str; 8] = [
    "services",
    "findings",
    "tasks",
    "integrations",
    "keys",
    "vpn",
    "certs",
    "help",
];

#[test]
fn every_pane_at_80x24_and_60x20() {
    for name in PANES {
        for (w, hgt) in SIZES {
            let mut h = pane(name);
            h.resize(w, hgt);
            let frame = h.frame();
            let lines: Vec<&str> = frame.lines().collect();
            assert_eq!(lines.len(), usize::from(hgt), "{name}");
            assert!(
                lines[1].trim_end().ends_with("<?> help"),
                "{name} {w}x{hgt}: `?` not visible\n{frame}"
            );
            insta::assert_snapshot!(format!("small_{name}_{w}x{hgt}"), frame);
        }
    }
}

/// Issue 7: at 80×24 a state, a finding code and an address are never cut mid-value
/// (`CrashLoopBack…`, `pod.crash…`, `203.0.113.2…` read as other values).
#[test]
fn values_are_never_cut_mid_value_at_80x24() {
    for (name, whole, cut) in [
        ("services", "CrashLoop 0/1", "CrashLoop…"),
        ("findings", "pod.crashloop", "pod.crash…"),
        ("vpn", "203.0.113.27", "203.0.113.2…"),
    ] {
        let mut h = pane(name);
        h.resize(80, 24);
        let frame = h.frame();
        assert!(frame.contains(whole), "{name}: {whole} missing\n{frame}");
        assert!(!frame.contains(cut), "{name}: {cut}\n{frame}");
        assert!(!frame.contains("CrashLoopBack…"), "{name}\n{frame}");
    }
}
