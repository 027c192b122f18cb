//! HTTP collectors: poll each app with jitter, timeouts, backoff, one request in flight per target.
//!
//! `poller` is the generic scheduling; `probe` the plain HTTP probe; `credentials` reads the keys
//! the console uses from the cluster; `observe` combines probe + the app's own health into one
//! [`crate::model::ServiceObservation`] for a service.

pub mod admin_secret;
pub mod credentials;
pub mod poller;
pub mod probe;
pub mod secret_refs;
