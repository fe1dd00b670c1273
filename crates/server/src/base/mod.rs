//! The bottom layer: what every part of the server uses and that knows no keyspace, command
//! or connection: the clock, errors, the reply buffer, configuration, a connection's handle,
//! the change stream's log, allocation counting, statistics helpers and process duties.

pub mod alloc;
pub mod changes;
pub mod clock;
pub mod config;
pub mod error;
pub mod handle;
pub mod lazyfree;
pub mod logline;
pub mod metrics;
pub mod monitor;
pub mod process;
pub mod reply;
pub mod running;
