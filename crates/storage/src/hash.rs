//! The hash type: a map from field names to values, in Redis's two encodings.
//!
//! A hash starts in the compact encoding ([`pack`], Redis's `listpack`): all pairs in one byte
//! buffer, in insertion order. It moves to the indexed encoding ([`dict`], Redis's `hashtable`)
//! as soon as it holds more than `hash-max-listpack-entries` fields or a field or value longer
//! than `hash-max-listpack-value` bytes is written to it, and never moves back, exactly when
//! Redis converts, so that OBJECT ENCODING answers as Redis would.
//!
//! Random sampling (HRANDFIELD) takes its randomness from the caller, which keeps this crate
//! free of global state and makes the sampling testable.

mod dict;
mod pack;

use crate::varint;
use dict::Dict;
use pack::Pack;

pub use crate::listpack::Limits;

#[derive(Clone, Debug)]
enum Repr {
    Pack(Pack),
    Dict(Box<Dict>),
}

/// A hash value.
#[derive(Debug, Clone)]
pub struct Hash {
    repr: Repr,
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

impl PartialEq for Hash {
    /// Two hashes are equal when they map the same fields to the same values, whatever their
    /// encodings and insertion orders.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(f, v)| other.get(f) == Some(v))
    }
}

/// How many pairs HRANDFIELD wants and whether they must be distinct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sample {
    /// `n` pairs, each drawn independently (repetitions allowed, random order).
    Repeated(usize),
    /// `min(n, len)` distinct pairs.
    Distinct(usize),
}

impl Hash {
    /// An empty hash in the compact encoding.
    pub fn new() -> Self {
        Hash {
            repr: Repr::Pack(Pack::default()),
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.len(),
            Repr::Dict(d) => d.len(),
        }
    }

