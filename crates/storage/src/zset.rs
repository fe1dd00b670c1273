//! The sorted set type, in Redis 7.0's two encodings: `listpack` while the set is small, and
//! `skiplist` (here an order-statistic B+ tree with a member index) once it grows.
//!
//! - `listpack` (module `pack`): every (score, member) pair in one byte buffer, in order. Used
//!   while the set has at most `zset-max-listpack-entries` members, none longer than
//!   `zset-max-listpack-value` bytes. As in Redis, a set converts to the large encoding as soon
//!   as an insertion would break either limit, and converts back only where Redis does (the
//!   stores of ZUNIONSTORE and friends decide the encoding of the set they build).
//! - `skiplist` (module `tree`): a B+ tree ordered by (score, member) whose inner nodes count the
//!   items below them, for O(log n) rank, select and range bounds, plus a hash index from member
//!   to leaf for O(1)-ish score lookups and a ZSCAN cursor that survives resizes.
//!
//! Elements are ordered by score, then by member bytes (`memcmp` order), exactly as in Redis;
//! scores are never NaN. Everything that takes a range works on ranks: a score or lex range is
//! first turned into the half-open rank interval it covers, and the commands cut their
//! `LIMIT offset count` out of that.

mod pack;
mod tree;

use std::cmp::Ordering;

use crate::small::SmallBytes;
use pack::Pack;
use strnum::format_double;
use tree::{Item, Tree};

pub use crate::listpack::Limits;
use crate::listpack::SAFETY_LIMIT;

/// Longest reply to a ZRANDMEMBER with a negative count that is served. Redis streams any
/// count, limited only by memory; here the reply is built in memory, so absurd counts are
/// refused up front.
pub const RANDOM_REPLY_MAX: usize = 1 << 24;

/// The (score, member) order: by score, then by member bytes.
#[inline]
pub(crate) fn cmp_key(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    match a_score.partial_cmp(&b_score) {
        Some(Ordering::Equal) | None => a_member.cmp(b_member),
        Some(o) => o,
    }
}

/// ZADD's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddFlags {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is lower.
    pub lt: bool,
    /// Add the score to the current one (ZINCRBY).
    pub incr: bool,
}

/// What [`ZSet::add`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AddResult {
    /// The member was new; its score.
    Added(f64),
    /// The member's score changed; the new score.
    Updated(f64),
    /// The member was processed but kept its score (same score, or a zero increment).
    Unchanged(f64),
    /// Nothing was done because of NX, XX, GT or LT.
    Skipped,
    /// The score (or the incremented score) is not a number; nothing was changed.
    NotANumber,
}

/// A score interval as ZRANGEBYSCORE takes it (`1.5`, `(1.5`, `-inf`, `+inf`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// The lower bound is excluded.
    pub min_exclusive: bool,
    /// The upper bound is excluded.
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// Parses two bounds as Redis's `zslParseRange` does; `None` means Redis's
    /// "min or max is not a float".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let (min, min_exclusive) = parse_score_bound(min)?;
        let (max, max_exclusive) = parse_score_bound(max)?;
        Some(ScoreRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        })
    }

    /// Whether `v` is at or above (beyond, if exclusive) the lower bound.
    #[inline]
    pub fn above_min(&self, v: f64) -> bool {
        if self.min_exclusive {
            v > self.min
        } else {
            v >= self.min
        }
    }

    /// Whether `v` is at or below (before, if exclusive) the upper bound.
    #[inline]
    pub fn below_max(&self, v: f64) -> bool {
        if self.max_exclusive {
            v < self.max
        } else {
            v <= self.max
        }
    }
}

/// One bound of a score range: an optional `(` then the text `strtod` must consume whole.
fn parse_score_bound(s: &[u8]) -> Option<(f64, bool)> {
    match s.split_first() {
        Some((b'(', rest)) => Some((strtod_whole(rest)?, true)),
        _ => Some((strtod_whole(s)?, false)),
    }
}

/// C's `strtod` applied to a C string, accepted only when it consumes everything (what
/// `zslParseRange` checks). Unlike the strict float parser this allows leading whitespace,
/// turns overflow into infinity and underflow into zero, reads an empty string as 0, and stops
/// at a NUL byte; NaN is refused.
fn strtod_whole(s: &[u8]) -> Option<f64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let t = &s[start..];
    if let Some(v) = strnum::parse_f64(t) {
        return Some(v);
    }
    // The strict parser refuses overflow and underflow, which strtod accepts (giving infinity
    // or zero). Only plain decimal text can get here with a valid meaning.
    if !is_decimal_literal(t) {
        return None;
    }
    let v: f64 = std::str::from_utf8(t).ok()?.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// Whether `t` is `[+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?`.
