//! WATCH: which clients watch which keys, and marking them when a watched key changes.
//!
//! `db::KeyRef` calls `touch` on every change to a key (writes, deletions, expiry), and the
//! commands that empty or swap whole databases call `touch_db`. A touched client's EXEC aborts.
//! As in Redis, a key that was already logically expired when watched does not count as
//! touched when it is merely reclaimed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

use crate::base::handle::ClientHandle;
/// One client's watch on one key.
#[derive(Debug)]
struct Watcher {
    client: Arc<ClientHandle>,
    /// The key was logically expired when WATCH ran.
    expired: bool,
}

#[derive(Debug, Default)]
struct Inner {
    by_key: HashMap<(usize, Bytes), Vec<Watcher>>,
    by_client: HashMap<u64, Vec<(usize, Bytes)>>,
}

/// What takes the place of a key when its database is emptied (nothing) or swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// No key of that name.
    Nothing,
    /// A key that has not expired.
    Live,
    /// A key past its expiry time, not reclaimed yet.
    Expired,
}

/// The registry of watched keys.
#[derive(Debug, Default)]
pub struct Watches {
    /// Number of watched (client, key) pairs, read without locking on every key change.
    count: AtomicUsize,
    inner: Mutex<Inner>,
}

impl Watches {
    /// Starts watching `key` in `db` for `client`; `expired` says whether the key is logically
    /// expired right now.
    pub fn watch(&self, client: &Arc<ClientHandle>, db: usize, key: &Bytes, expired: bool) {
        let mut inner = self.inner.lock();
        let mine = inner.by_client.entry(client.id).or_default();
        if mine.iter().any(|(d, k)| *d == db && k == key) {
            return;
        }
        // Copied, so that a long-lived watch does not keep its request buffer alive.
        let key = &Bytes::copy_from_slice(key);
        mine.push((db, key.clone()));
        inner
            .by_key
            .entry((db, key.clone()))
            .or_default()
            .push(Watcher {
                client: client.clone(),
                expired,
            });
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops every watch of `client` and clears its touched flag.
    pub fn unwatch_all(&self, client: &ClientHandle) {
        client.watch_dirty.store(false, Ordering::Relaxed);
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        let Some(mine) = inner.by_client.remove(&client.id) else {
            return;
        };
        for slot in mine {
            if let Some(v) = inner.by_key.get_mut(&slot) {
                v.retain(|w| w.client.id != client.id);
                if v.is_empty() {
                    inner.by_key.remove(&slot);
                }
            }
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// A key changed; `exists` says whether it exists after the change.
    #[inline]
    pub fn touch(&self, db: usize, key: &[u8], exists: bool) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        if let Some(v) = inner.by_key.get_mut(&(db, Bytes::copy_from_slice(key))) {
            for w in v.iter_mut() {
                if w.expired && !exists {
                    // An already-expired key being reclaimed is not a change.
                    w.expired = false;
                    continue;
                }
                w.client.watch_dirty.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The watched keys of database `db`.
    pub fn keys_in(&self, db: usize) -> Vec<Bytes> {
        if self.count.load(Ordering::Relaxed) == 0 {
            return Vec::new();
        }
        let inner = self.inner.lock();
        inner
            .by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// Marks the watchers of the watched keys of `db` when the whole database is emptied or
    /// replaced (FLUSHDB, SWAPDB). `fate` tells, for a key, whether it was present before
    /// (even past its expiry) and what replaces it. As in Redis, only logical changes count:
    /// an expired key that goes away, or stays expired, touches nobody, and a missing key
    /// replaced by an expired one is merely noted as expired.
    pub fn touch_db(&self, db: usize, mut fate: impl FnMut(&[u8]) -> (bool, Replacement)) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        for ((d, key), watchers) in inner.by_key.iter_mut() {
            if *d != db {
                continue;
            }
            let (existed, replacement) = fate(key);
            if !existed && replacement == Replacement::Nothing {
                continue;
            }
            for w in watchers.iter_mut() {
                if w.expired {
                    match replacement {
                        Replacement::Nothing => {
                            w.expired = false;
                            continue;
                        }
                        Replacement::Expired => continue,
                        Replacement::Live => {}
                    }
                } else if !existed && replacement == Replacement::Expired {
                    w.expired = true;
                    continue;
                }
                w.client.watch_dirty.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The keys `client` watches that were not expired when watched, as (db, key).
    pub fn live_watched(&self, client: &ClientHandle) -> Vec<(usize, Bytes)> {
        if self.count.load(Ordering::Relaxed) == 0 {
            return Vec::new();
        }
        let inner = self.inner.lock();
        let Some(mine) = inner.by_client.get(&client.id) else {
            return Vec::new();
        };
        mine.iter()
            .filter(|slot| {
                inner
                    .by_key
                    .get(*slot)
                    .is_some_and(|v| v.iter().any(|w| w.client.id == client.id && !w.expired))
            })
            .cloned()
            .collect()
    }
}
