//! The keyspace: 16 (configurable) databases, each split into shards behind their own locks.
//!
//! A key's 64-bit hash picks its shard (top bits) and its place in the shard's ordered table
//! (low 32 bits). Single-key commands lock one shard; multi-key commands lock every shard they
//! touch in ascending (database, shard) order, so two of them can never deadlock. Commands that
//! cannot name their keys in advance (KEYS, FLUSHALL, SWAPDB, EXEC...) take the server-wide
//! exclusive lock instead, which waits for every other command to finish.
//!
//! Every read and write of a key goes through `KeyRef`, which applies lazy expiry, keeps the
//! access clock, and records changes in the command's `changes::Effects`: this is the one
//! place that sees every change to the keyspace, and where the change stream takes its order.
//! The server's own removals (expiry, eviction) go through `Keyspace::reclaimed`.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use bytes::Bytes;

use parking_lot::{Mutex, MutexGuard};
use storage::shard::{Entry, Shard};
use storage::small::SmallBytes;
use storage::table::fold_hash;
use storage::value::{Collection, Value};

pub mod digest;
pub mod snapshot;

use crate::base::changes::{ChangeLog, Effects};
use crate::base::clock::lru_clock;
use crate::base::error::CmdError;
/// Shards per database (a power of two).
pub const SHARDS: usize = 16;
const SHARD_SHIFT: u32 = 64 - SHARDS.trailing_zeros();

/// Counters the keyspace keeps for INFO.
#[derive(Debug, Default)]
pub struct KeyStats {
    /// Keys removed because their TTL passed.
    pub expired: AtomicU64,
    /// Lookups that found a key.
    pub hits: AtomicU64,
    /// Lookups that found nothing.
    pub misses: AtomicU64,
    /// Changes since the last save (Redis's `dirty`): what commands changed, counted as Redis
    /// counts them. Expiry and eviction are not counted, as in Redis.
    pub dirty: AtomicU64,
    /// The active expiry cycle's running estimate of the share of stale keys, in percent, as
    /// `f64` bits (INFO `expired_stale_perc`).
    pub expired_stale_perc: AtomicU64,
    /// Expiry cycles cut short by their time limit (INFO `expired_time_cap_reached_count`).
    pub expire_time_cap_reached: AtomicU64,
    /// Microseconds spent in expiry cycles (INFO `expire_cycle_cpu_milliseconds`).
    pub expire_cycle_us: AtomicU64,
}

impl KeyStats {
    /// Records one active expiry cycle: its stale share enters the running estimate with a
    /// weight of 5%, as in Redis.
    pub fn note_expire_cycle(
        &self,
        sampled: usize,
        expired: usize,
        timed_out: bool,
        took: std::time::Duration,
    ) {
        if sampled > 0 {
            let current = expired as f64 * 100.0 / sampled as f64;
            let old = f64::from_bits(self.expired_stale_perc.load(Ordering::Relaxed));
            let new = current * 0.05 + old * 0.95;
            self.expired_stale_perc
                .store(new.to_bits(), Ordering::Relaxed);
        }
        if timed_out {
            self.expire_time_cap_reached.fetch_add(1, Ordering::Relaxed);
        }
        self.expire_cycle_us
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }
}

/// One database.
#[derive(Debug)]
pub struct Db {
    shards: Box<[Mutex<Shard>]>,
    /// The active expiry cycle's running estimate of the keys' average TTL in milliseconds
    /// (INFO keyspace `avg_ttl`; 0 until sampled).
    avg_ttl: AtomicU64,
}

impl Db {
    fn new() -> Self {
        Db {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            avg_ttl: AtomicU64::new(0),
        }
    }

    /// Feeds the TTLs the expiry cycle saw into the average, as Redis does: the first sample
    /// sets it, later ones move it by a fiftieth.
    pub fn note_ttls(&self, ttl_sum: u64, samples: u64) {
        let Some(avg) = ttl_sum.checked_div(samples) else {
            return;
        };
        let old = self.avg_ttl.load(Ordering::Relaxed);
        let old = if old == 0 { avg } else { old };
        self.avg_ttl
            .store(old / 50 * 49 + avg / 50, Ordering::Relaxed);
    }

