//! The simulated NAS: a fake Kubernetes API server plus app simulators, on loopback.

pub mod apps;
pub mod kube;
pub mod world;
