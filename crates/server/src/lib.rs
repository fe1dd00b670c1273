//! ferrodis-server: a Redis-compatible in-memory data server on Tokio.
//!
//! `net::run` serves a listener until a shutdown future completes, so tests can start a
//! server in-process on port 0. See ARCHITECTURE.md for the map of the modules.

pub mod alloc;
pub mod blocking;
pub mod cmd;
pub mod command;
pub mod config;
pub mod cron;
pub mod db;
pub mod digest;
pub mod error;
pub mod evict;
pub mod exec;
pub mod info;
pub mod lazyfree;
pub mod monitor;
pub mod net;
pub mod pubsub;
pub mod reply;
pub mod server;
pub mod tracking;
pub mod watch;

use std::sync::Arc;

/// A server built from `config` with every command family registered.
pub fn build(config: config::Config) -> Arc<server::Server> {
    server::Server::new(config, command::Table::new(&cmd::families()))
}
