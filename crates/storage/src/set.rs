//! The set type, in Redis 7.0's two encodings: `intset` while every member is an integer and
//! the set is small, `hashtable` otherwise.
//!
//! - `intset` is a sorted array of integers at the narrowest width that holds them all (see
//!   `set/intset.rs`). A set starts there and moves to the hash table for good once a member is
//!   not an integer or the set grows past `set-max-intset-entries`, as in Redis.
//! - `hashtable` is an [`OrderedTable`] of 24-byte slots (a 32-bit hash and a [`SmallBytes`]),
//!   so members of up to 14 bytes need no allocation of their own and a million small members
//!   cost about 35 bytes each, well under Redis's dict. Because the table is ordered by hash and
//!   its order does not depend on its size, an SSCAN cursor (the next hash to return) survives
//!   any resize between calls: every member present for the whole scan is returned.
//!
//! Members hash with a per-process random seed so that clients cannot choose colliding members.
//! Randomness for SPOP and SRANDMEMBER comes from the caller, keeping this module free of any
//! global state beyond that seed.

mod intset;

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::LazyLock;

use crate::small::SmallBytes;
use crate::table::{fold_hash, OrderedTable, Slot};
use intset::IntSet;
use strnum::{format_i64, parse_i64};

/// The highest `set-max-intset-entries` that takes effect; Redis caps it here too.
pub const INTSET_HARD_MAX: usize = 1 << 30;

/// How many random slots to probe before falling back to counting: a table is always at least
/// one-eighth full, so running out of probes is rare and only costs one linear pass.
const RANDOM_PROBES: usize = 64;

/// The seed members are hashed with, random per process.
static HASHER: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);

#[inline]
fn hash_of(member: &[u8]) -> u32 {
    fold_hash(HASHER.hash_one(member))
}

/// A member as a set hands it out: integers of an intset are not stored as text, so they come
/// out as numbers and the caller formats them only when it needs bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    /// A member of an intset.
    Int(i64),
    /// A member of a hash table.
    Bytes(&'a [u8]),
}

impl Member<'_> {
    /// Calls `f` with the member's bytes (integers are formatted on the stack).
    #[inline]
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(v) => {
                let mut buf = [0u8; 20];
                f(format_i64(v, &mut buf))
            }
            Member::Bytes(b) => f(b),
        }
    }

    /// The member's bytes, copied.
    pub fn to_vec(self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec())
    }

    /// The member as an owned value.
    pub fn to_owned_member(self) -> OwnedMember {
        match self {
            Member::Int(v) => OwnedMember::Int(v),
            Member::Bytes(b) => OwnedMember::Bytes(SmallBytes::new(b)),
        }
    }

    /// The member's integer value, if its text is a canonical 64-bit integer.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Member::Int(v) => Some(v),
            Member::Bytes(b) => parse_i64(b),
        }
    }
}

/// A member removed from a set, or copied out of one.
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedMember {
    /// A member of an intset.
    Int(i64),
    /// A member of a hash table.
    Bytes(SmallBytes),
}

impl OwnedMember {
    /// A borrowed view of the member.
    #[inline]
    pub fn as_member(&self) -> Member<'_> {
        match self {
            OwnedMember::Int(v) => Member::Int(*v),
            OwnedMember::Bytes(b) => Member::Bytes(b.as_slice()),
        }
    }
}

/// One slot of the hash table encoding.
#[derive(Default, Debug, Clone)]
struct Entry {
    hash: u32,
    member: SmallBytes,
}

impl Slot for Entry {
    #[inline]
    fn hash(&self) -> u32 {
        self.hash
    }
}

/// The hash table encoding: the table plus the heap bytes its long members own, kept as a
/// running total so memory accounting is O(1).
#[derive(Debug, Default)]
struct Table {
    slots: OrderedTable<Entry>,
    heap: usize,
}

impl Table {
    fn find(&self, member: &[u8]) -> Option<usize> {
        self.slots
            .find(hash_of(member), |e| e.member.as_slice() == member)
    }

    fn insert(&mut self, member: &[u8]) -> bool {
        let hash = hash_of(member);
        if self
            .slots
            .find(hash, |e| e.member.as_slice() == member)
            .is_some()
        {
            return false;
        }
        let member = SmallBytes::new(member);
        self.heap += member.heap_bytes();
        self.slots.insert_new(Entry { hash, member });
        true
    }

