//! The point-in-time view a background save needs, without fork. A save walks the shards one
//! key at a time, each under its shard's lock; a change to a key the walk has not written yet
//! first keeps the key as it was (its "pre-image": value, expiry and access stamp, or "absent"
//! for a key created since), and the walk writes the pre-image instead. So the file is the
//! keyspace at the instant the save started, a write waits for at most one key's
//! serialization, and the extra memory is the pre-images of the keys changed meanwhile.
//!
//! Lock order: a shard's lock, then that shard's pre-image table; never two shards.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use storage::shard::{Entry, Shard};
use storage::value::Value;

use crate::keyspace::{Keyspace, SHARDS};

/// A shard the walk has not reached.
const PENDING: u8 = 0;
/// The shard the walk is in.
const WALKING: u8 = 1;
/// A shard written in full: its changes need no pre-image.
const WRITTEN: u8 = 2;

/// A key as it was when the save started.
#[derive(Debug)]
pub struct Saved {
    /// The value.
    pub value: Value,
    /// Its absolute expiry, Unix milliseconds.
    pub expire: Option<u64>,
    /// Its access stamp (LRU clock or LFU counter).
    pub stamp: u32,
}

/// One shard's pre-images, and while it is walked, the keys already written.
#[derive(Debug, Default)]
struct ShardView {
    pre: HashMap<Vec<u8>, Option<Saved>>,
    walked: HashSet<Vec<u8>>,
}

/// One background save in progress.
#[derive(Debug)]
pub struct Job {
    /// Per database: keys and keys with a TTL when the save started.
    pub sizes: Vec<(usize, usize)>,
    state: Vec<AtomicU8>,
    views: Vec<Mutex<ShardView>>,
    /// Bytes the pre-images hold (INFO `rdb_last_cow_size`).
    pub kept_bytes: AtomicUsize,
    /// Keys written so far (INFO `current_save_keys_processed`).
    pub written_keys: AtomicUsize,
    /// FLUSHALL asked the save to stop.
    aborted: AtomicBool,
}

/// Whether a background save is running, and its view.
#[derive(Debug, Default)]
pub struct Snapshots {
    active: AtomicBool,
    job: Mutex<Option<Arc<Job>>>,
}

impl Snapshots {
    /// Whether a save is running: one relaxed load, on every change.
    #[inline]
    pub fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// The running save.
    pub fn job(&self) -> Option<Arc<Job>> {
        self.job.lock().clone()
    }

    /// Ends the running save.
    pub fn finish(&self) {
        *self.job.lock() = None;
        self.active.store(false, Ordering::Release);
    }

    /// Stops the running save, as FLUSHALL does in Redis (it kills the saving child), and
    /// waits for it to end.
    pub fn abort(&self) {
        if let Some(job) = self.job() {
            job.aborted.store(true, Ordering::Relaxed);
        }
        self.wait();
    }

    /// Waits for the running save to end (SWAPDB, which moves whole shards, waits for it).
    pub fn wait(&self) {
        while self.active() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Keeps the pre-image of `key` in shard `shard` of database `db` before its first change,
    /// from `current` (the key as it is now, `None` when absent), unless the walk already wrote
    /// it or a pre-image is kept. The caller holds the shard's lock.
    pub fn before_change(
        &self,
        db: usize,
        shard: usize,
        key: &[u8],
        current: impl FnOnce() -> Option<Saved>,
    ) {
        let Some(job) = self.job() else { return };
        let at = job.index(db, shard);
        let state = job.state[at].load(Ordering::Acquire);
        if state == WRITTEN {
            return;
        }
        let mut view = job.views[at].lock();
        if (state == WALKING && view.walked.contains(key)) || view.pre.contains_key(key) {
            return;
        }
        let saved = current();
        let bytes = key.len() + saved.as_ref().map_or(0, |s| s.value.heap_bytes() + 16);
        job.kept_bytes.fetch_add(bytes, Ordering::Relaxed);
        view.pre.insert(key.to_vec(), saved);
    }

    /// A flush of a shard while a save runs: the entries the save still needs become
    /// pre-images (moved, not copied); the rest are returned for the caller to drop.
    pub fn flushed(
        &self,
        db: usize,
        shard: usize,
        entries: Vec<(Entry, Option<u64>)>,
    ) -> Vec<Entry> {
        let Some(job) = self.job() else {
            return entries.into_iter().map(|(e, _)| e).collect();
        };
        let at = job.index(db, shard);
        let state = job.state[at].load(Ordering::Acquire);
        let mut view = job.views[at].lock();
        let mut dropped = Vec::new();
        for (e, expire) in entries {
            let key = e.key.as_slice();
            let needed = state != WRITTEN
                && !(state == WALKING && view.walked.contains(key))
                && !view.pre.contains_key(key);
            if needed {
                let stamp = e.clock();
                let key = key.to_vec();
                view.pre.insert(
                    key,
                    Some(Saved {
                        value: e.value,
                        expire,
                        stamp,
                    }),
                );
            } else {
                dropped.push(e);
            }
        }
        dropped
    }
}

impl Job {
    fn index(&self, db: usize, shard: usize) -> usize {
        db * SHARDS + shard
    }

