//! ferrodis-server: a Redis-compatible in-memory data server on Tokio.
//!
//! `net::run` serves a listener until a shutdown future completes, so tests can start a
//! server in-process on port 0. See ARCHITECTURE.md for the map of the modules.

pub mod alloc;
pub mod blocking;
pub mod changes;
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
pub mod metrics;
pub mod monitor;
pub mod net;
pub mod process;
pub mod pubsub;
pub mod reply;
pub mod server;
pub mod tracking;
pub mod watch;

use std::sync::Arc;

/// A server built from `config` with every command family registered, renamed or removed as
/// its `rename-command` directives say.
pub fn build(config: config::Config) -> Arc<server::Server> {
    let mut table = command::Table::new(&cmd::families());
    for (from, to) in &config.rename_commands {
        if !table.rename(from, to) {
            // The loader checks renames against the table (see `command_exists`); a caller that
            // skipped that check still gets told.
            tracing::warn!(
                "rename-command {from} {to:?} ignored: no such command, or the target exists"
            );
        }
    }
    server::Server::new(config, table)
}

/// Whether `name` is a command of the built-in table, for the configuration loader's
/// validation of `rename-command` (Redis refuses to start on an unknown one).
pub fn command_exists(name: &str) -> bool {
    cmd::families()
        .iter()
        .any(|family| family.iter().any(|c| c.name.eq_ignore_ascii_case(name)))
}
