//! The server's integration tests, one module per subject, linked into one test binary so that
//! the suite links once. `common` holds the in-process server, the test connection and the
//! data-driven `check`; process-level tests start the built `ferrodis-server`. The tests that
//! measure the process's allocations live in `tests/alloc`, the one other binary: they install
//! the counting allocator, and need no other test allocating beside them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod access;
mod bitmap;
mod changes;
mod client_kill;
mod commands;
mod config_listen;
mod geo;
mod hash;
mod hll;
mod info;
mod layers;
mod lazyfree;
mod list;
mod persist;
mod pubsub_fanout;
mod service;
mod set;
mod sort;
mod stream;
mod tracking;
mod zset;