    fn remove_at(&mut self, index: usize) -> Option<SmallBytes> {
        let e = self.slots.remove_at(index)?;
        self.heap -= e.member.heap_bytes();
        Some(e.member)
    }

    fn remove(&mut self, member: &[u8]) -> bool {
        match self.find(member) {
            Some(i) => self.remove_at(i).is_some(),
            None => false,
        }
    }

    /// Number of slot positions, occupied or not. The table's array is allocated at exactly its
    /// slot count, so this is its capacity; a larger figure would only add empty positions.
    fn positions(&self) -> usize {
        self.slots.allocated_bytes() / std::mem::size_of::<Entry>()
    }

    fn get(&self, pos: usize) -> Option<&Entry> {
        self.slots.get(pos)
    }

    /// A uniformly chosen occupied slot: probing random positions until one is occupied gives
    /// every member the same chance (unlike walking forward from a random position, which
    /// favours members after long gaps).
    fn random_pos(&self, rng: &mut dyn FnMut() -> u64) -> Option<usize> {
        let n = self.positions();
        if self.slots.is_empty() || n == 0 {
            return None;
        }
        for _ in 0..RANDOM_PROBES {
            let pos = (rng() % n as u64) as usize;
            if self.slots.get(pos).is_some() {
                return Some(pos);
            }
        }
        let k = (rng() % self.slots.len() as u64) as usize;
        (0..n).filter(|&p| self.slots.get(p).is_some()).nth(k)
    }

    fn occupied(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.positions()).filter(|&p| self.slots.get(p).is_some())
    }
}

impl Clone for Table {
    fn clone(&self) -> Self {
        // Entries come out in hash order, which is also the cheapest order to insert them in.
        let mut slots = OrderedTable::new();
        for e in self.slots.iter() {
            slots.insert_new(e.clone());
        }
        Table {
            slots,
            heap: self.heap,
        }
    }
}

#[derive(Debug, Clone)]
enum Repr {
    Ints(IntSet),
    Table(Table),
}

/// A set value; see the module documentation.
#[derive(Debug, Clone)]
pub struct Set {
    repr: Repr,
}

impl Default for Set {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for Set {
    /// Sets are equal when they have the same members, whatever their encodings.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|m| other.contains_member(m))
    }
}

/// The effective intset limit for a configured `set-max-intset-entries`.
#[inline]
fn intset_limit(max_intset: usize) -> usize {
    max_intset.min(INTSET_HARD_MAX)
}

impl Set {
    /// An empty set (an intset, as Redis creates for a first integer member).
    pub fn new() -> Self {
        Set {
            repr: Repr::Ints(IntSet::default()),
        }
    }

