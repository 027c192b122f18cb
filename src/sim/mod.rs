//! The simulated NAS: a fake Kubernetes API server plus app simulators, on loopback.
//! `demo` runs it with the console; tests start it to exercise the real code paths.

pub mod apps;
pub mod ingress_tls;
pub mod kube;
pub mod nas;
pub mod node;
pub mod scenario;
pub mod scenario_vpn;
pub mod world;