    /// Drops the estimate, as Redis does once a database has no key with a TTL.
    pub fn forget_ttls(&self) {
        self.avg_ttl.store(0, Ordering::Relaxed);
    }

    /// The estimated average TTL in milliseconds.
    pub fn avg_ttl(&self) -> u64 {
        self.avg_ttl.load(Ordering::Relaxed)
    }

    /// Locks shard `i`.
    pub fn shard(&self, i: usize) -> MutexGuard<'_, Shard> {
        self.shards[i % SHARDS].lock()
    }

    /// Number of keys, including expired ones not yet reclaimed (as Redis's DBSIZE).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// Whether the database holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of keys with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().volatile_len()).sum()
    }

    /// Bytes the database's tables spend on bookkeeping (see `Shard::overhead_bytes`).
    pub fn overhead_bytes(&self) -> usize {
        self.shards.iter().map(|s| s.lock().overhead_bytes()).sum()
    }
}

/// A key's hash split into its shard and its in-shard hash.
#[derive(Clone, Copy, Debug)]
pub struct KeyHash {
    /// The shard holding the key.
    pub shard: usize,
    /// The hash stored in the shard's table.
    pub hash: u32,
}

/// All databases.
#[derive(Debug)]
pub struct Keyspace {
    dbs: Box<[Db]>,
    hasher: foldhash::fast::FixedState,
    /// Counters for INFO.
    pub stats: KeyStats,
    /// Clients blocked on keys.
    pub blocking: crate::observe::blocking::Blocking,
    /// Keys watched by clients (WATCH).
    pub watches: crate::observe::watch::Watches,
    /// Keyspace notifications.
    pub notify: crate::observe::pubsub::Notifier,
    /// Client-side caching: who may cache which keys.
    pub tracking: crate::observe::tracking::Tracking,
    /// CLIENT PAUSE ends at this Unix millisecond time (0: no pause). While paused, expired
    /// keys read as missing but are not deleted, as in Redis.
    pub pause_until: AtomicU64,
    /// Frees large values in the background.
    pub lazyfree: crate::base::lazyfree::LazyFree,
    /// Which deletions the server makes on its own free values in the background
    /// (`lazyfree-lazy-expire`, `-eviction`, `-server-del`).
    pub lazy: LazyPolicy,
    /// What a key's access stamp records: the LRU clock, or the LFU counter.
    pub access: AccessPolicy,
    /// The change stream: what reproduces every change, in apply order.
    pub changes: ChangeLog,
    /// A background save's view of the keyspace, while one runs.
    pub snapshots: snapshot::Snapshots,
}

/// What each access writes into a key's 24-bit stamp: the LRU clock (seconds), or, under an LFU
/// `maxmemory-policy`, Redis's LFU counter with its decay time (`storage::lfu`).
#[derive(Debug, Default)]
pub struct AccessPolicy {
    lfu: AtomicBool,
    log_factor: AtomicU32,
    decay_time: AtomicU32,
}

impl AccessPolicy {
    /// Takes the settings from the configuration.
    pub fn load(&self, c: &crate::base::config::Config) {
        self.lfu
            .store(c.maxmemory_policy().is_lfu(), Ordering::Relaxed);
        let non_negative = |v: i32| u32::try_from(v).unwrap_or(0);
        self.log_factor
            .store(non_negative(c.lfu_log_factor()), Ordering::Relaxed);
        self.decay_time
            .store(non_negative(c.lfu_decay_time()), Ordering::Relaxed);
    }

    /// Whether stamps hold LFU counters.
    pub fn is_lfu(&self) -> bool {
        self.lfu.load(Ordering::Relaxed)
    }

    /// The stamp of a key created now.
    pub fn fresh(&self, now_ms: u64) -> u32 {
        if self.is_lfu() {
            storage::lfu::fresh(now_ms)
        } else {
            lru_clock(now_ms)
        }
    }

    /// The stamp after an access now to a key stamped `old`.
    pub fn touched(&self, old: u32, now_ms: u64) -> u32 {
        if self.is_lfu() {
            storage::lfu::touched(
                old,
                now_ms,
                self.log_factor.load(Ordering::Relaxed),
                self.decay_time.load(Ordering::Relaxed),
                fastrand::f64(),
            )
        } else {
            lru_clock(now_ms)
        }
    }