fn is_decimal_literal(t: &[u8]) -> bool {
    let mut i = 0;
    if matches!(t.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = t[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if t.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = t[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = t[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == t.len()
}

/// One end of a lexicographic range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every string.
    NegInf,
    /// `+`: above every string.
    PosInf,
    /// `[value`.
    Inclusive(Vec<u8>),
    /// `(value`.
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Parses `-`, `+`, `[value` or `(value` as Redis's `zslParseLexRangeItem` does.
    pub fn parse(s: &[u8]) -> Option<LexBound> {
        // `-` and `+` must be the whole C string: a NUL right after them also ends it.
        let alone = |s: &[u8]| s.get(1).is_none_or(|&b| b == 0);
        match s.first()? {
            b'+' if alone(s) => Some(LexBound::PosInf),
            b'-' if alone(s) => Some(LexBound::NegInf),
            b'(' => Some(LexBound::Exclusive(s[1..].to_vec())),
            b'[' => Some(LexBound::Inclusive(s[1..].to_vec())),
            _ => None,
        }
    }
}

/// A lexicographic interval as ZRANGEBYLEX takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower bound.
    pub min: LexBound,
    /// Upper bound.
    pub max: LexBound,
}

impl LexRange {
    /// Parses two bounds; `None` means Redis's "min or max not valid string range item".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    /// Whether no string can be in the range (Redis's first test in `zslIsInLexRange`):
    /// the minimum is above the maximum, or they are equal and either is exclusive.
    pub fn is_always_empty(&self) -> bool {
        use LexBound::*;
        let exclusive = |b: &LexBound| !matches!(b, Inclusive(_));
        let cmp = match (&self.min, &self.max) {
            (NegInf, NegInf) | (PosInf, PosInf) => Ordering::Equal,
            (NegInf, _) | (_, PosInf) => Ordering::Less,
            (PosInf, _) | (_, NegInf) => Ordering::Greater,
            (Inclusive(a) | Exclusive(a), Inclusive(b) | Exclusive(b)) => a.cmp(b),
        };
        cmp == Ordering::Greater
            || (cmp == Ordering::Equal && (exclusive(&self.min) || exclusive(&self.max)))
    }

    /// Whether `m` is at or above the lower bound.
    #[inline]
    pub fn above_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(v) => m >= &v[..],
            LexBound::Exclusive(v) => m > &v[..],
        }
    }

    /// Whether `m` is at or below the upper bound.
    #[inline]
    pub fn below_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Inclusive(v) => m <= &v[..],
            LexBound::Exclusive(v) => m < &v[..],
        }
    }
}

/// A sorted set; see the module documentation.
///
/// Equality compares contents (members in order with their scores), not encodings.
#[derive(Debug, Clone, Default)]
pub struct ZSet {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Pack(Pack),
    Tree(Box<Tree>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Pack(Pack::default())
    }
}

impl PartialEq for ZSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((m1, s1), (m2, s2))| m1 == m2 && s1 == s2)
    }
}

impl ZSet {
    /// An empty listpack-encoded set.
    pub fn new() -> Self {
        ZSet::default()
    }

    /// An empty skiplist-encoded set (Redis's `createZsetObject`).
    pub fn new_skiplist() -> Self {
        ZSet {
            repr: Repr::Tree(Box::default()),
        }
    }

    /// The empty set ZADD creates for a new key whose first member is `first_member_len`
    /// bytes long: skiplist-encoded when listpacks are disabled or the member is too long.
    pub fn for_new_key(first_member_len: usize, limits: &Limits) -> Self {
        if limits.max_entries == 0 || limits.max_value < first_member_len {
            ZSet::new_skiplist()
        } else {
            ZSet::new()
        }
    }

