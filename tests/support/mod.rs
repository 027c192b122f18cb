//! Shared by integration tests: a real `qbittorrent-nox` on loopback ([`qbit_real`]) and the
//! simulated stack behind a [`k8s_nas::integrate::live::Live`] context ([`stack`]).
#![allow(dead_code)]

pub mod qbit_real;
pub mod stack;
