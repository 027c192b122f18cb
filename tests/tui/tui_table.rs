//! The resource table widget on its own: one sample table (pods of the media namespaces) drawn
//! with ratatui's TestBackend at 160×45, 80×24 and 60×20, its sorted, filtered, empty, loading,
//! error and stale states, and windowing at 2,000 rows. Fixed clock; review snapshot changes
//! by reading the `.snap.new` diff.

use jiff::Timestamp;
use k8s_nas::tui::keymap::Action;
use k8s_nas::tui::rows::Tone;
use k8s_nas::tui::theme::Role;
use k8s_nas::tui::widgets::table::{
    haystack, render, sort_bindings, CellText, Column, Ctx, SortBinding, TableRow, TableState,
};
use k8s_nas::tui::Theme;
use ratatui::backend::TestBackend;
use ratatui::style::Style;
use ratatui::Terminal;
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

fn now() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

fn ago(secs: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() - secs).unwrap()
}

#[derive(Debug, Clone)]
struct Pod {
    namespace: &'static str,
    name: &'static str,
    status: (&'static str, Tone),
    ready: &'static str,
    restarts: u32,
    started: Timestamp,
    node: &'static str,
    message: &'static str,
    haystack: String,
}

impl TableRow for Pod {
    fn id(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/{}", self.namespace, self.name))
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn role(&self) -> Role {
        match self.status.1 {
            Tone::Error => Role::Error,
            _ => Role::Base,
        }
    }
}

type C = Column<Pod>;

static COLUMNS: &[C] = &[
    C::new("NAME", |p, _| p.name.into())
        .min(16)
        .sort('N', |a, b| a.name.cmp(b.name)),
    C::new("NAMESPACE", |p, _| p.namespace.into()).priority(3),
    C::new("STATUS", |p, _| CellText::tone(p.status.0, p.status.1))
        .sort('S', |a, b| a.status.0.cmp(b.status.0)),
    C::number("READY", |p, _| p.ready.into()).priority(2),
    C::number("RESTARTS", |p, _| {
        let tone = match p.restarts {
            0 => Tone::Normal,
            1..=4 => Tone::Warn,
            _ => Tone::Error,
        };
        CellText::tone(p.restarts.to_string(), tone)
    })
    .priority(4)
    .sort('R', |a, b| a.restarts.cmp(&b.restarts)),
    // Ascending age = youngest first.
    C::new("AGE", |p, ctx| {
        k8s_nas::tui::rows::age(Some(p.started), ctx.now).into()
    })
    .whole()
    .priority(1)
    .sort('A', |a, b| b.started.cmp(&a.started)),
    C::new("NODE", |p, _| p.node.into()).priority(5),
    C::new("MESSAGE", |p, _| CellText::styled(p.message, Role::Muted))
        .priority(6)
        .min(24)
        .max(60),
];

#[allow(clippy::too_many_arguments)]
fn pod(
    namespace: &'static str,
    name: &'static str,
    status: (&'static str, Tone),
    ready: &'static str,
    restarts: u32,
    age_secs: i64,
    node: &'static str,
    message: &'static str,
) -> Pod {
    Pod {
        namespace,
        name,
        status,
        ready,
        restarts,
        started: ago(age_secs),
        node,
        message,
        haystack: haystack([name, namespace, status.0, node, message]),
    }
}

const RUNNING: (&str, Tone) = ("Running", Tone::Ok);

#[rustfmt::skip]
fn pods() -> Vec<Pod> {
    let day = 86_400;
    vec![
        pod("media", "sonarr-7d9f8b6c4-x2x9q", RUNNING, "1/1", 0, 3 * day, "nas-01", ""),
        pod("media", "radarr-5c6d7e8f9-q8w7e", ("CrashLoopBackOff", Tone::Error), "0/1", 14, 95, "nas-01",
            "back-off 5m0s restarting failed container radarr in pod radarr-5c6d7e8f9-q8w7e"),
        pod("media", "lidarr-6b7c8d9e0-a1s2d", RUNNING, "1/1", 0, 3 * day + 7_200, "nas-01", ""),
        pod("media", "prowlarr-8e9f0a1b2-z3x4c", RUNNING, "1/1", 2, 3 * day + 10_800, "nas-02",
            "Readiness probe failed once: HTTP probe failed with statuscode: 503"),
        pod("media", "bazarr-9f0a1b2c3-v5b6n", RUNNING, "1/1", 0, 4 * day, "nas-02", ""),
        pod("media", "jellyseerr-0a1b2c3d4-m7n8b", ("Pending", Tone::Warn), "0/1", 0, 40, "nas-02",
            "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available"),
        pod("media", "jellyfin-1b2c3d4e5-l9k8j", RUNNING, "1/1", 0, 6 * day, "nas-01", ""),
        pod("qbittorrent", "qbittorrent-2c3d4e5f6-h7g6f", RUNNING, "2/2", 1, 7 * day, "nas-01",
            "gluetun sidecar restarted: VPN tunnel re-established"),
        pod("media", "sabnzbd-3d4e5f6a7-d5s4a", RUNNING, "2/2", 0, 8 * day, "nas-02", ""),
        pod("media", "flaresolverr-4e5f6a7b8-p0o9i", RUNNING, "1/1", 0, 2 * day, "nas-02", ""),
        pod("media", "recyclarr-28815840-kq2zt", ("Completed", Tone::Muted), "0/1", 0, 3_600, "nas-01",
            "Job recyclarr-28815840 finished"),
        pod("media", "unpackerr-5f6a7b8c9-u8y7t", RUNNING, "1/1", 0, 5 * day, "nas-01", ""),
        pod("monitoring", "alertmanager-0", RUNNING, "2/2", 0, 9 * day, "nas-02", ""),
        pod("monitoring", "prometheus-server-6a7b8c9d0-r4e3w", RUNNING, "2/2", 3, 9 * day, "nas-02",
            "WAL replay took 41s after an unclean shutdown"),
    ]
}

/// The sample plus ten transcoding nodes: more rows than a 60×20 screen shows.
fn many_pods() -> Vec<Pod> {
    const NODES: [&str; 10] = [
        "tdarr-node-0",
        "tdarr-node-1",
        "tdarr-node-2",
        "tdarr-node-3",
        "tdarr-node-4",
        "tdarr-node-5",
        "tdarr-node-6",
        "tdarr-node-7",
        "tdarr-node-8",
        "tdarr-node-9",
    ];
    let mut v = pods();
    for (i, name) in NODES.into_iter().enumerate() {
        v.push(pod(
            "media",
            name,
            RUNNING,
            "1/1",
            0,
            600 * (i as i64 + 1),
            "nas-02",
            "",
        ));
    }
    v
}

/// Draw a table filling a `w`×`h` screen; returns the text and the terminal (for styles).
fn draw(
    w: u16,
    h: u16,
    columns: &[Column<Pod>],
    rows: &[Pod],
    state: &TableState,
    ctx: &Ctx<'_>,
) -> (String, Terminal<TestBackend>) {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| render(f, f.area(), columns, rows, state, ctx))
        .unwrap();
    (text(&term), term)
}

fn text(term: &Terminal<TestBackend>) -> String {
    crate::tui_common::screen::text(term.backend().buffer())
}

/// Style of the first cell of `needle` on screen.
fn style_of(term: &Terminal<TestBackend>, needle: &str) -> Option<Style> {
    crate::tui_common::screen::style_of(term.backend().buffer(), needle)
}

/// The cell at `needle` is drawn in `want`'s colours (the buffer adds resets we do not care about).
#[track_caller]
fn assert_role(term: &Terminal<TestBackend>, needle: &str, want: Style) {
    let got = style_of(term, needle).unwrap_or_else(|| panic!("{needle:?} not on screen"));
    assert_eq!(got.fg, want.fg, "foreground of {needle:?}");
    if want.bg.is_some() {
        assert_eq!(got.bg, want.bg, "background of {needle:?}");
    }
    assert!(
        got.add_modifier.contains(want.add_modifier),
        "modifiers of {needle:?}"
    );
}

fn synced(rows: &[Pod]) -> TableState {
    let mut st = TableState::default();
    st.sync(COLUMNS, rows);
    st
}

fn ctx(theme: &Theme) -> Ctx<'_> {
    Ctx::new("Pods", theme, now())
        .scope("media,monitoring,qbittorrent")
        .checked(Some(ago(12)))
}

#[test]
fn wide_terminal_shows_every_column_at_its_natural_width() {
    let theme = Theme::builtin_default();
    let rows = pods();
    let st = synced(&rows);
    let (screen, term) = draw(160, 45, COLUMNS, &rows, &st, &ctx(&theme));
    insta::assert_snapshot!("table_160x45", screen);
    assert!(screen.contains(" Pods(media,monitoring,qbittorrent)[14] · last checked 12s ago "));
    // The cursor row is one style; other rows keep their cells' roles.
    assert_role(&term, "sonarr-7d9f8b6c4", theme.style(Role::TableCursor));
    assert_role(&term, "CrashLoopBackOff", theme.style(Role::Error));
    assert_role(&term, "Pending", theme.style(Role::Warn));
    assert_eq!(
        style_of(&term, "last checked").and_then(|s| s.fg),
        theme.style(Role::Muted).fg
    );
}

#[test]
fn medium_terminal_drops_low_priority_columns_and_cuts_text() {
    let theme = Theme::builtin_default();
    let rows = pods();
    let mut st = synced(&rows);
    for _ in 0..3 {
        st.on_action(Action::DOWN, &rows);
    }
    let (screen, term) = draw(80, 24, COLUMNS, &rows, &st, &ctx(&theme));
    insta::assert_snapshot!("table_80x24", screen);
    // MESSAGE (priority 6) cannot keep its floor: it goes, and NODE (5) fits whole. NAME, the
    // only other column with a floor, is cut with `…`; numbers and ages are whole.
    assert!(!screen.contains("MESSAGE") && screen.contains("NODE"));
    assert!(screen.contains("sonarr-7d9f8b6c4-x2x…"));
    assert!(screen.contains("RESTARTS") && screen.contains(" 14 1m35s "));
    assert_role(&term, "prowlarr-8e9f0a1b2", theme.style(Role::TableCursor));
}

#[test]
fn narrow_terminal_keeps_the_essential_columns_and_scrolls_the_window() {
    let theme = Theme::builtin_default();
    let rows = many_pods();
    let mut st = synced(&rows);
    st.on_action(Action::BOTTOM, &rows);
    let (screen, term) = draw(60, 20, COLUMNS, &rows, &st, &ctx(&theme));
    insta::assert_snapshot!("table_60x20", screen);
    // The window follows the cursor to the last row; the first rows scrolled out.
    assert!(screen.contains("tdarr-node-9"));
    assert!(!screen.contains("sonarr-7d9f8b6c4"));
    assert_role(&term, "tdarr-node-9", theme.style(Role::TableCursor));
    assert!(screen.contains("NAME") && screen.contains("STATUS"));
    // The title drops the scope before the data age.
    assert!(screen.contains(" Pods[24] · last checked 12s ago "));
}

#[test]
fn sorted_column_carries_its_arrow_and_toggles() {
    let theme = Theme::builtin_default();
    let rows = pods();
    let mut st = synced(&rows);
    assert!(st.sort_by_key('R', COLUMNS, &rows));
    assert!(st.sort_by_key('R', COLUMNS, &rows));
    let (screen, _) = draw(120, 20, COLUMNS, &rows, &st, &ctx(&theme));
    insta::assert_snapshot!("table_sorted_restarts_desc", screen);
    assert!(screen.contains("RESTARTS↓"));
    // Most restarts first; the cursor stayed on its row (sonarr, 0 restarts, pane order kept).
    let body: Vec<&str> = screen.lines().skip(2).collect();
    assert!(body[0].contains("radarr"));
    assert_eq!(st.selected_id(), Some("media/sonarr-7d9f8b6c4-x2x9q"));

    assert!(st.sort_by_key('N', COLUMNS, &rows));
    let (screen, _) = draw(120, 20, COLUMNS, &rows, &st, &ctx(&theme));
    assert!(screen.contains("NAME↑") && !screen.contains("RESTARTS↓"));
    let body: Vec<&str> = screen.lines().skip(2).collect();
    assert!(body[0].contains("alertmanager-0"));
}

#[test]
fn filter_shows_in_the_title_and_an_empty_match_says_so() {
    let theme = Theme::builtin_default();
    let rows = pods();
    let mut st = synced(&rows);
    st.set_filter("^jelly", COLUMNS, &rows);
    let (screen, _) = draw(100, 8, COLUMNS, &rows, &st, &ctx(&theme));
    assert!(screen.contains("[2/14] </^jelly> "));
    st.set_filter("plex", COLUMNS, &rows);
    let (screen, _) = draw(100, 8, COLUMNS, &rows, &st, &ctx(&theme));
    insta::assert_snapshot!("table_no_match", screen);
    assert!(screen.contains("no rows match /plex"));
}

#[test]
fn empty_state() {
    let theme = Theme::builtin_default();
    let st = synced(&[]);
    let c = ctx(&theme).empty("no pods in the watched namespaces");
    let (screen, _) = draw(80, 8, COLUMNS, &[], &st, &c);
    insta::assert_snapshot!("table_empty", screen);
}

#[test]
fn loading_state() {
    let theme = Theme::builtin_default();
    let st = synced(&[]);
    let c = Ctx::new("Pods", &theme, now()).loading("connecting to the cluster…");
    let (screen, _) = draw(80, 8, COLUMNS, &[], &st, &c);
    insta::assert_snapshot!("table_loading", screen);
}

#[test]
fn error_state_without_rows_fills_the_body() {
    let theme = Theme::builtin_default();
    let st = synced(&[]);
    let c = Ctx::new("Pods", &theme, now())
        .loading("connecting to the cluster…")
        .error(Some(
            "cluster unreachable: connection refused (10.1.0.20:6443)",
        ));
    let (screen, term) = draw(80, 8, COLUMNS, &[], &st, &c);
    insta::assert_snapshot!("table_error", screen);
    assert_role(&term, "✘ cluster", theme.style(Role::Error));
}

#[test]
fn error_state_with_rows_keeps_the_last_good_rows() {
    let theme = Theme::builtin_default();
    let rows = pods();
    let st = synced(&rows);
    let c = ctx(&theme)
        .checked(Some(ago(75)))
        .error(Some("list pods: 503 Service Unavailable"))
        .refreshing(true);
    let (screen, term) = draw(160, 12, COLUMNS, &rows, &st, &c);
    insta::assert_snapshot!("table_error_with_rows", screen);
    assert!(screen.contains("sonarr-7d9f8b6c4"));
    assert_role(&term, "· error: list pods", theme.style(Role::Error));
}

#[test]
fn stale_data_turns_the_title_age_amber_then_red() {
    let theme = Theme::builtin_default();
    let rows = pods();
    let st = synced(&rows);
    let (screen, term) = draw(
        120,
        10,
        COLUMNS,
        &rows,
        &st,
        &ctx(&theme).checked(Some(ago(90))),
    );
    assert!(screen.contains("· stale, last checked 1m30s ago "));
    assert_role(&term, "stale, last", theme.style(Role::Warn));

    let c = ctx(&theme)
        .checked(Some(ago(240)))
        .note("2 to sync", Role::Warn);
    let (screen, term) = draw(120, 10, COLUMNS, &rows, &st, &c);
    insta::assert_snapshot!("table_stale", screen);
    assert_role(&term, "stale, last", theme.style(Role::Error));
    assert!(screen.contains("· 2 to sync "));

    // The thresholds are the pane's: a 5-minute poller is not stale at 4 minutes.
    let c = ctx(&theme).checked(Some(ago(240))).stale_after(600, 1_200);
    let (screen, _) = draw(120, 10, COLUMNS, &rows, &st, &c);
    assert!(screen.contains("· last checked 4m0s ago "));
}

#[test]
fn sort_bindings_list_the_columns_keys() {
    let b = sort_bindings(COLUMNS);
    assert_eq!(
        b,
        vec![
            SortBinding {
                key: 'N',
                column: "NAME"
            },
            SortBinding {
                key: 'S',
                column: "STATUS"
            },
            SortBinding {
                key: 'R',
                column: "RESTARTS"
            },
            SortBinding {
                key: 'A',
                column: "AGE"
            },
        ]
    );
    assert_eq!(b[0].description(), "sort by NAME");
}

// Windowing: a table of 2,000 rows formats only the rows that fit.

static FORMATTED: AtomicUsize = AtomicUsize::new(0);

struct Big(usize, String);

impl TableRow for Big {
    fn id(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.to_string())
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.1)
    }
}

