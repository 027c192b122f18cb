//! k8s-nas: a k9s-style console for a Kubernetes home media server.
//!
//! One engine (discovery, collectors, checks, integration planner) serves three faces: the TUI,
//! the headless commands, and the simulated NAS (`demo`). See `README.md` and the module docs.

/// `println!` for the headless commands: a closed pipe (`k8s-nas check | head`) ends the
/// process quietly with status 141 (as if killed by SIGPIPE) instead of panicking; any other
/// write error (`check > /dev/full`) ends it with status 2 and the reason on stderr.
#[macro_export]
macro_rules! out {
    () => {
        $crate::out!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        let r = writeln!(o, $($arg)*).and_then(|_| o.flush());
        $crate::stdout_failed(r);
    }};
}

/// [`out!`] without the newline (the text carries its own).
#[macro_export]
macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        let r = write!(o, $($arg)*).and_then(|_| o.flush());
        $crate::stdout_failed(r);
    }};
}

/// [`out!`] for a line of a headless table: text from outside (an app's health message, an
/// Event) is shown with its control characters escaped ([`bounds::sanitize`]); JSON output
/// never goes through here and keeps the exact text.
#[macro_export]
macro_rules! out_table {
    () => {
        $crate::out!()
    };
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        $crate::out_raw!("{}\n", $crate::bounds::sanitize_lines(&line));
    }};
}

/// End the process for a failed write to stdout: 141 on a closed pipe, else 2 with the reason.
#[doc(hidden)]
pub fn stdout_failed(r: std::io::Result<()>) {
    if let Err(e) = r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("k8s-nas: cannot write to stdout: {e}");
        std::process::exit(2);
    }
}

pub mod alerts;
pub mod backup;
pub mod bounds;
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
pub mod gitops;
pub mod heap;
pub mod integrate;
pub mod jobs;
pub mod keys;
pub mod logging;
pub mod manifest;
pub mod model;
pub mod sim;
pub mod tui;
pub mod vpn;

/// Install ring, the only rustls crypto provider compiled in, as the process default. kube-rs
/// and reqwest (built with `rustls-no-provider`) both use the process default, and reqwest panics
/// when building a client without one. Idempotent and cheap; call before any TLS client: every
/// place in the crate that builds a reqwest client calls it, and so must a test that builds one
/// itself (`reqwest::Client::new()`).
pub fn init_tls() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // A concurrent caller may win the race; either way ring is the default afterwards.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn init_tls_makes_ring_the_default_and_reqwest_builds_on_it() {
        super::init_tls();
        super::init_tls();
        let installed = rustls::crypto::CryptoProvider::get_default().expect("a default provider");
        let suites = |p: &rustls::crypto::CryptoProvider| -> Vec<_> {
            p.cipher_suites.iter().map(|s| s.suite()).collect()
        };
        assert_eq!(
            suites(installed),
            suites(&rustls::crypto::ring::default_provider())
        );
        // reqwest has no provider of its own (`rustls-no-provider`): it panics without one.
        reqwest::Client::builder()
            .build()
            .expect("a reqwest client on the ring provider");
    }
}
