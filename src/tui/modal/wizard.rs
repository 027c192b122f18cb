//! The wizard slot: a multi-step flow (the guided restore) is a pure state machine implementing
//! [`Wizard`]: it says which step it is on, takes keys, and draws its step; no I/O — what it
//! needs is given when it is built, and what it decides comes out as a [`Reply`] when done.

use super::dialog::Dialog;
use super::ModalOutcome;
use crate::tui::theme::{Role, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

/// Where a wizard is: step `index` (1-based) of `count`, named `label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WizardStep {
    pub index: usize,
    pub count: usize,
    pub label: String,
}

pub trait Wizard: std::fmt::Debug {
    fn title(&self) -> String;
    fn step(&self) -> WizardStep;
    /// A key: stay open (maybe on another step), cancel, or finish with a reply.
    fn on_input(&mut self, key: &KeyEvent) -> ModalOutcome;
    /// Draw the current step's body into `area` (the frame, title and step line are drawn
    /// around it).
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme);
    /// Rows the body wants (the frame grows to fit, within the screen).
    fn height(&self) -> u16 {
        8
    }
}

/// Draw a wizard: a dialog titled with the step, its body, and the key hint.
pub fn render(w: &dyn Wizard, f: &mut Frame, area: Rect, theme: &Theme) {
    let step = w.step();
    let title = format!(
        "{} · step {} of {}: {}",
        w.title(),
        step.index,
        step.count,
        step.label
    );
    let mut footer: Vec<Line> = (0..w.height()).map(|_| Line::raw(" ".repeat(56))).collect();
    footer.push(Line::styled(
        " esc cancel · enter next",
        theme.style(Role::Muted),
    ));
    let foot = Dialog {
        title: &title,
        list: &[],
        offset: 0,
        footer,
    }
    .render(f, area, theme);
    let body = Rect::new(foot.x, foot.y, foot.width, foot.height.saturating_sub(1));
    w.render(f, body, theme);
}
