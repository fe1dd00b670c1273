//! One shard of a database: the keys that hash to it, their values and their expiry times.
//!
//! A shard is two ordered tables. The main table holds every key with its value and a 32-bit
//! metadata word (access clock and flags); the expires table holds only the keys that have a
//! time to live, as Redis keeps a separate `expires` dictionary. A flag in the main entry says
//! whether a key has a TTL, so reading a key without one never touches the second table.
//!
//! Slot indices returned by the lookups are valid only until the next change to the shard.

use crate::small::SmallBytes;
use crate::table::{OrderedTable, Slot};
use crate::value::Value;

/// The low 24 bits of the metadata word: Redis's LRU clock (or LFU time and counter).
const CLOCK_MASK: u32 = 0x00FF_FFFF;
/// The key has an entry in the expires table.
const VOLATILE: u32 = 1 << 24;
/// The string was edited in place and reports Redis's `raw` encoding.
const RAW: u32 = 1 << 25;

/// A key, its value and metadata.
#[derive(Default, Debug, Clone)]
pub struct Entry {
    hash: u32,
    meta: u32,
    /// The key's name.
    pub key: SmallBytes,
    /// The key's value.
    pub value: Value,
}

impl Slot for Entry {
    #[inline]
    fn hash(&self) -> u32 {
        self.hash
    }
}

impl Entry {
    /// The access clock stored with the key (seconds for LRU, or Redis's LFU layout).
    pub fn clock(&self) -> u32 {
        self.meta & CLOCK_MASK
    }

    /// Stores a new access clock.
    #[inline]
    pub fn set_clock(&mut self, clock: u32) {
        self.meta = (self.meta & !CLOCK_MASK) | (clock & CLOCK_MASK);
    }

    /// Whether the key has a time to live.
    pub fn is_volatile(&self) -> bool {
        self.meta & VOLATILE != 0
    }

    /// Whether a string value was edited in place (Redis reports it as `raw`).
    pub fn is_raw(&self) -> bool {
        self.meta & RAW != 0
    }

    /// Marks the string value as edited in place, or not.
    pub fn set_raw(&mut self, raw: bool) {
        if raw {
            self.meta |= RAW;
        } else {
            self.meta &= !RAW;
        }
    }
}

#[derive(Default, Debug)]
struct Expiry {
    hash: u32,
    key: SmallBytes,
    at_ms: u64,
}

impl Slot for Expiry {
    #[inline]
    fn hash(&self) -> u32 {
        self.hash
    }
}

/// The keys of one shard; see the module documentation.
#[derive(Default, Debug)]
pub struct Shard {
    main: OrderedTable<Entry>,
    expires: OrderedTable<Expiry>,
}

/// What one round of active-expiry sampling saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExpireSample {
    /// Keys with a TTL looked at.
    pub sampled: usize,
    /// Of those, the ones that had expired and were removed.
    pub expired: usize,
    /// The remaining time to live, in milliseconds, summed over the keys still alive.
    pub ttl_sum: u64,
    /// How many keys `ttl_sum` covers.
    pub ttl_samples: u64,
}

impl Shard {
    /// Number of keys, including ones that expired but were not reclaimed yet.
    pub fn len(&self) -> usize {
        self.main.len()
    }

    /// Whether the shard holds no key.
    pub fn is_empty(&self) -> bool {
        self.main.is_empty()
    }

    /// Number of keys with a time to live.
    pub fn volatile_len(&self) -> usize {
        self.expires.len()
    }

    /// Bytes the tables spend on bookkeeping rather than on keys and values: empty slots, each
    /// entry's hash and metadata, and the expiry index. (Keys and values kept inline in a slot
    /// count as data, as Redis counts its keys and value objects.)
    pub fn overhead_bytes(&self) -> usize {
        let inline = std::mem::size_of::<SmallBytes>() + std::mem::size_of::<Value>();
        self.main
            .allocated_bytes()
            .saturating_sub(self.main.len() * inline)
            + self.expires.allocated_bytes()
    }

    /// Finds a key's slot without looking at its expiry time.
    #[inline]
    pub fn find(&self, hash: u32, key: &[u8]) -> Option<usize> {
        self.main.find(hash, |e| e.key.as_slice() == key)
    }

    /// The entry in a slot.
    #[inline]
    pub fn entry(&self, index: usize) -> Option<&Entry> {
        self.main.get(index)
    }

