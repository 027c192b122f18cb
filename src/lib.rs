//! k8s-nas: a k9s-style console for a Kubernetes home media server.
//!
//! One engine (discovery, collectors, checks, integration planner) serves three faces: the TUI,
//! the headless commands, and the simulated NAS (`demo`). See `README.md` and the module docs.

/// `println!` for the headless commands: a closed pipe (`k8s-nas check | head`) ends the
/// process quietly with status 141 (as if killed by SIGPIPE) instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(141);
            }
        }
    }};
}

pub mod bus;
pub mod certs;
pub mod checks;
pub mod cli;
pub mod clients;
pub mod cluster;
pub mod collect;
pub mod commands;
pub mod config;
pub mod discover;
pub mod engine;
pub mod integrate;
pub mod keys;
pub mod logging;
pub mod model;
pub mod sim;
pub mod tui;

/// Pick the process-wide rustls crypto provider. Both providers are compiled in (kube uses ring,
/// reqwest aws-lc-rs), so rustls cannot choose by itself. Idempotent; call before any TLS client.
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The innermost cause of an error chain: the line that says what really happened
/// ("Connection refused") rather than the wrapper ("error sending request").
pub fn root_cause(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    msg
}