    /// The stamp of a key brought back from a snapshot or a DUMP payload: under an LFU policy
    /// its saved counter, otherwise its saved idle time, each when given.
    pub fn restored(&self, now_ms: u64, idle_secs: Option<u64>, freq: Option<u8>) -> u32 {
        match (self.is_lfu(), idle_secs, freq) {
            (true, _, Some(f)) => storage::lfu::stamp(now_ms, f),
            (false, Some(idle), _) => lru_clock(now_ms).wrapping_sub(idle as u32) & 0x00FF_FFFF,
            _ => self.fresh(now_ms),
        }
    }

    /// The LFU counter of a stamp after its decay until now (OBJECT FREQ).
    pub fn frequency(&self, stamp: u32, now_ms: u64) -> u8 {
        storage::lfu::decayed(stamp, now_ms, self.decay_time.load(Ordering::Relaxed))
    }
}

/// A key the server removes on its own, not on a command's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reclaim {
    /// Its TTL passed.
    Expired,
    /// `maxmemory` evicted it.
    Evicted,
}

/// Why the server itself drops a value; each reason has its `lazyfree-lazy-*` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The key expired (`lazyfree-lazy-expire`).
    Expire,
    /// The key was evicted (`lazyfree-lazy-eviction`).
    Eviction,
    /// A value was replaced by the server as part of a command, e.g. SET or RENAME over an
    /// existing key (`lazyfree-lazy-server-del`).
    ServerDel,
}

/// The `lazyfree-lazy-*` settings for the server's own deletions, read without the config lock.
#[derive(Debug, Default)]
pub struct LazyPolicy {
    expire: AtomicBool,
    eviction: AtomicBool,
    server_del: AtomicBool,
}

impl LazyPolicy {
    /// Takes the settings from the configuration.
    pub fn load(&self, c: &crate::base::config::Config) {
        self.expire
            .store(c.lazyfree_lazy_expire(), Ordering::Relaxed);
        self.eviction
            .store(c.lazyfree_lazy_eviction(), Ordering::Relaxed);
        self.server_del
            .store(c.lazyfree_lazy_server_del(), Ordering::Relaxed);
    }

    fn lazy(&self, why: Removal) -> bool {
        match why {
            Removal::Expire => &self.expire,
            Removal::Eviction => &self.eviction,
            Removal::ServerDel => &self.server_del,
        }
        .load(Ordering::Relaxed)
    }
}

impl Keyspace {
    /// A keyspace of `n` empty databases.
    pub fn new(n: usize) -> Self {
        Keyspace {
            dbs: (0..n.max(1)).map(|_| Db::new()).collect(),
            hasher: foldhash::fast::FixedState::with_seed(fastrand::u64(..)),
            stats: KeyStats::default(),
            blocking: crate::observe::blocking::Blocking::default(),
            watches: crate::observe::watch::Watches::default(),
            notify: crate::observe::pubsub::Notifier::default(),
            tracking: crate::observe::tracking::Tracking::default(),
            pause_until: AtomicU64::new(0),
            lazyfree: crate::base::lazyfree::LazyFree::default(),
            lazy: LazyPolicy::default(),
            access: AccessPolicy::default(),
            changes: ChangeLog::default(),
            snapshots: snapshot::Snapshots::default(),
        }
    }

