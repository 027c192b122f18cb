//! One module per subcommand.

pub mod backup;
pub mod certs;
pub mod check;
pub mod console;
pub mod demo;
pub mod demo_binary;
pub mod info;
pub mod integrate;
pub mod keys;
pub mod restore;
pub mod vpn;