    /// Builds a set from members that are unique, in any order. `listpack` chooses the
    /// encoding; callers decide it with [`Limits::fits_listpack`] or Redis's own rule.
    pub fn from_unique(mut entries: Vec<(SmallBytes, f64)>, listpack: bool) -> Self {
        entries.sort_unstable_by(|a, b| cmp_key(a.1, &a.0, b.1, &b.0));
        if listpack {
            let mut p = Pack::default();
            for (m, s) in &entries {
                p.push(*s, m);
            }
            ZSet {
                repr: Repr::Pack(p),
            }
        } else {
            let items = entries
                .into_iter()
                .map(|(member, score)| Item { score, member })
                .collect();
            ZSet {
                repr: Repr::Tree(Box::new(Tree::build(items))),
            }
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.len(),
            Repr::Tree(t) => t.len(),
        }
    }

    /// Whether the set is empty (an empty set is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Redis's OBJECT ENCODING name for the current representation.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Pack(_) => "listpack",
            Repr::Tree(_) => "skiplist",
        }
    }

    /// Whether the set is listpack-encoded.
    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Pack(_))
    }

    /// Heap bytes owned, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.heap_bytes(),
            Repr::Tree(t) => std::mem::size_of::<Tree>() + t.heap_bytes(),
        }
    }

    /// Feeds every element to `feed` in a canonical order (for DEBUG DIGEST): member, then
    /// score text, in (score, member) order.
    pub fn feed_digest(&self, feed: &mut dyn FnMut(&[u8])) {
        let mut text = Vec::with_capacity(32);
        for (m, s) in self.iter() {
            feed(m);
            text.clear();
            format_double(s, &mut text);
            feed(&text);
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Pack(p) => p.find(member).map(|(_, s)| s),
            Repr::Tree(t) => t.score(member),
        }
    }

    /// Whether `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        self.score(member).is_some()
    }

    /// Adds or updates `member` with ZADD's semantics (Redis's `zsetAdd`), converting to the
    /// large encoding when a new member breaks the listpack limits.
    pub fn add(
        &mut self,
        member: &[u8],
        score: f64,
        flags: AddFlags,
        limits: &Limits,
    ) -> AddResult {
        if score.is_nan() {
            return AddResult::NotANumber;
        }
        match self.score(member) {
            Some(current) => {
                if flags.nx {
                    return AddResult::Skipped;
                }
                let mut new = score;
                if flags.incr {
                    new += current;
                    if new.is_nan() {
                        return AddResult::NotANumber;
                    }
                }
                if (flags.lt && new >= current) || (flags.gt && new <= current) {
                    return AddResult::Skipped;
                }
                if new == current {
                    return AddResult::Unchanged(new);
                }
                self.set_existing(member, current, new);
                AddResult::Updated(new)
            }
            None => {
                if flags.xx {
                    return AddResult::Skipped;
                }
                self.insert_new(member, score, limits);
                AddResult::Added(score)
            }
        }
    }

    /// Moves an existing member from score `old` to `new`.
    fn set_existing(&mut self, member: &[u8], old: f64, new: f64) {
        match &mut self.repr {
            Repr::Pack(p) => {
                if let Some((off, _)) = p.find(member) {
                    p.remove_at(off);
                    p.insert(new, member);
                }
            }
            Repr::Tree(t) => {
                if t.remove(old, member) {
                    t.insert(new, member);
                }
            }
        }
    }

    /// Inserts a member the caller knows is absent, converting first when the listpack limits
    /// (or its 1 GiB safety cap) would be broken.
    pub fn insert_new(&mut self, member: &[u8], score: f64, limits: &Limits) {
        if let Repr::Pack(p) = &mut self.repr {
            if p.len() < limits.max_entries
                && member.len() <= limits.max_value
                && p.bytes().saturating_add(member.len()) <= SAFETY_LIMIT
            {
                p.insert(score, member);
                return;
            }
            self.convert_to_skiplist();
        }
        if let Repr::Tree(t) = &mut self.repr {
            t.insert(score, member);
        }
    }

    /// Removes `member`; returns whether it was present.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Pack(p) => match p.find(member) {
                Some((off, _)) => {
                    p.remove_at(off);
                    true
                }
                None => false,
            },
            Repr::Tree(t) => match t.score(member) {
                Some(s) => t.remove(s, member),
                None => false,
            },
        }
    }

    /// The 0-based rank of `member`, counted from the lowest score or (`reverse`) the highest.
    pub fn rank(&self, member: &[u8], reverse: bool) -> Option<usize> {
        let r = match &self.repr {
            Repr::Pack(p) => p.rank(member)?,
            Repr::Tree(t) => t.rank(t.score(member)?, member)?,
        };
        Some(if reverse { self.len() - 1 - r } else { r })
    }

    /// Number of leading members (in order) for which `pred(score, member)` holds; `pred`
    /// must hold for a prefix of the order.
    fn count_while(&self, pred: impl Fn(f64, &[u8]) -> bool) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.count_while(pred),
            Repr::Tree(t) => t.count_while(pred),
        }
    }

    /// The ranks `lo..hi` of the members within a score range (`lo == hi` when none are).
    pub fn score_span(&self, range: &ScoreRange) -> (usize, usize) {
        let lo = self.count_while(|s, _| !range.above_min(s));
        let hi = self.count_while(|s, _| range.below_max(s));
        (lo, hi.max(lo))
    }

    /// The ranks `lo..hi` of the members within a lex range (`lo == hi` when none are), as a
    /// walk upwards (or, `reverse`, downwards) finds them.
    ///
    /// Lex ranges assume every member has the same score, as Redis documents. With mixed
    /// scores a listpack answers exactly as Redis's listpack walk does (including its early
    /// exits on the first and last members, and a downward walk that may select differently
    /// from an upward one); the large encoding answers as a search that assumes the order,
    /// which is what Redis's skiplist does too, with results depending on its random levels.
    pub fn lex_span(&self, range: &LexRange, reverse: bool) -> (usize, usize) {
        let len = self.len();
        let (Some((first, _)), Some((last, _))) = (self.nth(0), self.nth(len.wrapping_sub(1)))
        else {
            return (0, 0);
        };
        if range.is_always_empty() || !range.above_min(last) || !range.below_max(first) {
            return (0, 0);
        }
        match &self.repr {
            Repr::Pack(p) if !reverse => {
                let lo = p.count_while(|_, m| !range.above_min(m));
                let n = p
                    .iter()
                    .skip(lo)
                    .take_while(|e| range.below_max(e.member))
                    .count();
                (lo, lo + n)
            }
            Repr::Pack(p) => {
                let members: Vec<&[u8]> = p.iter().map(|e| e.member).collect();
                let above = members
                    .iter()
                    .rev()
                    .take_while(|m| !range.below_max(m))
                    .count();
                let hi = len - above;
                let n = members[..hi]
                    .iter()
                    .rev()
                    .take_while(|m| range.above_min(m))
                    .count();
                (hi - n, hi)
            }
            Repr::Tree(t) => {
                let lo = t.count_while(|_, m| !range.above_min(m));
                let hi = t.count_while(|_, m| range.below_max(m));
                (lo, hi.max(lo))
            }
        }
    }

    /// Iterates over the members of ranks `lo..hi` (ascending ranks), upwards or, when
    /// `reverse`, from `hi - 1` down to `lo`.
    pub fn range(&self, lo: usize, hi: usize, reverse: bool) -> ZIter<'_> {
        let hi = hi.min(self.len());
        let n = hi.saturating_sub(lo);
        let inner = if n == 0 {
            IterInner::Empty
        } else {
            match &self.repr {
                Repr::Pack(p) if !reverse => {
                    let mut it = p.iter();
                    if lo > 0 {
                        it.nth(lo - 1);
                    }
                    IterInner::Pack(it)
                }
                Repr::Pack(p) => {
                    let mut v: Vec<(&[u8], f64)> = p
                        .iter()
                        .skip(lo)
                        .take(n)
                        .map(|e| (e.member, e.score))
                        .collect();
                    v.reverse();
                    IterInner::Buffered(v.into_iter())
                }
                Repr::Tree(t) => {
                    IterInner::Tree(t.iter_from(if reverse { hi - 1 } else { lo }, reverse))
                }
            }
        };
        ZIter {
            inner,
            remaining: n,
        }
    }

    /// Iterates over every member in order.
    pub fn iter(&self) -> ZIter<'_> {
        self.range(0, self.len(), false)
    }

    /// The member of rank `rank` (ascending) and its score.
    pub fn nth(&self, rank: usize) -> Option<(&[u8], f64)> {
        match &self.repr {
            Repr::Pack(p) => p.nth(rank).map(|e| (e.member, e.score)),
            Repr::Tree(t) => t.nth(rank).map(|e| (&e.member[..], e.score)),
        }
    }

    /// Random access by rank for repeated picks (ZRANDMEMBER): O(1) per pick on a listpack
    /// after one pass, O(log n) on the tree.
    pub fn ranked(&self) -> Ranked<'_> {
        match &self.repr {
            Repr::Pack(p) => Ranked(RankedInner::Pack(p, p.offsets())),
            Repr::Tree(t) => Ranked(RankedInner::Tree(t)),
        }
    }

    /// Removes the members of ranks `lo..hi`; returns how many were removed.
    pub fn remove_ranks(&mut self, lo: usize, hi: usize) -> usize {
        match &mut self.repr {
            Repr::Pack(p) => p.remove_ranks(lo, hi),
            Repr::Tree(t) => t.remove_ranks(lo, hi),
        }
    }

    /// Removes and returns up to `count` members from the low end (or, `max`, the high end),
    /// in the order popped. ZPOPMIN, ZPOPMAX, ZMPOP and the blocking pops share this.
    pub fn pop(&mut self, max: bool, count: usize) -> Vec<(SmallBytes, f64)> {
        let len = self.len();
        let n = count.min(len);
        let (lo, hi) = if max { (len - n, len) } else { (0, n) };
        let out: Vec<(SmallBytes, f64)> = self
            .range(lo, hi, max)
            .map(|(m, s)| (SmallBytes::new(m), s))
            .collect();
        self.remove_ranks(lo, hi);
        out
    }

    /// One ZSCAN step from `cursor`: visits at least `count` members (all of them for a
    /// listpack) and returns the next cursor, 0 when done.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], f64)) -> u64 {
        match &self.repr {
            Repr::Pack(p) => {
                for e in p.iter() {
                    visit(e.member, e.score);
                }
                0
            }
            Repr::Tree(t) => {
                let Ok(from) = u32::try_from(cursor) else {
                    return 0;
                };
                t.scan(from, count.max(1), visit).map_or(0, u64::from)
            }
        }
    }

    /// Converts a skiplist-encoded set back to a listpack when it fits the limits (Redis's
    /// `zsetConvertToListpackIfNeeded`, used by the commands that store a computed set).
    pub fn shrink_to_listpack_if_fits(&mut self, limits: &Limits) {
        let Repr::Tree(t) = &self.repr else { return };
        if t.len() > limits.max_entries {
            return;
        }
        let (mut longest, mut total) = (0, 0usize);
        for (m, _) in self.iter() {
            longest = longest.max(m.len());
            total = total.saturating_add(m.len());
        }
        if limits.fits(self.len(), longest, total) {
            let mut p = Pack::default();
            for (m, s) in self.iter() {
                p.push(s, m);
            }
            self.repr = Repr::Pack(p);
        }
    }

    /// Moves to the large encoding.
    fn convert_to_skiplist(&mut self) {
        if let Repr::Pack(p) = &self.repr {
            let items = p
                .iter()
                .map(|e| Item {
                    score: e.score,
                    member: SmallBytes::new(e.member),
                })
                .collect();
            self.repr = Repr::Tree(Box::new(Tree::build(items)));
        }
    }
}

