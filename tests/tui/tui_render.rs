//! Rendering robustness: every pane at awkward sizes never panics; themes and theme warnings
//! reach the screen.

use crate::tui_common;

use k8s_nas::tui::render::render;
use k8s_nas::tui::{App, AppOptions, Msg, Theme};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use tui_common::*;

/// Key sequences that reach every pane.
const PANES: [&str; 8] = [
    "",
    "j<enter>",
    "jl",
    "d",
    "?",
    ":findings<enter>",
    ":tasks<enter>",
    ":fin",
];

#[test]
fn every_pane_survives_tiny_and_odd_terminal_sizes() {
    for keys in PANES {
        let mut h = Harness::degraded();
        h.press("c");
        h.press(keys);
        h.feed(Msg::Logs {
            stream: k8s_nas::tui::StreamId(1),
            lines: vec!["x".repeat(500), "ünïcödé ✓ 日本語".into()],
        });
        h.feed(Msg::Describe {
            title: "t".into(),
            text: "a\n\tb\n".repeat(50),
        });
        h.press("G<pgdn>");
        for (w, hgt) in [(1, 1), (2, 2), (20, 5), (40, 8), (80, 12), (300, 100)] {
            h.feed(Msg::Resize(w, hgt));
            let mut term = Terminal::new(TestBackend::new(w, hgt)).unwrap();
            h.app.sync();
            let app = &h.app;
            term.draw(|f| render(f, app)).unwrap();
        }
    }
}

#[test]
fn theme_warning_is_flashed_and_light_theme_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "[colors]\nok = \"chartreuse-ish\"\n",
    )
    .unwrap();
    let (theme, warning) = Theme::load("mine", Some(dir.path()));
    let mut h = Harness::new(false);
    h.app = App::new(AppOptions {
        theme,
        theme_warning: warning,
        ..options(false)
    });
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    let screen = h.frame();
    assert!(screen.contains("theme \"mine\""), "{screen}");

    let (light, none) = Theme::load("light", None);
    assert_eq!(none, None);
    let mut h = Harness::new(false);
    h.app = App::new(AppOptions {
        theme: light,
        ..options(false)
    });
    h.feed(Msg::Cluster(Box::new(healthy_view())));
    for (i, o) in healthy_observations() {
        h.feed(Msg::Observation(i, o));
    }
    h.press("G");
    h.frame();
    assert_eq!(
        h.style_of("200 12ms").and_then(|s| s.fg),
        Some(Color::Rgb(0x11, 0x63, 0x29))
    );
    assert_eq!(h.style_of("sabnzbd").and_then(|s| s.bg), Some(Color::Blue));
}