    /// Everything that follows a key the server removed on its own, once it is out of its
    /// shard (whose lock the caller still holds): the value is freed by its `lazyfree-lazy-*`
    /// rule, watchers, blocked clients and caching clients learn of it, the notification goes
    /// out, and the change stream gets the `DEL` (or `UNLINK`, when freed lazily) that
    /// reproduces it (in the record of the command `fx` that found it, if any). It is not a
    /// change a command made, so it is not counted in `dirty`.
    pub fn reclaimed(
        &self,
        db: usize,
        key: &[u8],
        value: Value,
        why: Reclaim,
        fx: Option<&Effects>,
    ) {
        let (removal, class, event) = match why {
            Reclaim::Expired => (
                Removal::Expire,
                crate::base::config::NOTIFY_EXPIRED,
                "expired",
            ),
            Reclaim::Evicted => (
                Removal::Eviction,
                crate::base::config::NOTIFY_EVICTED,
                "evicted",
            ),
        };
        let lazy = self.lazy.lazy(removal);
        self.release(value, removal);
        self.watches.touch(db, key, false);
        self.blocking.signal(db, key);
        let running = fx.and_then(Effects::running);
        self.tracking.key_changed(key, false, running);
        self.notify.emit(class, event, key, db);
        let argv = || {
            let cmd: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
            vec![Bytes::from_static(cmd), Bytes::copy_from_slice(key)]
        };
        match fx {
            Some(fx) => fx.reclaimed(&self.changes, db, argv),
            None => self.changes.emit(db, argv),
        }
    }

    /// Drops a value the server removed on its own: in the background when its
    /// `lazyfree-lazy-*` setting asks for it and freeing it is much work, here otherwise.
    pub fn release(&self, value: Value, why: Removal) {
        if self.lazy.lazy(why) {
            self.lazyfree.free_value(value);
        }
    }

    /// Whether the entry at `index` of `shard` (a shard of database `db` the caller holds
    /// locked) is past its TTL; if so it is removed as an expiry (see `reclaimed`), unless
    /// CLIENT PAUSE holds deletions, when it only reads as gone. Lazy expiry of the key handle
    /// and the commands that walk shards themselves (SCAN, RANDOMKEY) all expire through it.
    pub fn expire_if_due(
        &self,
        db: usize,
        shard: &mut Shard,
        index: usize,
        now: u64,
        fx: &Effects,
    ) -> bool {
        if !shard.is_expired(index, now) {
            return false;
        }
        if now >= self.pause_until.load(Ordering::Relaxed) {
            if let Some(e) = shard.remove(index) {
                self.stats.expired.fetch_add(1, Ordering::Relaxed);
                self.reclaimed(db, &e.key, e.value, Reclaim::Expired, Some(fx));
            }
        }
        true
    }

    /// Number of databases.
    pub fn count(&self) -> usize {
        self.dbs.len()
    }

    /// Database `i`; callers check the index when it comes from a client.
    pub fn db(&self, i: usize) -> &Db {
        &self.dbs[i.min(self.dbs.len() - 1)]
    }

    /// Where a key lives.
    #[inline]
    pub fn hash(&self, key: &[u8]) -> KeyHash {
        let h = self.hasher.hash_one(key);
        KeyHash {
            shard: (h >> SHARD_SHIFT) as usize,
            hash: fold_hash(h),
        }
    }

