//! An open-addressing hash table kept sorted by hash, the keyspace's building block.
//!
//! Every slot holds an entry whose 32-bit hash is stored beside it (0 marks an empty slot). An
//! entry's home slot is `hash * buckets >> 32`, which grows with the hash, and entries are kept in
//! ascending hash order along the slot array with no empty slot between an entry and its home.
//! This is linear probing with ordered clusters, and it buys three things Redis users rely on:
//!
//! - SCAN's guarantee for free: a cursor is simply the next hash not yet returned. Because the
//!   order of entries never depends on the table's size, growing or shrinking between two calls
//!   cannot make a scan skip an entry that was present throughout.
//! - Compactness: entries live inline in one array (no per-entry allocation, no pointers), and the
//!   table can grow by 1.5x rather than 2x since the home function works for any bucket count.
//! - Fast misses: a lookup stops at the first hash greater than the one sought.
//!
//! The array has a small overflow area past the last bucket so clusters near the end never wrap;
//! when an insertion would run off the end, the table grows instead.

/// What the table needs to know about an entry.
pub trait Slot: Default {
    /// The entry's stored hash; 0 means the slot is empty.
    fn hash(&self) -> u32;
}

/// Turns a 64-bit hash into the non-zero 32-bit hash the table stores.
#[inline]
pub fn fold_hash(h: u64) -> u32 {
    (h as u32) | 1
}

/// Highest load (entries per bucket) before the table grows, as a fraction of 1024.
const MAX_LOAD_PER_1024: usize = 870;
/// Slots past the last bucket, so clusters at the end have room to spill.
const OVERFLOW: usize = 16;
/// The fewest buckets a non-empty table has.
const MIN_BUCKETS: usize = 8;

/// A hash table sorted by hash; see the module documentation.
#[derive(Debug)]
pub struct OrderedTable<E> {
    slots: Vec<E>,
    buckets: usize,
    len: usize,
}

impl<E: Slot> Default for OrderedTable<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Slot> OrderedTable<E> {
    /// An empty table that has not allocated.
    pub const fn new() -> Self {
        Self {
            slots: Vec::new(),
            buckets: 0,
            len: 0,
        }
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held by the slot array, for memory accounting.
    pub fn allocated_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<E>()
    }

    #[inline]
    fn home(&self, hash: u32) -> usize {
        ((hash as u64 * self.buckets as u64) >> 32) as usize
    }

