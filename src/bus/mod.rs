//! What the engine and the TUI share: the messages between them ([`msg`]), the view data the
//! engine builds for panes ([`views`]), the pure cell wording both the panes and the headless
//! tables use ([`rows`]), and the tables' `/` filter ([`filter`]). The engine depends on this
//! module, never on `crate::tui`.

pub mod filter;
pub mod msg;
pub mod rows;
pub mod shell;
pub mod views;

pub use msg::{
    describe_title, BackupsView, CertsView, ClusterView, Effect, EventRow, GitopsView, JobsView,
    Msg, StreamId, TaskId, TaskOutcome, TaskProgress, TaskRequest, UnitKind, Units,
};
pub use msg::{AccessView, MetricsView, NodeFigures, ResourceRow, ServiceUsage, ACCESS_ACTIONS};
pub use views::{IntegrationsView, KeysView};
