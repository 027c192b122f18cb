//! Modals: one dialog at a time in front of everything, taking every key while open. One enum:
//! [`Confirm`] (y/n, focus on Cancel), [`TypedConfirm`] (type the exact name), [`TextPrompt`]
//! (a line of text with a validator) and a [`Wizard`] slot for multi-step flows driven by a pure
//! state machine. Every modal ends in a [`Reply`] the core carries out (start a task, or hand a
//! value back to the pane that opened it) or is cancelled.

mod confirm;
mod dialog;
mod pick;
pub mod restore;
mod text;
mod typed;
mod wizard;

pub use confirm::Confirm;
pub use dialog::{fit_list, Dialog};
pub use pick::Picker;
pub use text::TextPrompt;
pub use typed::TypedConfirm;
pub use wizard::{Wizard, WizardStep};

use super::msg::TaskRequest;
use super::theme::Theme;
use super::view::PaneId;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

/// What a finished modal asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Start this task.
    Task(TaskRequest),
    /// Hand a value to a pane ([`crate::tui::pane::Pane::on_reply`]), tagged so the pane knows
    /// which question it answers.
    ToPane {
        pane: PaneId,
        tag: &'static str,
        value: String,
    },
}

/// What a key did to a modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModalOutcome {
    Open,
    Cancel,
    Done(Reply),
}

#[derive(Debug)]
pub enum Modal {
    Confirm(Confirm),
    TypedConfirm(TypedConfirm),
    Prompt(TextPrompt),
    Wizard(Box<dyn Wizard>),
}

impl Modal {
    pub fn handle_key(&mut self, ev: &KeyEvent) -> ModalOutcome {
        match self {
            Modal::Confirm(c) => c.handle_key(ev),
            Modal::TypedConfirm(c) => c.handle_key(ev),
            Modal::Prompt(p) => p.handle_key(ev),
            Modal::Wizard(w) => w.on_input(ev),
        }
    }

    /// The flash after cancelling.
    pub fn cancel_note(&self) -> &'static str {
        match self {
            Modal::Prompt(_) => "cancelled",
            _ => "cancelled: nothing written",
        }
    }

    /// Draw centred over `area` (the body).
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        match self {
            Modal::Confirm(c) => c.render(f, area, theme),
            Modal::TypedConfirm(c) => c.render(f, area, theme),
            Modal::Prompt(p) => p.render(f, area, theme),
            Modal::Wizard(w) => wizard::render(w.as_ref(), f, area, theme),
        }
    }
}