static BIG: &[Column<Big>] = &[
    Column::<Big>::new("NAME", |r, _| {
        FORMATTED.fetch_add(1, AtomicOrdering::Relaxed);
        r.1.as_str().into()
    }),
    Column::<Big>::number("N", |r, _| r.0.to_string().into()),
];

#[test]
fn two_thousand_rows_format_only_the_window() {
    let theme = Theme::builtin_default();
    let rows: Vec<Big> = (0..2_000).map(|i| Big(i, format!("pod-{i:04}"))).collect();
    let mut st = TableState::default();
    st.sync(BIG, &rows);
    st.on_action(Action::PAGE_DOWN, &rows);
    let c = Ctx::new("Pods", &theme, now());
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    FORMATTED.store(0, AtomicOrdering::Relaxed);
    term.draw(|f| render(f, f.area(), BIG, &rows, &st, &c))
        .unwrap();
    // 24 lines - 2 borders - 1 header = 21 rows.
    assert_eq!(FORMATTED.load(AtomicOrdering::Relaxed), 21);
    let screen = text(&term);
    assert!(screen.contains(" Pods[2000] "));
    // PgDn moves by the page the last frame showed.
    st.on_action(Action::PAGE_DOWN, &rows);
    assert_eq!(st.cursor(), 10 + 21);
    st.set_filter("pod-19", BIG, &rows);
    assert_eq!(st.counts(), (100, 2_000));
}

/// One policy for table text: control characters in a cell (an Event message, an app's health
/// text) and in the title's error line are shown escaped, not stripped and not raw.
#[test]
fn control_characters_in_cells_and_the_title_are_shown_escaped() {
    let theme = Theme::builtin_default();
    let mut rows = pods();
    rows[0].message = "\x1b[2Jwiped\x07\u{9b}31m";
    rows[0].haystack = haystack([rows[0].name, rows[0].message]);
    let st = synced(&rows);
    let (screen, _) = draw(
        200,
        20,
        COLUMNS,
        &rows,
        &st,
        &ctx(&theme).error(Some("list failed\x1b]0;pwned\x07")),
    );
    assert!(screen.contains("\\e[2Jwiped\\x07\\u{9b}31m"), "{screen}");
    assert!(screen.contains("list failed\\e]0;pwned\\x07"), "{screen}");
    assert!(!screen.chars().any(|c| c != '\n' && c.is_control()));
}