    /// The entry in a slot, mutably. Callers must not change the key.
    #[inline]
    pub fn entry_mut(&mut self, index: usize) -> Option<&mut Entry> {
        self.main.get_mut(index)
    }

    /// The absolute expiry time of the key in a slot, in Unix milliseconds.
    pub fn expire_at(&self, index: usize) -> Option<u64> {
        self.entry_expire(self.main.get(index)?)
    }

    /// Whether the key in a slot has expired at `now_ms`.
    #[inline]
    pub fn is_expired(&self, index: usize, now_ms: u64) -> bool {
        self.expire_at(index).is_some_and(|at| at <= now_ms)
    }

    /// Whether an entry seen while iterating has expired at `now_ms`.
    pub fn entry_expired(&self, e: &Entry, now_ms: u64) -> bool {
        self.entry_expire(e).is_some_and(|at| at <= now_ms)
    }

    /// The absolute expiry time of an entry seen while iterating, in Unix milliseconds.
    pub fn entry_expire(&self, e: &Entry) -> Option<u64> {
        if !e.is_volatile() {
            return None;
        }
        let key = e.key.as_slice();
        self.expires
            .find(e.hash, |x| x.key.as_slice() == key)
            .and_then(|i| self.expires.get(i))
            .map(|x| x.at_ms)
    }

    /// Adds a key that is not in the shard yet, returning its slot.
    pub fn insert(&mut self, hash: u32, key: &[u8], value: Value, clock: u32) -> usize {
        let mut entry = Entry {
            hash,
            meta: 0,
            key: SmallBytes::new(key),
            value,
        };
        entry.set_clock(clock);
        self.main.insert_new(entry)
    }

    /// Adds an entry taken from another shard or database, keeping its key, value, clock and
    /// encoding flag; the caller sets any expiry again.
    pub fn insert_entry(&mut self, hash: u32, mut entry: Entry) -> usize {
        entry.hash = hash;
        entry.meta &= !VOLATILE;
        self.main.insert_new(entry)
    }

    /// Removes the key in a slot, with its expiry time.
    pub fn remove(&mut self, index: usize) -> Option<Entry> {
        let mut e = self.main.remove_at(index)?;
        if e.is_volatile() {
            let key = e.key.as_slice();
            if let Some(i) = self.expires.find(e.hash, |x| x.key.as_slice() == key) {
                self.expires.remove_at(i);
            }
            e.meta &= !VOLATILE;
        }
        Some(e)
    }

    /// Sets (or replaces) the expiry time of the key in a slot.
    pub fn set_expire(&mut self, index: usize, at_ms: u64) {
        let Some(e) = self.main.get_mut(index) else {
            return;
        };
        let hash = e.hash;
        if e.is_volatile() {
            let key = e.key.as_slice();
            if let Some(i) = self.expires.find(hash, |x| x.key.as_slice() == key) {
                if let Some(x) = self.expires.get_mut(i) {
                    x.at_ms = at_ms;
                }
                return;
            }
        }
        e.meta |= VOLATILE;
        let key = e.key.clone();
        self.expires.insert_new(Expiry { hash, key, at_ms });
    }

    /// Removes the expiry time of the key in a slot; returns whether it had one.
    pub fn persist(&mut self, index: usize) -> bool {
        let Some(e) = self.main.get_mut(index) else {
            return false;
        };
        if !e.is_volatile() {
            return false;
        }
        e.meta &= !VOLATILE;
        let key = e.key.as_slice();
        if let Some(i) = self.expires.find(e.hash, |x| x.key.as_slice() == key) {
            self.expires.remove_at(i);
        }
        true
    }

    /// Visits keys in hash order from the position `from` (0 starts); see `OrderedTable::scan`.
    pub fn scan(&self, from: u32, count: usize, visit: impl FnMut(&Entry)) -> Option<u32> {
        self.main.scan(from, count, visit)
    }