    /// Locks the shard of `key` in database `db` and looks the key up; its changes count for
    /// the command whose effects are `fx`.
    pub fn key<'a>(
        &'a self,
        db: usize,
        key: &'a [u8],
        now: u64,
        fx: &'a Effects<'a>,
    ) -> Locked<'a> {
        let kh = self.hash(key);
        let db = db.min(self.dbs.len() - 1);
        let guard = self.dbs[db].shard(kh.shard);
        let site = Site {
            kh,
            db,
            key,
            now,
            ks: self,
            fx,
        };
        Locked { guard, site }
    }

    /// Locks the shards of several keys (possibly in two databases) in ascending order.
    pub fn keys<'a>(&'a self, keys: &[(usize, &[u8])], fx: &'a Effects<'a>) -> MultiLock<'a> {
        let mut want: Vec<(usize, usize)> = keys
            .iter()
            .map(|&(db, k)| (db.min(self.dbs.len() - 1), self.hash(k).shard))
            .collect();
        want.sort_unstable();
        want.dedup();
        let guards = want
            .into_iter()
            .map(|(db, shard)| ((db, shard), self.dbs[db].shard(shard)))
            .collect();
        MultiLock {
            ks: self,
            guards,
            fx,
        }
    }

    /// Swaps the contents of two databases, as one change. The caller holds the exclusive lock.
    pub fn swap(&self, a: usize, b: usize, fx: &Effects) {
        // Whole shards change databases: a running background save finishes first.
        self.snapshots.wait();
        fx.changed(&self.changes, 1);
        if a == b {
            return;
        }
        for i in 0..SHARDS {
            let (first, second) = if a < b { (a, b) } else { (b, a) };
            let mut x = self.dbs[first].shard(i);
            let mut y = self.dbs[second].shard(i);
            std::mem::swap(&mut *x, &mut *y);
        }
    }

    /// Empties database `db`, returning the removed entries for the caller to drop. Each key
    /// removed counts as a change, as in Redis. The caller holds the exclusive lock.
    pub fn flush(&self, db: usize, fx: &Effects) -> Vec<Entry> {
        let mut all = Vec::new();
        for i in 0..SHARDS {
            let mut shard = self.db(db).shard(i);
            if self.snapshots.active() {
                // What a running background save still needs is kept for it.
                let entries = shard.take_all_with_expiry();
                all.append(&mut self.snapshots.flushed(db, i, entries));
            } else {
                all.append(&mut shard.take_all());
            }
        }
        self.tracking.flushed(fx.running());
        fx.changed(&self.changes, all.len() as u64);
        all
    }

    /// Adds a key read from a snapshot (start-up, DEBUG RELOAD) with its absolute expiry and
    /// access stamp. Loading is not a command: nothing is counted, notified or recorded, as in
    /// Redis. A key already present is replaced when `replace` (DEBUG RELOAD MERGE); otherwise
    /// it is kept and false returned (a snapshot never holds a key twice).
    pub fn load(
        &self,
        db: usize,
        key: &[u8],
        value: Value,
        expire_at: Option<u64>,
        stamp: u32,
        replace: bool,
    ) -> bool {
        let kh = self.hash(key);
        let mut shard = self.db(db).shard(kh.shard);
        if let Some(old) = shard.find(kh.hash, key) {
            if !replace {
                return false;
            }
            shard.remove(old);
        }
        let i = shard.insert(kh.hash, key, value, stamp);
        if let Some(at) = expire_at {
            shard.set_expire(i, at);
        }
        true
    }

    /// Empties every database before a reload from a snapshot (DEBUG RELOAD): like FLUSHALL
    /// for watchers and caching clients, but not a change of the dataset, so nothing is counted
    /// or recorded.
    pub fn clear_for_reload(&self) {
        for db in 0..self.count() {
            let mut removed = Vec::new();
            for i in 0..SHARDS {
                removed.append(&mut self.db(db).shard(i).take_all());
            }
            self.watches
                .touch_db(db, |_| (true, crate::observe::watch::Replacement::Nothing));
            self.blocking.signal_db(db);
            drop(removed);
        }
        self.tracking.flushed(None);
    }

    /// Whether `key` is present but past its expiry time (not reclaimed yet); nothing is
    /// deleted or counted.
    pub fn logically_expired(&self, db: usize, key: &[u8], now: u64) -> bool {
        let kh = self.hash(key);
        let shard = self.db(db).shard(kh.shard);
        shard
            .find(kh.hash, key)
            .is_some_and(|i| shard.is_expired(i, now))
    }

    /// Whether `key` exists and has not expired; nothing is deleted or counted.
    pub fn is_live(&self, db: usize, key: &[u8], now: u64) -> bool {
        let kh = self.hash(key);
        let shard = self.db(db).shard(kh.shard);
        shard
            .find(kh.hash, key)
            .is_some_and(|i| !shard.is_expired(i, now))
    }
}

/// Several shards locked at once; see `Keyspace::keys`.
pub struct MultiLock<'a> {
    ks: &'a Keyspace,
    guards: Vec<((usize, usize), MutexGuard<'a, Shard>)>,
    fx: &'a Effects<'a>,
}

impl<'a> MultiLock<'a> {
    /// A view of `key` in database `db`, or `None` when that key's shard was not locked (a
    /// bug in the caller, reported rather than risked).
    pub fn key<'b>(&'b mut self, db: usize, key: &'b [u8], now: u64) -> Option<KeyRef<'b>> {
        let db = db.min(self.ks.dbs.len() - 1);
        let kh = self.ks.hash(key);
        let pos = self.guards.iter().position(|(id, _)| *id == (db, kh.shard));
        debug_assert!(pos.is_some(), "key's shard not locked");
        let site = Site {
            kh,
            db,
            key,
            now,
            ks: self.ks,
            fx: self.fx,
        };
        Some(KeyRef::new(&mut self.guards[pos?].1, site))
    }
}