    /// Finds the slot of the entry with `hash` for which `eq` holds.
    #[inline]
    pub fn find(&self, hash: u32, mut eq: impl FnMut(&E) -> bool) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mut i = self.home(hash);
        while let Some(slot) = self.slots.get(i) {
            let h = slot.hash();
            if h == 0 || h > hash {
                return None;
            }
            if h == hash && eq(slot) {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The entry in slot `index`, if the slot exists.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&E> {
        self.slots.get(index).filter(|e| e.hash() != 0)
    }

    /// The entry in slot `index`, mutably.
    #[inline]
    pub fn get_mut(&mut self, index: usize) -> Option<&mut E> {
        self.slots.get_mut(index).filter(|e| e.hash() != 0)
    }

    /// Inserts an entry that the caller knows is not in the table yet, returning its slot.
    pub fn insert_new(&mut self, entry: E) -> usize {
        let hash = entry.hash();
        debug_assert!(hash != 0, "entries must have a non-zero hash");
        if (self.len + 1) * 1024 > self.buckets * MAX_LOAD_PER_1024 {
            self.resize(self.grown_buckets());
        }
        loop {
            match self.place(hash) {
                Some((at, hole)) => {
                    self.slots[at..=hole].rotate_right(1);
                    self.slots[at] = entry;
                    self.len += 1;
                    return at;
                }
                // The cluster ran into the end of the array: grow and try again.
                None => self.resize(self.grown_buckets()),
            }
        }
    }

    /// Where an entry with `hash` goes (`at`), and the first empty slot at or after it (`hole`).
    fn place(&self, hash: u32) -> Option<(usize, usize)> {
        let mut at = self.home(hash);
        while let Some(slot) = self.slots.get(at) {
            let h = slot.hash();
            if h == 0 || h > hash {
                break;
            }
            at += 1;
        }
        let hole = at + self.slots.get(at..)?.iter().position(|s| s.hash() == 0)?;
        Some((at, hole))
    }

    fn grown_buckets(&self) -> usize {
        (self.buckets + self.buckets / 2).max(MIN_BUCKETS)
    }

    /// Removes and returns the entry in slot `index`.
    pub fn remove_at(&mut self, index: usize) -> Option<E> {
        if self.slots.get(index)?.hash() == 0 {
            return None;
        }
        let entry = std::mem::take(&mut self.slots[index]);
        // Pull back the entries after the hole that sit past their home, so that no entry is
        // separated from its home by an empty slot.
        let mut end = index + 1;
        while let Some(slot) = self.slots.get(end) {
            let h = slot.hash();
            if h == 0 || self.home(h) >= end {
                break;
            }
            end += 1;
        }
        self.slots[index..end].rotate_left(1);
        self.len -= 1;
        if self.len * 8 < self.buckets && self.buckets > MIN_BUCKETS {
            self.resize((self.len * 2).max(MIN_BUCKETS));
        }
        Some(entry)
    }

    /// Removes every entry and frees the array.
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Removes every entry, returning them.
    pub fn take_all(&mut self) -> Vec<E> {
        let slots = std::mem::take(&mut self.slots);
        *self = Self::new();
        slots.into_iter().filter(|e| e.hash() != 0).collect()
    }

    /// Rebuilds the array with `buckets` buckets.
    fn resize(&mut self, buckets: usize) {
        let old = std::mem::take(&mut self.slots);
        self.rebuild(old, buckets);
    }

    /// Lays out `entries` (in hash order, empty slots allowed) in a new array of at least
    /// `buckets` buckets. Each entry lands at the later of its home and the slot after the
    /// previous entry, which keeps every invariant without any shifting.
    fn rebuild(&mut self, entries: Vec<E>, buckets: usize) {
        let mut buckets = buckets.max(MIN_BUCKETS);
        // Pathologically clustered hashes can overrun the overflow area; give them more room.
        while !self.fits(&entries, buckets) {
            buckets += buckets / 2 + OVERFLOW;
        }
        let mut slots: Vec<E> = Vec::with_capacity(buckets + OVERFLOW);
        slots.resize_with(buckets + OVERFLOW, E::default);
        self.buckets = buckets;
        self.len = 0;
        let mut next = 0;
        for e in entries {
            if e.hash() == 0 {
                continue;
            }
            let at = self.home(e.hash()).max(next);
            slots[at] = e;
            next = at + 1;
            self.len += 1;
        }
        self.slots = slots;
    }

    fn fits(&mut self, entries: &[E], buckets: usize) -> bool {
        self.buckets = buckets;
        let mut next = 0;
        for e in entries.iter().filter(|e| e.hash() != 0) {
            next = self.home(e.hash()).max(next) + 1;
            if next > buckets + OVERFLOW {
                return false;
            }
        }
        true
    }

    /// Visits entries in hash order starting at the first with a hash at or above `from`, until
    /// `visit` has seen at least `count` entries and the entries sharing the last seen hash are
    /// all visited. Returns the hash to resume from, or `None` when the table is exhausted.
    pub fn scan(&self, from: u32, count: usize, mut visit: impl FnMut(&E)) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let mut i = self.home(from);
        let mut seen = 0;
        let mut last = 0;
        while let Some(slot) = self.slots.get(i) {
            let h = slot.hash();
            i += 1;
            if h == 0 || h < from {
                continue;
            }
            if seen >= count && h != last {
                return Some(h);
            }
            visit(slot);
            seen += 1;
            last = h;
        }
        None
    }

    /// Index of a pseudo-random occupied slot given a random number, or `None` when empty.
    pub fn random_index(&self, random: u64) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let n = self.slots.len();
        let start = (random % n as u64) as usize;
        (start..n)
            .chain(0..start)
            .find(|&i| self.slots[i].hash() != 0)
    }

    /// Iterates over all entries in hash order.
    pub fn iter(&self) -> impl Iterator<Item = &E> {
        self.slots.iter().filter(|e| e.hash() != 0)
    }