    /// Whether the hash is empty (an empty hash is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Redis's OBJECT ENCODING name for the current representation.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Pack(_) => "listpack",
            Repr::Dict(_) => "hashtable",
        }
    }

    /// Heap bytes owned, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.heap_bytes(),
            Repr::Dict(d) => std::mem::size_of::<Dict>() + d.heap_bytes(),
        }
    }

    /// Feeds every element to `feed` in a canonical order (for DEBUG DIGEST): equal values feed
    /// equal sequences whatever their encoding or insertion order. Pairs go in field order,
    /// each as its field then its value.
    pub fn feed_digest(&self, feed: &mut dyn FnMut(&[u8])) {
        let mut pairs: Vec<(&[u8], &[u8])> = self.iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (f, v) in pairs {
            feed(f);
            feed(v);
        }
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match &self.repr {
            Repr::Pack(p) => p.find(field).map(|(v, _)| v),
            Repr::Dict(d) => d.get(field),
        }
    }

    /// Whether `field` exists.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`, converting to the large encoding first if the pair is too long
    /// for the compact one, and afterwards if the hash now has too many fields. Returns whether
    /// the field is new.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if let Repr::Pack(p) = &self.repr {
            let too_long = field.len() > limits.max_value || value.len() > limits.max_value;
            let added = varint::size(field.len() as u64)
                + field.len()
                + varint::size(value.len() as u64)
                + value.len();
            if too_long || p.byte_len().saturating_add(added) > crate::listpack::SAFETY_LIMIT {
                self.convert();
            }
        }
        match &mut self.repr {
            Repr::Pack(p) => {
                let new = p.insert(field, value);
                if p.len() > limits.max_entries {
                    self.convert();
                }
                new
            }
            Repr::Dict(d) => d.insert(field, value),
        }
    }

    /// Removes `field`; returns whether it was present. The encoding never changes back.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Pack(p) => p.remove(field),
            Repr::Dict(d) => d.remove(field),
        }
    }

    /// Moves to the large encoding (no-op if already there).
    pub fn convert(&mut self) {
        if let Repr::Pack(p) = &self.repr {
            let mut d = Dict::default();
            for (f, v) in p.iter() {
                d.insert_new(f, v);
            }
            self.repr = Repr::Dict(Box::new(d));
        }
    }

    /// Iterates over (field, value) pairs: insertion order for the compact encoding, hash
    /// order (which looks random) for the large one.
    pub fn iter(&self) -> Iter<'_> {
        match &self.repr {
            Repr::Pack(p) => Iter(IterRepr::Pack(p.iter())),
            Repr::Dict(d) => Iter(IterRepr::Dict(Box::new(d.iter()))),
        }
    }

    /// One step of HSCAN: visits pairs from `cursor` and returns the cursor of the next call,
    /// 0 when the scan is complete.
    ///
    /// A compact hash is returned whole with cursor 0 whatever the cursor, as Redis does. For a
    /// large one the cursor is the hash of the next field to visit, and at least `count` pairs
    /// are visited (more when several fields share a hash, which are never split). Every field
    /// present for the whole scan is returned at least once, even if the hash is resized between
    /// calls. A cursor no field hash can reach (above 32 bits) ends the scan.
    pub fn scan(&self, cursor: u64, count: usize, visit: &mut dyn FnMut(&[u8], &[u8])) -> u64 {
        match &self.repr {
            Repr::Pack(p) => {
                for (f, v) in p.iter() {
                    visit(f, v);
                }
                0
            }
            Repr::Dict(d) => {
                let Ok(from) = u32::try_from(cursor) else {
                    return 0;
                };
                d.scan(from, count.max(1), visit).map_or(0, u64::from)
            }
        }
    }

    /// One uniformly chosen pair, or `None` when empty.
    pub fn random_pair(&self, rng: &mut dyn FnMut() -> u64) -> Option<(&[u8], &[u8])> {
        let mut out = None;
        self.sample(Sample::Repeated(1), rng, &mut |f, v| {
            out = Some((f, v));
            false
        });
        out
    }

    /// HRANDFIELD's sampling: visits the pairs `sample` asks for until `visit` returns false.
    ///
    /// - `Repeated(n)`: `n` independent uniform draws, in draw order.
    /// - `Distinct(n)` with `n >= len`: every pair, in iteration order.
    /// - `Distinct(n)` otherwise: `n` distinct pairs chosen uniformly. When `n` is more than a
    ///   third of the hash, a partial shuffle of all positions is used; for fewer, repeated
    ///   draws with duplicates skipped, which needs memory only for the `n` chosen.
    pub fn sample<'a>(
        &'a self,
        sample: Sample,
        rng: &mut dyn FnMut() -> u64,
        visit: &mut dyn FnMut(&'a [u8], &'a [u8]) -> bool,
    ) {
        let len = self.len();
        if len == 0 {
            return;
        }
        match sample {
            Sample::Distinct(n) if n >= len => {
                for (f, v) in self.iter() {
                    if !visit(f, v) {
                        return;
                    }
                }
            }
            Sample::Repeated(n) => match &self.repr {
                Repr::Pack(p) => {
                    let offsets = p.offsets();
                    for _ in 0..n {
                        let Some(&at) = offsets.get(pick(rng, offsets.len())) else {
                            return;
                        };
                        let Some((f, v, _)) = p.pair_at(at) else {
                            return;
                        };
                        if !visit(f, v) {
                            return;
                        }
                    }
                }
                Repr::Dict(d) => {
                    for _ in 0..n {
                        let Some(e) = d.random_slot(rng).and_then(|i| d.slot(i)) else {
                            return;
                        };
                        if !visit(&e.field, &e.value) {
                            return;
                        }
                    }
                }
            },
            Sample::Distinct(n) => {
                let positions = match &self.repr {
                    Repr::Pack(p) => partial_shuffle(p.offsets(), n, rng),
                    Repr::Dict(d) if n.saturating_mul(3) > len => {
                        partial_shuffle(d.slots(), n, rng)
                    }
                    Repr::Dict(d) => {
                        let mut chosen = std::collections::HashSet::with_capacity(n);
                        let mut order = Vec::with_capacity(n);
                        while order.len() < n {
                            let Some(i) = d.random_slot(rng) else {
                                return;
                            };
                            if chosen.insert(i) {
                                order.push(i);
                            }
                        }
                        order
                    }
                };
                for at in positions {
                    let pair = match &self.repr {
                        Repr::Pack(p) => p.pair_at(at).map(|(f, v, _)| (f, v)),
                        Repr::Dict(d) => {
                            d.slot(at).map(|e| (e.field.as_slice(), e.value.as_slice()))
                        }
                    };
                    let Some((f, v)) = pair else {
                        return;
                    };
                    if !visit(f, v) {
                        return;
                    }
                }
            }
        }
    }
}

/// A uniform index below `n` (which must be non-zero).
fn pick(rng: &mut dyn FnMut() -> u64, n: usize) -> usize {
    // The modulo bias is below 2^-40 for any size a hash can reach.
    (rng() % n.max(1) as u64) as usize
}

