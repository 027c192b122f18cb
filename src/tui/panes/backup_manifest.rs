//! A backup's manifest (`m` in `:backups`): app and version, when, from which directory, the
//! API key's fingerprint (the manifest never holds the key), the archive and its SHA-256, and
//! every file with its mode, size and SHA-256 (shortened), scrollable. `[` and `]` step to the
//! older and newer backups of the same service. The engine reads `<id>.manifest.json`
//! ([`Effect::ReadBackupManifest`]); an answer for another manifest is dropped.

use super::text::TextView;
use crate::backup::Manifest;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{with_navigation, Action, Binding, Key};
use crate::tui::msg::{Effect, Msg};
use crate::tui::pane::Pane;
use crate::tui::task_board::bytes;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{FlashLevel, PaneId, View, ViewArg};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const ID: PaneId = "backup-manifest";

const OLDER: Action = Action::new("manifest.older");
const NEWER: Action = Action::new("manifest.newer");

/// Hex digits of a SHA-256 shown (enough to compare by eye).
const HASH_SHOWN: usize = 12;

pub fn pane() -> Box<dyn Pane> {
    Box::<ManifestPane>::default()
}

/// The manifest of backup `id` of `service`.
pub fn view(service: &str, id: &str) -> View {
    View::with(ID, ViewArg::Text(format!("{service}/{id}")))
}

#[derive(Debug, Default)]
pub struct ManifestPane {
    /// Per service, its backups oldest first: id and manifest path (from the backups source).
    backups: BTreeMap<String, Vec<(String, PathBuf)>>,
    /// Service, id and manifest path shown, and the answer once it came.
    shown: Option<Shown>,
    active: bool,
    text: TextView,
}

#[derive(Debug)]
struct Shown {
    service: String,
    id: String,
    path: PathBuf,
    answer: Option<Result<Box<Manifest>, String>>,
}

impl ManifestPane {
    fn open(&mut self, ctx: &mut Ctx, service: &str, id: &str) -> bool {
        let Some(path) = self
            .backups
            .get(service)
            .and_then(|v| v.iter().find(|(i, _)| i == id))
            .map(|(_, p)| p.clone())
        else {
            return false;
        };
        self.text.reset();
        self.shown = Some(Shown {
            service: service.to_string(),
            id: id.to_string(),
            path: path.clone(),
            answer: None,
        });
        ctx.emit(Effect::ReadBackupManifest { path });
        true
    }

    /// The backup `step` places older (-1) or newer (+1) than the one shown.
    fn step(&mut self, ctx: &mut Ctx, step: isize) {
        let Some(s) = &self.shown else { return };
        let service = s.service.clone();
        let list = self.backups.get(&service).cloned().unwrap_or_default();
        let at = list.iter().position(|(i, _)| *i == s.id);
        let next = at
            .and_then(|i| i.checked_add_signed(step))
            .and_then(|i| list.get(i));
        match next {
            Some((id, _)) => {
                self.open(ctx, &service, id);
            }
            None => ctx.set_flash(
                if step < 0 {
                    "no older backup"
                } else {
                    "no newer backup"
                },
                FlashLevel::Info,
            ),
        }
    }
}

impl Pane for ManifestPane {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Backup manifest"
    }

    fn bindings(&self) -> Vec<Binding> {
        with_navigation(vec![
            Binding::new(Key::ch('['), OLDER, "older backup"),
            Binding::new(Key::ch(']'), NEWER, "newer backup"),
            Binding::new(Key::ch('w'), Action::WRAP, "wrap"),
        ])
    }

    fn on_enter(&mut self, ctx: &mut Ctx, view: &View) -> bool {
        let ViewArg::Text(arg) = &view.arg else {
            return false;
        };
        let Some((service, id)) = arg.rsplit_once('/') else {
            return false;
        };
        self.active = self.open(ctx, service, id);
        self.active
    }

    fn on_leave(&mut self, _ctx: &mut Ctx) {
        self.active = false;
        self.shown = None;
    }

    fn on_action(&mut self, ctx: &mut Ctx, _view: &View, action: Action) {
        match action {
            OLDER => self.step(ctx, -1),
            NEWER => self.step(ctx, 1),
            _ => {
                self.text.on_action(action, ctx.page());
            }
        }
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Backups(v) => {
                let mut m: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
                for b in &v.facts.backups {
                    m.entry(b.service.clone())
                        .or_default()
                        .push((b.id.clone(), b.sidecar("manifest.json")));
                }
                for v in m.values_mut() {
                    v.sort();
                }
                self.backups = m;
            }
            Msg::BackupManifest { path, manifest } if self.active => {
                if let Some(s) = self.shown.as_mut().filter(|s| &s.path == path) {
                    s.answer = Some(manifest.clone());
                }
            }
            _ => {}
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx, _view: &View) {
        let theme = &ctx.theme;
        let (title, lines) = match &self.shown {
            None => ("manifest".to_string(), vec![]),
            Some(s) => (
                format!("{} {}", s.service, s.id),
                match &s.answer {
                    None => vec![Line::styled("loading…", theme.style(Role::Muted))],
                    Some(Err(e)) => vec![Line::styled(
                        format!("cannot read the manifest: {}", sanitize(e)),
                        theme.style(Role::Error),
                    )],
                    Some(Ok(m)) => lines(m, theme),
                },
            ),
        };
        let title = Line::styled(format!(" manifest {title} "), theme.style(Role::Title));
        self.text.render(f, area, title, lines, theme);
    }
}

fn sanitize(s: &str) -> String {
    crate::bus::rows::sanitize(s)
}

fn short(hash: &str) -> String {
    hash.chars().take(HASH_SHOWN).collect()
}

/// The manifest as text: a summary, then one line per file.
pub fn lines(m: &Manifest, theme: &Theme) -> Vec<Line<'static>> {
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<12}"), theme.style(Role::Muted)),
            Span::raw(sanitize(&v)),
        ])
    };
    let total: u64 = m.files.iter().map(|f| f.size).sum();
    let mut out = vec![
        kv(
            "app",
            match (&m.app, &m.app_version) {
                (Some(a), Some(v)) => format!("{a} {v}"),
                (Some(a), None) => format!("{a} (version unknown)"),
                (None, _) => "unknown".into(),
            },
        ),
        kv("created", m.created_at.clone()),
        kv("source", m.source.clone()),
        kv(
            "API key",
            m.key_fingerprint.as_ref().map_or_else(
                || "no key found in the config".into(),
                |f| format!("{f} (a fingerprint, never the key)"),
            ),
        ),
        kv(
            "archive",
            format!(
                "{}  {}  sha256 {}",
                m.archive,
                bytes(m.archive_size),
                short(&m.archive_sha256)
            ),
        ),
        kv(
            "files",
            format!("{} ({} before compression)", m.files.len(), bytes(total)),
        ),
    ];
    for n in &m.notes {
        out.push(Line::styled(
            format!("  note        {}", sanitize(n)),
            theme.style(Role::Warn),
        ));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!("  {:<6} {:>10}  {:<HASH_SHOWN$}  PATH", "MODE", "SIZE", "SHA-256"),
        theme.style(Role::Title),
    ));
    for f in &m.files {
        out.push(Line::raw(format!(
            "  {:<6} {:>10}  {:<HASH_SHOWN$}  {}{}",
            f.mode,
            bytes(f.size),
            short(&f.sha256),
            sanitize(&f.path),
            if f.sqlite { "  (SQLite online backup)" } else { "" }
        )));
    }
    out
}
