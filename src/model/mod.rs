//! Domain types shared by every layer: the engine, the TUI and the headless commands.
//!
//! Nothing in here does I/O. Types serialize to the stable JSON documented in the README.

pub mod app_kind;
pub mod finding;
pub mod inventory;
pub mod secret;
pub mod status;

pub use app_kind::AppKind;
pub use finding::{Finding, Severity};
pub use inventory::{
    ConfigVolume, IngressRoute, Inventory, ServiceId, ServiceInfo, ServicePort, UrlBaseSource,
    VolumeSource, VpnSidecar, WorkloadRef,
};
pub use secret::Secret;
pub use status::{
    AppError, AppErrorKind, AppHealth, HealthIssue, IssueLevel, PodPhase, PodStatus, ProbeResult,
    ServiceObservation, Termination,
};
