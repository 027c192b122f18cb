//! Reusable widgets shared by the panes. A widget owns no data: it renders what a pane hands
//! it, and keeps only view state (cursor, window, filter, sort) in a state type the pane holds.
//!
//! - [`table`]: the resource table every table pane is built on (a row type plus its columns).
//! - [`detail`]: the box under a table with the selected row's facts and findings.

pub mod detail;
pub mod table;
