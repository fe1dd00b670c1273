//! Persistence: RDB snapshots of the keyspace (SAVE, BGSAVE and its save points, DEBUG RELOAD,
//! the file loaded at start-up) and the DUMP payloads of single values, in Redis 7.0's format
//! through the `rdb` crate; and MIGRATE's connections to other servers.

pub mod bgsave;
pub mod migrate;
pub mod snapshot;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};

use crate::base::clock::now_ms;
use crate::base::config::Config;

/// What INFO persistence and the DEBUG knobs need to know of saving and loading.
#[derive(Debug)]
pub struct Status {
    /// Unix seconds of the last successful save (LASTSAVE).
    pub last_save: AtomicU64,
    /// Successful saves since start-up (INFO `rdb_saves`).
    pub saves: AtomicU64,
    /// Keys the last load added (INFO `rdb_last_load_keys_loaded`).
    pub last_load_loaded: AtomicU64,
    /// Keys the last load dropped as expired (INFO `rdb_last_load_keys_expired`).
    pub last_load_expired: AtomicU64,
    /// Whether the last background save failed (INFO `rdb_last_bgsave_status`).
    pub last_save_failed: AtomicBool,
    /// Whether a failed background save refuses writes: save points are set and
    /// `stop-writes-on-bgsave-error` is on (kept current by `configured`).
    pub refusal_armed: AtomicBool,
    /// A background save is running (INFO `rdb_bgsave_in_progress`).
    pub bgsave_in_progress: AtomicBool,
    /// When it started, Unix milliseconds.
    pub bgsave_started: AtomicU64,
    /// The dirty count when it started: what its success subtracts.
    pub dirty_at_start: AtomicU64,
    /// Unix seconds of the last background save attempt (failed saves retry after 5 s).
    pub last_try: AtomicU64,
    /// Seconds the last background save took (-1: none yet).
    pub last_bgsave_secs: AtomicI64,
    /// Bytes the last background save kept for keys changed while it ran.
    pub last_kept_bytes: AtomicUsize,
    /// BGSAVE SCHEDULE asked for a save once the running one ends.
    pub scheduled: AtomicBool,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: checksums of files and DUMP payloads are not
    /// checked.
    pub skip_checksum: AtomicBool,
    /// MIGRATE's kept connections.
    pub migrate: migrate::Sockets,
    /// The snapshot file is being loaded at start-up (INFO `loading`): commands not allowed
    /// then get -LOADING.
    pub loading: AtomicBool,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            last_save: AtomicU64::new(now_ms() / 1000),
            saves: AtomicU64::new(0),
            last_load_loaded: AtomicU64::new(0),
            last_load_expired: AtomicU64::new(0),
            last_save_failed: AtomicBool::new(false),
            refusal_armed: AtomicBool::new(false),
            bgsave_in_progress: AtomicBool::new(false),
            bgsave_started: AtomicU64::new(0),
            dirty_at_start: AtomicU64::new(0),
            last_try: AtomicU64::new(0),
            last_bgsave_secs: AtomicI64::new(-1),
            last_kept_bytes: AtomicUsize::new(0),
            scheduled: AtomicBool::new(false),
            skip_checksum: AtomicBool::new(false),
            migrate: migrate::Sockets::default(),
            loading: AtomicBool::new(false),
        }
    }
}

impl Status {
    /// Takes the settings that decide whether a failed save refuses writes.
    pub fn configured(&self, c: &Config) {
        let armed = !c.save().is_empty() && c.stop_writes_on_bgsave_error();
        self.refusal_armed.store(armed, Ordering::Relaxed);
    }

    /// Whether writes are refused (`-MISCONF`): the last background save failed and the
    /// settings say to stop writes then.
    #[inline]
    pub fn writes_refused(&self) -> bool {
        self.refusal_armed.load(Ordering::Relaxed) && self.last_save_failed.load(Ordering::Relaxed)
    }

    /// Notes a successful save.
    pub fn saved(&self) {
        self.last_save.store(now_ms() / 1000, Ordering::Relaxed);
        self.saves.fetch_add(1, Ordering::Relaxed);
        self.last_save_failed.store(false, Ordering::Relaxed);
    }
}