    /// Whether the save was asked to stop.
    pub fn aborted(&self) -> bool {
        self.aborted.load(Ordering::Relaxed)
    }

    /// Writes, through `write`, every key of shard `shard` of database `db` as it was when the
    /// save started, one key at a time under the shard's lock (`between_keys` runs between
    /// them, without it, and may stop the walk).
    pub fn walk_shard<E>(
        &self,
        ks: &Keyspace,
        db: usize,
        shard: usize,
        between_keys: impl Fn() -> Result<(), E>,
        mut write: impl FnMut(&[u8], &Value, Option<u64>, u32) -> Result<(), E>,
    ) -> Result<(), E> {
        let at = self.index(db, shard);
        let keys: Vec<Vec<u8>> = {
            let guard = ks.db(db).shard(shard);
            self.state[at].store(WALKING, Ordering::Release);
            guard.iter().map(|e| e.key.as_slice().to_vec()).collect()
        };
        for key in keys {
            between_keys()?;
            let guard = ks.db(db).shard(shard);
            let mut view = self.views[at].lock();
            if let Some(pre) = view.pre.remove(&key) {
                if let Some(s) = pre {
                    write(&key, &s.value, s.expire, s.stamp)?;
                    self.written_keys.fetch_add(1, Ordering::Relaxed);
                }
                // Keep the key out of later pre-images: it is written (or was absent).
                view.walked.insert(key);
                continue;
            }
            if let Some(e) = find(&guard, ks, &key) {
                write(&key, &e.value, guard.entry_expire(e), e.clock())?;
                self.written_keys.fetch_add(1, Ordering::Relaxed);
            }
            view.walked.insert(key);
        }
        // Keys deleted before the walk listed them live on as pre-images.
        let _guard = ks.db(db).shard(shard);
        let mut view = self.views[at].lock();
        for (key, pre) in view.pre.drain() {
            if let Some(s) = pre {
                write(&key, &s.value, s.expire, s.stamp)?;
                self.written_keys.fetch_add(1, Ordering::Relaxed);
            }
        }
        view.walked = HashSet::new();
        self.state[at].store(WRITTEN, Ordering::Release);
        Ok(())
    }
}

fn find<'s>(shard: &'s Shard, ks: &Keyspace, key: &[u8]) -> Option<&'s Entry> {
    shard
        .find(ks.hash(key).hash, key)
        .and_then(|i| shard.entry(i))
}

impl Keyspace {
    /// Starts a background save's view of the keyspace as it is now; the caller holds the
    /// server's exclusive lock, so no command is half done. Shards empty now are written
    /// already. Returns `None` when a save is running.
    pub fn start_snapshot(&self) -> Option<Arc<Job>> {
        let mut slot = self.snapshots.job.lock();
        if slot.is_some() {
            return None;
        }
        let dbs = self.count();
        let mut state = Vec::with_capacity(dbs * SHARDS);
        let mut sizes = Vec::with_capacity(dbs);
        for d in 0..dbs {
            let db = self.db(d);
            sizes.push((db.len(), db.volatile_len()));
            for s in 0..SHARDS {
                let empty = db.shard(s).is_empty();
                state.push(AtomicU8::new(if empty { WRITTEN } else { PENDING }));
            }
        }
        let job = Arc::new(Job {
            sizes,
            state,
            views: (0..dbs * SHARDS).map(|_| Mutex::default()).collect(),
            kept_bytes: AtomicUsize::new(0),
            written_keys: AtomicUsize::new(0),
            aborted: AtomicBool::new(false),
        });
        *slot = Some(job.clone());
        self.snapshots.active.store(true, Ordering::Release);
        Some(job)
    }
}