    /// A set of `members`, encoded as Redis would encode it after adding them one by one.
    pub fn from_members<'a>(
        members: impl IntoIterator<Item = Member<'a>>,
        max_intset: usize,
    ) -> Self {
        let mut s = Set::new();
        for m in members {
            s.insert_member(m, max_intset);
        }
        s
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Ints(s) => s.len(),
            Repr::Table(t) => t.slots.len(),
        }
    }

    /// Whether the set is empty (an empty set is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Redis's OBJECT ENCODING name for the current representation.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Ints(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Whether the set is an intset (whose SSCAN returns everything in one call).
    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Ints(_))
    }

    /// Heap bytes owned, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Ints(s) => s.heap_bytes(),
            Repr::Table(t) => t.slots.allocated_bytes() + t.heap,
        }
    }

    /// Feeds every member to `feed` in a canonical order (for DEBUG DIGEST): members sorted as
    /// bytes, so equal sets feed equal sequences whatever their encoding or history.
    pub fn feed_digest(&self, feed: &mut dyn FnMut(&[u8])) {
        let mut all: Vec<Vec<u8>> = self.iter().map(Member::to_vec).collect();
        all.sort_unstable();
        for m in &all {
            feed(m);
        }
    }

    /// Whether `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Ints(s) => parse_i64(member).is_some_and(|v| s.contains(v)),
            Repr::Table(t) => t.find(member).is_some(),
        }
    }

    /// Whether `member` (possibly taken from another set) is in the set.
    pub fn contains_member(&self, member: Member<'_>) -> bool {
        match (&self.repr, member) {
            (Repr::Ints(s), Member::Int(v)) => s.contains(v),
            (_, m) => m.with_bytes(|b| self.contains(b)),
        }
    }

    /// Adds `member`; returns whether it was new. The set moves to the hash table when the
    /// member is not an integer or the intset would pass `max_intset` members.
    pub fn insert(&mut self, member: &[u8], max_intset: usize) -> bool {
        if let Repr::Table(t) = &mut self.repr {
            return t.insert(member);
        }
        match parse_i64(member) {
            Some(v) => self.insert_int(v, max_intset),
            None => {
                self.convert_to_table();
                self.insert(member, max_intset)
            }
        }
    }

    /// Adds a member taken from another set; see [`Set::insert`].
    pub fn insert_member(&mut self, member: Member<'_>, max_intset: usize) -> bool {
        match (&self.repr, member) {
            (Repr::Ints(_), Member::Int(v)) => self.insert_int(v, max_intset),
            (_, m) => m.with_bytes(|b| self.insert(b, max_intset)),
        }
    }

    fn insert_int(&mut self, v: i64, max_intset: usize) -> bool {
        let Repr::Ints(s) = &mut self.repr else {
            let mut buf = [0u8; 20];
            return self.insert(format_i64(v, &mut buf), max_intset);
        };
        if !s.insert(v) {
            return false;
        }
        if s.len() > intset_limit(max_intset) {
            self.convert_to_table();
        }
        true
    }

    /// Moves an intset's members into the hash table encoding.
    fn convert_to_table(&mut self) {
        let Repr::Ints(s) = &self.repr else { return };
        let mut t = Table::default();
        for v in s.iter() {
            let mut buf = [0u8; 20];
            t.insert(format_i64(v, &mut buf));
        }
        self.repr = Repr::Table(t);
    }

    /// Moves a hash table back to an intset when Redis would have built the set as one: every
    /// member an integer and no more than `max_intset` of them. Used for results computed by
    /// removing members from a copy, so their encoding matches Redis's build-by-adding.
    pub fn compact(&mut self, max_intset: usize) {
        let Repr::Table(t) = &self.repr else { return };
        if t.slots.len() > intset_limit(max_intset) {
            return;
        }
        let mut ints = IntSet::default();
        for e in t.slots.iter() {
            match parse_i64(&e.member) {
                Some(v) => {
                    ints.insert(v);
                }
                None => return,
            }
        }
        self.repr = Repr::Ints(ints);
    }

    /// Removes `member`; returns whether it was in the set.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Ints(s) => parse_i64(member).is_some_and(|v| s.remove(v)),
            Repr::Table(t) => t.remove(member),
        }
    }

    /// Removes a member taken from another set; see [`Set::remove`].
    pub fn remove_member(&mut self, member: Member<'_>) -> bool {
        match (&mut self.repr, member) {
            (Repr::Ints(s), Member::Int(v)) => s.remove(v),
            (_, m) => m.with_bytes(|b| self.remove(b)),
        }
    }

    /// Keeps only the members for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(Member<'_>) -> bool) {
        match &mut self.repr {
            Repr::Ints(s) => s.retain(|v| keep(Member::Int(v))),
            Repr::Table(t) => {
                let mut freed = 0;
                t.slots.retain(|e| {
                    let k = keep(Member::Bytes(&e.member));
                    if !k {
                        freed += e.member.heap_bytes();
                    }
                    k
                });
                t.heap -= freed;
            }
        }
    }

    /// Every member: ascending for an intset, in hash order for a hash table.
    pub fn iter(&self) -> impl Iterator<Item = Member<'_>> + '_ {
        let (ints, table) = match &self.repr {
            Repr::Ints(s) => (Some(s.iter().map(Member::Int)), None),
            Repr::Table(t) => (
                None,
                Some(t.slots.iter().map(|e| Member::Bytes(e.member.as_slice()))),
            ),
        };
        ints.into_iter()
            .flatten()
            .chain(table.into_iter().flatten())
    }

    /// The member at position `pos` (an intset index or a table slot), if occupied.
    fn at(&self, pos: usize) -> Option<Member<'_>> {
        match &self.repr {
            Repr::Ints(s) => s.get(pos).map(Member::Int),
            Repr::Table(t) => t.get(pos).map(|e| Member::Bytes(e.member.as_slice())),
        }
    }

    /// A uniformly random occupied position.
    fn random_pos(&self, rng: &mut dyn FnMut() -> u64) -> Option<usize> {
        match &self.repr {
            Repr::Ints(s) if s.len() == 0 => None,
            Repr::Ints(s) => Some((rng() % s.len() as u64) as usize),
            Repr::Table(t) => t.random_pos(rng),
        }
    }

    /// Every occupied position.
    fn positions(&self) -> Vec<usize> {
        match &self.repr {
            Repr::Ints(s) => (0..s.len()).collect(),
            Repr::Table(t) => t.occupied().collect(),
        }
    }

    /// A uniformly random member, or `None` when the set is empty. `rng` returns uniformly
    /// distributed 64-bit numbers.
    pub fn random(&self, rng: &mut dyn FnMut() -> u64) -> Option<Member<'_>> {
        self.at(self.random_pos(rng)?)
    }

    /// `count` distinct members chosen uniformly at random (all of them when `count` is at
    /// least the set's size), as SRANDMEMBER with a positive count returns them.
    pub fn random_distinct(&self, count: usize, rng: &mut dyn FnMut() -> u64) -> Vec<Member<'_>> {
        let len = self.len();
        if count >= len {
            return self.iter().collect();
        }
        self.choose_positions(count, rng)
            .into_iter()
            .filter_map(|p| self.at(p))
            .collect()
    }

    /// `count` (< len) distinct random positions. When they are a large share of the set, a
    /// partial shuffle of all positions is cheaper than rejecting repeats; otherwise repeated
    /// draws rarely collide.
    fn choose_positions(&self, count: usize, rng: &mut dyn FnMut() -> u64) -> Vec<usize> {
        let len = self.len();
        if count.saturating_mul(3) > len {
            let mut all = self.positions();
            let n = all.len();
            for i in 0..count.min(n) {
                let j = i + (rng() % (n - i) as u64) as usize;
                all.swap(i, j);
            }
            all.truncate(count);
            return all;
        }
        let mut chosen = Vec::with_capacity(count);
        let mut seen = HashSet::with_capacity(count);
        while chosen.len() < count {
            let Some(p) = self.random_pos(rng) else { break };
            if seen.insert(p) {
                chosen.push(p);
            }
        }
        chosen
    }

    /// Removes and returns the member at `pos`.
    fn take_at(&mut self, pos: usize) -> Option<OwnedMember> {
        match &mut self.repr {
            Repr::Ints(s) => s.remove_at(pos).map(OwnedMember::Int),
            Repr::Table(t) => t.remove_at(pos).map(OwnedMember::Bytes),
        }
    }

    /// Removes and returns a uniformly random member.
    pub fn pop_random(&mut self, rng: &mut dyn FnMut() -> u64) -> Option<OwnedMember> {
        let pos = self.random_pos(rng)?;
        self.take_at(pos)
    }

    /// Removes and returns `count` random members (all of them when `count` is at least the
    /// set's size, leaving it empty). When most of the set goes, it is cheaper to pick the
    /// members that stay and rebuild the set from them, as Redis does; the rebuilt set is
    /// encoded as Redis would encode it.
    pub fn pop_random_many(
        &mut self,
        count: usize,
        rng: &mut dyn FnMut() -> u64,
        max_intset: usize,
    ) -> Vec<OwnedMember> {
        let len = self.len();
        if count >= len {
            let all = self.iter().map(Member::to_owned_member).collect();
            *self = Set::new();
            return all;
        }
        let remaining = len - count;
        if remaining.saturating_mul(5) > count {
            let mut out = Vec::with_capacity(count);
            for _ in 0..count {
                match self.pop_random(rng) {
                    Some(m) => out.push(m),
                    None => break,
                }
            }
            return out;
        }
        let keep: HashSet<usize> = self.choose_positions(remaining, rng).into_iter().collect();
        let mut kept = Set::new();
        let mut out = Vec::with_capacity(count);
        for p in self.positions() {
            let Some(m) = self.at(p) else { continue };
            if keep.contains(&p) {
                kept.insert_member(m, max_intset);
            } else {
                out.push(m.to_owned_member());
            }
        }
        *self = kept;
        out
    }

    /// One SSCAN step: visits about `count` members starting at `cursor` and returns the cursor
    /// to continue from, 0 when done. An intset is returned whole in one call with cursor 0,
    /// as Redis does. A hash table cursor is the hash of the next member not yet visited, so
    /// changes to the set between calls never make a scan miss a member present throughout.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(Member<'_>)) -> u64 {
        match &self.repr {
            Repr::Ints(s) => {
                s.iter().for_each(|v| visit(Member::Int(v)));
                0
            }
            Repr::Table(t) => {
                let Ok(from) = u32::try_from(cursor) else {
                    return 0;
                };
                t.slots
                    .scan(from, count.max(1), |e| visit(Member::Bytes(&e.member)))
                    .map_or(0, u64::from)
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed | 1;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    fn members(s: &Set) -> BTreeSet<Vec<u8>> {
        s.iter().map(Member::to_vec).collect()
    }

    #[test]
    fn encodings_follow_redis_rules() {
        let mut s = Set::new();
        assert!(s.insert(b"17", 512));
        assert!(!s.insert(b"17", 512));
        assert_eq!(s.encoding(), "intset");
        // Non-canonical integers are strings, as for Redis's string2ll.
        assert!(s.insert(b"+1", 512));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"17"));
        assert!(s.contains_member(Member::Int(17)));

        let mut big = Set::new();
        for i in 0..512 {
            big.insert(i.to_string().as_bytes(), 512);
        }
        assert_eq!(big.encoding(), "intset");
        big.insert(b"512", 512);
        assert_eq!(big.encoding(), "hashtable");
        assert_eq!(big.len(), 513);

        let mut zero = Set::new();
        zero.insert(b"1", 0);
        assert_eq!(zero.encoding(), "hashtable");

        let mut huge = Set::new();
        huge.insert(b"213244124402402314402033402", 512);
        assert_eq!(huge.encoding(), "hashtable");
    }

    #[test]
    fn equality_ignores_encoding() {
        let a = Set::from_members([Member::Int(1), Member::Int(2)], 512);
        let mut b = Set::from_members([Member::Bytes(b"x")], 512);
        b.insert(b"1", 512);
        b.insert(b"2", 512);
        b.remove(b"x");
        assert_eq!(a.encoding(), "intset");
        assert_eq!(b.encoding(), "hashtable");
        assert_eq!(a, b);
        let mut da = Vec::new();
        a.feed_digest(&mut |m| da.push(m.to_vec()));
        let mut db = Vec::new();
        b.feed_digest(&mut |m| db.push(m.to_vec()));
        assert_eq!(da, db);
        b.compact(512);
        assert_eq!(b.encoding(), "intset");
        assert_eq!(a, b.clone());
    }

    #[test]
    fn random_draws_are_fair() {
        for encoding_member in [None, Some(&b"x"[..])] {
            let mut s = Set::new();
            for i in 0..10 {
                s.insert(i.to_string().as_bytes(), 512);
            }
            if let Some(m) = encoding_member {
                s.insert(m, 512);
            }
            let n = s.len();
            let mut counts = std::collections::HashMap::new();
            let mut r = rng(42);
            let draws = 20_000;
            for _ in 0..draws {
                *counts
                    .entry(s.random(&mut r).unwrap().to_vec())
                    .or_insert(0) += 1;
            }
            let expected = draws as f64 / n as f64;
            let chi: f64 = counts
                .values()
                .map(|&c| (c as f64 - expected).powi(2) / expected)
                .sum();
            assert_eq!(counts.len(), n);
            assert!(chi < 40.0, "chi-square {chi}");
        }
    }

    #[test]
    fn random_distinct_and_pop_many() {
        let mut s = Set::new();
        for i in 0..100 {
            s.insert(format!("m{i}").as_bytes(), 512);
        }
        let mut r = rng(7);
        for count in [0, 1, 5, 40, 99, 100, 200] {
            let got = s.random_distinct(count, &mut r);
            let uniq: BTreeSet<_> = got.iter().map(|m| m.to_vec()).collect();
            assert_eq!(got.len(), count.min(100));
            assert_eq!(uniq.len(), got.len());
        }
        let before = members(&s);
        let mut popped = BTreeSet::new();
        for count in [3, 90, 2, 50] {
            let n = s.len();
            let got = s.pop_random_many(count, &mut r, 512);
            assert_eq!(got.len(), count.min(n));
            for m in got {
                assert!(popped.insert(m.as_member().to_vec()));
            }
        }
        assert!(s.is_empty());
        assert_eq!(popped, before);
    }

    #[test]
    fn pop_many_rebuilds_with_redis_encoding() {
        let mut s = Set::new();
        for i in 0..20 {
            s.insert(i.to_string().as_bytes(), 4);
        }
        assert_eq!(s.encoding(), "hashtable");
        let mut r = rng(3);
        let got = s.pop_random_many(18, &mut r, 4);
        assert_eq!(got.len(), 18);
        assert_eq!(s.len(), 2);
        assert_eq!(s.encoding(), "intset");
    }

    #[test]
    fn intset_scan_returns_everything_at_once() {
        let s = Set::from_members((0..100).map(Member::Int), 512);
        let mut n = 0;
        assert_eq!(s.scan(12345, 1, |_| n += 1), 0);
        assert_eq!(n, 100);
    }

    #[test]
    fn table_scan_with_out_of_range_cursor_ends() {
        let s = Set::from_members([Member::Bytes(b"a")], 512);
        assert_eq!(s.scan(u64::MAX, 10, |_| panic!("nothing to visit")), 0);
    }

    #[test]
    fn small_members_cost_less_than_redis() {
        // Redis's hashtable set costs 50-60 bytes a member; stay well below at any load.
        let mut s = Set::new();
        for i in 0..200_000 {
            s.insert(format!("m:{i}").as_bytes(), 512);
            if i % 20_000 == 19_999 {
                let per = s.heap_bytes() as f64 / s.len() as f64;
                assert!(per < 45.0, "{per} bytes per member at {}", s.len());
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(Vec<u8>),
        Rem(Vec<u8>),
        Pop,
    }

    fn member() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (-40i64..40).prop_map(|v| v.to_string().into_bytes()),
            any::<i64>().prop_map(|v| v.to_string().into_bytes()),
            "[a-c]{1,3}".prop_map(String::into_bytes),
            "[a-z]{15,20}".prop_map(String::into_bytes),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => member().prop_map(Op::Add),
            2 => member().prop_map(Op::Rem),
            1 => Just(Op::Pop),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn behaves_like_a_btreeset(ops in proptest::collection::vec(op(), 0..300), max in 0usize..40, seed: u64) {
            let mut s = Set::new();
            let mut model = BTreeSet::new();
            let mut r = rng(seed);
            for op in ops {
                match op {
                    Op::Add(m) => prop_assert_eq!(s.insert(&m, max), model.insert(m)),
                    Op::Rem(m) => prop_assert_eq!(s.remove(&m), model.remove(&m)),
                    Op::Pop => match s.pop_random(&mut r) {
                        Some(m) => prop_assert!(model.remove(&m.as_member().to_vec())),
                        None => prop_assert!(model.is_empty()),
                    },
                }
                prop_assert_eq!(s.len(), model.len());
                if s.is_intset() {
                    prop_assert!(s.len() <= max);
                    prop_assert!(model.iter().all(|m| parse_i64(m).is_some()));
                }
            }
            prop_assert_eq!(members(&s), model.clone());
            for m in &model {
                prop_assert!(s.contains(m));
            }
            let copy = s.clone();
            prop_assert_eq!(members(&copy), model);
        }

        #[test]
        fn scan_returns_every_stable_member(
            stable in proptest::collection::btree_set("[a-z0-9]{1,20}", 1..300),
            churn in proptest::collection::vec("[A-Z]{1,5}", 0..300),
            count in 1usize..20,
        ) {
            let mut s = Set::new();
            for m in &stable {
                s.insert(m.as_bytes(), 0);
            }
            let mut seen = BTreeSet::new();
            let mut cursor = 0;
            let mut churn = churn.into_iter();
            loop {
                cursor = s.scan(cursor, count, |m| { seen.insert(m.to_vec()); });
                // Add or remove other members between calls, forcing resizes both ways.
                if let Some(c) = churn.next() {
                    if !s.remove(c.as_bytes()) {
                        s.insert(c.as_bytes(), 0);
                    }
                }
                if cursor == 0 {
                    break;
                }
            }
            for m in &stable {
                prop_assert!(seen.contains(m.as_bytes()));
            }
        }
    }
}