    /// Iterates over every entry.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.main.iter()
    }

    /// A pseudo-random key's slot.
    pub fn random(&self, random: u64) -> Option<usize> {
        self.main.random_index(random)
    }

    /// The slot of a pseudo-random key among those with a TTL.
    pub fn random_volatile(&self, random: u64) -> Option<usize> {
        let x = self.expires.get(self.expires.random_index(random)?)?;
        let key = x.key.as_slice();
        self.main.find(x.hash, |e| e.key.as_slice() == key)
    }

    /// Redis's active-expiry sampling: looks at up to `samples` random keys with a TTL and
    /// removes the ones expired at `now_ms`, handing each to `on_expired`.
    pub fn expire_sample(
        &mut self,
        samples: usize,
        now_ms: u64,
        mut random: impl FnMut() -> u64,
        mut on_expired: impl FnMut(Entry),
    ) -> ExpireSample {
        let mut out = ExpireSample::default();
        for _ in 0..samples {
            let Some(i) = self.expires.random_index(random()) else {
                break;
            };
            out.sampled += 1;
            let Some(x) = self.expires.get(i) else {
                break;
            };
            if x.at_ms > now_ms {
                out.ttl_sum += x.at_ms - now_ms;
                out.ttl_samples += 1;
                continue;
            }
            let hash = x.hash;
            let Some(x) = self.expires.remove_at(i) else {
                break;
            };
            let key = x.key.as_slice();
            if let Some(m) = self.main.find(hash, |e| e.key.as_slice() == key) {
                if let Some(mut e) = self.main.remove_at(m) {
                    e.meta &= !VOLATILE;
                    out.expired += 1;
                    on_expired(e);
                }
            }
        }
        out
    }

    /// Removes every entry, returning each with its expiry time (for a flush while a
    /// background save still needs the entries).
    pub fn take_all_with_expiry(&mut self) -> Vec<(Entry, Option<u64>)> {
        let at: std::collections::HashMap<Vec<u8>, u64> = self
            .expires
            .iter()
            .map(|x| (x.key.as_slice().to_vec(), x.at_ms))
            .collect();
        self.take_all()
            .into_iter()
            .map(|e| {
                let t = at.get(e.key.as_slice()).copied();
                (e, t)
            })
            .collect()
    }

    /// Removes every key, returning the removed entries so that the caller can drop them
    /// elsewhere (FLUSHALL ASYNC).
    pub fn take_all(&mut self) -> Vec<Entry> {
        self.expires.clear();
        let mut all = self.main.take_all();
        for e in &mut all {
            e.meta &= !VOLATILE;
        }
        all
    }

    /// Bytes held by the shard's tables and heap values, for INFO's memory figures.
    pub fn memory_bytes(&self) -> usize {
        let heap: usize = self
            .main
            .iter()
            .map(|e| e.key.heap_bytes() + e.value.heap_bytes())
            .sum();
        self.main.allocated_bytes() + self.expires.allocated_bytes() + heap
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::table::fold_hash;

    fn h(key: &[u8]) -> u32 {
        fold_hash(key.iter().fold(0xcbf29ce484222325u64, |a, &b| {
            (a ^ b as u64).wrapping_mul(0x100000001b3)
        }))
    }

    #[test]
    fn random_volatile_finds_the_keys_with_a_ttl() {
        let mut s = Shard::default();
        assert_eq!(s.random_volatile(7), None);
        for n in 0..100u32 {
            let key = n.to_string();
            s.insert(h(key.as_bytes()), key.as_bytes(), Value::Int(1), 0);
        }
        let i = s.find(h(b"42"), b"42").unwrap();
        s.set_expire(i, 1000);
        let i = s.find(h(b"42"), b"42").unwrap();
        for r in [0, 1, u64::MAX / 3, u64::MAX] {
            assert_eq!(s.random_volatile(r), Some(i));
        }
    }

    #[test]
    fn expiry_lifecycle() {
        let mut s = Shard::default();
        let i = s.insert(h(b"k"), b"k", Value::Int(1), 5);
        assert_eq!(s.expire_at(i), None);
        s.set_expire(i, 100);
        let i = s.find(h(b"k"), b"k").unwrap();
        assert_eq!(s.expire_at(i), Some(100));
        assert!(s.is_expired(i, 100));
        assert!(!s.is_expired(i, 99));
        s.set_expire(i, 200);
        assert_eq!(s.volatile_len(), 1);
        assert!(s.persist(i));
        assert_eq!(s.volatile_len(), 0);
        s.set_expire(i, 10);
        let mut gone = vec![];
        let mut r = 0;
        s.expire_sample(
            20,
            50,
            || {
                r += 7;
                r
            },
            |e| gone.push(e.key),
        );
        assert_eq!(gone.len(), 1);
        assert!(s.is_empty());
        assert_eq!(s.volatile_len(), 0);
    }
}