/// Iterator over (member, score) pairs of a range of a [`ZSet`].
#[derive(Debug)]
pub struct ZIter<'a> {
    inner: IterInner<'a>,
    remaining: usize,
}

#[derive(Debug)]
enum IterInner<'a> {
    Empty,
    Pack(pack::PackIter<'a>),
    Buffered(std::vec::IntoIter<(&'a [u8], f64)>),
    Tree(tree::TreeIter<'a>),
}

impl<'a> Iterator for ZIter<'a> {
    type Item = (&'a [u8], f64);

    #[inline]
    fn next(&mut self) -> Option<(&'a [u8], f64)> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        match &mut self.inner {
            IterInner::Empty => None,
            IterInner::Pack(it) => it.next().map(|e| (e.member, e.score)),
            IterInner::Buffered(it) => it.next(),
            IterInner::Tree(it) => it.next().map(|e| (&e.member[..], e.score)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining))
    }
}

/// Random access to a [`ZSet`] by rank; see [`ZSet::ranked`].
#[derive(Debug)]
pub struct Ranked<'a>(RankedInner<'a>);

#[derive(Debug)]
enum RankedInner<'a> {
    /// A listpack and the offset of each entry.
    Pack(&'a Pack, Vec<u32>),
    Tree(&'a Tree),
}

impl<'a> Ranked<'a> {
    /// The member of rank `rank` and its score.
    pub fn get(&self, rank: usize) -> Option<(&'a [u8], f64)> {
        match &self.0 {
            RankedInner::Pack(p, offsets) => {
                let off = *offsets.get(rank)? as usize;
                p.at(off).map(|e| (e.member, e.score))
            }
            RankedInner::Tree(t) => t.nth(rank).map(|e| (&e.member[..], e.score)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn limits(entries: usize) -> Limits {
        Limits {
            max_entries: entries,
            max_value: 64,
        }
    }

    fn members(z: &ZSet) -> Vec<(Vec<u8>, f64)> {
        z.iter().map(|(m, s)| (m.to_vec(), s)).collect()
    }

    #[test]
    fn converts_at_the_thresholds() {
        let l = Limits {
            max_entries: 3,
            max_value: 5,
        };
        let mut z = ZSet::for_new_key(1, &l);
        assert_eq!(z.encoding(), "listpack");
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(
                z.add(m.as_bytes(), i as f64, AddFlags::default(), &l),
                AddResult::Added(i as f64)
            );
        }
        assert_eq!(z.encoding(), "listpack");
        z.add(b"d", 9.0, AddFlags::default(), &l);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.len(), 4);
        // It does not go back by itself.
        z.remove(b"d");
        assert_eq!(z.encoding(), "skiplist");
        z.shrink_to_listpack_if_fits(&l);
        assert_eq!(z.encoding(), "listpack");
        z.add(b"toolong", 1.0, AddFlags::default(), &l);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(ZSet::for_new_key(6, &l).encoding(), "skiplist");
        assert_eq!(ZSet::for_new_key(1, &limits(0)).encoding(), "skiplist");
    }

    #[test]
    fn add_flags_follow_redis() {
        let l = Limits::ZSET;
        let mut z = ZSet::new();
        let f = |nx, xx, gt, lt, incr| AddFlags {
            nx,
            xx,
            gt,
            lt,
            incr,
        };
        assert_eq!(
            z.add(b"a", 1.0, f(false, true, false, false, false), &l),
            AddResult::Skipped
        );
        assert_eq!(
            z.add(b"a", 1.0, AddFlags::default(), &l),
            AddResult::Added(1.0)
        );
        assert_eq!(
            z.add(b"a", 5.0, f(true, false, false, false, false), &l),
            AddResult::Skipped
        );
        assert_eq!(
            z.add(b"a", 0.5, f(false, false, true, false, false), &l),
            AddResult::Skipped
        );
        assert_eq!(
            z.add(b"a", 2.0, f(false, false, true, false, false), &l),
            AddResult::Updated(2.0)
        );
        assert_eq!(
            z.add(b"a", 3.0, f(false, false, false, false, true), &l),
            AddResult::Updated(5.0)
        );
        assert_eq!(
            z.add(b"a", 0.0, f(false, false, false, false, true), &l),
            AddResult::Unchanged(5.0)
        );
        assert_eq!(
            z.add(b"a", f64::NAN, AddFlags::default(), &l),
            AddResult::NotANumber
        );
        z.add(b"b", f64::INFINITY, AddFlags::default(), &l);
        assert_eq!(
            z.add(
                b"b",
                f64::NEG_INFINITY,
                f(false, false, false, false, true),
                &l
            ),
            AddResult::NotANumber
        );
        assert_eq!(z.score(b"b"), Some(f64::INFINITY));
    }

    #[test]
    fn negative_zero_only_survives_in_a_skiplist() {
        let mut small = ZSet::new();
        small.add(b"z", -0.0, AddFlags::default(), &Limits::ZSET);
        assert!(small.score(b"z").unwrap().is_sign_positive());
        let mut big = ZSet::new_skiplist();
        big.add(b"z", -0.0, AddFlags::default(), &Limits::ZSET);
        assert!(big.score(b"z").unwrap().is_sign_negative());
    }

    #[test]
    fn score_bounds_parse_like_strtod() {
        let r = ScoreRange::parse(b"(1.5", b"+inf").unwrap();
        assert!(r.min_exclusive && !r.max_exclusive && r.max == f64::INFINITY);
        assert!(ScoreRange::parse(b"nan", b"1").is_none());
        assert!(ScoreRange::parse(b"str", b"1").is_none());
        assert!(ScoreRange::parse(b"1", b"1 ").is_none());
        assert_eq!(ScoreRange::parse(b" 1", b"").unwrap().min, 1.0);
        assert_eq!(
            ScoreRange::parse(b"1e400", b"(").unwrap().min,
            f64::INFINITY
        );
        assert_eq!(ScoreRange::parse(b"1e-400", b"0").unwrap().min, 0.0);
        assert!(ScoreRange::parse(b"1e", b"0").is_none());
        assert!(ScoreRange::parse(b"  ", b"0").is_none());
        assert_eq!(ScoreRange::parse(b"-inf", b"0x10").unwrap().max, 16.0);
    }

    #[test]
    fn lex_bounds_parse_like_redis() {
        assert_eq!(LexBound::parse(b"-"), Some(LexBound::NegInf));
        assert_eq!(LexBound::parse(b"+"), Some(LexBound::PosInf));
        assert_eq!(LexBound::parse(b"+x"), None);
        assert_eq!(LexBound::parse(b"foo"), None);
        assert_eq!(LexBound::parse(b""), None);
        assert_eq!(LexBound::parse(b"("), Some(LexBound::Exclusive(vec![])));
        assert_eq!(
            LexBound::parse(b"[a"),
            Some(LexBound::Inclusive(b"a".to_vec()))
        );
    }

    #[test]
    fn pops_from_both_ends() {
        for entries in [128, 0] {
            let l = limits(entries);
            let mut z = ZSet::for_new_key(1, &l);
            for i in 0..10 {
                z.add(
                    format!("m{i}").as_bytes(),
                    f64::from(i),
                    AddFlags::default(),
                    &l,
                );
            }
            let low = z.pop(false, 2);
            assert_eq!(low[0].0.as_slice(), b"m0");
            assert_eq!(low[1].0.as_slice(), b"m1");
            let high = z.pop(true, 3);
            assert_eq!(high[0].0.as_slice(), b"m9");
            assert_eq!(high[2].0.as_slice(), b"m7");
            assert_eq!(z.len(), 5);
            assert_eq!(z.pop(true, 100).len(), 5);
            assert!(z.is_empty());
        }
    }

    #[test]
    fn large_set_ranks_ranges_and_scan() {
        let l = limits(128);
        let mut z = ZSet::new();
        let n = 20_000u32;
        for i in 0..n {
            let i = (i * 7919) % n;
            z.add(
                format!("{i:05}").as_bytes(),
                f64::from(i / 10),
                AddFlags::default(),
                &l,
            );
        }
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.rank(b"00123", false), Some(123));
        assert_eq!(z.rank(b"00123", true), Some(n as usize - 124));
        let r = ScoreRange::parse(b"(10", b"20").unwrap();
        assert_eq!(z.score_span(&r), (110, 210));
        let lex = LexRange::parse(b"[00100", b"(00200").unwrap();
        assert_eq!(z.lex_span(&lex, false), (100, 200));
        assert_eq!(z.lex_span(&lex, true), (100, 200));
        let back: Vec<Vec<u8>> = z.range(5, 8, true).map(|(m, _)| m.to_vec()).collect();
        assert_eq!(
            back,
            vec![b"00007".to_vec(), b"00006".to_vec(), b"00005".to_vec()]
        );
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = z.scan(cursor, 100, |m, _| {
                seen.insert(m.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), n as usize);
        assert_eq!(z.remove_ranks(0, 10_000), 10_000);
        assert_eq!(z.nth(0).unwrap().0, b"10000");
        let copy = z.clone();
        assert_eq!(copy, z);
        let mut digest_a = Vec::new();
        z.feed_digest(&mut |b| digest_a.push(b.to_vec()));
        let rebuilt = ZSet::from_unique(
            members(&z)
                .into_iter()
                .map(|(m, s)| (SmallBytes::new(&m), s))
                .collect(),
            true,
        );
        let mut digest_b = Vec::new();
        rebuilt.feed_digest(&mut |b| digest_b.push(b.to_vec()));
        assert_eq!(digest_a, digest_b);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8, i8, bool),
        Remove(u8),
        RemoveRanks(u8, u8),
        Pop(bool, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<u8>(), -5i8..5, any::<bool>()).prop_map(|(m, s, i)| Op::Add(m, s, i)),
            2 => any::<u8>().prop_map(Op::Remove),
            1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::RemoveRanks(a, b)),
            1 => (any::<bool>(), 0u8..5).prop_map(|(m, c)| Op::Pop(m, c)),
        ]
    }

    fn name(m: u8) -> Vec<u8> {
        // Some members longer than the inline size, and one byte of variety in the rest.
        if m.is_multiple_of(7) {
            format!("a-long-member-name-{m:03}").into_bytes()
        } else {
            format!("m{:02x}", m % 61).into_bytes()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn behaves_like_a_btreemap(ops in proptest::collection::vec(op(), 0..400), max in 0usize..20) {
            let l = Limits { max_entries: max, max_value: 64 };
            let mut z = ZSet::new();
            let mut model: BTreeMap<Vec<u8>, f64> = BTreeMap::new();
            let ordered = |model: &BTreeMap<Vec<u8>, f64>| {
                let mut v: Vec<(Vec<u8>, f64)> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
                v.sort_by(|a, b| cmp_key(a.1, &a.0, b.1, &b.0));
                v
            };
            for op in ops {
                match op {
                    Op::Add(m, s, incr) => {
                        let m = name(m);
                        let flags = AddFlags { incr, ..AddFlags::default() };
                        let r = z.add(&m, f64::from(s), flags, &l);
                        let old = model.get(&m).copied();
                        let new = if incr { old.unwrap_or(0.0) + f64::from(s) } else { f64::from(s) };
                        match old {
                            None => prop_assert_eq!(r, AddResult::Added(f64::from(s))),
                            Some(o) if o == new => prop_assert_eq!(r, AddResult::Unchanged(new)),
                            Some(_) => prop_assert_eq!(r, AddResult::Updated(new)),
                        }
                        model.insert(m, new);
                    }
                    Op::Remove(m) => {
                        let m = name(m);
                        prop_assert_eq!(z.remove(&m), model.remove(&m).is_some());
                    }
                    Op::RemoveRanks(a, b) => {
                        let v = ordered(&model);
                        let (lo, hi) = (usize::from(a) % (v.len() + 1), usize::from(b));
                        let hi = hi.min(v.len());
                        let removed = z.remove_ranks(lo, hi);
                        prop_assert_eq!(removed, hi.saturating_sub(lo));
                        for (m, _) in v.iter().take(hi).skip(lo) {
                            model.remove(m);
                        }
                    }
                    Op::Pop(max, count) => {
                        let v = ordered(&model);
                        let got = z.pop(max, usize::from(count));
                        let want: Vec<(Vec<u8>, f64)> = if max {
                            v.iter().rev().take(usize::from(count)).cloned().collect()
                        } else {
                            v.iter().take(usize::from(count)).cloned().collect()
                        };
                        let got: Vec<(Vec<u8>, f64)> = got.into_iter().map(|(m, s)| (m.to_vec(), s)).collect();
                        prop_assert_eq!(&got, &want);
                        for (m, _) in want {
                            model.remove(&m);
                        }
                    }
                }
                prop_assert_eq!(z.len(), model.len());
            }
            let v = ordered(&model);
            prop_assert_eq!(members(&z), v.clone());
            let rev: Vec<(Vec<u8>, f64)> = z.range(0, z.len(), true).map(|(m, s)| (m.to_vec(), s)).collect();
            prop_assert_eq!(rev, v.iter().rev().cloned().collect::<Vec<_>>());
            for (i, (m, s)) in v.iter().enumerate() {
                prop_assert_eq!(z.score(m), Some(*s));
                prop_assert_eq!(z.rank(m, false), Some(i));
                prop_assert_eq!(z.nth(i).map(|(m, s)| (m.to_vec(), s)), Some((m.clone(), *s)));
            }
            let ranked = z.ranked();
            for (i, (m, _)) in v.iter().enumerate() {
                prop_assert_eq!(ranked.get(i).map(|(m, _)| m.to_vec()), Some(m.clone()));
            }
            for lo in -6i8..6 {
                let r = ScoreRange::parse(lo.to_string().as_bytes(), b"(3").unwrap();
                let (a, b) = z.score_span(&r);
                let want = v.iter().filter(|(_, s)| r.above_min(*s) && r.below_max(*s)).count();
                prop_assert_eq!(b - a, want);
            }
            if let Repr::Tree(t) = &z.repr {
                t.check();
            }
        }
    }
}
