//! The terminal UI: pure `update(Msg) -> Vec<Effect>` core, panes, widgets, themes, runtime loop.
