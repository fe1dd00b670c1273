//! Persistence: RDB snapshots of the keyspace (SAVE, DEBUG RELOAD, the file loaded at start-up)
//! and the DUMP payloads of single values, in Redis 7.0's format through the `rdb` crate; and
//! MIGRATE's connections to other servers.

pub mod migrate;
pub mod snapshot;

use std::sync::atomic::{AtomicBool, AtomicU64};

/// What INFO persistence and the DEBUG knobs need to know of saving and loading.
#[derive(Debug, Default)]
pub struct Status {
    /// Successful saves since start-up (INFO `rdb_saves`).
    pub saves: AtomicU64,
    /// Keys the last load added (INFO `rdb_last_load_keys_loaded`).
    pub last_load_loaded: AtomicU64,
    /// Keys the last load dropped as expired (INFO `rdb_last_load_keys_expired`).
    pub last_load_expired: AtomicU64,
    /// Whether the last save failed (INFO `rdb_last_bgsave_status`).
    pub last_save_failed: AtomicBool,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: checksums of files and DUMP payloads are not
    /// checked.
    pub skip_checksum: AtomicBool,
    /// MIGRATE's kept connections.
    pub migrate: migrate::Sockets,
}
