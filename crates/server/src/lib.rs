//! ferrodis-server: a Redis-compatible in-memory data server on Tokio.
//!
//! `net::run` serves a listener until a shutdown future completes, so tests can start a
//! server in-process on port 0. See ARCHITECTURE.md for the map of the modules.

pub mod base;
pub mod cmd;
pub mod command;
pub mod dispatch;
pub mod keyspace;
pub mod net;
pub mod observe;
pub mod persist;
pub mod state;

use std::sync::Arc;

/// A server built from `config` with every command family registered, renamed or removed as
/// its `rename-command` directives say.
pub fn build(config: base::config::Config) -> Arc<dispatch::Server> {
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
    let srv = dispatch::Server::new(config, table);
    // Background work holds the server only while it runs: a weak handle, so that a dropped
    // server is not kept alive by its own spawner.
    let weak = Arc::downgrade(&srv);
    let _ = srv.spawner.set(state::Spawner(Box::new(move |work| {
        if let Some(srv) = weak.upgrade() {
            std::thread::spawn(move || work(&srv));
        }
    })));
    srv
}

/// Whether `name` is a command of the built-in table, for the configuration loader's
/// validation of `rename-command` (Redis refuses to start on an unknown one).
pub fn command_exists(name: &str) -> bool {
    cmd::families()
        .iter()
        .any(|family| family.iter().any(|c| c.name.eq_ignore_ascii_case(name)))
}
