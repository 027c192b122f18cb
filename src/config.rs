//! Configuration file and paths (XDG via `directories`).
