//! The unit shapes of the console: a pane defined here and registered in one line shows in `?`
//! help, in `:` commands (with completion) and on screen; modals (typed confirm, text prompt,
//! wizard) driven through the App; a misspelt theme role named on screen. (The Tasks pane is in
//! `tui_tasks`.)

use crate::tui_common;

use crossterm::event::{KeyCode, KeyEvent};
use k8s_nas::tui::ctx::Ctx;
use k8s_nas::tui::keymap::{with_navigation, Action, Binding, Key};
use k8s_nas::tui::modal::{
    Modal, ModalOutcome, Reply, TextPrompt, TypedConfirm, Wizard, WizardStep,
};
use k8s_nas::tui::pane::{CommandSpec, Pane};
use k8s_nas::tui::panes;
use k8s_nas::tui::theme::{Role, Theme};
use k8s_nas::tui::view::{PaneId, View};
use k8s_nas::tui::{App, AppOptions, Effect, Msg, TaskRequest};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use tui_common::*;

// ── a pane defined in a test ──────────────────────────────────────────────────────────────

const TINY: PaneId = "tiny";
const ZAP: Action = Action::new("tiny.zap");
const RESTORE: Action = Action::new("tiny.restore");
const RENAME: Action = Action::new("tiny.rename");
const WIZARD: Action = Action::new("tiny.wizard");

#[derive(Default)]
struct Tiny {
    zaps: u32,
    replies: Vec<(&'static str, String)>,
}

fn not_blank(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        Err("a name is needed".into())
    } else {
        Ok(())
    }
}

impl Pane for Tiny {
    fn id(&self) -> PaneId {
        TINY
    }
    fn title(&self) -> &'static str {
        "Tiny"
    }
    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::ch('z'), ZAP, "zap"),
            Binding::new(Key::ch('R'), RESTORE, "restore").mutating(),
            Binding::new(Key::ch('n'), RENAME, "rename"),
            Binding::new(Key::ch('W'), WIZARD, "wizard"),
        ])
    }
    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["tiny", "tn"],
            "a pane defined in a test",
        )]
    }
    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            ZAP => self.zaps += 1,
            RESTORE => ctx.open_modal(Modal::TypedConfirm(TypedConfirm::new(
                "Restore sonarr",
                vec![
                    (
                        "Sonarr is scaled to 0, /config replaced, scaled back".into(),
                        Role::Base,
                    ),
                    ("This cannot be undone.".into(), Role::Warn),
                ],
                "sonarr",
                Reply::ToPane {
                    pane: TINY,
                    tag: "restore",
                    value: "sonarr".into(),
                },
            ))),
            RENAME => ctx.open_modal(Modal::Prompt(TextPrompt::new(
                "Rename",
                "New name:",
                "",
                not_blank,
                TINY,
                "rename",
            ))),
            WIZARD => ctx.open_modal(Modal::Wizard(Box::new(PickWizard::default()))),
            _ => {}
        }
    }
    fn on_reply(&mut self, _ctx: &mut Ctx, tag: &'static str, value: String) {
        self.replies.push((tag, value));
    }
    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Line::styled(" Tiny ", ctx.theme.style(Role::Title)));
        let text = format!("tiny pane: {} zaps", self.zaps);
        f.render_widget(Paragraph::new(text).block(block), area);
    }
}

/// A two-step wizard: pick an item, then confirm with `y` (starts a task).
#[derive(Debug, Default)]
struct PickWizard {
    step: usize,
    cursor: usize,
}

const ITEMS: [&str; 3] = ["backup-monday", "backup-tuesday", "backup-wednesday"];

impl Wizard for PickWizard {
    fn title(&self) -> String {
        "Restore".into()
    }
    fn step(&self) -> WizardStep {
        let label = ["pick a backup", "confirm"][self.step];
        WizardStep {
            index: self.step + 1,
            count: 2,
            label: label.into(),
        }
    }
    fn on_input(&mut self, key: &KeyEvent) -> ModalOutcome {
        match (self.step, key.code) {
            (_, KeyCode::Esc) => ModalOutcome::Cancel,
            (0, KeyCode::Char('j')) => {
                self.cursor = (self.cursor + 1).min(ITEMS.len() - 1);
                ModalOutcome::Open
            }
            (0, KeyCode::Enter) => {
                self.step = 1;
                ModalOutcome::Open
            }
            (1, KeyCode::Char('y')) => ModalOutcome::Done(Reply::Task(TaskRequest::CheckAll)),
            _ => ModalOutcome::Open,
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let lines: Vec<Line> = match self.step {
            0 => ITEMS
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let mark = if i == self.cursor { ">" } else { " " };
                    Line::styled(format!(" {mark} {b}"), theme.style(Role::Dialog))
                })
                .collect(),
            _ => vec![Line::raw(format!(" restore {}? y", ITEMS[self.cursor]))],
        };
        f.render_widget(Paragraph::new(lines), area);
    }
    fn height(&self) -> u16 {
        3
    }
}