/// Where a key lives and who looks at it: what a key handle needs besides its locked shard.
#[derive(Clone, Copy)]
struct Site<'a> {
    kh: KeyHash,
    db: usize,
    key: &'a [u8],
    now: u64,
    ks: &'a Keyspace,
    fx: &'a Effects<'a>,
}

/// One shard locked for one key; call `get()` for the key's view.
pub struct Locked<'a> {
    guard: MutexGuard<'a, Shard>,
    site: Site<'a>,
}

impl<'a> Locked<'a> {
    /// The key's view.
    #[inline]
    pub fn get(&mut self) -> KeyRef<'_> {
        KeyRef::new(&mut self.guard, self.site)
    }
}

/// A key in a locked shard: the one place where keys are read and changed.
pub struct KeyRef<'a> {
    shard: &'a mut Shard,
    kh: KeyHash,
    db: usize,
    key: &'a [u8],
    now: u64,
    index: Option<usize>,
    ks: &'a Keyspace,
    stats: &'a KeyStats,
    fx: &'a Effects<'a>,
}

impl<'a> KeyRef<'a> {
    fn new(shard: &'a mut Shard, site: Site<'a>) -> Self {
        let Site {
            kh,
            db,
            key,
            now,
            ks,
            fx,
        } = site;
        let mut index = shard.find(kh.hash, key);
        // A replay leaves expiry to the stream's own DELs.
        if let Some(i) = index.filter(|_| !fx.replaying()) {
            if ks.expire_if_due(db, shard, i, now, fx) {
                index = None;
            }
        }
        KeyRef {
            shard,
            kh,
            db,
            key,
            now,
            index,
            ks,
            stats: &ks.stats,
            fx,
        }
    }

    /// The key's name.
    pub fn name(&self) -> &[u8] {
        self.key
    }

    /// Whether the key exists (and has not expired).
    #[inline]
    pub fn exists(&self) -> bool {
        self.index.is_some()
    }

    /// The key's value, without counting a hit or a miss.
    #[inline]
    pub fn peek(&self) -> Option<&Value> {
        self.shard.entry(self.index?).map(|e| &e.value)
    }

    /// The key's entry (value and metadata).
    pub fn entry(&self) -> Option<&Entry> {
        self.shard.entry(self.index?)
    }