    /// Keeps only the entries for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&mut E) -> bool) {
        let mut slots = std::mem::take(&mut self.slots);
        for e in slots.iter_mut() {
            if e.hash() != 0 && !keep(e) {
                *e = E::default();
            }
        }
        let kept = slots.iter().filter(|e| e.hash() != 0).count();
        let buckets = if kept * 8 < self.buckets {
            kept * 2
        } else {
            self.buckets
        };
        if kept == 0 {
            self.clear();
        } else {
            self.rebuild(slots, buckets);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Default, Debug, Clone, PartialEq)]
    struct E {
        hash: u32,
        key: u64,
    }
    impl Slot for E {
        fn hash(&self) -> u32 {
            self.hash
        }
    }

    fn h(key: u64) -> u32 {
        fold_hash(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 13)
    }

    fn check_invariants(t: &OrderedTable<E>) {
        let mut prev = 0;
        for (i, e) in t.slots.iter().enumerate() {
            if e.hash == 0 {
                continue;
            }
            assert!(e.hash >= prev, "sorted");
            prev = e.hash;
            let home = t.home(e.hash);
            assert!(home <= i);
            assert!(t.slots[home..i].iter().all(|s| s.hash != 0), "no hole");
        }
        assert_eq!(t.iter().count(), t.len());
    }

    proptest! {
        #[test]
        fn behaves_like_a_map(ops in proptest::collection::vec((any::<bool>(), 0u64..300), 0..600)) {
            let mut t = OrderedTable::<E>::new();
            let mut model = BTreeMap::new();
            for (insert, key) in ops {
                let hash = h(key);
                let found = t.find(hash, |e| e.key == key);
                prop_assert_eq!(found.is_some(), model.contains_key(&key));
                if insert {
                    if found.is_none() {
                        t.insert_new(E { hash, key });
                        model.insert(key, ());
                    }
                } else if let Some(i) = found {
                    let e = t.remove_at(i).unwrap();
                    prop_assert_eq!(e.key, key);
                    model.remove(&key);
                }
                check_invariants(&t);
            }
            prop_assert_eq!(t.len(), model.len());
        }

        #[test]
        fn scan_returns_every_stable_entry(keys in proptest::collection::vec(0u64..5000, 1..400), churn in proptest::collection::vec(5000u64..6000, 0..400), count in 1usize..20) {
            let mut t = OrderedTable::<E>::new();
            for &k in &keys {
                if t.find(h(k), |e| e.key == k).is_none() {
                    t.insert_new(E { hash: h(k), key: k });
                }
            }
            let mut seen = std::collections::HashSet::new();
            let mut cursor = Some(0);
            let mut churn = churn.into_iter();
            while let Some(from) = cursor {
                cursor = t.scan(from, count, |e| { seen.insert(e.key); });
                // Change the table between calls, forcing resizes both ways.
                if let Some(k) = churn.next() {
                    match t.find(h(k), |e| e.key == k) {
                        Some(i) => { t.remove_at(i); }
                        None => { t.insert_new(E { hash: h(k), key: k }); }
                    }
                }
            }
            for k in keys {
                prop_assert!(seen.contains(&k));
            }
        }
    }

    #[test]
    fn equal_hashes_are_all_found_and_scanned_together() {
        let mut t = OrderedTable::<E>::new();
        for key in 0..50 {
            t.insert_new(E { hash: 7, key });
        }
        for key in 0..50 {
            assert!(t.find(7, |e| e.key == key).is_some());
        }
        let mut n = 0;
        assert_eq!(t.scan(0, 1, |_| n += 1), None);
        assert_eq!(n, 50);
        check_invariants(&t);
    }

    #[test]
    fn shrinks_after_removals() {
        let mut t = OrderedTable::<E>::new();
        for key in 0..10_000 {
            t.insert_new(E { hash: h(key), key });
        }
        let big = t.allocated_bytes();
        for key in 0..9_990 {
            let i = t.find(h(key), |e| e.key == key).unwrap();
            t.remove_at(i);
        }
        check_invariants(&t);
        assert!(t.allocated_bytes() < big / 10);
        t.retain(|e| e.key % 2 == 0);
        check_invariants(&t);
        assert_eq!(t.len(), 5);
    }
}