fn tiny_harness(readonly: bool) -> Harness {
    let mut panes = panes::builtin();
    panes.push(Box::new(Tiny::default())); // the one registration line
    let mut h = Harness::with_app(App::with_panes(options(readonly), panes));
    h.load_healthy();
    h
}

fn tiny(h: &Harness) -> &Tiny {
    h.app.pane::<Tiny>().unwrap()
}

#[test]
fn a_pane_registered_in_one_line_is_in_help_commands_and_on_screen() {
    let mut h = tiny_harness(false);
    // Help from any pane lists its command with its aliases.
    h.press("?G"); // its command is near the end of the list
    let help = h.frame();
    assert!(help.contains(":tiny :tn"), "{help}");
    assert!(help.contains("a pane defined in a test"), "{help}");
    h.press("<esc>");
    // Completion: `:ti` suggests `tiny`, tab takes it, enter opens the pane.
    h.press(":ti");
    assert!(h.frame().contains(":tiny"));
    h.press("<tab><enter>");
    assert_eq!(h.app.view(), &View::new(TINY));
    let screen = h.frame();
    assert!(screen.contains("tiny pane: 0 zaps"), "{screen}");
    assert!(screen.contains("<z> zap"), "hint bar: {screen}");
    assert!(screen.contains("<tiny>"), "crumbs: {screen}");
    h.press("zz");
    assert_eq!(tiny(&h).zaps, 2);
    assert!(h.frame().contains("tiny pane: 2 zaps"));
    // Its own help section, generated from its bindings.
    h.press("?");
    let help = h.frame();
    assert!(help.contains("Tiny") && help.contains("zap"), "{help}");
    assert!(help.contains("j/↓"), "navigation keys: {help}");
    h.press("<esc>");
    // The alias works too, and esc walks back to the services.
    h.press("<esc>:tn<enter>");
    assert_eq!(h.app.view(), &View::new(TINY));
    h.press("<esc>");
    assert_eq!(h.app.stack.len(), 1);
}

#[test]
fn readonly_filters_a_new_panes_mutating_binding() {
    let mut h = tiny_harness(true);
    h.press(":tiny<enter>");
    let screen = h.frame();
    assert!(
        screen.contains("<z> zap") && !screen.contains("restore"),
        "{screen}"
    );
    h.press("R");
    assert!(h.app.modal.is_none());
}

#[test]
fn typed_confirm_rejects_a_wrong_name_and_accepts_the_right_one() {
    let mut h = tiny_harness(false);
    h.press(":tiny<enter>R");
    let screen = h.frame();
    assert!(screen.contains("Type sonarr to confirm"), "{screen}");
    assert!(screen.contains("This cannot be undone."), "{screen}");
    // Enter with nothing typed, then with a wrong name: rejected, the dialog stays.
    h.press("<enter>");
    assert!(h.frame().contains("type sonarr to confirm"));
    h.press("sonar<enter>");
    assert!(h.app.modal.is_some());
    let screen = h.frame();
    assert!(screen.contains("\"sonar\" is not \"sonarr\""), "{screen}");
    assert!(tiny(&h).replies.is_empty());
    // Keys are text while typing: q neither quits nor answers.
    h.press("q");
    assert!(!h.app.quit && h.app.modal.is_some());
    h.press("<bksp>r<enter>");
    assert!(h.app.modal.is_none());
    assert_eq!(tiny(&h).replies, [("restore", "sonarr".to_string())]);
    // Esc cancels and says so.
    h.press("R<esc>");
    assert!(h.app.modal.is_none());
    assert!(h.frame().contains("cancelled: nothing written"));
    assert_eq!(tiny(&h).replies.len(), 1);
}

#[test]
fn text_prompt_validates_and_hands_the_value_to_its_pane() {
    let mut h = tiny_harness(false);
    h.press(":tiny<enter>n<enter>");
    assert!(h.frame().contains("a name is needed"));
    h.press("lidarr-4k<enter>");
    assert!(h.app.modal.is_none());
    assert_eq!(tiny(&h).replies, [("rename", "lidarr-4k".to_string())]);
}

#[test]
fn a_wizard_walks_its_steps_and_ends_in_a_task() {
    let mut h = tiny_harness(false);
    h.press(":tiny<enter>W");
    let screen = h.frame();
    assert!(screen.contains("step 1 of 2: pick a backup"), "{screen}");
    assert!(screen.contains("> backup-monday"), "{screen}");
    h.press("j<enter>");
    let screen = h.frame();
    assert!(screen.contains("step 2 of 2: confirm"), "{screen}");
    assert!(screen.contains("restore backup-tuesday? y"), "{screen}");
    let fx = h.press("y");
    assert!(h.app.modal.is_none());
    assert!(matches!(
        fx.as_slice(),
        [Effect::RunTask {
            request: TaskRequest::CheckAll,
            ..
        }]
    ));
}