    /// Reads the value as a command does: counts a hit or a miss and, unless `no_touch`,
    /// refreshes the access clock.
    #[inline]
    pub fn read(&mut self, no_touch: bool) -> Option<&Value> {
        let Some(i) = self.index else {
            self.stats.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        self.stats.hits.fetch_add(1, Ordering::Relaxed);
        let e = self.shard.entry_mut(i)?;
        if !no_touch {
            e.set_clock(self.ks.access.touched(e.clock(), self.now));
        }
        Some(&e.value)
    }

    /// The collection of type `T` at the key, read as a command reads (see `read`):
    /// `Ok(None)` when missing, WRONGTYPE when the key holds another type.
    pub fn read_as<T: Collection>(&mut self, no_touch: bool) -> Result<Option<&T>, CmdError> {
        match self.read(no_touch) {
            None => Ok(None),
            Some(v) => T::of(v).map(Some).ok_or(CmdError::WrongType),
        }
    }

    /// Like `read_as`, without counting a hit or a miss or touching the access clock.
    pub fn peek_as<T: Collection>(&self) -> Result<Option<&T>, CmdError> {
        match self.peek() {
            None => Ok(None),
            Some(v) => T::of(v).map(Some).ok_or(CmdError::WrongType),
        }
    }

    /// The collection of type `T` at the key, for changing in place (the caller calls
    /// `changed()` afterwards): `Ok(None)` when missing, WRONGTYPE for another type.
    pub fn get_mut_as<T: Collection>(&mut self) -> Result<Option<&mut T>, CmdError> {
        match self.value_mut() {
            None => Ok(None),
            Some(e) => T::of_mut(&mut e.value).map(Some).ok_or(CmdError::WrongType),
        }
    }

    /// Refreshes the access stamp, as TOUCH does.
    pub fn touch(&mut self) {
        let (now, access) = (self.now, &self.ks.access);
        if let Some(e) = self.index.and_then(|i| self.shard.entry_mut(i)) {
            e.set_clock(access.touched(e.clock(), now));
        }
    }

    /// Before a change while a background save runs: the save keeps the key as it was (see
    /// `snapshot`). One relaxed load otherwise.
    #[inline]
    fn before_write(&self) {
        if self.ks.snapshots.active() {
            self.keep_pre_image();
        }
    }

    #[cold]
    fn keep_pre_image(&self) {
        let shard = &*self.shard;
        let index = self.index;
        self.ks
            .snapshots
            .before_change(self.db, self.kh.shard, self.key, || {
                let e = shard.entry(index?)?;
                Some(snapshot::Saved {
                    value: e.value.clone(),
                    expire: shard.entry_expire(e),
                    stamp: e.clock(),
                })
            });
    }

    /// The value for changing in place; the caller must call `changed()` afterwards.
    pub fn value_mut(&mut self) -> Option<&mut Entry> {
        self.before_write();
        let (now, access) = (self.now, &self.ks.access);
        let e = self.shard.entry_mut(self.index?)?;
        e.set_clock(access.touched(e.clock(), now));
        Some(e)
    }

    /// Records that the value was changed in place. Every change comes through here: it is
    /// counted for the command (and fixes the command's place in the change stream, under this
    /// key's lock), and blocked clients, WATCH and client-side caching learn of it.
    pub fn changed(&mut self) {
        self.changed_by(1);
    }

    /// Records a change of the value that counts as `n` changes, as Redis counts them: one
    /// per element for commands that add or remove several (RPUSH, SADD, ZREM...), none for
    /// the source of a move that counts once where the value lands (RENAME, MOVE, LMOVE).
    pub fn changed_by(&mut self, n: u64) {
        self.fx.changed(&self.ks.changes, n);
        self.ks.blocking.signal(self.db, self.key);
        self.ks
            .watches
            .touch(self.db, self.key, self.index.is_some());
        self.ks
            .tracking
            .key_changed(self.key, true, self.fx.running());
    }

    /// Stores `value`, creating the key if needed. An existing TTL is dropped unless `keep_ttl`.
    pub fn set(&mut self, value: Value, keep_ttl: bool) {
        self.set_counting(value, keep_ttl, 1);
    }

    /// Stores `value` as [`KeyRef::set`] does, as a change that counts `n` changes (a new
    /// collection created with `n` elements).
    pub fn set_counting(&mut self, value: Value, keep_ttl: bool, n: u64) {
        self.store(value, keep_ttl);
        self.changed_by(n);
    }

    /// Records a change of `n` elements of a collection, deleting the key when the collection
    /// was left empty: Redis never keeps an empty collection.
    pub fn changed_or_emptied(&mut self, empty: bool, n: u64) {
        if empty {
            self.remove(n);
        } else {
            self.changed_by(n);
        }
    }

    /// Stores `value` with the absolute expiry `expire_at` when given (else as [`KeyRef::set`]),
    /// as one change, as SET with EX/PX/EXAT/PXAT and SETEX count it. An expiry already past
    /// deletes the key, as Redis does, except in a replay of the change stream, which waits
    /// for the stream's own `DEL`.
    pub fn set_expiring(&mut self, value: Value, keep_ttl: bool, expire_at: Option<u64>) {
        self.store(value, keep_ttl);
        match expire_at {
            Some(at) if at <= self.now && !self.fx.replaying() => {
                self.take();
            }
            Some(at) => {
                self.store_expire(at);
                self.changed();
            }
            None => self.changed(),
        }
    }

    /// Sets the key's access stamp (RESTORE's IDLETIME and FREQ).
    pub fn set_stamp(&mut self, stamp: u32) {
        if let Some(e) = self.index.and_then(|i| self.shard.entry_mut(i)) {
            e.set_clock(stamp);
        }
    }

    /// Stores `value` without recording the change.
    fn store(&mut self, value: Value, keep_ttl: bool) {
        self.before_write();
        let (now, access) = (self.now, &self.ks.access);
        match self.index {
            Some(i) => {
                if !keep_ttl {
                    self.shard.persist(i);
                }
                if let Some(e) = self.shard.entry_mut(i) {
                    let old = std::mem::replace(&mut e.value, value);
                    e.set_raw(false);
                    e.set_clock(access.touched(e.clock(), now));
                    self.ks.release(old, Removal::ServerDel);
                }
            }
            None => {
                let stamp = access.fresh(now);
                self.index = Some(self.shard.insert(self.kh.hash, self.key, value, stamp));
                self.ks
                    .notify
                    .emit(crate::base::config::NOTIFY_NEW, "new", self.key, self.db);
            }
        }
    }

    /// Stores an entry moved from elsewhere (RENAME, MOVE, COPY), replacing any value.
    pub fn put_entry(&mut self, mut entry: Entry, expire_at: Option<u64>) {
        self.before_write();
        entry.key = SmallBytes::new(self.key);
        if let Some(old) = self.index.take().and_then(|i| self.shard.remove(i)) {
            self.ks.release(old.value, Removal::ServerDel);
        }
        let i = self.shard.insert_entry(self.kh.hash, entry);
        if let Some(at) = expire_at {
            self.shard.set_expire(i, at);
        }
        // Re-find: setting the expiry never moves the main entry, but stay safe.
        self.index = self.shard.find(self.kh.hash, self.key);
        self.changed();
    }

    /// Removes the key; returns whether it existed.
    pub fn delete(&mut self) -> bool {
        self.take().is_some()
    }

    /// Removes the key and returns its entry and expiry time.
    pub fn take(&mut self) -> Option<(Entry, Option<u64>)> {
        self.remove(1)
    }

    /// Removes the key to put its entry elsewhere in the same command (RENAME, MOVE), which
    /// counts the move once, where the entry lands.
    pub fn take_to_move(&mut self) -> Option<(Entry, Option<u64>)> {
        self.remove(0)
    }

    fn remove(&mut self, count: u64) -> Option<(Entry, Option<u64>)> {
        self.before_write();
        let i = self.index.take()?;
        let at = self.shard.expire_at(i);
        let e = self.shard.remove(i)?;
        self.changed_by(count);
        Some((e, at))
    }

    /// The key's absolute expiry time in Unix milliseconds.
    pub fn expire_at(&self) -> Option<u64> {
        self.shard.expire_at(self.index?)
    }

    /// Sets the key's expiry time. A time already past deletes the key, as Redis does, except
    /// in a replay of the change stream (see `set_expiring`).
    pub fn set_expire(&mut self, at_ms: u64) {
        if self.index.is_none() {
            return;
        }
        if at_ms <= self.now && !self.fx.replaying() {
            self.delete();
            return;
        }
        self.store_expire(at_ms);
        self.changed();
    }

    /// Sets a future expiry time of an existing key without recording the change.
    fn store_expire(&mut self, at_ms: u64) {
        self.before_write();
        let Some(i) = self.index else { return };
        self.shard.set_expire(i, at_ms);
        self.index = self.shard.find(self.kh.hash, self.key);
    }

    /// Removes the key's TTL; returns whether it had one.
    pub fn persist(&mut self) -> bool {
        self.before_write();
        let Some(i) = self.index else { return false };
        let had = self.shard.persist(i);
        if had {
            self.changed();
        }
        had
    }

    /// Evicts the key: removes it as the server's own change (see `Keyspace::reclaimed`).
    /// Returns whether it existed.
    pub fn evict(&mut self) -> bool {
        self.before_write();
        let Some(i) = self.index.take() else {
            return false;
        };
        let Some(e) = self.shard.remove(i) else {
            return false;
        };
        self.ks
            .reclaimed(self.db, self.key, e.value, Reclaim::Evicted, Some(self.fx));
        true
    }

    /// The time this view considers "now", in Unix milliseconds.
    pub fn now(&self) -> u64 {
        self.now
    }
}