/// The first `n` items of a uniform random permutation of `items`.
fn partial_shuffle(mut items: Vec<usize>, n: usize, rng: &mut dyn FnMut() -> u64) -> Vec<usize> {
    let n = n.min(items.len());
    for i in 0..n {
        let j = i + pick(rng, items.len() - i);
        items.swap(i, j);
    }
    items.truncate(n);
    items
}

/// Iterator over a hash's (field, value) pairs.
pub struct Iter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    Pack(pack::PackIter<'a>),
    Dict(Box<dyn Iterator<Item = &'a dict::Field> + 'a>),
}

impl std::fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hash::Iter")
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Pack(it) => it.next(),
            IterRepr::Dict(it) => it.next().map(|e| (e.field.as_slice(), e.value.as_slice())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet, HashSet};

    /// A small deterministic generator (xorshift64*) for the sampling tests.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            s.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    fn filled(n: usize, limits: Limits) -> Hash {
        let mut h = Hash::new();
        for i in 0..n {
            h.set(
                format!("f{i}").as_bytes(),
                format!("v{i}").as_bytes(),
                limits,
            );
        }
        h
    }

    #[test]
    fn converts_at_redis_thresholds() {
        let l = Limits {
            max_entries: 128,
            max_value: 64,
        };
        let mut h = filled(128, l);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f0", b"updated", l);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"one-more", b"x", l);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 129);
        for _ in 0..129 {
            let f = h.iter().next().unwrap().0.to_vec();
            assert!(h.remove(&f));
        }
        assert!(h.is_empty());
        assert_eq!(h.encoding(), "hashtable", "never converts back");

        let mut h = Hash::new();
        h.set(&[b'f'; 64], &[b'v'; 64], l);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"a", &[b'v'; 65], l);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(&[b'f'; 64]), Some(&[b'v'; 64][..]));

        let mut h = Hash::new();
        h.set(&[b'f'; 65], b"v", l);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn equality_ignores_encoding_and_order() {
        let l = Limits::HASH;
        let a = filled(10, l);
        let mut b = Hash::new();
        for i in (0..10).rev() {
            b.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), l);
        }
        b.convert();
        assert_eq!(a, b);
        let (mut da, mut db) = (Vec::new(), Vec::new());
        a.feed_digest(&mut |x| da.push(x.to_vec()));
        b.feed_digest(&mut |x| db.push(x.to_vec()));
        assert_eq!(da, db);
        b.set(b"f3", b"other", l);
        assert_ne!(a, b);
        let c = b.clone();
        assert_eq!(b, c);
        assert_eq!(c.encoding(), "hashtable");
    }

    #[test]
    fn scan_of_small_hash_is_whole() {
        let h = filled(5, Limits::HASH);
        let mut n = 0;
        assert_eq!(h.scan(12345, 1, &mut |_, _| n += 1), 0);
        assert_eq!(n, 5);
    }

    #[test]
    fn scan_survives_resizes() {
        let l = Limits::HASH;
        let mut h = filled(1000, l);
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = h.scan(cursor, 7, &mut |f, _| {
                seen.insert(f.to_vec());
            });
            // Grow and shrink the table under the scan.
            round += 1;
            if round % 2 == 0 {
                for i in 0..50 {
                    h.set(format!("x{round}-{i}").as_bytes(), b"", l);
                }
            } else {
                for i in 0..50 {
                    h.remove(format!("x{}-{i}", round - 1).as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(format!("f{i}").as_bytes()), "f{i} missed");
        }
        assert_eq!(h.scan(1 << 40, 10, &mut |_, _| panic!("nothing")), 0);
    }

    #[test]
    fn sampling_shapes() {
        let mut r = rng(7);
        for (n, big) in [(10usize, false), (10, true), (300, false), (300, true)] {
            let mut h = filled(n, Limits::HASH);
            if big {
                h.convert();
            }
            // Repeated draws: exactly the count, all members.
            let mut got = Vec::new();
            h.sample(Sample::Repeated(1001), &mut r, &mut |f, _| {
                got.push(f.to_vec());
                true
            });
            assert_eq!(got.len(), 1001);
            assert!(got.iter().all(|f| h.contains(f)));
            // Distinct: whole hash when asking for more, else exactly `k` distinct.
            for k in [1usize, 2, n / 4, n / 2, n - 1, n, n + 5] {
                let mut set = BTreeSet::new();
                let mut total = 0;
                h.sample(Sample::Distinct(k), &mut r, &mut |f, v| {
                    assert_eq!(h.get(f), Some(v));
                    set.insert(f.to_vec());
                    total += 1;
                    true
                });
                assert_eq!(total, k.min(n));
                assert_eq!(set.len(), k.min(n));
            }
            // Stopping early is honoured.
            let mut calls = 0;
            h.sample(Sample::Repeated(50), &mut r, &mut |_, _| {
                calls += 1;
                calls < 3
            });
            assert_eq!(calls, 3);
        }
    }

    #[test]
    fn random_pair_is_roughly_uniform() {
        let mut r = rng(99);
        for encoded_big in [false, true] {
            let mut h = filled(10, Limits::HASH);
            if encoded_big {
                h.convert();
            }
            let mut counts = BTreeMap::new();
            for _ in 0..10_000 {
                let (f, _) = h.random_pair(&mut r).unwrap();
                *counts.entry(f.to_vec()).or_insert(0u32) += 1;
            }
            assert_eq!(counts.len(), 10);
            // Chi-square with 9 degrees of freedom, far below the 0.001% tail (about 40).
            let chi: f64 = counts
                .values()
                .map(|&c| (c as f64 - 1000.0).powi(2) / 1000.0)
                .sum();
            assert!(chi < 40.0, "chi-square {chi} for big={encoded_big}");
        }
    }

    #[test]
    fn empty_strings_and_binary_data() {
        let l = Limits::HASH;
        let mut h = Hash::new();
        assert!(h.set(b"", b"", l));
        assert!(h.set(b"\0\xff", b"\r\n", l));
        assert_eq!(h.get(b""), Some(&b""[..]));
        h.convert();
        assert_eq!(h.get(b"\0\xff"), Some(&b"\r\n"[..]));
        assert!(h.heap_bytes() > 0);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Set(u8, Vec<u8>),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..24)).prop_map(|(f, v)| Op::Set(f, v)),
            1 => any::<u8>().prop_map(Op::Remove),
        ]
    }

    fn field(f: u8) -> Vec<u8> {
        // Field names of varied lengths, some beyond the inline size of SmallBytes.
        let mut v = vec![b'k'; (f % 20) as usize];
        v.push(f);
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn behaves_like_a_map(ops in proptest::collection::vec(op(), 0..300), entries in 1usize..40, value in 4usize..30) {
            let limits = Limits { max_entries: entries, max_value: value };
            let mut h = Hash::new();
            let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            let mut was_big = false;
            for op in ops {
                match op {
                    Op::Set(f, v) => {
                        let f = field(f);
                        let new = h.set(&f, &v, limits);
                        prop_assert_eq!(new, model.insert(f, v).is_none());
                    }
                    Op::Remove(f) => {
                        let f = field(f);
                        prop_assert_eq!(h.remove(&f), model.remove(&f).is_some());
                    }
                }
                prop_assert_eq!(h.len(), model.len());
                if was_big {
                    prop_assert_eq!(h.encoding(), "hashtable");
                }
                was_big = h.encoding() == "hashtable";
                if !was_big {
                    prop_assert!(h.len() <= entries);
                    prop_assert!(h.iter().all(|(f, v)| f.len() <= value && v.len() <= value));
                }
            }
            let got: BTreeMap<Vec<u8>, Vec<u8>> = h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
            prop_assert_eq!(&got, &model);
            for (f, v) in &model {
                prop_assert_eq!(h.get(f), Some(&v[..]));
            }
            let mut scanned = BTreeMap::new();
            let mut cursor = 0;
            loop {
                cursor = h.scan(cursor, 3, &mut |f, v| { scanned.insert(f.to_vec(), v.to_vec()); });
                if cursor == 0 { break; }
            }
            prop_assert_eq!(&scanned, &model);
            let c = h.clone();
            prop_assert!(c == h);
        }
    }
}

#[cfg(test)]
mod memory_tests {
    use super::*;

    #[test]
    fn large_hash_of_small_fields_is_compact() {
        let l = Limits::HASH;
        let mut h = Hash::new();
        let n = 200_000;
        for i in 0..n {
            h.set(
                format!("field:{i}").as_bytes(),
                format!("{i}").as_bytes(),
                l,
            );
        }
        let per_field = h.heap_bytes() / n;
        // Redis spends about 70-90 bytes per field of a hashtable-encoded hash.
        assert!(per_field <= 70, "{per_field} bytes per field");
    }
}