// ── themes ────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_misspelt_theme_role_is_named_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "[theme]\nparent = \"light\"\n[colors]\n\"tabel.cursor\" = { fg = \"white\", bg = \"red\" }\n",
    )
    .unwrap();
    let (theme, warning) = Theme::load("mine", Some(dir.path()));
    let mut h = Harness::with_app(App::new(AppOptions {
        theme,
        theme_warning: warning,
        ..options(false)
    }));
    h.load_healthy();
    let screen = h.frame();
    assert!(screen.contains("unknown role \"tabel.cursor\""), "{screen}");
    // The rest of the file (its parent) applies: not a fallback to the default theme.
    let light = Theme::load("light", None).0;
    assert_eq!(h.app.theme.style(Role::Base), light.style(Role::Base));
}

// ── table panes ───────────────────────────────────────────────────────────────────────────

#[test]
fn table_panes_sort_by_shift_letter_with_an_arrow_and_keep_the_cursor() {
    let mut h = Harness::degraded();
    h.press("jjj"); // prowlarr
    h.press("R");
    let screen = h.frame();
    assert!(screen.contains("RESTARTS↑"), "{screen}");
    // Ascending restarts: radarr (14) is last; the cursor stayed on prowlarr.
    assert_eq!(
        h.app.current_service().map(|s| s.as_str()),
        Some("media/prowlarr")
    );
    let first = |h: &Harness| h.services().list.selected().map(|r| r.row.name.clone());
    h.press("g");
    assert_ne!(first(&h).as_deref(), Some("radarr"));
    h.press("R");
    assert!(h.frame().contains("RESTARTS↓"));
    h.press("g");
    assert_eq!(first(&h).as_deref(), Some("radarr"));
    // The sort keys are in help, not in the hint bar.
    let screen = h.frame();
    assert!(!screen.contains("sort by"), "{screen}");
    h.press("?");
    assert!(h.frame().contains("sort by NAME, KIND, RESTARTS"));
}

#[test]
fn findings_sort_and_filter_on_the_shared_table() {
    let mut h = Harness::degraded();
    h.press(":findings<enter>");
    assert_eq!(
        h.findings_pane().severities()[0],
        k8s_nas::model::Severity::Critical
    );
    h.press("N"); // by subject
    let screen = h.frame();
    assert!(screen.contains("SUBJECT↑"), "{screen}");
    let subjects: Vec<String> = {
        let p = h.findings_pane();
        let rows = &p.list.rows;
        p.list
            .table
            .visible()
            .iter()
            .map(|&i| rows[i].finding.subject.clone())
            .collect()
    };
    let mut sorted = subjects.clone();
    sorted.sort();
    assert_eq!(subjects, sorted);
    h.press("/zzz<enter>");
    assert!(h.frame().contains("no rows match /zzz"));
}

// ── a pane that needs a custom resource kind ──────────────────────────────────────────────

const CERTS: PaneId = "tinycerts";
const CERT_KIND: &str = "certificates.cert-manager.io";

/// A pane with nothing to show unless cert-manager's `Certificate` kind is served.
struct NeedsCrd;

impl Pane for NeedsCrd {
    fn id(&self) -> PaneId {
        CERTS
    }
    fn title(&self) -> &'static str {
        "Tiny certificates"
    }
    fn requires_kind(&self) -> Option<&'static str> {
        Some(CERT_KIND)
    }
    fn commands(&self) -> Vec<CommandSpec> {
        vec![CommandSpec::new(
            &["tinycerts"],
            "certificates (needs cert-manager)",
        )]
    }
    fn render(&self, f: &mut Frame, area: Rect, _ctx: &Ctx, _view: &View) {
        f.render_widget(Paragraph::new("certificates here"), area);
    }
}

fn cluster_with_cert_kind(present: bool) -> Msg {
    let mut view = healthy_view();
    view.kinds = vec![k8s_nas::cluster::kinds::KindStatus {
        name: CERT_KIND,
        present,
        note: (!present).then(|| "cert-manager is not installed (no Certificate CRD)".into()),
    }];
    Msg::Cluster(Box::new(view))
}

#[test]
fn a_pane_whose_crd_is_absent_is_hidden_with_the_clusters_note() {
    let mut panes = panes::builtin();
    panes.push(Box::new(NeedsCrd));
    let mut h = Harness::with_app(App::with_panes(options(false), panes));
    h.feed(cluster_with_cert_kind(false));
    // The command is refused with the note; nothing is pushed.
    h.press(":tinycerts<enter>");
    assert_eq!(h.app.stack.len(), 1);
    let screen = h.frame();
    assert!(
        screen.contains(":tinycerts unavailable: cert-manager is not installed"),
        "{screen}"
    );
    // It does not complete, and help says why it is unavailable.
    h.press(":tinyc");
    let screen = h.frame();
    let prompt = screen
        .lines()
        .find(|l| l.contains("│:tinyc"))
        .unwrap_or_default();
    assert!(!prompt.contains("tinycerts"), "no completion: {screen}");
    h.press("<esc>?G");
    let help = h.frame();
    assert!(
        help.contains("(unavailable: cert-manager is not installed"),
        "{help}"
    );
    h.press("<esc>");
    // Once the CRD is installed the pane opens.
    h.feed(cluster_with_cert_kind(true));
    h.press(":tinycerts<enter>");
    assert_eq!(h.app.view(), &View::new(CERTS));
    assert!(h.frame().contains("certificates here"));
}
